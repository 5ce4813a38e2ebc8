// productpage, details, ratings (every Deployment that is not reviews) keep their images while a reviews rollout is
// under way, so a failure during the rollout is the candidate's alone.
import { RULES } from "../../rollout/verdict";
import { verdictRule } from "../lib/verdict-rule";

export const bookinfoServicesFixedDuringRollout = verdictRule(
    RULES.services,
    "The other Bookinfo Deployments keep their images while a reviews rollout is under way: a failure then is the candidate's alone.",
);
