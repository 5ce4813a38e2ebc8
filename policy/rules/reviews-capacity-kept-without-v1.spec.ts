import * as assert from "assert";
import { APP_LABEL, REVIEWS_DARK_APP, V1_REPLICAS_ANNOTATION } from "../../rollout/labels";
import { STAGE_NAMES } from "../../rollout/stages";
import { checkEachResource, checkResource, checkStack } from "../testing/harness";
import { goal, pick, withResource } from "../testing/fixtures";
import { reviewsCapacityKeptWithoutV1 as policy } from "./reviews-capacity-kept-without-v1";

const tooFew = (who: string, required: number, has: number) =>
    `${who}, so reviews-v2 must serve with at least ${required} pods (v1's replica count, and never fewer than policy config minServingPods), but it has ${has}: raise v2Replicas or keep v1.`;

describe("reviews-capacity-kept-without-v1", () => {
    for (const stage of STAGE_NAMES) {
        it(`accepts the goal state of ${stage}`, async () => {
            assert.deepStrictEqual(await checkEachResource(policy, goal(stage)), []);
            assert.deepStrictEqual(await checkStack(policy, goal(stage)), []);
        });
    }

    it("refuses promoted with fewer v2 pods than the minimum", async () => {
        const promoted = goal("promoted", { v2Replicas: 2 });
        assert.deepStrictEqual(await checkResource(policy, pick(promoted, "reviews-v2")), [tooFew("stage promoted has no v1", 3, 2)]);
        assert.deepStrictEqual(await checkStack(policy, promoted), [tooFew("the goal state has no serving reviews-v1", 3, 2)]);
    });

    it("refuses promoted with v2 pods the reviews Service does not select", async () => {
        const v2 = pick(goal("promoted"), "reviews-v2");
        v2.props.spec.template.metadata.labels[APP_LABEL] = REVIEWS_DARK_APP;
        assert.deepStrictEqual(await checkResource(policy, v2), [
            `stage promoted has no v1, so reviews-v2 must serve it, but its pods are labelled app=reviews_test, which the reviews Service does not select: label them app=reviews or keep v1.`,
        ]);
    });

    it("takes the minimum from the policy config", async () => {
        const v2 = pick(goal("promoted"), "reviews-v2");
        assert.deepStrictEqual(await checkResource(policy, v2, { minServingPods: 4 }), [tooFew("stage promoted has no v1", 4, 3)]);
    });

    it("requires v1's replica count when it is larger than the minimum", async () => {
        const promoted = goal("promoted", { v1Replicas: 5 });
        assert.deepStrictEqual(await checkStack(policy, promoted), [tooFew("the goal state has no serving reviews-v1", 5, 3)]);
        const v2 = pick(promoted, "reviews-v2");
        v2.props.metadata.annotations[V1_REPLICAS_ANNOTATION] = "5";
        assert.deepStrictEqual(await checkResource(policy, v2), [tooFew("stage promoted has no v1", 5, 3)]);
    });

    it("treats reviews-v1 scaled to zero as absent", async () => {
        const canary = goal("canary");
        const v1 = pick(canary, "reviews-v1");
        v1.props.spec.replicas = 0;
        assert.deepStrictEqual(await checkStack(policy, withResource(canary, "reviews-v1", v1)), [
            tooFew("the goal state has no serving reviews-v1", 3, 1),
        ]);
    });

    it("reports a goal state with neither v1 nor v2", async () => {
        const v1 = pick(goal("v1-only"), "reviews-v1");
        v1.props.spec.replicas = 0;
        const nothing = withResource(goal("v1-only"), "reviews-v1", v1);
        assert.deepStrictEqual(await checkStack(policy, nothing), [
            "the goal state has no serving reviews-v1 and no reviews-v2 either: nothing would serve reviews. Keep v1 until v2 serves with at least 3 pods.",
        ]);
    });
});
