// Capacity invariant: a goal state without v1 must have v2 in service with at least v1's replica count, so deleting
// v1 never shrinks what serves reviews.
import { PolicyConfigSchema } from "@pulumi/policy";
import { APP_LABEL, REVIEWS_APP, V1_REPLICAS_ANNOTATION } from "../../rollout/labels";
import { configWithDefaults } from "../lib/config";
import { annotationsOf, isStateConfigMap, podLabelsOf, replicasOf, reviewsVersion } from "../lib/kubernetes";
import { RolloutPolicy } from "../lib/policy";
import { requestedStage } from "../lib/stage-of";

export interface CapacityConfig {
    /** Fewest reviews pods that may serve once v1 is gone. */
    minServingPods: number;
}

const configSchema: PolicyConfigSchema = {
    properties: {
        minServingPods: {
            type: "integer",
            minimum: 1,
            default: 3,
            description: "Fewest serving reviews pods once v1 is gone (the required count is the larger of this and v1's replicas)",
        },
    },
};

function v1ReplicasIn(props: Record<string, any>): number | undefined {
    const value = Number(annotationsOf(props)[V1_REPLICAS_ANNOTATION]);
    return Number.isInteger(value) ? value : undefined;
}

/** Why reviews-v2 cannot carry reviews on its own, or undefined when it can. */
function v2Shortfall(props: Record<string, any>, required: number, why: string): string | undefined {
    const app = podLabelsOf(props)[APP_LABEL];
    if (app !== REVIEWS_APP) {
        return `${why}, so reviews-v2 must serve it, but its pods are labelled ${APP_LABEL}=${app ?? "(none)"}, which the reviews Service does not select: label them ${APP_LABEL}=${REVIEWS_APP} or keep v1.`;
    }
    const replicas = replicasOf(props);
    if (replicas < required) {
        return `${why}, so reviews-v2 must serve with at least ${required} pods (v1's replica count, and never fewer than policy config minServingPods), but it has ${replicas}: raise v2Replicas or keep v1.`;
    }
    return undefined;
}

export const reviewsCapacityKeptWithoutV1: RolloutPolicy = {
    name: "reviews-capacity-kept-without-v1",
    description: "A goal state without reviews v1 has v2 in service with at least v1's replica count.",
    enforcementLevel: "mandatory",
    configSchema,
    validateResource: (args, reportViolation) => {
        if (reviewsVersion(args.type, args.props) !== "v2") return;
        const stage = requestedStage(args.props);
        if (!stage || stage.v1.present) return;
        const { minServingPods } = configWithDefaults<CapacityConfig>(configSchema, args.getConfig());
        const required = Math.max(minServingPods, v1ReplicasIn(args.props) ?? 0);
        const shortfall = v2Shortfall(args.props, required, `stage ${stage.name} has no v1`);
        if (shortfall) reportViolation(shortfall);
    },
    validateStack: (args, reportViolation) => {
        const { minServingPods } = configWithDefaults<CapacityConfig>(configSchema, args.getConfig());
        const reviews = args.resources.filter((r) => reviewsVersion(r.type, r.props) !== undefined);
        const v1Serving = reviews.some((r) => reviewsVersion(r.type, r.props) === "v1" && replicasOf(r.props) > 0);
        // A stack without reviews at all is not this rollout's goal state.
        if (reviews.length === 0 || v1Serving) return;
        const state = args.resources.find((r) => isStateConfigMap(r.type, r.props));
        const required = Math.max(minServingPods, state ? v1ReplicasIn(state.props) ?? 0 : 0);
        const v2 = reviews.find((r) => reviewsVersion(r.type, r.props) === "v2");
        const why = "the goal state has no serving reviews-v1";
        if (!v2) {
            reportViolation(`${why} and no reviews-v2 either: nothing would serve reviews. Keep v1 until v2 serves with at least ${required} pods.`);
            return;
        }
        const shortfall = v2Shortfall(v2.props, required, why);
        if (shortfall) reportViolation(shortfall, v2.urn);
    },
};
