// What this rule enforces, and why: its `description`; the README and docs/policy.md list it from there.
import { RULES } from "../../rollout/verdict";
import { verdictRule } from "../lib/verdict-rule";

export const reviewsCapacityFloorKept = verdictRule(
    RULES.capacity,
    "Serving reviews pods never fall below `bounds.minServingPods`, during the change (each Deployment changed alone) and after it, and the candidate serves at least the stable's count once the stable is deleted: a rollout never costs capacity.",
);
