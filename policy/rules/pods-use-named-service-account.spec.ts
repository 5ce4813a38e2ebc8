import * as assert from "assert";
import { checkEachResource, checkResource } from "../testing/harness";
import { everyGoal, goalResource } from "../testing/fixtures";
import { podsUseNamedServiceAccount as policy } from "./pods-use-named-service-account";

const advice =
    "Deployment reviews-v1 runs its pods as the namespace's default ServiceAccount: every workload in the namespace shares that identity and whatever is granted to it. Set spec.serviceAccountName to a ServiceAccount of its own (Bookinfo uses bookinfo-<service>).";

describe("pods-use-named-service-account", () => {
    for (const { title, resources } of everyGoal()) {
        it(`accepts the goal state of ${title}`, async () => {
            assert.deepStrictEqual(await checkEachResource(policy, resources), []);
        });
    }

    it("advises against a pod template without a ServiceAccount", async () => {
        const v1 = goalResource("v1->v2", "stable", "reviews-rollout-v1");
        delete v1.props.spec.template.spec.serviceAccountName;
        assert.deepStrictEqual(await checkResource(policy, v1), [advice]);
    });

    it("advises against naming the default ServiceAccount", async () => {
        const v1 = goalResource("v1->v2", "stable", "reviews-rollout-v1");
        v1.props.spec.template.spec.serviceAccountName = "default";
        assert.deepStrictEqual(await checkResource(policy, v1), [advice]);
    });
});
