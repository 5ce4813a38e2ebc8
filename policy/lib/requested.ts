// What a change asks for, read off the goal state the engine hands the pack, in the verdict's shape
// (rollout/verdict.ts Requested): the whole goal for a stack check, one Deployment's step for a resource check.
import { StageConfig } from "../../rollout/config";
import { Fleet, fleetOf, Workload } from "../../rollout/fleet";
import { LiveView, Requested } from "../../rollout/verdict";
import { isReviewsDeployment, workloadOf } from "../../rollout/workload-of";
import { DEPLOYMENT, firstImage, objectName } from "./kubernetes";

export interface GoalResource {
    type: string;
    name: string;
    props: Record<string, any>;
}

/** A reviews Deployment's workload as declared: no ready count, the goal has none (an `up`'s outputs may). */
function declared(props: Record<string, any>): Workload {
    const { ready: _ready, ...workload } = workloadOf(props);
    return workload;
}

/** The whole goal: every reviews Deployment, and the image of every other Deployment by name. */
export function requestedOf(config: StageConfig, resources: readonly GoalResource[]): Requested {
    const deployments = resources.filter((r) => r.type === DEPLOYMENT);
    return {
        release: config.release,
        fleet: deployments.filter((r) => isReviewsDeployment(r.props)).map((r) => declared(r.props)),
        services: Object.fromEntries(
            deployments.filter((r) => !isReviewsDeployment(r.props)).map((r) => [objectName(r.name, r.props), firstImage(r.props)]),
        ),
    };
}

const same = (a: Workload, b: Workload) => a.version === b.version && a.image === b.image && a.replicas === b.replicas && a.serving === b.serving;

/**
 * What the cluster asks for once this one Deployment's step has run: the live workloads with this one added or
 * replaced, and without the versions the configured stage drops (the engine deletes those in the same update; a
 * deletion gets no resource check of its own). Undefined when there is no step to judge: a first deployment (it
 * creates several Deployments at once, the stack check judges them together) or a Deployment that does not change.
 */
export function stepOf(config: StageConfig, live: LiveView, resource: GoalResource): Requested | undefined {
    if (resource.type !== DEPLOYMENT || live.fleet.length === 0) return undefined;
    if (!isReviewsDeployment(resource.props)) {
        const name = objectName(resource.name, resource.props);
        const image = firstImage(resource.props);
        if (live.services[name] === image) return undefined;
        return { release: config.release, fleet: live.fleet, services: { ...live.services, [name]: image } };
    }
    const workload = declared(resource.props);
    const before = live.fleet.find((w) => w.version === workload.version);
    if (before && same(before, workload)) return undefined;
    const kept = new Set(fleetOf(config.release, config.stage).map((w) => w.version));
    const fleet: Fleet = [...live.fleet.filter((w) => w.version !== workload.version && kept.has(w.version)), workload];
    return { release: config.release, fleet, services: live.services };
}
