// What this rule enforces, and why: its `description`; the README and docs/policy.md list it from there.
import { RULES } from "../../rollout/verdict";
import { verdictRule } from "../lib/verdict-rule";

export const reviewsReplicasWithinBounds = verdictRule(
    RULES.bounds,
    "No reviews version asks for more than `bounds.maxReplicas` pods or changes its count by more than `bounds.maxReplicaChange` in one `up`: a typo never scales the namespace out of its quota.",
);
