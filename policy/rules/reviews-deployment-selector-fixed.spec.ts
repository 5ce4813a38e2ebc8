import * as assert from "assert";
import { APP_LABEL } from "../../rollout/labels";
import { REVIEWS } from "../../rollout/service";
import { checkEachResource, checkResource } from "../testing/harness";
import { everyGoal, goalResource } from "../testing/fixtures";
import { reviewsDeploymentSelectorFixed as policy } from "./reviews-deployment-selector-fixed";

const refusal = (name: string, actual: string, expected: string) =>
    `reviews Deployment ${name} selects ${actual}; its selector must stay exactly ${expected} in every stage and release: changing .spec.selector makes the provider delete and recreate the Deployment, dropping its pods during the change.`;
const V3 = '{"rollout.bookinfo.dev/workload":"reviews","version":"v3"}';
const v3 = () => goalResource("v2->v3", "canary", "reviews-rollout-v3");

describe("reviews-deployment-selector-fixed", () => {
    for (const { title, resources } of everyGoal()) {
        it(`accepts the goal state of ${title}`, async () => {
            assert.deepStrictEqual(await checkEachResource(policy, resources), []);
        });
    }

    it("refuses the app label in the selector (upstream Bookinfo's selector)", async () => {
        const d = v3();
        d.props.spec.selector.matchLabels = { [APP_LABEL]: REVIEWS.name, version: "v3" };
        assert.deepStrictEqual(await checkResource(policy, d), [
            refusal("reviews-v3", '{"app":"reviews","version":"v3"}', V3),
        ]);
    });

    it("refuses an extra label in the selector", async () => {
        const d = v3();
        d.props.spec.selector.matchLabels[APP_LABEL] = REVIEWS.name;
        assert.deepStrictEqual(await checkResource(policy, d), [
            refusal("reviews-v3", '{"rollout.bookinfo.dev/workload":"reviews","version":"v3","app":"reviews"}', V3),
        ]);
    });

    it("refuses matchExpressions", async () => {
        const v2 = goalResource("v2->v3", "canary", "reviews-rollout-v2");
        v2.props.spec.selector.matchExpressions = [{ key: "tier", operator: "Exists" }];
        assert.deepStrictEqual(await checkResource(policy, v2), [
            refusal(
                "reviews-v2",
                '{"rollout.bookinfo.dev/workload":"reviews","version":"v2"} plus matchExpressions',
                '{"rollout.bookinfo.dev/workload":"reviews","version":"v2"}',
            ),
        ]);
    });

    it("refuses a selector on another version than the pods", async () => {
        const d = v3();
        d.props.spec.selector.matchLabels.version = "v2";
        assert.deepStrictEqual(await checkResource(policy, d), [
            refusal("reviews-v3", '{"rollout.bookinfo.dev/workload":"reviews","version":"v2"}', V3),
        ]);
    });

    it("leaves other Deployments alone", async () => {
        assert.deepStrictEqual(
            await checkResource(policy, goalResource("v2->v3", "canary", "bookinfo-details-deployment")),
            [],
        );
    });
});
