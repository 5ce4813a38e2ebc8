// What this rule enforces, and why: its `description`; the README and docs/policy.md list it from there.
import { RULES } from "../../rollout/verdict";
import { verdictRule } from "../lib/verdict-rule";

export const reviewsStageMoveAllowed = verdictRule(
    RULES.move,
    "Only the moves the stage table allows (forward one stage, rollback to the first stage, restore, a first stage in an empty namespace), from the stage the live reviews Deployments are in: a skipped step puts the candidate in service, or deletes the stable, before the candidate has proven itself.",
);
