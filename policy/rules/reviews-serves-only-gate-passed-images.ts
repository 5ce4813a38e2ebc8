// A reviews version that newly takes traffic, and the candidate on every forward move or restore (each stage's
// gates must have passed on entry), runs an image with a pass in the gate record, and the record is trusted only if
// the gate alone wrote it (managedFields, rollout/gate-record.ts): untested code never serves.
import { RULES } from "../../rollout/verdict";
import { verdictRule } from "../lib/verdict-rule";

export const reviewsServesOnlyGatePassedImages = verdictRule(
    RULES.gate,
    "A reviews version newly put in service, and the candidate on a forward move or restore, runs an image that passed its gate, per a gate record only the gate wrote.",
);
