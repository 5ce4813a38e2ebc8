// A stage change must not replace a reviews Deployment: .spec.selector is immutable, so any change to it turns the
// update into delete + create of the whole Deployment.
import { REVIEWS_WORKLOAD, VERSION_LABEL, WORKLOAD_LABEL } from "../../rollout/labels";
import { formatLabels, reviewsVersion, sameLabels } from "../lib/kubernetes";
import { RolloutPolicy } from "../lib/policy";

export const reviewsDeploymentSelectorFixed: RolloutPolicy = {
    name: "reviews-deployment-selector-fixed",
    description: `reviews Deployments select exactly {${WORKLOAD_LABEL}, ${VERSION_LABEL}} in every stage, so a stage change never replaces them.`,
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        const version = reviewsVersion(args.type, args.props);
        if (version === undefined) return;
        const name = args.props.metadata?.name ?? args.name;
        const expected = { [WORKLOAD_LABEL]: REVIEWS_WORKLOAD, [VERSION_LABEL]: version };
        const selector = args.props.spec?.selector ?? {};
        const expressions: unknown[] = selector.matchExpressions ?? [];
        if (sameLabels(selector.matchLabels, expected) && expressions.length === 0) return;
        const actual = expressions.length > 0 ? `${formatLabels(selector.matchLabels)} plus matchExpressions` : formatLabels(selector.matchLabels);
        reportViolation(`reviews Deployment ${name} selects ${actual}; its selector must stay exactly ${formatLabels(expected)} in every stage: changing .spec.selector makes the provider delete and recreate the Deployment, dropping its pods during the stage change.`);
    },
};
