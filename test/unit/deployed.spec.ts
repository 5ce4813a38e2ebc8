// What the program carries from live state into the new inputs: from-stage, the smoke-passed image, and the
// refusal to put an untested v2 image in service.
import * as assert from "assert";
import { declaredResources, tick } from "./harness";
import { build, DEFAULT_V2_IMAGE, liveAt } from "./program";
import {
    LiveState,
    liveStateFromConfigMap,
    NEVER_DEPLOYED,
    rolloutGoal,
    SMOKE_TEST_STAGE,
    v2Annotations,
} from "../../rollout/deployed";
import {
    FROM_STAGE_ANNOTATION,
    SMOKE_PASSED_IMAGE_ANNOTATION,
    TO_STAGE_ANNOTATION,
    V1_REPLICAS_ANNOTATION,
    V2_IMAGE_ANNOTATION,
} from "../../rollout/labels";
import { planStage } from "../../rollout/plan";
import { StageName } from "../../rollout/stages";

const NEW_IMAGE = "docker.io/istio/examples-bookinfo-reviews-v2:1.21.0";
const goalOf = (stage: StageName, live: LiveState, image = DEFAULT_V2_IMAGE) => rolloutGoal(live, planStage(stage), image, 3);

describe("state carried into the new inputs", () => {
    describe("from-stage", () => {
        it('is "none" on a never-deployed stack', () => {
            assert.strictEqual(goalOf("v2-dark", NEVER_DEPLOYED).annotations[FROM_STAGE_ANNOTATION], "none");
        });
        it("is the live stage when the requested one differs", () => {
            assert.strictEqual(goalOf("canary", liveAt("v2-dark", { fromStage: "v1-only" })).annotations[FROM_STAGE_ANNOTATION], "v2-dark");
        });
        it("stays the live from-stage on a repeated up of the same stage", () => {
            const goal = goalOf("canary", liveAt("canary", { fromStage: "v2-dark" }));
            assert.strictEqual(goal.annotations[FROM_STAGE_ANNOTATION], "v2-dark");
            assert.strictEqual(goal.annotations[TO_STAGE_ANNOTATION], "canary");
        });
    });

    describe("annotations and data", () => {
        it("has the v2 image of the goal, empty without v2, and the configured v1 replicas", () => {
            const dark = goalOf("v2-dark", liveAt("v1-only"));
            assert.strictEqual(dark.annotations[V2_IMAGE_ANNOTATION], DEFAULT_V2_IMAGE);
            assert.strictEqual(dark.annotations[V1_REPLICAS_ANNOTATION], "3");
            const v1Only = goalOf("v1-only", liveAt("v2-dark"));
            assert.strictEqual(v1Only.annotations[V2_IMAGE_ANNOTATION], "");
            assert.strictEqual(v1Only.data.v2Image, "");
            assert.strictEqual(goalOf("promoted", liveAt("half")).annotations[V1_REPLICAS_ANNOTATION], "3");
        });

        it("on the up that first smoke-tests an image: annotation = live value, data = the new image", () => {
            const goal = goalOf("v2-dark", liveAt("v1-only", { smokePassedImage: DEFAULT_V2_IMAGE }), NEW_IMAGE);
            assert.strictEqual(goal.annotations[SMOKE_PASSED_IMAGE_ANNOTATION], DEFAULT_V2_IMAGE);
            assert.strictEqual(v2Annotations(goal)[SMOKE_PASSED_IMAGE_ANNOTATION], DEFAULT_V2_IMAGE);
            assert.strictEqual(goal.data.smokePassedImage, NEW_IMAGE);
            assert.deepStrictEqual(goal.data, { stage: "v2-dark", v2Image: NEW_IMAGE, smokePassedImage: NEW_IMAGE });
        });

        it("carries the passed image forward through v1-only (for a later restore)", () => {
            const goal = goalOf("v1-only", liveAt("canary"));
            assert.strictEqual(goal.data.smokePassedImage, DEFAULT_V2_IMAGE);
            assert.strictEqual(goal.annotations[SMOKE_PASSED_IMAGE_ANNOTATION], DEFAULT_V2_IMAGE);
        });
    });

    describe("refusing an untested image in service", () => {
        for (const stage of ["canary", "half", "promoted"] as const) {
            it(`refuses ${stage} when no image has passed the smoke test`, () => {
                assert.throws(() => goalOf(stage, liveAt("v2-dark", { smokePassedImage: "" })), /has not passed the smoke test \(last image that passed: none yet\)\. Run stage v2-dark with this image first/);
            });
        }
        it("refuses an image other than the one that passed", () => {
            assert.throws(() => goalOf("half", liveAt("canary"), NEW_IMAGE), new RegExp(`"${NEW_IMAGE}" in service.*last image that passed: "${DEFAULT_V2_IMAGE}"`));
        });
        it("allows the image that passed, also on restore from v1-only", () => {
            assert.doesNotThrow(() => goalOf("canary", liveAt("v1-only")));
            assert.doesNotThrow(() => goalOf("promoted", liveAt("half"), DEFAULT_V2_IMAGE));
        });
        it("never refuses the dark stage or v1-only (they do not put v2 in service)", () => {
            assert.doesNotThrow(() => goalOf("v2-dark", NEVER_DEPLOYED, NEW_IMAGE));
            assert.doesNotThrow(() => goalOf("v1-only", NEVER_DEPLOYED));
            assert.strictEqual(SMOKE_TEST_STAGE, "v2-dark");
        });
        it("declares no resource when it refuses", async () => {
            await assert.rejects(build({ stage: "canary", v2Image: NEW_IMAGE }, liveAt("v2-dark")), /has not passed the smoke test/);
            await tick();
            assert.deepStrictEqual(declaredResources(), []);
        });
        it("puts the live smoke-passed image on the v2 Deployment", async () => {
            const { resources } = await build({ stage: "canary" }, liveAt("v2-dark"));
            const v2 = resources.find((r) => r.inputs.metadata?.name === "reviews-v2")!;
            assert.strictEqual(v2.inputs.metadata.annotations[SMOKE_PASSED_IMAGE_ANNOTATION], DEFAULT_V2_IMAGE);
        });
    });

    describe("reading the live state ConfigMap", () => {
        it("reads stage, from-stage and images", () => {
            const live = liveStateFromConfigMap(
                { metadata: { annotations: { [FROM_STAGE_ANNOTATION]: "v2-dark" } }, data: { stage: "canary", v2Image: "a", smokePassedImage: "a" } },
                "bookinfo/reviews-rollout-state",
            );
            assert.deepStrictEqual(live, { stage: "canary", fromStage: "v2-dark", v2Image: "a", smokePassedImage: "a" });
        });
        it("refuses an unknown stage with a message naming the ConfigMap", () => {
            assert.throws(
                () => liveStateFromConfigMap({ metadata: { annotations: { [FROM_STAGE_ANNOTATION]: "none" } }, data: { stage: "bogus" } }, "ns/cm"),
                /data\.stage of the live state ConfigMap ns\/cm is "bogus"; expected one of: none, v1-only/,
            );
        });
    });
});
