// A stage change or a release change must not replace a reviews Deployment: .spec.selector is immutable, so any
// change to it turns the update into delete + create of the whole Deployment, dropping its pods mid-change.
// Every reviews Deployment selects exactly {workload: reviews, version: <its version>}, the version its pods carry.
import { REVIEWS_WORKLOAD, VERSION_LABEL, WORKLOAD_LABEL } from "../../rollout/labels";
import { isReviewsDeployment, workloadOf } from "../../rollout/workload-of";
import { DEPLOYMENT, formatLabels, objectName, sameLabels } from "../lib/kubernetes";
import { RolloutPolicy } from "../lib/policy";

export const reviewsDeploymentSelectorFixed: RolloutPolicy = {
    name: "reviews-deployment-selector-fixed",
    description: `reviews Deployments select exactly {${WORKLOAD_LABEL}: ${REVIEWS_WORKLOAD}, ${VERSION_LABEL}: <their version>}, so no stage or release change replaces them.`,
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (args.type !== DEPLOYMENT || !isReviewsDeployment(args.props)) return;
        const { version } = workloadOf(args.props);
        const expected = { [WORKLOAD_LABEL]: REVIEWS_WORKLOAD, [VERSION_LABEL]: version };
        const selector = args.props.spec?.selector ?? {};
        const expressions: unknown[] = selector.matchExpressions ?? [];
        if (sameLabels(selector.matchLabels, expected) && expressions.length === 0) return;
        const actual = expressions.length > 0 ? `${formatLabels(selector.matchLabels)} plus matchExpressions` : formatLabels(selector.matchLabels);
        reportViolation(`reviews Deployment ${objectName(args.name, args.props)} selects ${actual}; its selector must stay exactly ${formatLabels(expected)} in every stage and release: changing .spec.selector makes the provider delete and recreate the Deployment, dropping its pods during the change.`);
    },
};
