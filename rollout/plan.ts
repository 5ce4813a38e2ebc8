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
import { RolledService } from "./service";
import { ANSWER_CHECKS, AnswerCheck, AnswerKind } from "./smoke-check";
import { AppGate, SmokeGate, Stage, stageIn, StageTable, stageTableOf } from "./stages";
import { Testers, Traffic } from "./traffic";
import type { Requested } from "./verdict";

/** The smoke test as the gate runs it: the stage's gate, asking what the service answers. */
export type SmokeTest = SmokeGate & { port: number; path: string; answers: AnswerKind; checks: readonly AnswerCheck[] };
/** The app check as it runs: the stage's app gate, through productpage's call of the service. */
export type AppTest = AppGate & { port: number; path: string };

export interface Plan {
    /** The service rolled out (Bookinfo: reviews). */
    service: RolledService;
    release: StageConfig["release"];
    analysis: AnalysisConfig;
    traffic: Traffic;
    bounds: Bounds;
    /** The stage table of the traffic strategy, and the configured stage in it. */
    table: StageTable;
    stage: Stage;
    /** The service's Deployments the stage runs (stable first). */
    fleet: Workload[];
    /** The candidate's smoke test, where the stage has one. */
    smoke?: SmokeTest;
    /** `istio`: the route the stage gives, and who the testers are; absent for `pods`. */
    mesh?: { route: Route; testers: Testers };
    /**
     * The app check, where the stage has one and the service's answers tell versions apart: the stage's app gate
     * and which versions may answer productpage (the pods the Service selects under `pods`, the route under `istio`).
     */
    appCheck?: { gate: AppTest; expected: AppExpectation };
    /** What the settle step records once the stage converged: the yardstick the next change is measured with. */
    record: Omit<RolloutRecord, "recordedAt">;
}

export function planOf(
    config: Pick<StageConfig, "release" | "traffic" | "bounds" | "stage" | "analysis">,
    service: RolledService,
): Plan {
    const { release, traffic, bounds } = config;
    const analysis = analysisOf(config.analysis);
    const table = stageTableOf(traffic);
    const stage = stageIn(table, config.stage);
    const fleet = fleetOf(release, stage.name, table);
    const mesh =
        traffic.strategy === "istio"
            ? { route: routeOf(stage, release, traffic.mirrorPercent), testers: traffic.testers }
            : undefined;
    const smokeGate = stage.gates.find((g): g is SmokeGate => g.kind === "smoke");
    const appGate = service.appPath ? stage.gates.find((g): g is AppGate => g.kind === "app") : undefined;
    const { port, answers } = service;
    return {
        service,
        release,
        analysis,
        traffic,
        bounds,
        table,
        stage,
        fleet,
        ...(smokeGate
            ? { smoke: { ...smokeGate, port, path: service.smokePath, answers, checks: ANSWER_CHECKS[answers] } }
            : {}),
        ...(mesh ? { mesh } : {}),
        ...(appGate
            ? {
                  appCheck: {
                      gate: { ...appGate, port, path: service.appPath! },
                      expected: appExpectationOf(stage, fleet, mesh),
                  },
              }
            : {}),
        record: { release, traffic, bounds, analysis, stage: stage.name },
    };
}

/** The plan as the verdict judges it, beside the other services' images. */
export function requestOf(plan: Plan, services: Record<string, string>): Requested {
    const { service, table, traffic, release, fleet, analysis } = plan;
    return {
        service,
        table,
        traffic,
        release,
        fleet,
        analysis,
        ...(plan.mesh ? { route: { route: plan.mesh.route } } : {}),
        services,
    };
}
