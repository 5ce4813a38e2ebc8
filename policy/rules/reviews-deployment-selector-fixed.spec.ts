import * as assert from "assert";
import { APP_LABEL, REVIEWS_APP } from "../../rollout/labels";
import { STAGE_NAMES } from "../../rollout/stages";
import { checkEachResource, checkResource } from "../testing/harness";
import { goal, pick } from "../testing/fixtures";
import { reviewsDeploymentSelectorFixed as policy } from "./reviews-deployment-selector-fixed";

const refusal = (name: string, actual: string, expected: string) =>
    `reviews Deployment ${name} selects ${actual}; its selector must stay exactly ${expected} in every stage: changing .spec.selector makes the provider delete and recreate the Deployment, dropping its pods during the stage change.`;
const V2 = '{"rollout.bookinfo.dev/workload":"reviews","version":"v2"}';

describe("reviews-deployment-selector-fixed", () => {
    for (const stage of STAGE_NAMES) {
        it(`accepts the goal state of ${stage}`, async () => {
            assert.deepStrictEqual(await checkEachResource(policy, goal(stage)), []);
        });
    }

    it("refuses the app label in the selector (upstream Bookinfo's selector)", async () => {
        const v2 = pick(goal("canary"), "reviews-v2");
        v2.props.spec.selector.matchLabels = { [APP_LABEL]: REVIEWS_APP, version: "v2" };
        assert.deepStrictEqual(await checkResource(policy, v2), [refusal("reviews-v2", '{"app":"reviews","version":"v2"}', V2)]);
    });

    it("refuses an extra label in the selector", async () => {
        const v2 = pick(goal("canary"), "reviews-v2");
        v2.props.spec.selector.matchLabels[APP_LABEL] = REVIEWS_APP;
        assert.deepStrictEqual(await checkResource(policy, v2), [
            refusal("reviews-v2", '{"rollout.bookinfo.dev/workload":"reviews","version":"v2","app":"reviews"}', V2),
        ]);
    });

    it("refuses matchExpressions", async () => {
        const v1 = pick(goal("canary"), "reviews-v1");
        v1.props.spec.selector.matchExpressions = [{ key: "tier", operator: "Exists" }];
        assert.deepStrictEqual(await checkResource(policy, v1), [
            refusal("reviews-v1", '{"rollout.bookinfo.dev/workload":"reviews","version":"v1"} plus matchExpressions', '{"rollout.bookinfo.dev/workload":"reviews","version":"v1"}'),
        ]);
    });

    it("refuses a selector on another version than the pods", async () => {
        const v2 = pick(goal("canary"), "reviews-v2");
        v2.props.spec.selector.matchLabels.version = "v1";
        assert.deepStrictEqual(await checkResource(policy, v2), [refusal("reviews-v2", '{"rollout.bookinfo.dev/workload":"reviews","version":"v1"}', V2)]);
    });
});
