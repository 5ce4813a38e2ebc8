import * as assert from "assert";
import { SMOKE_PASSED_IMAGE_ANNOTATION } from "../../rollout/labels";
import { STAGE_NAMES } from "../../rollout/stages";
import { checkEachResource, checkResource, checkStack } from "../testing/harness";
import { goal, pick, withResource } from "../testing/fixtures";
import { reviewsV2ServesOnlySmokePassedImage as policy } from "./reviews-v2-serves-only-smoke-passed-image";

describe("reviews-v2-serves-only-smoke-passed-image", () => {
    for (const stage of STAGE_NAMES) {
        it(`accepts the goal state of ${stage}`, async () => {
            assert.deepStrictEqual(await checkEachResource(policy, goal(stage)), []);
            assert.deepStrictEqual(await checkStack(policy, goal(stage)), []);
        });
    }

    it("refuses v2 in service with an image that did not pass the smoke test", async () => {
        const v2 = pick(goal("canary", { v2Image: "reviews-v2:1.21.0", smokePassed: "reviews-v2:1.20.3" }), "reviews-v2");
        assert.deepStrictEqual(await checkResource(policy, v2), [
            "reviews-v2 would put image reviews-v2:1.21.0 in service (app=reviews), but the image that passed the smoke test is reviews-v2:1.20.3: run v2-dark with this image first, so the smoke test checks it before it takes traffic.",
        ]);
    });

    it("refuses v2 in service when no image has passed", async () => {
        const v2 = pick(goal("half"), "reviews-v2");
        delete v2.props.metadata.annotations[SMOKE_PASSED_IMAGE_ANNOTATION];
        assert.deepStrictEqual(await checkResource(policy, v2), [
            "reviews-v2 would put image docker.io/istio/examples-bookinfo-reviews-v2:1.20.3 in service (app=reviews), but no image has passed the smoke test yet: run v2-dark with this image first, so the smoke test checks it before it takes traffic.",
        ]);
    });

    it("lets a dark v2 run an image that has not passed yet: that is what v2-dark is for", async () => {
        const v2 = pick(goal("v2-dark", { v2Image: "reviews-v2:1.21.0", smokePassed: "" }), "reviews-v2");
        assert.deepStrictEqual(await checkResource(policy, v2), []);
    });

    it("reports v2 in service without a smoke test in the stack", async () => {
        const noSmokeTest = withResource(goal("promoted"), "reviews-rollout-v2-smoke-test");
        assert.deepStrictEqual(await checkStack(policy, noSmokeTest), [
            "reviews-v2 serves image docker.io/istio/examples-bookinfo-reviews-v2:1.20.3 but the stack has no smoke test for it (a command:local:Command triggered by that image): the smoke test must stay part of every goal state with v2 in service.",
        ]);
    });
});
