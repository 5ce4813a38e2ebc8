// A forward move or a restore starts only from a stage whose live reviews pods are all ready: moving on from a
// stage that is failing (or still starting) judges the candidate on pods that never served.
import { RULES } from "../../rollout/verdict";
import { verdictRule } from "../lib/verdict-rule";

export const reviewsMovesOnOnlyFromReadyPods = verdictRule(
    RULES.ready,
    "A forward move or restore starts only when every live reviews pod is ready: moving on from a failing or starting stage skips its evidence.",
);
