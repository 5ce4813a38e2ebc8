// End-to-end, istio strategy: the real CLI, plugins and policy pack, one `pulumi up` per stage, and the route
// served for real by istiod (pilot-discovery) to a stock Envoy, measured with requests through that Envoy. Testers
// reach the candidate by header or cookie, mirroring copies live requests without serving them, weights hold
// within a stated tolerance, a rollback from a weight takes one `up`, and the guard refuses weight jumps.
import assert from "node:assert/strict";
import { Release } from "../../../rollout/release";
import { clusterKubeconfig } from "../../lib/env";
import { kubectl } from "../../cluster/kube";
import { countersByVersion, sendThroughMesh, ServedRoute, waitForRoute } from "../../lib/mesh";
import { ClusterView } from "../../lib/observe";
import { RolloutStack } from "../../lib/stack";
import { EngineLog } from "./lib/engine-log";
import { stateOf } from "./lib/state";

const namespace = "bookinfo-mesh";
const image = (version: string) => `docker.io/istio/examples-bookinfo-reviews-${version}:1.20.3`;
const RELEASE: Release = {
    stable: { version: "v1", image: image("v1"), replicas: 3 },
    candidate: { version: "v2", image: image("v2"), replicas: 3 },
};
const TESTER = { "end-user": "jason" };
const TESTER_COOKIE = { cookie: "session=abc; user=jason; theme=dark" };
/** Requests per weight measurement. */
const SAMPLE = 2000;

/**
 * Envoy picks a weighted cluster at random per request, so a measured share is binomial: allowed distance from the
 * weight, in percentage points, is 4.5 standard deviations of SAMPLE draws (1 %: 1.0, 5 %: 2.2, 10 %: 3.0,
 * 25 %: 4.4, 50 %: 5.0), which a correct split misses less than once in 100 000 runs, while the next step of the
 * list is always farther away.
 */
const tolerance = (weight: number) => 100 * 4.5 * Math.sqrt(((weight / 100) * (1 - weight / 100)) / SAMPLE);

const VS_URN =
    "urn:pulumi:e2e-mesh::bookinfo-rollout::bookinfo:index:Bookinfo$bookinfo:index:ReviewsRollout$bookinfo:index:ReviewsMesh$kubernetes:networking.istio.io/v1:VirtualService::reviews-rollout-mesh-virtual-service";

const weightsAre = (want: Record<string, number>) => (r: ServedRoute) =>
    JSON.stringify(r.route.weights) === JSON.stringify(want);

