import * as assert from "assert";
import { VERSION_LABEL } from "../../rollout/labels";
import { STAGE_NAMES } from "../../rollout/stages";
import { checkEachResource, checkResource } from "../testing/harness";
import { goal, pick } from "../testing/fixtures";
import { reviewsServiceSelectsAppOnly as policy } from "./reviews-service-selects-app-only";

const refusal = (selector: string) =>
    `Service reviews selects ${selector}; it must select exactly {"app":"reviews"}: each stage decides which pods serve by their app label, and any other key (a version above all) would send traffic by a different rule than the stage's pod ratio, or to no pod at all.`;

describe("reviews-service-selects-app-only", () => {
    for (const stage of STAGE_NAMES) {
        it(`accepts the goal state of ${stage}`, async () => {
            assert.deepStrictEqual(await checkEachResource(policy, goal(stage)), []);
        });
    }

    it("refuses a version in the selector", async () => {
        const service = pick(goal("canary"), "reviews");
        service.props.spec.selector[VERSION_LABEL] = "v2";
        assert.deepStrictEqual(await checkResource(policy, service), [refusal('{"app":"reviews","version":"v2"}')]);
    });

    it("refuses a selector on another app value", async () => {
        const service = pick(goal("canary"), "reviews");
        service.props.spec.selector = { app: "reviews_test" };
        assert.deepStrictEqual(await checkResource(policy, service), [refusal('{"app":"reviews_test"}')]);
    });

    it("refuses a missing selector", async () => {
        const service = pick(goal("canary"), "reviews");
        delete service.props.spec.selector;
        assert.deepStrictEqual(await checkResource(policy, service), [refusal("{}")]);
    });

    it("leaves other Services alone", async () => {
        const other = pick(goal("canary"), "reviews");
        other.name = "ratings";
        other.props.metadata = { name: "ratings", labels: { app: "ratings" } };
        other.props.spec.selector = { app: "ratings", version: "v1" };
        assert.deepStrictEqual(await checkResource(policy, other), []);
    });
});
