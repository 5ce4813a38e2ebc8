// Every rule of the pack, in the order the CLI reports them: index.ts serves them, specs and docs check them.
import { RolloutPolicy } from "./lib/policy";
import { containersSetRequestsAndLimits } from "./rules/containers-set-requests-and-limits";
import { imagesPinATag } from "./rules/images-pin-a-tag";
import { podsUseNamedServiceAccount } from "./rules/pods-use-named-service-account";
import { reviewsCapacityKeptWithoutV1 } from "./rules/reviews-capacity-kept-without-v1";
import { reviewsDarkPodsNeverSelected } from "./rules/reviews-dark-pods-never-selected";
import { reviewsDeploymentSelectorFixed } from "./rules/reviews-deployment-selector-fixed";
import { reviewsServiceSelectsAppOnly } from "./rules/reviews-service-selects-app-only";
import { reviewsStageMoveAllowed } from "./rules/reviews-stage-move-allowed";
import { reviewsV2ServesOnlySmokePassedImage } from "./rules/reviews-v2-serves-only-smoke-passed-image";

export const POLICIES: RolloutPolicy[] = [
    reviewsStageMoveAllowed,
    reviewsCapacityKeptWithoutV1,
    reviewsV2ServesOnlySmokePassedImage,
    reviewsServiceSelectsAppOnly,
    reviewsDarkPodsNeverSelected,
    reviewsDeploymentSelectorFixed,
    containersSetRequestsAndLimits,
    podsUseNamedServiceAccount,
    imagesPinATag,
];
