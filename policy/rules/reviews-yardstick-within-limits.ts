// What this rule enforces, and why: its `description`; the README and docs/policy.md list it from there.
import { RULES } from "../../rollout/verdict";
import { verdictRule } from "../lib/verdict-rule";

export const reviewsYardstickWithinLimits = verdictRule(
    RULES.limits,
    "The stack's bounds, weight steps and testers stay within the limits of this rule's pack config (`policy/config.json`, the base branch's in review; defaults in `rollout/limits.ts`): no looser floor, a first step of at most `maxFirstStep` %, no weight more than `maxStepFactor` times the one before, testers only on allowed header and cookie names, so no stack file can loosen what the platform allows.",
);
