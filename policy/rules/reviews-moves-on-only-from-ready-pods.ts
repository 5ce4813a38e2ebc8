// What this rule enforces, and why: its `description`; the README and docs/policy.md list it from there.
import { RULES } from "../../rollout/verdict";
import { verdictRule } from "../lib/verdict-rule";

export const reviewsMovesOnOnlyFromReadyPods = verdictRule(
    RULES.ready,
    "A forward move or a restore starts only when every live reviews pod is ready: moving on from a stage that has not settled skips its evidence.",
);
