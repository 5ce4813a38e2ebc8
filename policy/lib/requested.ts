// What a change asks for, read off the goal state the engine hands the pack, in the verdict's shape
// (rollout/verdict.ts Requested): the whole goal for a stack check, one Deployment's or the VirtualService's step
// for a resource check.
import { StageConfig } from "../../rollout/config";
import { Fleet, Workload } from "../../rollout/fleet";
import {
    destinationRuleSpec,
    DestinationRuleSpec,
    readRoute,
    RouteReading,
    VirtualServiceSpec,
} from "../../rollout/mesh-objects";
import { planOf } from "../../rollout/plan";
import { stageTableOf } from "../../rollout/stages";
import { DEFAULT_TESTERS } from "../../rollout/traffic";
import { LiveView, Requested } from "../../rollout/verdict";
import { serviceHost, ROLLED_OUT } from "../../rollout/service";
import { DeploymentShape, isServiceDeployment, workloadOf } from "../../rollout/workload-of";
import { DEPLOYMENT, DESTINATION_RULE, firstImage, objectName, Props, VIRTUAL_SERVICE } from "./kubernetes";

export interface GoalResource {
    type: string;
    name: string;
    props: Props;
}

/** A Deployment of the guarded service (rollout/workload-of.ts). */
export const isGuardedDeployment = (props: DeploymentShape) => isServiceDeployment(ROLLED_OUT, props);

/** A Deployment of the guarded service as declared: no ready count, the goal has none (an `up`'s outputs may). */
function declared(props: Props): Workload {
    const { ready: _ready, ...workload } = workloadOf(ROLLED_OUT, props);
    return workload;
}

/**
 * The VirtualService or DestinationRule named as the guarded service: its route (other Istio objects are not judged
 * here).
 */
export const isGuardedMesh = (r: GoalResource, type: string) =>
    r.type === type && objectName(r.name, r.props) === ROLLED_OUT.name;

/** An Istio object's spec, as readRoute reads it (it checks every field it uses). */
const meshSpec = <T>(r: GoalResource | undefined) => r?.props.spec as T | undefined;

const testersOf = (config: StageConfig) =>
    config.traffic.strategy === "istio" ? config.traffic.testers : DEFAULT_TESTERS;

/**
 * The route the goal's VirtualService and DestinationRule make. Read whenever either is declared, and always under
 * the istio strategy (no VirtualService is then a problem): a route in a pods goal is judged, not ignored.
 */
export function goalRoute(config: StageConfig, resources: readonly GoalResource[]): RouteReading | undefined {
    const vs = resources.find((r) => isGuardedMesh(r, VIRTUAL_SERVICE));
    const dr = resources.find((r) => isGuardedMesh(r, DESTINATION_RULE));
    if (!vs && !dr && config.traffic.strategy !== "istio") return undefined;
    return readRoute(meshSpec<VirtualServiceSpec>(vs), meshSpec<DestinationRuleSpec>(dr), testersOf(config));
}

/** The whole goal: every reviews Deployment, the reviews route, and the image of every other Deployment by name. */
export function requestedOf(config: StageConfig, resources: readonly GoalResource[]): Requested {
    const deployments = resources.filter((r) => r.type === DEPLOYMENT);
    return {
        service: ROLLED_OUT,
        table: stageTableOf(config.traffic),
        traffic: config.traffic,
        release: config.release,
        analysis: config.analysis,
        fleet: deployments.filter((r) => isGuardedDeployment(r.props)).map((r) => declared(r.props)),
        route: goalRoute(config, resources),
        services: Object.fromEntries(
            deployments
                .filter((r) => !isGuardedDeployment(r.props))
                .map((r) => [objectName(r.name, r.props), firstImage(r.props)]),
        ),
    };
}

const same = (a: Workload, b: Workload) =>
    a.version === b.version && a.image === b.image && a.replicas === b.replicas && a.serving === b.serving;

/**
 * What the cluster asks for once this one step has run. Undefined when there is no step to judge: a first
 * deployment (it creates several objects at once, the stack check judges them together) or an object that does
 * not change.
 * - A reviews Deployment: the live workloads with this one added or replaced, and without the versions the
 *   configured stage drops (the engine deletes those in the same update; a deletion gets no resource check).
 * - The VirtualService `reviews` (istio): the route it makes, beside the Deployments of the configured stage.
 * Under istio most moves change a Deployment and the route together, and neither half alone is a stage: each step
 * is judged as the configured move with its own object as declared, and the other half's step by its own check.
 * A step's DestinationRule is the one the configured release needs (a subset per version, named as it); the stack
 * check and reviews-route-uses-defined-subsets judge the declared one.
 */
export function stepOf(config: StageConfig, live: LiveView, resource: GoalResource): Requested | undefined {
    if (live.fleet.length === 0) return undefined;
    // The program's own plan of the configured stage: the step is judged as part of exactly that move.
    const plan = planOf(config, ROLLED_OUT);
    const configuredRoute: RouteReading | undefined = plan.mesh && { route: plan.mesh.route };
    const base = {
        service: ROLLED_OUT,
        table: plan.table,
        traffic: config.traffic,
        release: config.release,
        analysis: plan.analysis,
        services: live.services,
    };
    if (isGuardedMesh(resource, VIRTUAL_SERVICE)) {
        const versions = [
            config.release.stable.version,
            ...(config.release.candidate ? [config.release.candidate.version] : []),
        ];
        const dr = destinationRuleSpec(serviceHost(ROLLED_OUT, config.namespace), versions);
        const route = readRoute(meshSpec<VirtualServiceSpec>(resource), dr, testersOf(config));
        if (JSON.stringify(route) === JSON.stringify(live.route)) return undefined;
        return { ...base, fleet: plan.fleet, route };
    }
    if (resource.type !== DEPLOYMENT) return undefined;
    if (!isGuardedDeployment(resource.props)) {
        const name = objectName(resource.name, resource.props);
        const image = firstImage(resource.props);
        if (live.services[name] === image) return undefined;
        return { ...base, fleet: live.fleet, route: live.route, services: { ...live.services, [name]: image } };
    }
    const workload = declared(resource.props);
    const before = live.fleet.find((w) => w.version === workload.version);
    if (before && same(before, workload)) return undefined;
    const kept = new Set(plan.fleet.map((w) => w.version));
    const fleet: Fleet = [...live.fleet.filter((w) => w.version !== workload.version && kept.has(w.version)), workload];
    return { ...base, fleet, route: configuredRoute };
}
