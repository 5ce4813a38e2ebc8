// The reviews workloads as the guard sees them: one entry per version (its Deployment), how many pods, which image,
// whether the reviews Service selects them. The program's goal, the policy pack's view of the goal and the live
// cluster are all read into this shape, so one verdict judges them alike.
import type { RouteReading } from "./mesh-objects";
import type { Release } from "./release";
import { routeFits } from "./route";
import { deploymentName, RolledService } from "./service";
import { PodCount, Stage, StageName, StageTable, stageIn } from "./stages";

/** One reviews Deployment: `serving` = its pods carry app=reviews, so the reviews Service selects them. */
export interface Workload {
    version: string;
    image: string;
    replicas: number;
    serving: boolean;
    /** Ready pods (live only). */
    ready?: number;
}

export type Fleet = readonly Workload[];

function candidatePods(count: PodCount, release: Release): number {
    if (count === "as-stable") return release.stable.replicas;
    if (count === "release") return release.candidate!.replicas;
    return count;
}

/** The reviews Deployments a stage of `table` asks for, for a release (stable first). */
export function fleetOf(release: Release, stageName: StageName, table: StageTable): Workload[] {
    const stage = stageIn(table, stageName);
    const fleet: Workload[] = [];
    if (stage.stable) fleet.push({ ...release.stable, serving: true });
    if (stage.candidate) {
        if (!release.candidate) throw new Error(`stage ${stage.name} needs a candidate version`);
        const { version, image } = release.candidate;
        fleet.push({
            version,
            image,
            replicas: candidatePods(stage.candidate.pods, release),
            serving: stage.candidate.serving,
        });
    }
    return fleet;
}

/** Pods behind the reviews Service. */
export function servingPods(fleet: Fleet): number {
    return fleet.filter((w) => w.serving).reduce((n, w) => n + w.replicas, 0);
}

/** Share of the serving pods that run `version`, in percent with one decimal. */
export function sharePercent(fleet: Fleet, version: string | undefined): number {
    const total = servingPods(fleet);
    const mine = fleet.filter((w) => w.serving && w.version === version).reduce((n, w) => n + w.replicas, 0);
    return total === 0 ? 0 : Math.round((1000 * mine) / total) / 10;
}

/** "reviews-v2: 1 pod dark (image X)": how messages name a workload. */
export function describeWorkload(w: Workload, service: RolledService): string {
    const pods = `${w.replicas} pod${w.replicas === 1 ? "" : "s"}`;
    return `${deploymentName(service, w.version)}: ${pods} ${w.serving ? "serving" : "dark"} (${w.image})`;
}

export function describeFleet(fleet: Fleet, service: RolledService): string {
    return fleet.length === 0
        ? `no ${service.name} Deployment`
        : fleet.map((w) => describeWorkload(w, service)).join("; ");
}

/** Does `w` have the shape `stage` gives the candidate (count relative to the stable workload beside it)? */
function candidateFits(stage: Stage, w: Workload | undefined, stable: Workload | undefined): boolean {
    if (!stage.candidate) return w === undefined;
    if (!w || w.serving !== stage.candidate.serving) return false;
    const pods = stage.candidate.pods;
    if (pods === "release") return true;
    if (pods === "as-stable") return stable !== undefined && w.replicas === stable.replicas;
    return w.replicas === pods;
}

/**
 * Does the mesh route fit `stage` of `table`? Without a route (no Istio objects) only stages without a candidate
 * fit a mesh table; with one, only those fit the pods table: the strategy changes only where no candidate runs.
 */
function routeFitsStage(table: StageTable, stage: Stage, route: RouteReading | undefined, release: Release): boolean {
    if (!route) return table.strategy === "pods" || !stage.candidate;
    if (table.strategy === "pods") return !stage.candidate;
    return "route" in route && routeFits(route.route, stage, release);
}

/**
 * The stage of `table` whose shape `fleet` (and, for the istio table, the mesh `route`) has for `release` ("none"
 * when there is no reviews Deployment at all), or undefined when it fits no stage: another version runs, the stable
 * does not serve, the candidate has an odd pod count, or the route is not one the table gives. Shapes are judged
 * by structure and by the candidate's count relative to the stable, so a stable replica change is judged by its
 * own rules, not mistaken for another stage. The first fit in table order wins.
 */
export function stageOf(
    fleet: Fleet,
    release: Release,
    table: StageTable,
    route?: RouteReading,
): StageName | "none" | undefined {
    if (fleet.length === 0) return "none";
    const stable = fleet.find((w) => w.version === release.stable.version);
    const candidate = release.candidate && fleet.find((w) => w.version === release.candidate!.version);
    if (fleet.some((w) => w !== stable && w !== candidate)) return undefined;
    const fits = table.stages.find(
        (s) =>
            (s.stable ? stable?.serving === true : stable === undefined) &&
            candidateFits(s, candidate, stable) &&
            routeFitsStage(table, s, route, release),
    );
    return fits?.name;
}
