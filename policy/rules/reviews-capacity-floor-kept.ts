// Serving reviews pods never drop below bounds.minServingPods, in the end state or in any state the engine passes
// through while it changes one Deployment after another, and removing the stable version leaves at least its
// count serving.
import { RULES } from "../../rollout/verdict";
import { verdictRule } from "../lib/verdict-rule";

export const reviewsCapacityFloorKept = verdictRule(
    RULES.capacity,
    "Serving reviews pods stay at or above bounds.minServingPods during and after the change, and the candidate replaces the stable with at least its count.",
);
