// The seam between the rules and what they judge by: a source that cannot be read makes every rule that needs it
// refuse (never pass), render mode turns them off, and the source is read once per pack process.
import * as assert from "assert";
import { ClusterReadError } from "../../io/cluster";
import { contextRules, policies } from "../policies";
import { resourceViolationsByRule, stackViolationsByRule } from "../testing/harness";
import { resourcesOf, scenario } from "../testing/fixtures";
import { memoize, PackContext } from "./context";

const VERDICT_RULES = [
    "reviews-stage-move-allowed",
    "reviews-moves-on-only-from-ready-pods",
    "reviews-capacity-floor-kept",
    "reviews-serves-only-gate-passed-images",
    "reviews-stable-fixed-during-rollout",
    "bookinfo-services-fixed-during-rollout",
    "reviews-replicas-within-bounds",
    "reviews-yardstick-fixed-during-rollout",
    "reviews-yardstick-within-limits",
];

describe("the pack's context", () => {
    it("an unreadable cluster: every rule that judges by it refuses, in the stack check and at each step it judges", async () => {
        const unreadable = async (): Promise<PackContext> => {
            throw new ClusterReadError(
                'cannot read the Deployments of namespace bookinfo from https://10.0.0.1:6443 (context "kwok"): connect ECONNREFUSED 10.0.0.1:6443',
            );
        };
        const message =
            'the policy pack cannot judge this change, so it refuses it: cannot read the Deployments of namespace bookinfo from https://10.0.0.1:6443 (context "kwok"): connect ECONNREFUSED 10.0.0.1:6443. ' +
            "It judges only from the stack config and what it reads from the cluster itself; fix that, then preview again.";
        const goal = resourcesOf(scenario("v1->v2", "half", "promoted"));
        const pack = policies(unreadable);
        assert.deepStrictEqual(
            await stackViolationsByRule(pack, goal),
            Object.fromEntries(VERDICT_RULES.map((r) => [r, [message]])),
        );
        // One reviews Deployment (reviews-v2) and four others (details, ratings, productpage, sleep); one Namespace.
        assert.deepStrictEqual(await resourceViolationsByRule(pack, goal), {
            ...Object.fromEntries(VERDICT_RULES.map((r) => [r, [message]])),
            "bookinfo-services-fixed-during-rollout": [message, message, message, message, message],
            "namespace-owned-by-stack": [message],
        });
    });

    it("render mode: no rule that judges by the cluster applies, even to a move the table refuses", async () => {
        const s = scenario("v1->v2", "none", "promoted");
        const render = async (): Promise<PackContext> => ({
            mode: "render",
            config: { ...s.config, renderYamlTo: "/tmp/manifests" },
        });
        const goal = resourcesOf(s);
        assert.deepStrictEqual(await stackViolationsByRule(contextRules(render), goal), {});
        assert.deepStrictEqual(await resourceViolationsByRule(contextRules(render), goal), {});
    });

    it("is read once, however many rules and resources ask", async () => {
        const s = scenario("v2->v3", "canary", "half");
        let reads = 0;
        const source = memoize(async () => {
            reads += 1;
            return {
                mode: "cluster",
                config: s.config,
                live: s.live,
                namespace: s.namespace,
                stackLabel: s.stackLabel,
            };
        });
        const pack = policies(source);
        await stackViolationsByRule(pack, resourcesOf(s));
        await resourceViolationsByRule(pack, resourcesOf(s));
        assert.strictEqual(reads, 1);
    });

    it("a failed read stays failed for the process: no rule reads again and passes by luck", async () => {
        let reads = 0;
        const source = memoize(async () => {
            reads += 1;
            throw new Error("boom");
        });
        await assert.rejects(source(), /boom/);
        await assert.rejects(source(), /boom/);
        assert.strictEqual(reads, 1);
    });
});
