// A Deployment manifest (live from the API server, or a goal state's inputs as the policy engine hands them over)
// read as a reviews workload. Version and serving come from the pod template: what the pods really get.
import { Workload } from "./fleet";
import { APP_LABEL, REVIEWS_APP, REVIEWS_DARK_APP, REVIEWS_WORKLOAD, VERSION_LABEL, WORKLOAD_LABEL } from "./labels";

/** The fields read here, in manifest shape. */
export interface DeploymentShape {
    metadata?: { name?: string; labels?: Record<string, string> };
    spec?: {
        replicas?: number;
        template?: { metadata?: { labels?: Record<string, string> }; spec?: { containers?: { name?: string; image?: string }[] } };
    };
    status?: { readyReplicas?: number };
}

/**
 * A reviews Deployment: its own labels or its pods' name the reviews workload, or its pods carry a reviews `app`
 * label (what the reviews Service selects, or the dark one), so neither a broken selector nor a dropped workload
 * label can hide a Deployment whose pods would serve reviews.
 */
export function isReviewsDeployment(d: DeploymentShape): boolean {
    const pod = d.spec?.template?.metadata?.labels ?? {};
    return d.metadata?.labels?.[WORKLOAD_LABEL] === REVIEWS_WORKLOAD || pod[WORKLOAD_LABEL] === REVIEWS_WORKLOAD ||
        pod[APP_LABEL] === REVIEWS_APP || pod[APP_LABEL] === REVIEWS_DARK_APP;
}

export function workloadOf(d: DeploymentShape): Workload {
    const pod = d.spec?.template?.metadata?.labels ?? {};
    const containers = d.spec?.template?.spec?.containers ?? [];
    return {
        version: pod[VERSION_LABEL] ?? d.metadata?.labels?.[VERSION_LABEL] ?? d.metadata?.name ?? "",
        image: (containers.find((c) => c.name === "reviews") ?? containers[0])?.image ?? "",
        replicas: d.spec?.replicas ?? 1,
        serving: pod[APP_LABEL] === REVIEWS_APP,
        ...(d.status ? { ready: d.status.readyReplicas ?? 0 } : {}),
    };
}
