// The program as index.ts runs it, under mocks with recorded live facts: what each stage of two releases declares,
// that every refusal comes before any resource, and the target checks.
import { REVIEWS } from "../../rollout/service";
import * as assert from "assert";
import { BACKEND_ANNOTATION, GATE_RECORD_NAME, STACK_LABEL } from "../../rollout/labels";
import { parseRolloutConfig } from "../../rollout/config";
import { planOf } from "../../rollout/plan";
import { STAGE_NAMES } from "../../rollout/stages";
import { workloadOf } from "../../rollout/workload-of";
import { BACKEND, config, DEPLOYED, facts, run, STACK_LABEL_VALUE } from "./program";
import { IMG, MESH_ROUTES, MESH_SHAPES, MESH_TRAFFIC, passed, RELEASES, SHAPES, V1_TO_V2 } from "./shapes";

const reviewsDeployments = <R extends { type: string; inputs: any; name: string }>(resources: R[]) =>
    resources.filter(
        (r) => r.type === "kubernetes:apps/v1:Deployment" && r.inputs.metadata.name.startsWith("reviews-"),
    );

/** Hand-written: whose reviews pods may answer productpage in the app check under pods (none: no check). */
const MAY_ANSWER: Record<string, ("stable" | "candidate")[]> = {
    stable: [],
    dark: ["stable"],
    canary: ["stable", "candidate"],
    half: ["stable", "candidate"],
    promoted: ["candidate"],
};

/** Hand-written serving shares per stage (3 stable pods). */
const SHARES: Record<string, Record<string, number>> = {
    stable: { stable: 100 },
    dark: { stable: 100, candidate: 0 },
    canary: { stable: 75, candidate: 25 },
    half: { stable: 50, candidate: 50 },
    promoted: { candidate: 100 },
};

