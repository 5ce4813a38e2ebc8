// What this rule enforces, and why: its `description`; the README and docs/policy.md list it from there.
import { RULES } from "../../rollout/verdict";
import { verdictRule } from "../lib/verdict-rule";

export const reviewsYardstickFixedDuringRollout = verdictRule(
    RULES.yardstick,
    "The change is measured with the yardstick the last `up` recorded (roles, stage table with its steps and testers, bounds), never its own config: the roles change only by closing a release or with a new candidate where none runs, the table and bounds only from stable to stable; a change that set its own yardstick could call a jump a step.",
);