describe("e2e: the istio traffic strategy through istiod and Envoy", function () {
    this.timeout(15 * 60_000);
    const view = new ClusterView(clusterKubeconfig, namespace);
    const log = new EngineLog();
    const report: string[] = [];
    let rollout: RolloutStack;

    /** `up` to a stage, then the time until Envoy serves the route it asked for. */
    async function upTo(stage: string, served: (r: ServedRoute) => boolean): Promise<number> {
        await rollout.setStage(stage);
        await rollout.up({ onEvent: log.onEvent });
        const { ms } = await waitForRoute(namespace, served);
        report.push(`${stage}: Envoy served the new route ${ms} ms after up returned`);
        return ms;
    }

    async function expectRefused(to: string, from: string): Promise<void> {
        const before = await Promise.all([view.settled(), stateOf(rollout)]);
        await rollout.setStage(to);
        const named = (e: Error) =>
            /reviews-stage-move-allowed/.test(e.message) && e.message.includes(`${from} -> ${to}`);
        await assert.rejects(rollout.preview({ onEvent: log.onEvent }), named, `preview ${from} -> ${to}`);
        await assert.rejects(rollout.up({ onEvent: log.onEvent }), named, `up ${from} -> ${to}`);
        assert.deepEqual(
            await Promise.all([view.snapshot(), stateOf(rollout)]),
            before,
            `${from} -> ${to} changed the cluster or the state`,
        );
        await rollout.setStage(from);
    }

    async function expectWeight(stage: string, weight: number): Promise<void> {
        await upTo(stage, weightsAre({ v1: 100 - weight, v2: weight }));
        const sample = await sendThroughMesh(namespace, SAMPLE);
        const measured = (100 * (sample.byVersion.v2 ?? 0)) / SAMPLE;
        report.push(
            `${stage}: v2 answered ${sample.byVersion.v2 ?? 0} of ${SAMPLE} (${measured.toFixed(2)}%, allowed ${weight} +- ${tolerance(weight).toFixed(2)})`,
        );
        assert.deepEqual(sample.failures, [], `${stage}: failed requests`);
        assert.ok(
            Math.abs(measured - weight) <= tolerance(weight),
            `${stage}: measured ${measured}% for weight ${weight}`,
        );
        const testers = await sendThroughMesh(namespace, 200, { headers: TESTER });
        assert.deepEqual(testers.byVersion, { v2: 200 }, `${stage}: testers`);
    }

    before(async () => {
        rollout = await RolloutStack.open({
            stack: "e2e-mesh",
            namespace,
            release: RELEASE,
            config: { traffic: JSON.stringify({ strategy: "istio" }) },
        });
        await rollout.destroy();
    });

    after(async () => {
        console.log(`      ${report.join("\n      ")}`);
        await rollout?.destroy();
    });

    it("stable: the route sends everything to v1", async () => {
        await upTo("stable", weightsAre({ v1: 100 }));
        const sample = await sendThroughMesh(namespace, 200);
        assert.deepEqual(sample.byVersion, { v1: 200 });
    });

    it("dark: testers by header and by cookie always reach v2, everyone else never", async () => {
        await upTo("dark", (r) => r.headerMatches.some((h) => h.version === "v2"));
        const outputs = await rollout.stack.outputs();
        assert.match(outputs.gate.value, /^gate passed: 1 pod\(s\) of reviews-v2/);
        assert.match(outputs.appCheck.value, /^app check passed/);
        assert.deepEqual((await sendThroughMesh(namespace, 200, { headers: TESTER })).byVersion, { v2: 200 });
        assert.deepEqual((await sendThroughMesh(namespace, 200, { headers: TESTER_COOKIE })).byVersion, { v2: 200 });
        assert.deepEqual(
            (await sendThroughMesh(namespace, 400, { headers: { "end-user": "jasonx", cookie: "user=jasonx" } }))
                .byVersion,
            { v1: 400 },
        );
        // Through productpage, as a user sees it: it forwards the signed-in user to reviews.
        const page = await sendThroughMesh(namespace, 50, {
            service: "productpage",
            path: "/api/v1/products/0/reviews",
            headers: TESTER,
        });
        assert.deepEqual(page.failures, []);
    });

    it("refuses weight jumps from dark in preview and up, changing nothing", async () => {
        for (const to of ["weight-5", "weight-100", "promoted"]) await expectRefused(to, "dark");
    });

    it("the guard holds under istio: without the pack, a targeted up, a strategy switch, the change's own steps or testers, hand-set pods, a hand-edited route", async () => {
        const cases: {
            name: string;
            stage: string;
            run: Parameters<RolloutStack["up"]>[0];
            traffic?: string;
            refusedBy: RegExp;
        }[] = [
            {
                name: "a plain up without the pack, dark -> weight-5",
                stage: "weight-5",
                run: { noPolicyPack: true },
                refusedBy: /\[reviews-stage-move-allowed\] dark -> weight-5 is refused/,
            },
            {
                name: "a targeted up of the VirtualService alone, dark -> weight-25",
                stage: "weight-25",
                run: { target: [VS_URN] },
                refusedBy: /\[reviews-stage-move-allowed\] dark -> weight-25 is refused/,
            },
            {
                name: "the pods strategy mid-rollout",
                stage: "canary",
                run: {},
                traffic: JSON.stringify({ strategy: "pods" }),
                refusedBy:
                    /\[reviews-yardstick-fixed-during-rollout\] traffic\.strategy = "pods" \(deployed: "istio"\)/,
            },
            {
                name: "steps [1, 50] and weight-50 from dark (the change setting its own table)",
                stage: "weight-50",
                run: {},
                traffic: JSON.stringify({ strategy: "istio", steps: [1, 50] }),
                refusedBy:
                    /\[reviews-stage-move-allowed\] dark -> weight-50 is refused[\s\S]*\[reviews-yardstick-fixed-during-rollout\] traffic\.steps = \[1,50\] \(deployed: \[1,5,10,25,50\]\)/,
            },
            {
                name: "a tester match every request carries (x-forwarded-proto: http), staying at dark",
                stage: "dark",
                run: {},
                traffic: JSON.stringify({
                    strategy: "istio",
                    testers: { header: "x-forwarded-proto", cookie: "user", value: "http" },
                }),
                refusedBy:
                    /\[reviews-yardstick-fixed-during-rollout\] traffic\.testers = [\s\S]*\[reviews-yardstick-within-limits\] traffic\.testers\.header = "x-forwarded-proto" is not a tester header the policy allows/,
            },
        ];
        for (const c of cases) {
            const before = await Promise.all([view.settled(), stateOf(rollout)]);
            await rollout.setStage(c.stage);
            if (c.traffic) await rollout.setConfig("traffic", c.traffic);
            try {
                await assert.rejects(
                    rollout.up({ ...c.run, onEvent: log.onEvent }),
                    (e: Error) => c.refusedBy.test(e.message),
                    c.name,
                );
                assert.deepEqual(
                    await Promise.all([view.snapshot(), stateOf(rollout)]),
                    before,
                    `${c.name} changed the cluster or the state`,
                );
            } finally {
                await rollout.setStage("dark");
                if (c.traffic) await rollout.setConfig("traffic", JSON.stringify({ strategy: "istio" }));
            }
        }
        // Someone switches the candidate's pods to an ungated image by hand: a targeted up of the route alone would
        // send them mirrored traffic, so moving on is refused; an up --refresh puts the configured image back.
        const handSet = image("v2").replace(":1.20.3", ":hand-set");
        kubectl(["-n", namespace, "set", "image", "deployment/reviews-v2", `reviews=${handSet}`]);
        kubectl(["-n", namespace, "rollout", "status", "deployment/reviews-v2", "--timeout=60s"]);
        const before = await Promise.all([view.settled(), stateOf(rollout)]);
        await rollout.setStage("mirror");
        await assert.rejects(
            rollout.up({ target: [VS_URN], onEvent: log.onEvent }),
            (e: Error) =>
                /\[reviews-serves-only-gate-passed-images\] reviews-v2 runs image \S+:hand-set in the cluster/.test(
                    e.message,
                ),
            "forward onto hand-set pods",
        );
        assert.deepEqual(
            await Promise.all([view.snapshot(), stateOf(rollout)]),
            before,
            "the refused targeted up changed something",
        );
        await rollout.setStage("dark");
        await rollout.up({ refresh: true, onEvent: log.onEvent });
        assert.equal(
            JSON.parse(kubectl(["-n", namespace, "get", "deployment", "reviews-v2", "-o", "json"])).spec.template.spec
                .containers[0].image,
            image("v2"),
        );
        // Someone moves weight by hand: the live route fits no stage, so only the rollback is allowed.
        kubectl([
            "-n",
            namespace,
            "patch",
            "virtualservice",
            "reviews",
            "--type=json",
            "-p",
            JSON.stringify([
                {
                    op: "replace",
                    path: "/spec/http/1/route",
                    value: [
                        { destination: { host: `reviews.${namespace}.svc.cluster.local`, subset: "v1" }, weight: 70 },
                        { destination: { host: `reviews.${namespace}.svc.cluster.local`, subset: "v2" }, weight: 30 },
                    ],
                },
            ]),
        ]);
        await waitForRoute(namespace, weightsAre({ v1: 70, v2: 30 }));
        await rollout.setStage("mirror");
        await assert.rejects(
            rollout.up({ onEvent: log.onEvent }),
            (e: Error) => /off-table -> mirror/.test(e.message) && /v1 70%, v2 30%/.test(e.message),
            "forward from a hand-edited route",
        );
        await upTo("stable", weightsAre({ v1: 100 }));
        await upTo("dark", (r) => r.headerMatches.some((h) => h.version === "v2"));
    });

    it("mirror: v2's pods receive copies of live requests while every answer comes from v1", async () => {
        await upTo("mirror", (r) => r.route.mirror?.version === "v2");
        const before = await countersByVersion(namespace);
        const sample = await sendThroughMesh(namespace, 1000);
        assert.deepEqual(sample.byVersion, { v1: 1000 }, "answers");
        // Copies are sent without waiting for them: let the last ones land.
        let copies = 0;
        for (let i = 0; i < 50 && copies < 1000; i++) {
            copies = ((await countersByVersion(namespace)).v2?.mirrored ?? 0) - (before.v2?.mirrored ?? 0);
            await new Promise((r) => setTimeout(r, 100));
        }
        report.push(`mirror: 1000 requests answered by v1, ${copies} copies reached v2's pods`);
        assert.equal(copies, 1000, "copies at mirrorPercent 100");
    });

    it("weights 1, 5, 10, 25, 50 hold within the binomial tolerance over 2000 requests", async () => {
        for (const w of [1, 5, 10, 25, 50]) await expectWeight(`weight-${w}`, w);
    });

    it("refuses jumping from weight-50 past weight-100 to promoted", () => expectRefused("promoted", "weight-50"));

    it("a rollback from weight-50 puts 100 % back on v1 in one up", async () => {
        await upTo("stable", weightsAre({ v1: 100 }));
        const sample = await sendThroughMesh(namespace, 400, { headers: TESTER });
        assert.deepEqual(sample.byVersion, { v1: 400 }, "testers too");
        assert.deepEqual(await view.deploymentNames(), [
            "details-v1",
            "productpage-v1",
            "ratings-v1",
            "reviews-v1",
            "sleep",
        ]);
    });

    it("a targeted up of the route alone cannot restore weight-1 onto candidate pods that do not exist", async () => {
        // The VirtualService depends on the candidate's Deployment: the engine refuses to apply it while the Deployment
        // it waits for would be created by an untargeted step: no request is weighted to pods that do not exist.
        const before = await Promise.all([view.settled(), stateOf(rollout)]);
        await rollout.setStage("weight-1");
        try {
            await assert.rejects(
                rollout.up({ target: [VS_URN], onEvent: log.onEvent }),
                (e: Error) =>
                    /reviews-v2/.test(e.message) && /which was was not specified in --target list/.test(e.message),
                "targeted restore of the route",
            );
            assert.deepEqual(
                await Promise.all([view.snapshot(), stateOf(rollout)]),
                before,
                "the refused targeted restore changed something",
            );
        } finally {
            await rollout.setStage("stable");
        }
    });

    it("restores weight-1 with the image whose gate passed, walks to promoted and closes the release", async () => {
        await expectWeight("weight-1", 1);
        for (const w of [5, 10, 25, 50]) await upTo(`weight-${w}`, weightsAre({ v1: 100 - w, v2: w }));
        await upTo("weight-100", weightsAre({ v2: 100 }));
        assert.deepEqual((await sendThroughMesh(namespace, 200)).byVersion, { v2: 200 });
        await upTo("promoted", weightsAre({ v2: 100 }));
        await rollout.setRelease({ stable: { ...RELEASE.candidate! } });
        await upTo("stable", weightsAre({ v2: 100 }));
        assert.deepEqual((await sendThroughMesh(namespace, 200)).byVersion, { v2: 200 });
    });
});
