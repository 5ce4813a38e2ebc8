// No reviews version asks for more than bounds.maxReplicas pods, or changes its count by more than
// bounds.maxReplicaChange in one up: a typo must not scale the namespace out of its quota or the nodes.
import { RULES } from "../../rollout/verdict";
import { verdictRule } from "../lib/verdict-rule";

export const reviewsReplicasWithinBounds = verdictRule(
    RULES.bounds,
    "No reviews version asks for more than bounds.maxReplicas pods or changes by more than bounds.maxReplicaChange in one up.",
);
