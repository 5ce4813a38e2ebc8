// The same program rolling out Bookinfo's ratings instead of reviews: its own versions, Deployments, labels, gate
// request and checks, through the same stage table and the same guard. Nothing about reviews is hard-wired. The
// expectations are written out by hand from the ratings service (rollout/service.ts RATINGS) and the stage table.
import * as assert from "assert";
import { ClusterFacts } from "../../io/cluster";
import { GateView } from "../../rollout/gate-record";
import { Fleet } from "../../rollout/fleet";
import { RATINGS } from "../../rollout/service";
import { BACKEND, DEPLOYED, run, STACK_LABEL_VALUE } from "./program";
import { MESH_TRAFFIC, passed } from "./shapes";

const image = (name: string) => `docker.io/istio/examples-bookinfo-${name}:1.20.3`;
const RELEASE = {
    stable: { version: "v1", image: image("ratings-v1"), replicas: 3 },
    candidate: { version: "v2", image: image("ratings-v2"), replicas: 3 },
};
/** Bookinfo's other Deployments when ratings is rolled out: reviews runs its v1 as a plain service. */
const OTHERS = {
    "details-v1": image("details-v1"),
    "reviews-v1": image("reviews-v1"),
    "productpage-v1": image("productpage-v1"),
    sleep: "curlimages/curl:8.11.1",
};

const v1 = { version: "v1", image: image("ratings-v1"), replicas: 3, serving: true };
const v2 = (replicas: number, serving: boolean) => ({ version: "v2", image: image("ratings-v2"), replicas, serving });
/** Each stage of the pods table for ratings v1 -> v2, by hand. */
const FLEETS: Record<string, Fleet> = {
    stable: [v1],
    dark: [v1, v2(1, false)],
    canary: [v1, v2(1, true)],
    half: [v1, v2(3, true)],
    promoted: [v2(3, true)],
};
const WALK = ["stable", "dark", "canary", "half", "promoted"];

const GATE_PASSED = passed(["v2", image("ratings-v2")]);
const live = (fleet: Fleet, gate: GateView = GATE_PASSED): ClusterFacts => ({
    namespace: {
        uid: "ns-uid-1",
        labels: { "rollout.bookinfo.dev/stack": STACK_LABEL_VALUE },
        annotations: { "rollout.bookinfo.dev/backend": BACKEND },
    },
    live: { fleet: fleet.map((w) => ({ ...w, ready: w.replicas })), services: OTHERS, gate },
});
const runRatings = (values: Record<string, unknown>, facts: ClusterFacts) => run(values, facts, DEPLOYED, RATINGS);
const deployments = (resources: { type: string; inputs: any }[]) =>
    resources.filter((r) => r.type === "kubernetes:apps/v1:Deployment").map((r) => r.inputs);

