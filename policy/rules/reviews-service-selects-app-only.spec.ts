import * as assert from "assert";
import { VERSION_LABEL } from "../../rollout/labels";
import { checkEachResource, checkResource } from "../testing/harness";
import { everyGoal, goalResource } from "../testing/fixtures";
import { reviewsServiceSelectsAppOnly as policy } from "./reviews-service-selects-app-only";

const refusal = (selector: string) =>
    `Service reviews selects ${selector}; it must select exactly {"app":"reviews"}: each stage decides which pods serve by their app label, and any other key (a version above all) would send traffic by a different rule than the stage's pod ratio, or to no pod at all.`;
const reviewsService = () => goalResource("v2->v3", "canary", "reviews-rollout-service");

describe("reviews-service-selects-app-only", () => {
    for (const { title, resources } of everyGoal()) {
        it(`accepts the goal state of ${title}`, async () => {
            assert.deepStrictEqual(await checkEachResource(policy, resources), []);
        });
    }

    it("refuses a version in the selector", async () => {
        const service = reviewsService();
        service.props.spec.selector[VERSION_LABEL] = "v3";
        assert.deepStrictEqual(await checkResource(policy, service), [refusal('{"app":"reviews","version":"v3"}')]);
    });

    it("refuses a selector on another app value", async () => {
        const service = reviewsService();
        service.props.spec.selector = { app: "reviews_test" };
        assert.deepStrictEqual(await checkResource(policy, service), [refusal('{"app":"reviews_test"}')]);
    });

    it("refuses a missing selector", async () => {
        const service = reviewsService();
        delete service.props.spec.selector;
        assert.deepStrictEqual(await checkResource(policy, service), [refusal("{}")]);
    });

    it("leaves other Services alone", async () => {
        const other = goalResource("v2->v3", "canary", "bookinfo-ratings-service");
        other.props.spec.selector = { app: "ratings", version: "v1" };
        assert.deepStrictEqual(await checkResource(policy, other), []);
    });
});
