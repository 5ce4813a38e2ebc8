// The program in every stage: which resources exist, their labels and replicas, which pods the reviews Service
// selects, the v2 share, and that nothing a stage change touches would force a replacement.
import * as assert from "assert";
import { Declared } from "./harness";
import { build, DEFAULT_V2_IMAGE, liveAt } from "./program";
import {
    APP_LABEL,
    FAULT_ANNOTATION,
    FROM_STAGE_ANNOTATION,
    REVIEWS_APP,
    REVIEWS_DARK_APP,
    SMOKE_PASSED_IMAGE_ANNOTATION,
    TO_STAGE_ANNOTATION,
    VERSION_LABEL,
    WORKLOAD_LABEL,
} from "../../rollout/labels";
import { SMOKE_ENV } from "../../rollout/smoke-env";
import { StageName, STAGE_NAMES } from "../../rollout/stages";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const SERVICE = "kubernetes:core/v1:Service";
const CONFIG_MAP = "kubernetes:core/v1:ConfigMap";
const COMMAND = "command:local:Command";

/** The tutorial's stages as the issue states them: the program must derive exactly these from the stage table. */
const EXPECTED: Record<StageName, { v1: number; v2: number; v2App?: string; share: number }> = {
    "v1-only": { v1: 3, v2: 0, share: 0 },
    "v2-dark": { v1: 3, v2: 1, v2App: REVIEWS_DARK_APP, share: 0 },
    canary: { v1: 3, v2: 1, v2App: REVIEWS_APP, share: 25 },
    half: { v1: 3, v2: 3, v2App: REVIEWS_APP, share: 50 },
    promoted: { v1: 0, v2: 3, v2App: REVIEWS_APP, share: 100 },
};

/** A stack that may enter `stage`: for stages with v2 in service, the default v2 image has passed the smoke test. */
const buildStage = (stage: StageName, config: Record<string, string> = {}) =>
    build({ stage, ...config }, liveAt(stage === "v1-only" ? "v2-dark" : "v1-only"));

function named(resources: Declared[], type: string, name: string): Declared | undefined {
    return resources.find((r) => r.type === type && r.inputs.metadata?.name === name);
}

/** Pods the Deployments would run: one entry per replica, with its template labels. */
function pods(resources: Declared[]): { deployment: string; labels: Record<string, string> }[] {
    return resources
        .filter((r) => r.type === DEPLOYMENT)
        .flatMap((d) => Array.from({ length: d.inputs.spec.replicas }, () => ({ deployment: d.inputs.metadata.name, labels: d.inputs.spec.template.metadata.labels })));
}

const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
    Object.entries(selector).every(([k, v]) => labels[k] === v);