describe("program", function () {
    this.timeout(20_000);

    it("declares exactly the plan it judged: the reviews Deployments and the record are the plan's", async () => {
        const meshLive = facts(MESH_SHAPES["weight-1"], passed(["v2", IMG.v2]));
        meshLive.live.route = { route: MESH_ROUTES["weight-1"] };
        const cases = [
            {
                values: { stage: "half", release: V1_TO_V2 },
                live: facts(SHAPES["v1->v2"].canary, passed(["v2", IMG.v2])),
            },
            { values: { stage: "weight-5", release: V1_TO_V2, traffic: MESH_TRAFFIC }, live: meshLive },
        ];
        for (const { values, live } of cases) {
            const { resources } = await run(values, live, DEPLOYED);
            const plan = planOf(parseRolloutConfig(config(values), "bookinfo-rollout"), REVIEWS);
            const declared = reviewsDeployments(resources)
                .map((r) => workloadOf(REVIEWS, r.inputs))
                .map(({ ready: _ready, ...w }) => w);
            assert.deepStrictEqual(declared, plan.fleet, values.stage);
            const settle = resources.find((r) => r.name === "reviews-rollout-settle")!;
            assert.deepStrictEqual(
                JSON.parse(settle.inputs.environment.SETTLE_RECORD),
                JSON.parse(JSON.stringify(plan.record)),
                values.stage,
            );
            const vs = resources.find((r) => r.type === "kubernetes:networking.istio.io/v1:VirtualService");
            assert.strictEqual(!!vs, !!plan.mesh, "a route is declared exactly where the plan has one");
        }
    });

    for (const [name, release] of Object.entries(RELEASES) as [
        keyof typeof SHAPES,
        (typeof RELEASES)[keyof typeof RELEASES],
    ][]) {
        for (const stage of STAGE_NAMES) {
            it(`${name} ${stage}: declares the stage's Deployments, selector {workload, version}, and the gate and the app check iff a candidate runs`, async () => {
                const { resources, outputs } = await run(
                    { stage, release },
                    facts(SHAPES[name][stage], passed([release.candidate!.version, release.candidate!.image])),
                    DEPLOYED,
                );
                const declared = reviewsDeployments(resources).map((r) => ({
                    resource: r.name,
                    version: r.inputs.spec.template.metadata.labels.version,
                    image: r.inputs.spec.template.spec.containers[0].image,
                    replicas: r.inputs.spec.replicas,
                    serving: r.inputs.spec.template.metadata.labels.app === "reviews",
                    selector: r.inputs.spec.selector.matchLabels,
                }));
                assert.deepStrictEqual(
                    declared,
                    SHAPES[name][stage].map((w) => ({
                        resource: `reviews-rollout-${w.version}`,
                        version: w.version,
                        image: w.image,
                        replicas: w.replicas,
                        serving: w.serving,
                        selector: { "rollout.bookinfo.dev/workload": "reviews", version: w.version },
                    })),
                );
                const gate = resources.find((r) => r.name === "reviews-rollout-gate");
                const hasCandidate = stage !== "stable";
                // A version leaves the cluster only through the settle step, last of all; the engine retains it.
                assert.ok(
                    reviewsDeployments(resources).every((r) => r.retainOnDelete),
                    "reviews Deployments are retained on delete",
                );
                const settle = resources.find((r) => r.name === "reviews-rollout-settle")!;
                assert.deepStrictEqual(
                    JSON.parse(settle.inputs.environment.SETTLE_KEEP),
                    SHAPES[name][stage].map((w) => w.version),
                );
                assert.deepStrictEqual(JSON.parse(settle.inputs.environment.SETTLE_RECORD).stage, stage);
                for (const w of SHAPES[name][stage])
                    assert.ok(
                        settle.dependencies.includes(`reviews-rollout-${w.version}`),
                        `settle waits for reviews-${w.version}`,
                    );
                if (gate) assert.ok(settle.dependencies.includes("reviews-rollout-gate"), "settle waits for the gate");
                assert.ok(
                    resources.find((r) => r.type === "kubernetes:core/v1:Namespace")!.protect,
                    "the namespace is protected by default",
                );
                assert.strictEqual(!!gate, hasCandidate);
                if (gate) {
                    assert.strictEqual(gate.inputs.environment.GATE_IMAGE, release.candidate!.image);
                    assert.strictEqual(gate.inputs.environment.GATE_VERSION, release.candidate!.version);
                    assert.ok(
                        gate.dependencies.includes(`reviews-rollout-${release.candidate!.version}`),
                        "the gate waits for the candidate",
                    );
                }
                // The app check: in every stage with a candidate (as under istio), after the versions the stage no
                // longer runs are retired (they would still serve), before the settle step records the stage.
                const appCheck = resources.find((r) => r.name === "reviews-rollout-app-check");
                const retire = resources.find((r) => r.name === "reviews-rollout-retire");
                assert.strictEqual(
                    !!appCheck,
                    MAY_ANSWER[stage].length > 0,
                    "an app check exactly where some version serves beside or instead of a candidate",
                );
                assert.strictEqual(!!retire, !!appCheck, "a retire step exactly where the app check runs");
                if (appCheck && retire) {
                    const versions = MAY_ANSWER[stage].map((role) =>
                        role === "stable" ? release.stable.version : release.candidate!.version,
                    );
                    assert.deepStrictEqual(JSON.parse(appCheck.inputs.environment.APP_CHECK_EXPECTED), {
                        plain: { versions, by: `stage ${stage} serves` },
                    });
                    assert.deepStrictEqual(JSON.parse(appCheck.inputs.environment.APP_CHECK_SPEC), {
                        kind: "app",
                        requests: 10,
                        port: 9080,
                        path: "/api/v1/products/0/reviews",
                    });
                    assert.match(appCheck.inputs.create, /^node (dist\/)?io\/app-check\.js$/);
                    for (const d of [
                        "reviews-rollout-retire",
                        "bookinfo-sleep-deployment",
                        "bookinfo-productpage-deployment",
                    ]) {
                        assert.ok(appCheck.dependencies.includes(d), `the app check waits for ${d}`);
                    }
                    assert.deepStrictEqual(
                        [
                            retire.inputs.create,
                            retire.inputs.environment.SETTLE_ONLY,
                            JSON.parse(retire.inputs.environment.SETTLE_KEEP),
                            retire.inputs.environment.SETTLE_RECORD,
                        ],
                        [settle.inputs.create, "retire", SHAPES[name][stage].map((w) => w.version), undefined],
                    );
                    for (const d of [
                        "reviews-rollout-gate",
                        ...SHAPES[name][stage].map((w) => `reviews-rollout-${w.version}`),
                    ]) {
                        assert.ok(retire.dependencies.includes(d), `the retire step waits for ${d}`);
                    }
                    assert.ok(
                        ["reviews-rollout-app-check", "reviews-rollout-retire"].every((d) =>
                            settle.dependencies.includes(d),
                        ),
                        "settle waits for the app check",
                    );
                } else {
                    assert.strictEqual(outputs.appCheck, `not run: no app check in stage ${stage}`);
                }
                const expected = Object.fromEntries(
                    Object.entries(SHARES[stage]).map(([role, share]) => [
                        role === "stable" ? release.stable.version : release.candidate!.version,
                        share,
                    ]),
                );
                assert.deepStrictEqual(outputs.servingShares, expected);
                assert.strictEqual(outputs.stage, stage);
                assert.strictEqual(outputs.fromStage, stage);
            });
        }
    }

    it("istio weight-5: declares the DestinationRule and VirtualService reviews, the mesh label, and the app check after the route", async () => {
        const live = facts(MESH_SHAPES["weight-1"], passed(["v2", IMG.v2]));
        live.live.route = { route: MESH_ROUTES["weight-1"] };
        const { resources, outputs } = await run(
            { stage: "weight-5", traffic: MESH_TRAFFIC, release: V1_TO_V2 },
            live,
            DEPLOYED,
        );
        const host = "reviews.bookinfo.svc.cluster.local";
        const dr = resources.find((r) => r.type === "kubernetes:networking.istio.io/v1:DestinationRule")!;
        assert.deepStrictEqual(dr.inputs, {
            apiVersion: "networking.istio.io/v1",
            kind: "DestinationRule",
            metadata: { name: "reviews", namespace: "bookinfo" },
            spec: {
                host,
                subsets: [
                    { name: "v1", labels: { version: "v1" } },
                    { name: "v2", labels: { version: "v2" } },
                ],
            },
        });
        const vs = resources.find((r) => r.type === "kubernetes:networking.istio.io/v1:VirtualService")!;
        assert.deepStrictEqual(vs.inputs, {
            apiVersion: "networking.istio.io/v1",
            kind: "VirtualService",
            metadata: { name: "reviews", namespace: "bookinfo" },
            spec: {
                hosts: [host],
                http: [
                    {
                        name: "testers",
                        match: [
                            { headers: { "end-user": { exact: "jason" } } },
                            { headers: { cookie: { regex: "^(.*?;\\s*)?user=jason(;.*)?$" } } },
                        ],
                        route: [{ destination: { host, subset: "v2" } }],
                    },
                    {
                        name: "primary",
                        route: [
                            { destination: { host, subset: "v1" }, weight: 95 },
                            { destination: { host, subset: "v2" }, weight: 5 },
                        ],
                    },
                ],
            },
        });
        assert.ok(
            ["reviews-rollout-v1", "reviews-rollout-v2", "reviews-rollout-gate"].every((d) =>
                vs.dependencies.includes(d),
            ),
            "the route moves only once the pods are in place and gated",
        );
        const ns = resources.find((r) => r.type === "kubernetes:core/v1:Namespace")!;
        assert.deepStrictEqual(ns.inputs.metadata.labels, {
            [STACK_LABEL]: STACK_LABEL_VALUE,
            "istio-injection": "enabled",
        });
        const appCheck = resources.find((r) => r.name === "reviews-rollout-app-check")!;
        assert.deepStrictEqual(JSON.parse(appCheck.inputs.environment.APP_CHECK_EXPECTED), {
            plain: { versions: ["v1", "v2"], by: "the route weighs" },
            testers: { header: "end-user", value: "jason", versions: ["v2"], by: "the route sends testers to" },
        });
        assert.ok(
            appCheck.dependencies.includes("reviews-rollout-mesh-virtual-service"),
            "the app check runs through the new route",
        );
        assert.ok(
            !resources.some((r) => r.name === "reviews-rollout-retire"),
            "under istio the stable stays until the settle step: the route decides who answers",
        );
        assert.deepStrictEqual(
            [outputs.servingShares, outputs.candidateSharePercent, outputs.traffic],
            [{ v1: 95, v2: 5 }, 5, "istio"],
        );
    });

    it("istio: refuses dark -> weight-5 before declaring anything", async () => {
        const live = facts(MESH_SHAPES.dark, passed(["v2", IMG.v2]));
        live.live.route = { route: MESH_ROUTES.dark };
        await assert.rejects(
            run({ stage: "weight-5", traffic: MESH_TRAFFIC, release: V1_TO_V2 }, live, DEPLOYED),
            /\[reviews-stage-move-allowed\] dark -> weight-5 is refused: .* skipping mirror and weight-1\.[\s\S]*Allowed from dark: stable \(rollback\), dark \(stay\), mirror \(forward\)\./,
        );
    });

    it("keeps a version's Deployment under one resource name from candidate to stable: never replaced", async () => {
        const first = await run(
            { stage: "promoted", release: RELEASES["v1->v2"] },
            facts(SHAPES["v1->v2"].promoted, passed(["v2", IMG.v2])),
            DEPLOYED,
        );
        const next = await run(
            { stage: "dark", release: RELEASES["v2->v3"] },
            facts(SHAPES["v2->v3"].stable, passed(["v2", IMG.v2])),
            DEPLOYED,
        );
        assert.deepStrictEqual(
            reviewsDeployments(first.resources).map((r) => r.name),
            ["reviews-rollout-v2"],
        );
        assert.deepStrictEqual(
            reviewsDeployments(next.resources).map((r) => r.name),
            ["reviews-rollout-v2", "reviews-rollout-v3"],
        );
    });

    it("re-runs the gate when anything about the candidate's pods changes", async () => {
        const trigger = async (stage: string, candidate: object) => {
            const { resources } = await run(
                { stage, release: { ...V1_TO_V2, candidate: { ...V1_TO_V2.candidate, ...candidate } } },
                facts(SHAPES["v1->v2"].dark, passed(["v2", IMG.v2], ["v2", `${IMG.v2}-rc2`])),
                DEPLOYED,
            );
            return resources.find((r) => r.name === "reviews-rollout-gate")!.inputs.triggers[0];
        };
        const base = await trigger("dark", {});
        assert.strictEqual(await trigger("dark", {}), base);
        assert.notStrictEqual(await trigger("dark", { image: `${IMG.v2}-rc2` }), base);
        assert.notStrictEqual(await trigger("dark", { stars: "red" }), base);
        assert.notStrictEqual(await trigger("canary", {}), base);
    });

    it("re-runs the app check whenever what may answer changes, and only then", async () => {
        const trigger = async (stage: string, candidate: object, shape = SHAPES["v1->v2"].dark) => {
            const release = { ...V1_TO_V2, candidate: { ...V1_TO_V2.candidate, ...candidate } };
            const { resources } = await run(
                { stage, release },
                facts(shape, passed(["v2", IMG.v2], ["v2", `${IMG.v2}-rc2`])),
                DEPLOYED,
            );
            return resources.find((r) => r.name === "reviews-rollout-app-check")!.inputs.triggers[0];
        };
        const base = await trigger("dark", {});
        assert.strictEqual(await trigger("dark", {}), base);
        assert.notStrictEqual(await trigger("dark", { image: `${IMG.v2}-rc2` }), base, "another image behind the pods");
        const canary = await trigger("canary", {});
        assert.notStrictEqual(canary, base, "the candidate now serves");
        assert.notStrictEqual(await trigger("half", {}, SHAPES["v1->v2"].canary), canary, "more candidate pods");
    });

    it("refuses a refused move before declaring any resource, naming the rule and what is allowed", async () => {
        await assert.rejects(
            run(
                { stage: "promoted", release: V1_TO_V2 },
                facts(SHAPES["v1->v2"].dark, passed(["v2", IMG.v2])),
                DEPLOYED,
            ),
            (e: Error) =>
                /\[reviews-stage-move-allowed\] dark -> promoted is refused: it deletes the stable version/.test(
                    e.message,
                ) &&
                /Allowed from dark: stable \(rollback\), dark \(stay\), canary \(forward\)/.test(e.message) &&
                /nothing was changed/.test(e.message),
        );
        const { declaredResources } = await import("./harness");
        assert.deepStrictEqual(
            declaredResources().filter((r) => r.type !== "pulumi:pulumi:StackReference"),
            [],
        );
    });

    it("refuses a namespace change on a deployed stack", async () => {
        await assert.rejects(
            run({ namespace: "bookinfo-2" }, facts([]), DEPLOYED),
            /\[stack-target-fixed\] namespace bookinfo-2 .* deployed in namespace bookinfo/,
        );
    });

    it("refuses a kubeconfig or context that reaches another cluster (the namespace uid differs)", async () => {
        const elsewhere = facts(
            SHAPES["v1->v2"].stable,
            { trust: "absent" },
            { uid: "other-uid", labels: { [STACK_LABEL]: STACK_LABEL_VALUE } },
        );
        await assert.rejects(
            run({}, elsewhere, DEPLOYED),
            /\[stack-target-fixed\] the configured cluster .* has a namespace bookinfo with uid other-uid, but this stack deployed .* uid ns-uid-1/,
        );
        await assert.rejects(run({}, facts([]), DEPLOYED), /has no namespace bookinfo/);
    });

    it("never adopts a namespace it did not create", async () => {
        const foreign = facts([], { trust: "absent" }, { uid: "u", labels: {} });
        await assert.rejects(
            run({ namespace: "kube-system" }, foreign),
            /\[namespace-owned-by-stack\] namespace kube-system already exists and this stack did not create it/,
        );
    });

    it("never adopts the namespace of a stack of the same name in another backend", async () => {
        const twin = facts(
            [],
            { trust: "absent" },
            {
                uid: "u",
                labels: { [STACK_LABEL]: STACK_LABEL_VALUE },
                annotations: { [BACKEND_ANNOTATION]: "file:///other-backend" },
            },
        );
        await assert.rejects(
            run({}, twin),
            /\[namespace-owned-by-stack\] namespace bookinfo already exists and it carries this stack's name but was created from backend file:\/\/\/other-backend, not file:\/\/\/fixture-backend/,
        );
        const unmarked = facts([], { trust: "absent" }, { uid: "u", labels: { [STACK_LABEL]: STACK_LABEL_VALUE } });
        await assert.rejects(run({}, unmarked), /created from an unknown backend/);
    });

    it("renders a never-deployed stack to a directory with no gate, and refuses render mode on a deployed one", async () => {
        const { resources } = await run({ stage: "canary", release: V1_TO_V2, renderYamlTo: "/tmp/render" });
        const provider = resources.find((r) => r.type === "pulumi:providers:kubernetes")!;
        assert.strictEqual(provider.inputs.renderYamlToDirectory, "/tmp/render");
        assert.ok(!resources.some((r) => r.type === "command:local:Command"));
        await assert.rejects(
            run({ renderYamlTo: "/tmp/render" }, facts([]), DEPLOYED),
            /\[stack-target-fixed\] render mode \(renderYamlTo\) on a stack deployed/,
        );
    });

    it("labels the namespace with the stack and fixes the Provider's cluster identity", async () => {
        const { resources, outputs } = await run({}, facts([]));
        const ns = resources.find((r) => r.type === "kubernetes:core/v1:Namespace")!;
        assert.deepStrictEqual(ns.inputs.metadata.labels, { [STACK_LABEL]: STACK_LABEL_VALUE });
        assert.deepStrictEqual(ns.inputs.metadata.annotations, { [BACKEND_ANNOTATION]: BACKEND });
        const provider = resources.find((r) => r.type === "pulumi:providers:kubernetes")!;
        assert.strictEqual(provider.inputs.clusterIdentifier, "bookinfo-rollout");
        assert.strictEqual(outputs.target?.namespace, "bookinfo");
        assert.ok(
            !resources.some((r) => r.inputs?.metadata?.name === GATE_RECORD_NAME),
            "the gate record is never a Pulumi resource",
        );
    });
});
