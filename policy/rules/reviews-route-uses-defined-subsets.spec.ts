// The route rule on the goal state of every istio stage (v1 -> v2), then on the weight-50 goal with one change each.
// Expected messages written out.
import * as assert from "assert";
import { checkEachResource, checkResource, checkStack, TestResource } from "../testing/harness";
import type { StageName } from "../../rollout/stages";
import { everyGoal, MESH_STAGES, meshScenario, pick, resourcesOf } from "../testing/fixtures";
import { reviewsRouteUsesDefinedSubsets as policy } from "./reviews-route-uses-defined-subsets";

const HOST = "reviews.bookinfo.svc.cluster.local";
const VS = "reviews-rollout-mesh-virtual-service";
const DR = "reviews-rollout-mesh-destination-rule";
const goal = (stage: StageName) => resourcesOf(meshScenario(stage, stage));
const primary = (resources: TestResource[]) => pick(resources, VS).props.spec.http[1];

describe("reviews-route-uses-defined-subsets", () => {
    for (const stage of MESH_STAGES) {
        it(`accepts the goal state of istio ${stage}`, async () => {
            assert.deepStrictEqual(await checkEachResource(policy, goal(stage)), []);
            assert.deepStrictEqual(await checkStack(policy, goal(stage)), []);
        });
    }

    it("has nothing to say about a pods goal (no Istio objects)", async () => {
        const [{ resources }] = everyGoal();
        assert.deepStrictEqual(await checkStack(policy, resources), []);
    });

    it("refuses weights that do not sum to 100, at the VirtualService's step", async () => {
        const resources = goal("weight-50");
        primary(resources).route[1].weight = 40;
        assert.deepStrictEqual(await checkResource(policy, pick(resources, VS)), [
            "VirtualService reviews route primary weighs 90% of its requests, not 100%: the rest would go nowhere the stage table knows.",
        ]);
    });

    it("refuses a subset that selects another label than its version, at the DestinationRule's step", async () => {
        const resources = goal("weight-50");
        pick(resources, DR).props.spec.subsets[1].labels = { version: "v1" };
        assert.deepStrictEqual(await checkResource(policy, pick(resources, DR)), [
            'DestinationRule reviews subset v2 selects {"version":"v1"}; it must select exactly {"version":"v2"}: a subset is the version it is named after, or the route sends traffic where it does not say.',
        ]);
    });

    it("refuses a weighted destination the DestinationRule does not define", async () => {
        const resources = goal("weight-50");
        primary(resources).route[1].destination.subset = "v3";
        assert.deepStrictEqual(await checkStack(policy, resources), [
            `VirtualService reviews route primary sends to {"host":"${HOST}","subset":"v3"}, not a subset of ${HOST} that DestinationRule reviews defines (v1, v2): Istio answers those requests with 503.`,
        ]);
    });

    it("refuses a mirror to an undefined subset", async () => {
        const resources = goal("mirror");
        primary(resources).mirror.subset = "canary";
        assert.deepStrictEqual(await checkStack(policy, resources), [
            `VirtualService reviews route primary sends to {"host":"${HOST}","subset":"canary"}, not a subset of ${HOST} that DestinationRule reviews defines (v1, v2): Istio answers those requests with 503.`,
        ]);
    });

    it("refuses a tester destination of another host", async () => {
        const resources = goal("weight-50");
        pick(resources, VS).props.spec.http[0].route[0].destination.host = "reviews";
        assert.deepStrictEqual(await checkStack(policy, resources), [
            `VirtualService reviews route testers sends to {"host":"reviews","subset":"v2"}, not a subset of ${HOST} that DestinationRule reviews defines (v1, v2): Istio answers those requests with 503.`,
        ]);
    });

    it("refuses a DestinationRule for another host than the VirtualService's", async () => {
        const resources = goal("weight-50");
        pick(resources, DR).props.spec.host = "reviews.other.svc.cluster.local";
        assert.deepStrictEqual(await checkStack(policy, resources), [
            `VirtualService reviews is for hosts ["${HOST}"] and DestinationRule reviews for host reviews.other.svc.cluster.local: both must name the one reviews host, or the subsets do not apply to the route.`,
        ]);
    });

    it("refuses a VirtualService without the DestinationRule", async () => {
        const resources = goal("weight-50").filter((r) => r.name !== DR);
        assert.deepStrictEqual(await checkStack(policy, resources), [
            "VirtualService reviews routes to subsets, but the goal declares no DestinationRule reviews that defines them: Istio answers those requests with 503.",
        ]);
    });
});
