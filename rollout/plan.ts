// The plan: everything a configured stage implies, derived once from config. The program judges it (as the
// verdict's Requested) and hands the same object to the components, which only render it; the policy pack builds
// its view of a step from the same function. So what is judged and what is declared cannot drift apart.
import { AnalysisConfig, analysisOf } from "../analysis/config";
import { AppExpectation, appExpectationOf } from "./app-check";
import { Bounds } from "./bounds";
import type { StageConfig } from "./config";
import { fleetOf, Workload } from "./fleet";
import { Route, routeOf } from "./route";
import { RolloutRecord } from "./rollout-record";
import { AppGate, Stage, stageIn, StageTable, stageTableOf } from "./stages";
import { Testers, Traffic } from "./traffic";
import type { Requested } from "./verdict";

export interface Plan {
    release: StageConfig["release"];
    analysis: AnalysisConfig;
    traffic: Traffic;
    bounds: Bounds;
    /** The stage table of the traffic strategy, and the configured stage in it. */
    table: StageTable;
    stage: Stage;
    /** The reviews Deployments the stage runs (stable first). */
    fleet: Workload[];
    /** `istio`: the route the stage gives, and who the testers are; absent for `pods`. */
    mesh?: { route: Route; testers: Testers };
    /**
     * The app check, where the stage has one: the stage's app gate and which reviews versions may answer
     * productpage (the pods the Service selects under `pods`, the route under `istio`).
     */
    appCheck?: { gate: AppGate; expected: AppExpectation };
    /** What the settle step records once the stage converged: the yardstick the next change is measured with. */
    record: Omit<RolloutRecord, "recordedAt">;
}

export function planOf(config: Pick<StageConfig, "release" | "traffic" | "bounds" | "stage" | "analysis">): Plan {
    const { release, traffic, bounds } = config;
    const analysis = analysisOf(config.analysis);
    const table = stageTableOf(traffic);
    const stage = stageIn(table, config.stage);
    const fleet = fleetOf(release, stage.name, table);
    const mesh = traffic.strategy === "istio" ? { route: routeOf(stage, release, traffic.mirrorPercent), testers: traffic.testers } : undefined;
    const appGate = stage.gates.find((g): g is AppGate => g.kind === "app");
    return {
        release,
        analysis,
        traffic,
        bounds,
        table,
        stage,
        fleet,
        ...(mesh ? { mesh } : {}),
        ...(appGate ? { appCheck: { gate: appGate, expected: appExpectationOf(stage, fleet, mesh) } } : {}),
        record: { release, traffic, bounds, analysis, stage: stage.name },
    };
}

/** The plan as the verdict judges it, beside the other services' images. */
export function requestOf(plan: Plan, services: Record<string, string>): Requested {
    const { table, traffic, release, fleet, analysis } = plan;
    return { table, traffic, release, fleet, analysis, ...(plan.mesh ? { route: { route: plan.mesh.route } } : {}), services };
}
