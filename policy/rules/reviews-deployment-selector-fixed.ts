// What this rule enforces, and why: its `description`; the README and docs/policy.md list it from there.
import { ROLLED_OUT } from "../../rollout/service";
import { isGuardedDeployment } from "../lib/requested";
import { VERSION_LABEL, WORKLOAD_LABEL } from "../../rollout/labels";
import { workloadOf } from "../../rollout/workload-of";
import { DEPLOYMENT, formatLabels, objectName, sameLabels } from "../lib/kubernetes";
import { RolloutPolicy } from "../lib/policy";

export const reviewsDeploymentSelectorFixed: RolloutPolicy = {
    name: "reviews-deployment-selector-fixed",
    description: `Every reviews Deployment selects exactly \`{${WORKLOAD_LABEL}: ${ROLLED_OUT.name}, ${VERSION_LABEL}: <its version>}\`: a selector is immutable, so a change replaces the Deployment and drops its pods mid-change.`,
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (args.type !== DEPLOYMENT || !isGuardedDeployment(args.props)) return;
        const { version } = workloadOf(ROLLED_OUT, args.props);
        const expected = { [WORKLOAD_LABEL]: ROLLED_OUT.name, [VERSION_LABEL]: version };
        const selector = args.props.spec?.selector ?? {};
        const expressions: unknown[] = selector.matchExpressions ?? [];
        if (sameLabels(selector.matchLabels, expected) && expressions.length === 0) return;
        const actual =
            expressions.length > 0
                ? `${formatLabels(selector.matchLabels)} plus matchExpressions`
                : formatLabels(selector.matchLabels);
        reportViolation(
            `reviews Deployment ${objectName(args.name, args.props)} selects ${actual}; its selector must stay exactly ${formatLabels(expected)} in every stage and release: changing .spec.selector makes the provider delete and recreate the Deployment, dropping its pods during the change.`,
        );
    },
};
