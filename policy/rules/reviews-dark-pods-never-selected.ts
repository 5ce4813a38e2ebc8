// Capacity invariant: dark v2 pods (app=reviews_test) can never be selected by the reviews Service: in a dark
// stage v2 must carry the dark label, and no reviews Service selector may match a dark pod's labels.
import { APP_LABEL, REVIEWS_DARK_APP, REVIEWS_WORKLOAD, VERSION_LABEL, WORKLOAD_LABEL } from "../../rollout/labels";
import { formatLabels, isReviewsService, podLabelsOf, reviewsVersion, selectorMatches } from "../lib/kubernetes";
import { RolloutPolicy } from "../lib/policy";
import { requestedStage } from "../lib/stage-of";

/** The labels every dark reviews v2 pod carries under the contract. */
export const DARK_POD_LABELS = { [APP_LABEL]: REVIEWS_DARK_APP, [VERSION_LABEL]: "v2", [WORKLOAD_LABEL]: REVIEWS_WORKLOAD };

const selectsDark = (selector: Record<string, string> | undefined) =>
    `Service reviews selects ${formatLabels(selector)}, which matches dark v2 pods (${formatLabels(DARK_POD_LABELS)}): a dark pod must never take reviews traffic before its smoke test passed.`;

export const reviewsDarkPodsNeverSelected: RolloutPolicy = {
    name: "reviews-dark-pods-never-selected",
    description: `Dark reviews pods (${APP_LABEL}=${REVIEWS_DARK_APP}) never match the reviews Service selector.`,
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (isReviewsService(args.type, args.name, args.props)) {
            const selector = args.props.spec?.selector;
            if (selectorMatches(selector, DARK_POD_LABELS)) reportViolation(selectsDark(selector));
            return;
        }
        if (reviewsVersion(args.type, args.props) !== "v2") return;
        const stage = requestedStage(args.props);
        const app = podLabelsOf(args.props)[APP_LABEL];
        if (stage?.v2.app === REVIEWS_DARK_APP && app !== REVIEWS_DARK_APP) {
            reportViolation(`stage ${stage.name} runs v2 dark, so reviews-v2 pods must be labelled ${APP_LABEL}=${REVIEWS_DARK_APP}, but they are labelled ${APP_LABEL}=${app ?? "(none)"}: the reviews Service would send them traffic before their smoke test passed.`);
        }
    },
    validateStack: (args, reportViolation) => {
        const services = args.resources.filter((r) => isReviewsService(r.type, r.name, r.props));
        for (const pod of args.resources) {
            const labels = podLabelsOf(pod.props);
            if (reviewsVersion(pod.type, pod.props) === undefined || labels[APP_LABEL] !== REVIEWS_DARK_APP) continue;
            for (const service of services) {
                const selector = service.props.spec?.selector;
                if (!selectorMatches(selector, labels)) continue;
                reportViolation(`Service reviews selects ${formatLabels(selector)}, which matches the dark pods of ${pod.props.metadata?.name ?? pod.name} (${formatLabels(labels)}): a dark pod must never take reviews traffic before its smoke test passed.`, service.urn);
            }
        }
    },
};
