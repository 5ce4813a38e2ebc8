// A Deployment read as a reviews workload, whether it comes from the API server or from a goal state's inputs:
// an edited program cannot hide a serving Deployment from the guard by dropping or changing the workload label.
import { REVIEWS } from "../../rollout/service";
import * as assert from "assert";
import { isServiceDeployment, workloadOf } from "../../rollout/workload-of";

const deployment = (podLabels: Record<string, string>, ownLabels: Record<string, string> = {}) => ({
    metadata: { name: "reviews-v2", labels: ownLabels },
    spec: {
        replicas: 2,
        template: {
            metadata: { labels: podLabels },
            spec: { containers: [{ name: "reviews", image: "r/reviews:2" }] },
        },
    },
});

describe("workload of a Deployment", () => {
    it("reads version, image, pods and serving from the pod template", () => {
        const d = deployment({ app: "reviews", version: "v2", "rollout.bookinfo.dev/workload": "reviews" });
        assert.strictEqual(isServiceDeployment(REVIEWS, d), true);
        assert.deepStrictEqual(workloadOf(REVIEWS, d), {
            version: "v2",
            image: "r/reviews:2",
            replicas: 2,
            serving: true,
        });
    });

    it("counts a Deployment whose pods the reviews Service selects even without the workload label", () => {
        assert.strictEqual(isServiceDeployment(REVIEWS, deployment({ app: "reviews", version: "v2" })), true);
        assert.strictEqual(isServiceDeployment(REVIEWS, deployment({ app: "reviews_test", version: "v2" })), true);
        assert.strictEqual(isServiceDeployment(REVIEWS, deployment({ app: "details", version: "v1" })), false);
    });

    it("reads ready pods only from a live object's status", () => {
        const live = { ...deployment({ app: "reviews_test", version: "v2" }), status: { readyReplicas: 1 } };
        assert.deepStrictEqual(workloadOf(REVIEWS, live), {
            version: "v2",
            image: "r/reviews:2",
            replicas: 2,
            serving: false,
            ready: 1,
        });
        assert.strictEqual(workloadOf(REVIEWS, { ...live, status: {} }).ready, 0);
    });
});