describe("the program in every stage", () => {
    for (const stage of STAGE_NAMES) {
        const expected = EXPECTED[stage];
        describe(stage, () => {
            let resources: Declared[];
            let outputs: Awaited<ReturnType<typeof buildStage>>;
            before(async () => {
                outputs = await buildStage(stage);
                resources = outputs.resources;
            });

            it(`has reviews-v1 x${expected.v1} and reviews-v2 x${expected.v2} (absent when 0)`, () => {
                const v1 = named(resources, DEPLOYMENT, "reviews-v1");
                const v2 = named(resources, DEPLOYMENT, "reviews-v2");
                assert.strictEqual(v1?.inputs.spec.replicas ?? 0, expected.v1);
                assert.strictEqual(v2?.inputs.spec.replicas ?? 0, expected.v2);
                assert.strictEqual(!!v1, expected.v1 > 0);
                assert.strictEqual(!!v2, expected.v2 > 0);
            });

            it("labels reviews pods and Deployments with app, version and workload", () => {
                for (const version of ["v1", "v2"]) {
                    const d = named(resources, DEPLOYMENT, `reviews-${version}`);
                    if (!d) continue;
                    const app = version === "v1" ? REVIEWS_APP : expected.v2App;
                    const labels = { [APP_LABEL]: app, [VERSION_LABEL]: version, [WORKLOAD_LABEL]: "reviews" };
                    assert.deepStrictEqual(d.inputs.spec.template.metadata.labels, labels);
                    assert.deepStrictEqual(d.inputs.metadata.labels, labels);
                    assert.deepStrictEqual(d.inputs.spec.selector, { matchLabels: { [WORKLOAD_LABEL]: "reviews", [VERSION_LABEL]: version } });
                }
            });

            it(`the reviews Service selects exactly the serving pods: v2 share ${expected.share}%`, () => {
                const service = named(resources, SERVICE, "reviews")!;
                assert.deepStrictEqual(service.inputs.spec.selector, { [APP_LABEL]: REVIEWS_APP });
                const selected = pods(resources).filter((p) => matches(service.inputs.spec.selector, p.labels));
                const v2Selected = selected.filter((p) => p.deployment === "reviews-v2").length;
                assert.strictEqual(selected.filter((p) => p.deployment === "reviews-v1").length, expected.v1);
                assert.strictEqual(v2Selected, expected.v2App === REVIEWS_APP ? expected.v2 : 0);
                assert.strictEqual(Math.round((100 * v2Selected) / selected.length), expected.share);
                assert.strictEqual(outputs.plan.v2SharePercent, expected.share);
                assert.deepStrictEqual(outputs.plan.servingPods, { v1: expected.v1, v2: v2Selected });
            });

            it("selects no pod but reviews pods with the reviews Service", () => {
                const service = named(resources, SERVICE, "reviews")!;
                const strays = pods(resources).filter((p) => matches(service.inputs.spec.selector, p.labels) && !p.deployment.startsWith("reviews-"));
                assert.deepStrictEqual(strays, []);
            });

            it("runs the smoke test whenever the stage has v2, after reviews-v2 and sleep, triggered by image and stage", () => {
                const smoke = resources.find((r) => r.type === COMMAND);
                assert.strictEqual(!!smoke, expected.v2 > 0);
                if (!smoke) return;
                assert.strictEqual(smoke.name, "reviews-rollout-v2-smoke-test");
                assert.deepStrictEqual(smoke.inputs.triggers, [DEFAULT_V2_IMAGE, stage]);
                assert.ok(smoke.dependencies.includes("reviews-rollout-v2"), `dependencies: ${smoke.dependencies}`);
                assert.ok(smoke.dependencies.includes("bookinfo-sleep-deployment"), `dependencies: ${smoke.dependencies}`);
                assert.strictEqual(smoke.inputs.create, "node rollout/smoke-test.js"); // relative to the working directory
                assert.strictEqual(smoke.inputs.environment[SMOKE_ENV.image], DEFAULT_V2_IMAGE);
                assert.strictEqual(smoke.inputs.environment[SMOKE_ENV.pods], String(expected.v2));
                assert.strictEqual(smoke.inputs.environment[SMOKE_ENV.namespace], "bookinfo");
            });

            it("writes the state ConfigMap last, with the requested stage", () => {
                const state = named(resources, CONFIG_MAP, "reviews-rollout-state")!;
                assert.strictEqual(state.inputs.metadata.annotations[TO_STAGE_ANNOTATION], stage);
                assert.deepStrictEqual(state.inputs.metadata.labels, { [WORKLOAD_LABEL]: "reviews" });
                assert.strictEqual(state.inputs.data.stage, stage);
                const before = ["reviews-rollout-v1", "reviews-rollout-v2", "reviews-rollout-v2-smoke-test"].filter((n) => resources.some((r) => r.name === n));
                for (const name of before) assert.ok(state.dependencies.includes(name), `state depends on ${name}: ${state.dependencies}`);
            });

            it("annotates the reviews Deployments with the stage move", () => {
                for (const d of resources.filter((r) => r.type === DEPLOYMENT && r.inputs.metadata.name.startsWith("reviews-"))) {
                    assert.strictEqual(d.inputs.metadata.annotations[TO_STAGE_ANNOTATION], stage);
                    assert.ok(d.inputs.metadata.annotations[FROM_STAGE_ANNOTATION]);
                    assert.strictEqual(SMOKE_PASSED_IMAGE_ANNOTATION in d.inputs.metadata.annotations, d.inputs.metadata.name === "reviews-v2");
                }
            });

            it("declares the rest of Bookinfo through the explicit provider, in the configured namespace", () => {
                for (const name of ["productpage-v1", "details-v1", "ratings-v1", "sleep"]) assert.ok(named(resources, DEPLOYMENT, name), name);
                for (const name of ["productpage", "details", "ratings", "reviews", "sleep"]) assert.ok(named(resources, SERVICE, name), name);
                const accounts = resources.filter((r) => r.type === "kubernetes:core/v1:ServiceAccount").map((r) => r.inputs.metadata.name).sort();
                assert.deepStrictEqual(accounts, ["bookinfo-details", "bookinfo-productpage", "bookinfo-ratings", "bookinfo-reviews", "sleep"]);
                for (const r of resources.filter((x) => x.type.startsWith("kubernetes:"))) {
                    assert.match(r.provider, /::bookinfo-k8s::/, `${r.type} ${r.name} uses the explicit provider`);
                    if (r.type !== "kubernetes:core/v1:Namespace") assert.strictEqual(r.inputs.metadata.namespace, "bookinfo", r.name);
                    assert.ok(!JSON.stringify(r.inputs).includes("pulumi.com/skipAwait"), r.name);
                }
            });
        });
    }

    it("keeps every reviews Deployment selector identical across stages (a stage change never replaces one)", async () => {
        const selectors: Record<string, Set<string>> = { "reviews-v1": new Set(), "reviews-v2": new Set() };
        for (const stage of STAGE_NAMES) {
            const { resources } = await buildStage(stage);
            for (const name of Object.keys(selectors)) {
                const d = named(resources, DEPLOYMENT, name);
                if (d) selectors[name].add(JSON.stringify(d.inputs.spec.selector));
            }
        }
        assert.strictEqual(selectors["reviews-v1"].size, 1);
        assert.strictEqual(selectors["reviews-v2"].size, 1);
    });

    it("uses the configured images, namespace and replica overrides", async () => {
        const { resources } = await build(
            { stage: "half", namespace: "shop", imageRegistry: "registry.local/istio", imageTag: "9.9", v1Replicas: "4", v2Replicas: "2" },
            liveAt("canary", { v2Image: "registry.local/istio/examples-bookinfo-reviews-v2:9.9", smokePassedImage: "registry.local/istio/examples-bookinfo-reviews-v2:9.9" }),
        );
        const image = (name: string) => named(resources, DEPLOYMENT, name)!.inputs.spec.template.spec.containers[0].image;
        assert.strictEqual(image("reviews-v1"), "registry.local/istio/examples-bookinfo-reviews-v1:9.9");
        assert.strictEqual(image("reviews-v2"), "registry.local/istio/examples-bookinfo-reviews-v2:9.9");
        assert.strictEqual(image("productpage-v1"), "registry.local/istio/examples-bookinfo-productpage-v1:9.9");
        assert.strictEqual(image("sleep"), "curlimages/curl:8.11.1");
        assert.deepStrictEqual(named(resources, DEPLOYMENT, "sleep")!.inputs.spec.template.spec.containers[0].command, ["/bin/sleep", "infinity"]);
        assert.strictEqual(named(resources, DEPLOYMENT, "reviews-v1")!.inputs.spec.replicas, 4);
        assert.strictEqual(named(resources, DEPLOYMENT, "reviews-v2")!.inputs.spec.replicas, 2);
        assert.strictEqual(named(resources, "kubernetes:core/v1:Namespace", "shop")?.type, "kubernetes:core/v1:Namespace");
        const provider = resources.find((r) => r.type === "pulumi:providers:kubernetes")!;
        assert.strictEqual(provider.inputs.namespace, "shop");
        assert.strictEqual(provider.inputs.clusterIdentifier, "unit-cluster");
    });

    it("puts the fault annotation on the v2 pod template only when v2Fault is set", async () => {
        const faulty = await build({ stage: "v2-dark", v2Fault: "ratings-error" });
        const v2 = named(faulty.resources, DEPLOYMENT, "reviews-v2")!;
        assert.strictEqual(v2.inputs.spec.template.metadata.annotations[FAULT_ANNOTATION], "ratings-error");
        assert.strictEqual(named(faulty.resources, DEPLOYMENT, "reviews-v1")!.inputs.spec.template.metadata.annotations, undefined);
        const healthy = await build({ stage: "v2-dark" });
        assert.strictEqual(named(healthy.resources, DEPLOYMENT, "reviews-v2")!.inputs.spec.template.metadata.annotations, undefined);
    });

    it("exposes the smoke test's output", async () => {
        const { bookinfo } = await buildStage("v2-dark");
        const stdout = await new Promise<string>((resolve) => bookinfo.reviews.smokeTest!.stdout.apply(resolve));
        assert.match(stdout, /smoke test passed/);
    });
});