describe("program rolling out ratings", function () {
    this.timeout(20_000);

    for (const [i, stage] of WALK.entries()) {
        const from = WALK[Math.max(0, i - 1)];
        it(`${from} -> ${stage}: ratings-<version> Deployments, selector {workload: ratings, version}, the ratings gate`, async () => {
            const { resources, outputs } = await runRatings({ stage, release: RELEASE }, live(FLEETS[from]));
            const ours = deployments(resources).filter((d) => d.metadata.name.startsWith("ratings-"));
            assert.deepStrictEqual(
                ours.map((d) => [
                    d.metadata.name,
                    d.spec.replicas,
                    d.spec.template.metadata.labels.app,
                    d.spec.selector.matchLabels,
                    d.spec.template.spec.containers[0].name,
                ]),
                FLEETS[stage].map((w) => [
                    `ratings-${w.version}`,
                    w.replicas,
                    w.serving ? "ratings" : "ratings_test",
                    { "rollout.bookinfo.dev/workload": "ratings", version: w.version },
                    "ratings",
                ]),
            );
            assert.deepStrictEqual(
                Object.fromEntries(
                    deployments(resources)
                        .filter((d) => !d.metadata.name.startsWith("ratings-"))
                        .map((d) => [d.metadata.name, d.spec.template.spec.containers[0].image]),
                ),
                OTHERS,
                "reviews runs its v1 beside the rolled-out ratings, like details and productpage",
            );
            const service = resources.find(
                (r) => r.type === "kubernetes:core/v1:Service" && r.inputs.metadata.name === "ratings",
            )!;
            assert.deepStrictEqual(service.inputs.spec.selector, { app: "ratings" });
            const gate = resources.find((r) => r.name === "ratings-rollout-gate");
            assert.strictEqual(!!gate, stage !== "stable");
            if (gate) {
                assert.deepStrictEqual(
                    [
                        gate.inputs.environment.GATE_SERVICE,
                        gate.inputs.environment.GATE_VERSION,
                        gate.inputs.environment.GATE_IMAGE,
                        JSON.parse(gate.inputs.environment.GATE_SPEC),
                    ],
                    [
                        "ratings",
                        "v2",
                        image("ratings-v2"),
                        {
                            kind: "smoke",
                            requestsInARow: 10,
                            port: 9080,
                            path: "/ratings/7",
                            answers: "ratings",
                            checks: ["http-200", "json", "ratings"],
                        },
                    ],
                );
            }
            const settle = resources.find((r) => r.name === "ratings-rollout-settle")!;
            assert.deepStrictEqual(
                [settle.inputs.environment.SETTLE_SERVICE, JSON.parse(settle.inputs.environment.SETTLE_RECORD).stage],
                ["ratings", stage],
            );
            assert.ok(
                !resources.some((r) => r.name === "ratings-rollout-app-check"),
                "ratings' answers do not name their pod: no app check",
            );
            assert.deepStrictEqual(
                [outputs.service, outputs.stage, outputs.appCheck],
                ["ratings", stage, "not run: ratings's answers do not name their pod"],
            );
        });
    }

    it("refuses dark -> promoted with the table's reasons, naming ratings", async () => {
        await assert.rejects(
            runRatings({ stage: "promoted", release: RELEASE }, live(FLEETS.dark)),
            /ratings rollout dark -> promoted for release v1 -> v2 refused; nothing was changed\.\nLive: ratings-v1: 3 pods serving \([^)]*ratings-v1:1\.20\.3\); ratings-v2: 1 pod dark[\s\S]*\[reviews-stage-move-allowed\] dark -> promoted is refused/,
        );
    });

    it("refuses to put ratings-v2 in service without its gate pass", async () => {
        await assert.rejects(
            runRatings({ stage: "canary", release: RELEASE }, live(FLEETS.dark, { trust: "trusted", passes: [] })),
            /\[reviews-serves-only-gate-passed-images\] ratings-v2 would serve image docker\.io\/istio\/examples-bookinfo-ratings-v2:1\.20\.3 in this stage, but the gate record has no pass/,
        );
    });

    it("refuses a change of reviews' image mid-rollout: under a ratings rollout reviews is one of the fixed services", async () => {
        const values = { stage: "half", release: RELEASE, imageTag: "1.21.0" };
        await assert.rejects(
            runRatings(values, live(FLEETS.canary)),
            /\[bookinfo-services-fixed-during-rollout\] reviews-v1 would change image \(.*reviews-v1:1\.20\.3 -> .*reviews-v1:1\.21\.0\)/,
        );
    });

    it("istio: routes the ratings host, with DestinationRule and VirtualService named ratings", async () => {
        const { resources } = await runRatings(
            { stage: "stable", release: RELEASE, traffic: MESH_TRAFFIC },
            live(FLEETS.stable),
        );
        const host = "ratings.bookinfo.svc.cluster.local";
        const vs = resources.find((r) => r.type === "kubernetes:networking.istio.io/v1:VirtualService")!;
        const dr = resources.find((r) => r.type === "kubernetes:networking.istio.io/v1:DestinationRule")!;
        assert.deepStrictEqual(
            [vs.inputs.metadata.name, vs.inputs.spec.hosts, dr.inputs.metadata.name, dr.inputs.spec.host],
            ["ratings", [host], "ratings", host],
        );
        assert.deepStrictEqual(
            vs.inputs.spec.http.at(-1).route,
            [{ destination: { host, subset: "v1" }, weight: 100 }],
            "at stable every request goes to v1",
        );
    });
});
