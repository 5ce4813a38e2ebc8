// What this rule enforces, and why: its `description`; the README and docs/policy.md list it from there.
import { RULES } from "../../rollout/verdict";
import { verdictRule } from "../lib/verdict-rule";

export const reviewsServesOnlyGatePassedImages = verdictRule(
    RULES.gate,
    "Every image that newly serves (under `istio`: gets weight or mirrored copies), and the candidate on every forward move or restore, has a pass for exactly that version and image in this namespace's gate record, trusted only if the gate alone wrote it (managedFields); no move forward while the candidate's live pods run a hand-set image without one: untested code never serves.",
);
