// What this rule enforces, and why: its `description`; the README and docs/policy.md list it from there.
import { RULES } from "../../rollout/verdict";
import { verdictRule } from "../lib/verdict-rule";

export const bookinfoServicesFixedDuringRollout = verdictRule(
    RULES.services,
    "productpage, details, ratings and sleep (every Deployment that is not reviews) keep their images while a candidate runs: a failure is then the candidate's alone.",
);
