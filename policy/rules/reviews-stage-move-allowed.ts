// The stage table's moves (rollout/moves.ts), judged from the stage the live reviews Deployments are in, read from
// the cluster by the pack itself: a skipped step puts the candidate in service, or deletes the stable version,
// before the candidate has proven itself. A refusal names the moves allowed from the live stage.
import { RULES } from "../../rollout/verdict";
import { verdictRule } from "../lib/verdict-rule";

export const reviewsStageMoveAllowed = verdictRule(
    RULES.move,
    "Only the stage table's moves, judged from the stage the live reviews Deployments are in: a skipped step serves the candidate or deletes the stable before the candidate has proven itself.",
);
