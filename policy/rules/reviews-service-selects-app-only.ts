// What this rule enforces, and why: its `description`; the README and docs/policy.md list it from there.
import { ROLLED_OUT } from "../../rollout/service";
import { APP_LABEL } from "../../rollout/labels";
import { formatLabels, isGuardedService, sameLabels } from "../lib/kubernetes";
import { RolloutPolicy } from "../lib/policy";

export const REVIEWS_SELECTOR = { [APP_LABEL]: ROLLED_OUT.name };

export const reviewsServiceSelectsAppOnly: RolloutPolicy = {
    name: "reviews-service-selects-app-only",
    description: `The reviews Service selects exactly \`${APP_LABEL}: ${ROLLED_OUT.name}\`, never a version: the stage's pod ratio, not the selector, decides who serves.`,
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (!isGuardedService(args.type, args.name, args.props)) return;
        const selector = args.props.spec?.selector;
        if (sameLabels(selector, REVIEWS_SELECTOR)) return;
        reportViolation(
            `Service reviews selects ${formatLabels(selector)}; it must select exactly ${formatLabels(REVIEWS_SELECTOR)}: each stage decides which pods serve by their ${APP_LABEL} label, and any other key (a version above all) would send traffic by a different rule than the stage's pod ratio, or to no pod at all.`,
        );
    },
};
