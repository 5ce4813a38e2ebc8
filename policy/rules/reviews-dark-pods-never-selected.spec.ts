import * as assert from "assert";
import { APP_LABEL, REVIEWS_APP, VERSION_LABEL, WORKLOAD_LABEL } from "../../rollout/labels";
import { STAGE_NAMES } from "../../rollout/stages";
import { checkEachResource, checkResource, checkStack } from "../testing/harness";
import { goal, pick, withResource } from "../testing/fixtures";
import { reviewsDarkPodsNeverSelected as policy } from "./reviews-dark-pods-never-selected";

const DARK = '{"app":"reviews_test","version":"v2","rollout.bookinfo.dev/workload":"reviews"}';

describe("reviews-dark-pods-never-selected", () => {
    for (const stage of STAGE_NAMES) {
        it(`accepts the goal state of ${stage}`, async () => {
            assert.deepStrictEqual(await checkEachResource(policy, goal(stage)), []);
            assert.deepStrictEqual(await checkStack(policy, goal(stage)), []);
        });
    }

    it("refuses v2 labelled into service in a dark stage", async () => {
        const v2 = pick(goal("v2-dark"), "reviews-v2");
        v2.props.spec.template.metadata.labels[APP_LABEL] = REVIEWS_APP;
        assert.deepStrictEqual(await checkResource(policy, v2), [
            "stage v2-dark runs v2 dark, so reviews-v2 pods must be labelled app=reviews_test, but they are labelled app=reviews: the reviews Service would send them traffic before their smoke test passed.",
        ]);
    });

    it("refuses a reviews Service selector that matches dark pods", async () => {
        const service = pick(goal("v2-dark"), "reviews");
        service.props.spec.selector = { [VERSION_LABEL]: "v2" };
        const message = `Service reviews selects {"version":"v2"}, which matches dark v2 pods (${DARK}): a dark pod must never take reviews traffic before its smoke test passed.`;
        assert.deepStrictEqual(await checkResource(policy, service), [message]);
    });

    it("reports a reviews Service that selects the dark pods of the stack", async () => {
        const service = pick(goal("v2-dark"), "reviews");
        service.props.spec.selector = { [WORKLOAD_LABEL]: "reviews" };
        const stack = withResource(goal("v2-dark"), "reviews", service);
        assert.deepStrictEqual(await checkStack(policy, stack), [
            `Service reviews selects {"rollout.bookinfo.dev/workload":"reviews"}, which matches the dark pods of reviews-v2 (${DARK}): a dark pod must never take reviews traffic before its smoke test passed.`,
        ]);
    });
});
