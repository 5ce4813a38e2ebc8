// A Deployment manifest (live from the API server, or a goal state's inputs as the policy engine hands them over)
// read as a workload of the rolled-out service. Version and serving come from the pod template: what the pods
// really get.
import { Workload } from "./fleet";
import { APP_LABEL, VERSION_LABEL, WORKLOAD_LABEL } from "./labels";
import { RolledService } from "./service";

/** The fields read here, in manifest shape. */
export interface DeploymentShape {
    metadata?: { name?: string; labels?: Record<string, string> };
    spec?: {
        replicas?: number;
        template?: {
            metadata?: { labels?: Record<string, string> };
            spec?: { containers?: { name?: string; image?: string }[] };
        };
    };
    status?: { readyReplicas?: number };
}

/**
 * A Deployment of the service: its own labels or its pods' name the service's workload, or its pods carry the
 * service's `app` label (what its Service selects, or the dark one), so neither a broken selector nor a dropped
 * workload label can hide a Deployment whose pods would serve it.
 */
export function isServiceDeployment(service: RolledService, d: DeploymentShape): boolean {
    const pod = d.spec?.template?.metadata?.labels ?? {};
    return (
        d.metadata?.labels?.[WORKLOAD_LABEL] === service.name ||
        pod[WORKLOAD_LABEL] === service.name ||
        pod[APP_LABEL] === service.name ||
        pod[APP_LABEL] === service.darkApp
    );
}

export function workloadOf(service: RolledService, d: DeploymentShape): Workload {
    const pod = d.spec?.template?.metadata?.labels ?? {};
    const containers = d.spec?.template?.spec?.containers ?? [];
    return {
        version: pod[VERSION_LABEL] ?? d.metadata?.labels?.[VERSION_LABEL] ?? d.metadata?.name ?? "",
        image: (containers.find((c) => c.name === service.name) ?? containers[0])?.image ?? "",
        replicas: d.spec?.replicas ?? 1,
        serving: pod[APP_LABEL] === service.name,
        ...(d.status ? { ready: d.status.readyReplicas ?? 0 } : {}),
    };
}
