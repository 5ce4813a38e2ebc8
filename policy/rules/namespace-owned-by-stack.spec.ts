// The namespace rule: the configured namespace is absent (first deployment) or carries this stack's label.
import * as assert from "assert";
import { checkResource } from "../testing/harness";
import { contextOf, goalResource, pick, resourcesOf, scenario, Scenario, sourceOf } from "../testing/fixtures";
import { NOTHING, verdictsOf } from "../testing/pack";
import { namespaceOwnedByStack } from "./namespace-owned-by-stack";

const RULE = "namespace-owned-by-stack";
const check = (s: Scenario) =>
    checkResource(namespaceOwnedByStack(sourceOf(contextOf(s))), pick(resourcesOf(s), "bookinfo-ns"));

describe(RULE, () => {
    it("baseline: a namespace labelled as this stack's passes every rule", async () => {
        const s = scenario("v1->v2", "half", "promoted");
        assert.deepStrictEqual(await check(s), []);
        assert.deepStrictEqual(await verdictsOf(s), NOTHING);
    });

    it("a first deployment (no namespace yet) passes", async () => {
        assert.deepStrictEqual(await verdictsOf(scenario("v1->v2", "none", "stable")), NOTHING);
    });

    it("refuses a namespace that another stack created", async () => {
        const s = scenario("v1->v2", "none", "stable");
        s.namespace = {
            uid: "ns-uid-9",
            labels: { "rollout.bookinfo.dev/stack": "organization.bookinfo-rollout.prod" },
        };
        const message =
            "namespace bookinfo already exists and it belongs to stack organization.bookinfo-rollout.prod (label rollout.bookinfo.dev/stack): the program never adopts a namespace, since the stack would then own it for a later destroy. " +
            "Choose a namespace that does not exist yet; if this stack did create it, say so with `kubectl label namespace bookinfo rollout.bookinfo.dev/stack=organization.bookinfo-rollout.dev` and `kubectl annotate namespace bookinfo rollout.bookinfo.dev/backend=file:///fixture-backend`.";
        assert.deepStrictEqual(await verdictsOf(s), { stack: {}, resources: { [RULE]: [message] } });
    });

    it("refuses an existing namespace without the label", async () => {
        const s = scenario("v2->v3", "stable", "dark");
        s.namespace = { uid: "ns-uid-1", labels: {} };
        const message =
            "namespace bookinfo already exists and this stack did not create it (label rollout.bookinfo.dev/stack): the program never adopts a namespace, since the stack would then own it for a later destroy. " +
            "Choose a namespace that does not exist yet; if this stack did create it, say so with `kubectl label namespace bookinfo rollout.bookinfo.dev/stack=organization.bookinfo-rollout.dev` and `kubectl annotate namespace bookinfo rollout.bookinfo.dev/backend=file:///fixture-backend`.";
        assert.deepStrictEqual(await check(s), [message]);
    });

    it("refuses the namespace of a stack of the same name in another backend", async () => {
        const s = scenario("v1->v2", "none", "stable");
        s.namespace = {
            uid: "ns-uid-9",
            labels: { "rollout.bookinfo.dev/stack": "organization.bookinfo-rollout.dev" },
            annotations: { "rollout.bookinfo.dev/backend": "file:///other-backend" },
        };
        const message =
            "namespace bookinfo already exists and it carries this stack's name but was created from backend file:///other-backend, not file:///fixture-backend (annotation rollout.bookinfo.dev/backend): a stack of the same name elsewhere (label rollout.bookinfo.dev/stack): the program never adopts a namespace, since the stack would then own it for a later destroy. " +
            "Choose a namespace that does not exist yet; if this stack did create it, say so with `kubectl label namespace bookinfo rollout.bookinfo.dev/stack=organization.bookinfo-rollout.dev` and `kubectl annotate namespace bookinfo rollout.bookinfo.dev/backend=file:///fixture-backend`.";
        assert.deepStrictEqual(await verdictsOf(s), { stack: {}, resources: { [RULE]: [message] } });
    });

    it("refuses to judge when the engine did not name the stack's organization", async () => {
        const s = scenario("v1->v2", "half", "promoted");
        s.stackLabel = undefined;
        assert.deepStrictEqual(await check(s), [
            "the policy pack cannot judge this change, so it refuses it: the engine did not name this stack's organization, so the pack cannot tell its label on the namespace. It judges only from the stack config and what it reads from the cluster itself; fix that, then preview again.",
        ]);
    });

    it("refuses a declared namespace other than the configured one (the pack read only that)", async () => {
        const s = scenario("v1->v2", "half", "promoted");
        const ns = goalResource("v1->v2", "half", "bookinfo-ns");
        ns.props.metadata.name = "bookinfo-2";
        assert.deepStrictEqual(await checkResource(namespaceOwnedByStack(sourceOf(contextOf(s))), ns), [
            "the stack declares Namespace bookinfo-2, but the configured namespace is bookinfo (config key namespace): the pack read only that one, so it cannot tell whether bookinfo-2 belongs to this stack; declare the configured namespace.",
        ]);
    });

    it("does not apply in render mode", async () => {
        const s = scenario("v1->v2", "none", "stable");
        const policy = namespaceOwnedByStack(
            sourceOf({ mode: "render", config: { ...s.config, renderYamlTo: "/tmp/out" } }),
        );
        assert.deepStrictEqual(await checkResource(policy, pick(resourcesOf(s), "bookinfo-ns")), []);
    });
});
