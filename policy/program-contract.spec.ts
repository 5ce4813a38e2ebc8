// The pack against the real program: builds the Bookinfo program under Pulumi mocks (test/unit/program.ts) for
// every (deployed, requested) pair and runs every mandatory rule over what it declares. Allowed moves must pass
// untouched; refused moves must be refused by the transition guard alone. This keeps both sides of the
// program/policy contract honest.
import * as assert from "assert";
import { build, liveAt } from "../test/unit/program";
import { LiveState, NEVER_DEPLOYED } from "../rollout/deployed";
import { planStage, stageByName } from "../rollout/plan";
import { MOVES, STAGE_NAMES } from "../rollout/stages";
import { DeployedStage, judgeMove } from "../rollout/transitions";
import { POLICIES } from "./policies";
import { checkEachResource, checkStack, TestResource } from "./testing/harness";
import { reviewsStageMoveAllowed } from "./rules/reviews-stage-move-allowed";

const MANDATORY = POLICIES.filter((p) => p.enforcementLevel === "mandatory");

async function violationsByRule(resources: TestResource[]): Promise<Record<string, string[]>> {
    const found: Record<string, string[]> = {};
    for (const policy of MANDATORY) {
        const messages = [...(await checkEachResource(policy, resources)), ...(policy.validateStack ? await checkStack(policy, resources) : [])];
        if (messages.length > 0) found[policy.name] = messages;
    }
    return found;
}

/** A live state at `stage`, entered by an allowed move (so staying there is allowed too). */
function liveState(stage: DeployedStage): LiveState {
    if (stage === "none") return NEVER_DEPLOYED;
    const enteredFrom = stageByName(stage).initial ? "none" : MOVES.find((m) => m.to === stage && m.kind === "forward")!.from;
    return liveAt(stage, { fromStage: enteredFrom });
}

describe("the pack against the program's goal states", () => {
    for (const from of ["none", ...STAGE_NAMES] as DeployedStage[]) {
        for (const to of STAGE_NAMES) {
            const allowed = judgeMove(from, to).allowed;
            if (from === "none" && planStage(to).v2InService) {
                // No image has passed the smoke test on a never-deployed stack: the program refuses before the pack.
                it(`${from} -> ${to}: is refused by the program itself`, async () => {
                    assert.strictEqual(allowed, false);
                    await assert.rejects(build({ stage: to }, NEVER_DEPLOYED), /has not passed the smoke test/);
                });
                continue;
            }
            it(`${from} -> ${to}: ${allowed ? "passes every mandatory rule" : "is refused by the transition guard only"}`, async () => {
                const { resources } = await build({ stage: to }, liveState(from));
                const found = await violationsByRule(resources.map((r) => ({ type: r.type, name: r.name, props: r.inputs })));
                assert.deepStrictEqual(Object.keys(found), allowed ? [] : [reviewsStageMoveAllowed.name], JSON.stringify(found, null, 2));
            });
        }
    }
});
