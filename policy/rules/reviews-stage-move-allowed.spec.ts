import * as assert from "assert";
import { FROM_STAGE_ANNOTATION, TO_STAGE_ANNOTATION } from "../../rollout/labels";
import { STAGE_NAMES, StageName } from "../../rollout/stages";
import { DeployedStage } from "../../rollout/transitions";
import { checkEachResource, checkResource, checkStack } from "../testing/harness";
import { goal, pick, withResource } from "../testing/fixtures";
import { reviewsStageMoveAllowed as policy } from "./reviews-stage-move-allowed";

// Written out by hand, independently of MOVES: a change to the transition graph must show up here as a diff.
// Rows: deployed stage; columns: requested stage (v1-only, v2-dark, canary, half, promoted). Y = allowed.
const COLUMNS: StageName[] = ["v1-only", "v2-dark", "canary", "half", "promoted"];
const MATRIX: Record<DeployedStage, string> = {
    none: "Y Y . . .",
    "v1-only": "Y Y Y . .",
    "v2-dark": "Y Y Y . .",
    canary: "Y . Y Y .",
    half: "Y . . Y Y",
    promoted: ". . . . Y",
};

const FROM_V1 = "Allowed from v1-only: v1-only (stay), v2-dark (forward), canary (restore).";
const FROM_DARK = "Allowed from v2-dark: v1-only (rollback), v2-dark (stay), canary (forward).";
const FROM_CANARY = "Allowed from canary: v1-only (rollback), canary (stay), half (forward).";
const FROM_HALF = "Allowed from half: v1-only (rollback), half (stay), promoted (forward).";
const FROM_PROMOTED = "Allowed from promoted: promoted (stay).";
const FIRST = "Allowed first stages: v1-only, v2-dark.";
const PARTIAL = "a partial step back keeps a suspect v2";
const ROLLBACK = "a rollback goes straight to v1-only and the rollout then moves forward one step at a time";
const ENDED = "promoted ends the rollout: v1 was deleted, so there is nothing to roll back to and";

const MESSAGES: Record<string, string> = {
    "none -> canary": `none -> canary (first deployment) is refused: a never-deployed stack would put v2 in service (25% of serving reviews pods) before its image passed the smoke test, which runs in v2-dark. ${FIRST}`,
    "none -> half": `none -> half (first deployment) is refused: a never-deployed stack would put v2 in service (50% of serving reviews pods) before its image passed the smoke test, which runs in v2-dark. ${FIRST}`,
    "none -> promoted": `none -> promoted (first deployment) is refused: a never-deployed stack starts without v1 and would put v2 in service (100% of serving reviews pods) before its image passed the smoke test, which runs in v2-dark. ${FIRST}`,
    "v1-only -> half": `v1-only -> half is refused: it puts v2 in service at 50% of serving reviews pods at once, skipping v2-dark and canary. ${FROM_V1}`,
    "v1-only -> promoted": `v1-only -> promoted is refused: it deletes v1 before v2 has served any production traffic (v2 would go from 0% to 100% of serving reviews pods at once, skipping v2-dark, canary and half). ${FROM_V1}`,
    "v2-dark -> half": `v2-dark -> half is refused: it puts v2 in service at 50% of serving reviews pods at once, skipping canary. ${FROM_DARK}`,
    "v2-dark -> promoted": `v2-dark -> promoted is refused: it deletes v1 before v2 has served any production traffic (v2 would go from 0% to 100% of serving reviews pods at once, skipping canary and half). ${FROM_DARK}`,
    "canary -> v2-dark": `canary -> v2-dark is refused: ${PARTIAL} running; ${ROLLBACK}. ${FROM_CANARY}`,
    "canary -> promoted": `canary -> promoted is refused: it deletes v1 before v2 has served more than 25% of reviews traffic (v2 would go from 25% to 100% of serving reviews pods at once, skipping half). ${FROM_CANARY}`,
    "half -> v2-dark": `half -> v2-dark is refused: ${PARTIAL} running; ${ROLLBACK}. ${FROM_HALF}`,
    "half -> canary": `half -> canary is refused: ${PARTIAL} in service; ${ROLLBACK}. ${FROM_HALF}`,
    "promoted -> v1-only": `promoted -> v1-only is refused: ${ENDED} v1-only would rebuild v1 from scratch. ${FROM_PROMOTED}`,
    "promoted -> v2-dark": `promoted -> v2-dark is refused: ${ENDED} v2-dark would rebuild v1 from scratch. ${FROM_PROMOTED}`,
    "promoted -> canary": `promoted -> canary is refused: ${ENDED} canary would rebuild v1 from scratch. ${FROM_PROMOTED}`,
    "promoted -> half": `promoted -> half is refused: ${ENDED} half would rebuild v1 from scratch. ${FROM_PROMOTED}`,
};

/** Resources of a goal state that carry the move: the state ConfigMap and every reviews Deployment. */
const carriers = (to: StageName) => goal(to).filter((r) => r.props.metadata?.annotations?.[TO_STAGE_ANNOTATION] !== undefined);

