// What this rule enforces, and why: its `description`; the README and docs/policy.md list it from there.
import { RULES } from "../../rollout/verdict";
import { verdictRule } from "../lib/verdict-rule";

export const reviewsStableFixedDuringRollout = verdictRule(
    RULES.stable,
    "The stable's image never changes in place, and its pod count does not drop while a candidate runs: a new image comes as a candidate and walks the stages, and the stable is what a rollback returns to.",
);
