import * as assert from "assert";
import { VERSION_LABEL, WORKLOAD_LABEL } from "../../rollout/labels";
import { checkEachResource, checkResource, checkStack } from "../testing/harness";
import { everyGoal, goalResource, pick, resourcesOf, scenario } from "../testing/fixtures";
import { reviewsDarkPodsNeverSelected as policy, selectsDarkPods } from "./reviews-dark-pods-never-selected";

const DARK_V3 = '{"app":"reviews_test","rollout.bookinfo.dev/workload":"reviews","version":"v3"}';

describe("reviews-dark-pods-never-selected", () => {
    for (const { title, resources } of everyGoal()) {
        it(`accepts the goal state of ${title}`, async () => {
            assert.deepStrictEqual(await checkEachResource(policy, resources), []);
            assert.deepStrictEqual(await checkStack(policy, resources), []);
        });
    }

    it("tells which selectors match a dark pod of some version", () => {
        assert.strictEqual(selectsDarkPods({ app: "reviews" }), false);
        assert.strictEqual(selectsDarkPods({ app: "reviews_test" }), true);
        assert.strictEqual(selectsDarkPods({ version: "v7" }), true);
        assert.strictEqual(selectsDarkPods({ [WORKLOAD_LABEL]: "reviews" }), true);
        assert.strictEqual(selectsDarkPods({ [WORKLOAD_LABEL]: "reviews", tier: "web" }), false);
        assert.strictEqual(selectsDarkPods({}), false);
    });

    it("refuses a reviews Service selector that matches dark pods", async () => {
        const service = goalResource("v2->v3", "dark", "reviews-rollout-service");
        service.props.spec.selector = { [VERSION_LABEL]: "v3" };
        assert.deepStrictEqual(await checkResource(policy, service), [
            `Service reviews selects {"version":"v3"}, which matches dark reviews pods (app=reviews_test): a dark candidate pod must never take reviews traffic before its gate passed.`,
        ]);
    });

    it("reports a reviews Service that selects the dark pods of the stack", async () => {
        const stack = resourcesOf(scenario("v2->v3", "dark", "dark"));
        pick(stack, "reviews-rollout-service").props.spec.selector = { [WORKLOAD_LABEL]: "reviews" };
        assert.deepStrictEqual(await checkStack(policy, stack), [
            `Service reviews selects {"rollout.bookinfo.dev/workload":"reviews"}, which matches the dark pods of reviews-v3 (${DARK_V3}): a dark candidate pod must never take reviews traffic before its gate passed.`,
        ]);
    });
});
