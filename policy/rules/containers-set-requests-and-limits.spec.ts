import * as assert from "assert";
import { checkEachResource, checkResource } from "../testing/harness";
import { everyGoal, goalResource } from "../testing/fixtures";
import { containersSetRequestsAndLimits as policy } from "./containers-set-requests-and-limits";

const advice = (missing: string, of = "Deployment reviews-v2") =>
    `container reviews of ${of} sets no ${missing}: without requests the scheduler may place the pod where it cannot run, and without limits one pod can starve its neighbours while the stable and the candidate run side by side. Set resources.requests and resources.limits for cpu and memory.`;

describe("containers-set-requests-and-limits", () => {
    for (const { title, resources } of everyGoal()) {
        it(`accepts the goal state of ${title}`, async () => {
            assert.deepStrictEqual(await checkEachResource(policy, resources), []);
        });
    }

    it("names every missing request and limit", async () => {
        const v2 = goalResource("v1->v2", "canary", "reviews-rollout-v2");
        delete v2.props.spec.template.spec.containers[0].resources;
        assert.deepStrictEqual(await checkResource(policy, v2), [
            advice("requests.cpu, requests.memory, limits.cpu, limits.memory"),
        ]);
    });

    it("names a single missing limit", async () => {
        const v2 = goalResource("v1->v2", "canary", "reviews-rollout-v2");
        delete v2.props.spec.template.spec.containers[0].resources.limits.memory;
        assert.deepStrictEqual(await checkResource(policy, v2), [advice("limits.memory")]);
    });

    it("checks bare Pods too", async () => {
        const pod = {
            type: "kubernetes:core/v1:Pod",
            name: "debug",
            props: { metadata: { name: "debug" }, spec: { containers: [{ name: "reviews", image: "x:1" }] } },
        };
        assert.deepStrictEqual(await checkResource(policy, pod), [
            advice("requests.cpu, requests.memory, limits.cpu, limits.memory", "Pod debug"),
        ]);
    });
});
