// The change under review never sets what it is measured with: the release's roles, the traffic table (strategy,
// steps, mirror, testers) and the bounds are read from the rollout record the last `up` wrote, and change only in an
// `up` from stable to stable, by closing a release, or with a new candidate where none runs.
import { RULES } from "../../rollout/verdict";
import { verdictRule } from "../lib/verdict-rule";

export const reviewsYardstickFixedDuringRollout = verdictRule(
    RULES.yardstick,
    "The release's roles, the traffic table and the bounds are those the last up recorded; they change only where no candidate runs, or by closing a release.",
);
