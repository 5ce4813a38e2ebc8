// Every rule of the pack, in the order the CLI reports them: index.ts serves them with the real cluster read, specs
// with fixture facts, docs.spec.ts checks that the docs list exactly these.
import { PackSource } from "./lib/context";
import { RolloutPolicy } from "./lib/policy";
import { bookinfoServicesFixedDuringRollout } from "./rules/bookinfo-services-fixed-during-rollout";
import { containersSetRequestsAndLimits } from "./rules/containers-set-requests-and-limits";
import { imagesPinATag } from "./rules/images-pin-a-tag";
import { namespaceOwnedByStack } from "./rules/namespace-owned-by-stack";
import { podsUseNamedServiceAccount } from "./rules/pods-use-named-service-account";
import { reviewsCapacityFloorKept } from "./rules/reviews-capacity-floor-kept";
import { reviewsDarkPodsNeverSelected } from "./rules/reviews-dark-pods-never-selected";
import { reviewsDeploymentSelectorFixed } from "./rules/reviews-deployment-selector-fixed";
import { reviewsMovesOnOnlyFromReadyPods } from "./rules/reviews-moves-on-only-from-ready-pods";
import { reviewsReplicasWithinBounds } from "./rules/reviews-replicas-within-bounds";
import { reviewsRouteUsesDefinedSubsets } from "./rules/reviews-route-uses-defined-subsets";
import { reviewsServesOnlyGatePassedImages } from "./rules/reviews-serves-only-gate-passed-images";
import { reviewsServiceSelectsAppOnly } from "./rules/reviews-service-selects-app-only";
import { reviewsStableFixedDuringRollout } from "./rules/reviews-stable-fixed-during-rollout";
import { reviewsStageMoveAllowed } from "./rules/reviews-stage-move-allowed";
import { reviewsYardstickFixedDuringRollout } from "./rules/reviews-yardstick-fixed-during-rollout";
import { reviewsYardstickWithinLimits } from "./rules/reviews-yardstick-within-limits";

/** The rules that judge by the pack's context (the verdict's nine, then the namespace's owner). */
export function contextRules(source: PackSource): RolloutPolicy[] {
    return [
        reviewsStageMoveAllowed(source),
        reviewsMovesOnOnlyFromReadyPods(source),
        reviewsCapacityFloorKept(source),
        reviewsServesOnlyGatePassedImages(source),
        reviewsStableFixedDuringRollout(source),
        bookinfoServicesFixedDuringRollout(source),
        reviewsReplicasWithinBounds(source),
        reviewsYardstickFixedDuringRollout(source),
        reviewsYardstickWithinLimits(source),
        namespaceOwnedByStack(source),
    ];
}

/** The rules that judge the goal state's resources alone. */
export const STRUCTURAL_RULES: RolloutPolicy[] = [
    reviewsServiceSelectsAppOnly,
    reviewsDarkPodsNeverSelected,
    reviewsDeploymentSelectorFixed,
    reviewsRouteUsesDefinedSubsets,
    containersSetRequestsAndLimits,
    podsUseNamedServiceAccount,
    imagesPinATag,
];

export function policies(source: PackSource): RolloutPolicy[] {
    return [...contextRules(source), ...STRUCTURAL_RULES];
}
