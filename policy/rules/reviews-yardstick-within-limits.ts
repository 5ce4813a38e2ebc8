// The stack's own yardstick stays within the platform's limits (this rule's pack config, the base branch's in
// review): bounds no looser, the first weight step small, no step jump, testers matched only on allowed names.
import { RULES } from "../../rollout/verdict";
import { verdictRule } from "../lib/verdict-rule";

export const reviewsYardstickWithinLimits = verdictRule(
    RULES.limits,
    "bounds, traffic.steps and traffic.testers stay within the limits of this rule's pack config: no looser floor, no step jump, testers only on allowed header and cookie names.",
);
