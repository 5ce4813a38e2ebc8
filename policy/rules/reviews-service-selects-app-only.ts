// Capacity invariant: the reviews Service selects exactly app=reviews. The stage is expressed by which pods carry
// that label; a `version` (or any other) key would pin traffic regardless of the stage and hide pods from it.
import { APP_LABEL, REVIEWS_APP } from "../../rollout/labels";
import { formatLabels, isReviewsService, sameLabels } from "../lib/kubernetes";
import { RolloutPolicy } from "../lib/policy";

export const REVIEWS_SELECTOR = { [APP_LABEL]: REVIEWS_APP };

export const reviewsServiceSelectsAppOnly: RolloutPolicy = {
    name: "reviews-service-selects-app-only",
    description: `The reviews Service selector is exactly ${formatLabels(REVIEWS_SELECTOR)}, never a version.`,
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (!isReviewsService(args.type, args.name, args.props)) return;
        const selector = args.props.spec?.selector;
        if (sameLabels(selector, REVIEWS_SELECTOR)) return;
        reportViolation(`Service reviews selects ${formatLabels(selector)}; it must select exactly ${formatLabels(REVIEWS_SELECTOR)}: each stage decides which pods serve by their ${APP_LABEL} label, and any other key (a version above all) would send traffic by a different rule than the stage's pod ratio, or to no pod at all.`);
    },
};