describe("reviews-stage-move-allowed", () => {
    it("the expectation table covers exactly the stages of the stage table", () => {
        assert.deepStrictEqual(COLUMNS, [...STAGE_NAMES]);
        assert.deepStrictEqual(Object.keys(MATRIX), ["none", ...STAGE_NAMES]);
    });

    for (const [from, row] of Object.entries(MATRIX) as [DeployedStage, string][]) {
        row.split(" ").forEach((cell, column) => {
            const to = COLUMNS[column];
            const key = `${from} -> ${to}`;
            it(`${key}: ${cell === "Y" ? "allowed" : "refused"}`, async () => {
                const violations = await checkEachResource(policy, goal(to, { from }));
                if (cell === "Y") {
                    assert.deepStrictEqual(violations, []);
                    assert.strictEqual(MESSAGES[key], undefined, `${key} is allowed but has an expected refusal`);
                } else {
                    // The ConfigMap and each reviews Deployment refuse the move with the same message.
                    assert.deepStrictEqual(violations, carriers(to).map(() => MESSAGES[key]));
                }
            });
        });
    }

    describe("restore (v1-only -> canary)", () => {
        const restore = (smokePassed: string) => goal("canary", { from: "v1-only", v2Image: "reviews-v2:1.21.0", smokePassed });
        const suffix = "Allowed from v1-only: v1-only (stay), v2-dark (forward).";

        it("is allowed for the image that passed the smoke test", async () => {
            assert.deepStrictEqual(await checkEachResource(policy, restore("reviews-v2:1.21.0")), []);
        });

        it("is refused on the ConfigMap and on reviews-v2 for an image that did not pass", async () => {
            const goalState = restore("reviews-v2:1.20.3");
            const message = `v1-only -> canary (restore) is refused: it would put reviews-v2:1.21.0 in service without a smoke test, and only an image that already passed one may skip v2-dark; the last image that passed it is reviews-v2:1.20.3. ${suffix}`;
            assert.deepStrictEqual(await checkResource(policy, pick(goalState, "reviews-rollout-state")), [message]);
            assert.deepStrictEqual(await checkResource(policy, pick(goalState, "reviews-v2")), [message]);
            // reviews-v1 does not know the v2 image; the ConfigMap and reviews-v2 carry the refusal.
            assert.deepStrictEqual(await checkResource(policy, pick(goalState, "reviews-v1")), []);
        });

        it("is refused when no image has passed yet", async () => {
            const message = `v1-only -> canary (restore) is refused: it would put reviews-v2:1.21.0 in service without a smoke test, and only an image that already passed one may skip v2-dark; no image has passed it yet. ${suffix}`;
            assert.deepStrictEqual(await checkResource(policy, pick(restore(""), "reviews-rollout-state")), [message]);
        });

        it("is refused everywhere when the policy config disables it", async () => {
            const message = `v1-only -> canary (restore) is refused: policy config allowRestoreCanary is false, so v2 must pass the smoke test again on the way up. ${suffix}`;
            const violations = await checkEachResource(policy, restore("reviews-v2:1.21.0"), { allowRestoreCanary: false });
            assert.deepStrictEqual(violations, [message, message, message]);
        });
    });

    it("refuses an unknown requested stage", async () => {
        const configMap = pick(goal("canary"), "reviews-rollout-state");
        configMap.props.metadata.annotations[TO_STAGE_ANNOTATION] = "blue-green";
        assert.deepStrictEqual(await checkResource(policy, configMap), [
            `annotation ${TO_STAGE_ANNOTATION} is "blue-green": not a stage; allowed stages: v1-only, v2-dark, canary, half, promoted.`,
        ]);
    });

    it("refuses a ConfigMap without the deployed stage", async () => {
        const configMap = pick(goal("canary"), "reviews-rollout-state");
        delete configMap.props.metadata.annotations[FROM_STAGE_ANNOTATION];
        assert.deepStrictEqual(await checkResource(policy, configMap), [
            `annotation ${FROM_STAGE_ANNOTATION} is "": not a deployed stage; allowed stages: v1-only, v2-dark, canary, half, promoted, or "none" for a never-deployed stack.`,
        ]);
    });

    it("refuses a reviews Deployment that does not carry the move", async () => {
        const deployment = pick(goal("half"), "reviews-v2");
        delete deployment.props.metadata.annotations[TO_STAGE_ANNOTATION];
        assert.deepStrictEqual(await checkResource(policy, deployment), [
            `reviews Deployment reviews-v2 has no ${TO_STAGE_ANNOTATION} annotation: the program must carry the requested and the deployed stage (${FROM_STAGE_ANNOTATION}) on every reviews Deployment so this guard can judge the move.`,
        ]);
    });

    it("judges a reviews Deployment on its own, so the guard holds without the ConfigMap", async () => {
        const deployment = pick(goal("promoted", { from: "v2-dark" }), "reviews-v2");
        assert.deepStrictEqual(await checkResource(policy, deployment), [MESSAGES["v2-dark -> promoted"]]);
    });

    it("reports a stack whose reviews Deployments have no state ConfigMap", async () => {
        assert.deepStrictEqual(await checkStack(policy, goal("canary")), []);
        const withoutState = withResource(goal("canary"), "reviews-rollout-state");
        const message = (name: string) =>
            `the stack declares reviews Deployment ${name} but no rollout state ConfigMap (a ConfigMap annotated ${TO_STAGE_ANNOTATION}): the deployed stage is not recorded, so the next stage change cannot be judged.`;
        assert.deepStrictEqual(await checkStack(policy, withoutState), [message("reviews-v1"), message("reviews-v2")]);
    });

    it("ignores resources that are neither the state ConfigMap nor a reviews Deployment", async () => {
        const reviews = goal("canary").filter((r) => r.name === "reviews" || r.name.endsWith("smoke-test"));
        assert.strictEqual(reviews.length, 2);
        assert.deepStrictEqual(await checkEachResource(policy, reviews), []);
    });
});
