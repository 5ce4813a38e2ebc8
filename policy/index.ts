// The bookinfo-rollout policy pack: refuses unsafe moves between reviews rollout stages and goal states that drop
// reviews capacity, and advises on workload hygiene. One rule per file under rules/; docs/policy.md lists them.
import { PolicyPack } from "@pulumi/policy";
import { containersSetRequestsAndLimits } from "./rules/containers-set-requests-and-limits";
import { imagesPinATag } from "./rules/images-pin-a-tag";
import { podsUseNamedServiceAccount } from "./rules/pods-use-named-service-account";
import { reviewsCapacityKeptWithoutV1 } from "./rules/reviews-capacity-kept-without-v1";
import { reviewsDarkPodsNeverSelected } from "./rules/reviews-dark-pods-never-selected";
import { reviewsDeploymentSelectorFixed } from "./rules/reviews-deployment-selector-fixed";
import { reviewsServiceSelectsAppOnly } from "./rules/reviews-service-selects-app-only";
import { reviewsStageMoveAllowed } from "./rules/reviews-stage-move-allowed";
import { reviewsV2ServesOnlySmokePassedImage } from "./rules/reviews-v2-serves-only-smoke-passed-image";

new PolicyPack("bookinfo-rollout", {
    description: "Refuses unsafe moves between the reviews v2 rollout stages and goal states that drop reviews capacity",
    policies: [
        reviewsStageMoveAllowed,
        reviewsCapacityKeptWithoutV1,
        reviewsV2ServesOnlySmokePassedImage,
        reviewsServiceSelectsAppOnly,
        reviewsDarkPodsNeverSelected,
        reviewsDeploymentSelectorFixed,
        containersSetRequestsAndLimits,
        podsUseNamedServiceAccount,
        imagesPinATag,
    ],
});
