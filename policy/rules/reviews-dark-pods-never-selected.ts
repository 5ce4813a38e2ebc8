// What this rule enforces, and why: its `description`; the README and docs/policy.md list it from there.
import { APP_LABEL, REVIEWS_DARK_APP, REVIEWS_WORKLOAD, VERSION_LABEL, WORKLOAD_LABEL } from "../../rollout/labels";
import { isReviewsDeployment } from "../../rollout/workload-of";
import { formatLabels, isReviewsService, Labels, objectName, podLabelsOf, selectorMatches } from "../lib/kubernetes";
import { RolloutPolicy } from "../lib/policy";

/** The labels of a dark reviews pod of `version`. */
export const darkPodLabels = (version: string): Labels => ({ [APP_LABEL]: REVIEWS_DARK_APP, [VERSION_LABEL]: version, [WORKLOAD_LABEL]: REVIEWS_WORKLOAD });

/** Does the selector match the dark pods of some version (the one it names, if it names one)? */
export function selectsDarkPods(selector: Labels | undefined): boolean {
    return selectorMatches(selector, darkPodLabels(selector?.[VERSION_LABEL] ?? ""));
}

export const reviewsDarkPodsNeverSelected: RolloutPolicy = {
    name: "reviews-dark-pods-never-selected",
    description: `Dark pods (\`${APP_LABEL}: ${REVIEWS_DARK_APP}\`) of any version never match the reviews Service: a dark pod takes no traffic before its gate.`,
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (!isReviewsService(args.type, args.name, args.props)) return;
        const selector = args.props.spec?.selector;
        if (!selectsDarkPods(selector)) return;
        reportViolation(`Service reviews selects ${formatLabels(selector)}, which matches dark reviews pods (${APP_LABEL}=${REVIEWS_DARK_APP}): a dark candidate pod must never take reviews traffic before its gate passed.`);
    },
    validateStack: (args, reportViolation) => {
        const services = args.resources.filter((r) => isReviewsService(r.type, r.name, r.props));
        for (const pod of args.resources) {
            const labels = podLabelsOf(pod.props);
            if (!isReviewsDeployment(pod.props) || labels[APP_LABEL] !== REVIEWS_DARK_APP) continue;
            for (const service of services) {
                const selector = service.props.spec?.selector;
                if (!selectorMatches(selector, labels)) continue;
                reportViolation(`Service reviews selects ${formatLabels(selector)}, which matches the dark pods of ${objectName(pod.name, pod.props)} (${formatLabels(labels)}): a dark candidate pod must never take reviews traffic before its gate passed.`, service.urn);
            }
        }
    },
};
