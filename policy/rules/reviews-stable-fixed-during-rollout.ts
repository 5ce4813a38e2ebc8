// The stable version never changes its image in place, and keeps its pod count while a candidate runs: a new image
// comes as the candidate of a release, and the stable is what a rollback returns to.
import { RULES } from "../../rollout/verdict";
import { verdictRule } from "../lib/verdict-rule";

export const reviewsStableFixedDuringRollout = verdictRule(
    RULES.stable,
    "The stable reviews version keeps its image, and its pod count while a rollout is under way: it is what a rollback returns to.",
);
