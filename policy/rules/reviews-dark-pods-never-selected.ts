// What this rule enforces, and why: its `description`; the README and docs/policy.md list it from there.
import { ROLLED_OUT } from "../../rollout/service";
import { isGuardedDeployment } from "../lib/requested";
import { APP_LABEL, VERSION_LABEL, WORKLOAD_LABEL } from "../../rollout/labels";
import { formatLabels, isGuardedService, Labels, objectName, podLabelsOf, selectorMatches } from "../lib/kubernetes";
import { RolloutPolicy } from "../lib/policy";

/** The labels of a dark reviews pod of `version`. */
export const darkPodLabels = (version: string): Labels => ({
    [APP_LABEL]: ROLLED_OUT.darkApp,
    [VERSION_LABEL]: version,
    [WORKLOAD_LABEL]: ROLLED_OUT.name,
});

/** Does the selector match the dark pods of some version (the one it names, if it names one)? */
export function selectsDarkPods(selector: Labels | undefined): boolean {
    return selectorMatches(selector, darkPodLabels(selector?.[VERSION_LABEL] ?? ""));
}

export const reviewsDarkPodsNeverSelected: RolloutPolicy = {
    name: "reviews-dark-pods-never-selected",
    description: `Dark pods (\`${APP_LABEL}: ${ROLLED_OUT.darkApp}\`) of any version never match the reviews Service: a dark pod takes no traffic before its gate.`,
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (!isGuardedService(args.type, args.name, args.props)) return;
        const selector = args.props.spec?.selector;
        if (!selectsDarkPods(selector)) return;
        reportViolation(
            `Service reviews selects ${formatLabels(selector)}, which matches dark reviews pods (${APP_LABEL}=${ROLLED_OUT.darkApp}): a dark candidate pod must never take reviews traffic before its gate passed.`,
        );
    },
    validateStack: (args, reportViolation) => {
        const services = args.resources.filter((r) => isGuardedService(r.type, r.name, r.props));
        for (const pod of args.resources) {
            const labels = podLabelsOf(pod.props);
            if (!isGuardedDeployment(pod.props) || labels[APP_LABEL] !== ROLLED_OUT.darkApp) continue;
            for (const service of services) {
                const selector = service.props.spec?.selector;
                if (!selectorMatches(selector, labels)) continue;
                reportViolation(
                    `Service reviews selects ${formatLabels(selector)}, which matches the dark pods of ${objectName(pod.name, pod.props)} (${formatLabels(labels)}): a dark candidate pod must never take reviews traffic before its gate passed.`,
                    service.urn,
                );
            }
        }
    },
};
