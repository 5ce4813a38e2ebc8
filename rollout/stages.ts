// The stage tables: the single source of truth for a release of reviews (stable -> candidate), one per traffic
// strategy. Stages are relative to the release pair, so v1 -> v2 and v2 -> v3 walk the same table with the same
// gates. The moves between stages (rollout/moves.ts), the components, the guard, the scripts, the README tables
// and the tests derive from this data; nothing else spells out a stage.
import { MeshTraffic, Traffic, TrafficStrategy } from "./traffic";

/** Stage names of the `pods` table, in order (the mesh table's names derive from its step list). */
export const STAGE_NAMES = ["stable", "dark", "canary", "half", "promoted"] as const;
/** A stage's name: one of the `pods` table's, or the `istio` table's `mirror` and `weight-<percent>`. */
export type StageName = (typeof STAGE_NAMES)[number] | "mirror" | `weight-${number}`;

/** `name` as a stage of `table`, or undefined: how a name from outside (a flag, a file) becomes a StageName. */
export const stageNameIn = (table: StageTable, name: string): StageName | undefined =>
    table.stages.find((s) => s.name === name)?.name;

/**
 * The tutorial's smoke test as a gate: from the sleep pod, each candidate pod by IP, one request and then
 * `requestsInARow` more, every answer passing its checks. Passing records the candidate's image in the gate record.
 * The table says when it runs; the rolled-out service (rollout/service.ts) what it asks.
 */
export interface SmokeGate {
    kind: "smoke";
    requestsInARow: number;
}

export const SMOKE_GATE: SmokeGate = { kind: "smoke", requestsInARow: 10 };

/**
 * The tutorial's "check the application still works" as a gate: from the sleep pod, productpage's pods by IP, which
 * call the service through its Service (under `istio`, through the mesh route). Every answer must be 200 and come
 * from a version that serves in the stage (rollout/app-check.ts derives which from the plan); under `istio` the
 * testers must get theirs too. The call is the service's `appPath` (rollout/service.ts).
 */
export interface AppGate {
    kind: "app";
    /** Requests per productpage pod as a plain user, and (istio) again as the tester. */
    requests: number;
}

export const APP_GATE: AppGate = { kind: "app", requests: 10 };

export type Gate = SmokeGate | AppGate;

/**
 * How the candidate's pods are counted: a fixed number, as many as the stable version runs (half the serving
 * pods), or the candidate's own replica count from the release (it serves alone).
 */
export type PodCount = number | "as-stable" | "release";

export interface Stage {
    name: StageName;
    /** One line for humans: what the cluster looks like in this stage (for a 3-pod stable). */
    summary: string;
    /** Tutorial step this stage implements. */
    tutorialStep: string;
    /** The stable version runs (all its replicas, in service). */
    stable: boolean;
    /**
     * The candidate's Deployment in this stage; absent when the stage has no candidate. `serving`: its pods carry
     * app=reviews, so the reviews Service selects them (under `istio`, the route then decides what they get).
     */
    candidate?: { pods: PodCount; serving: boolean };
    /** `istio` strategy only: what the reviews route gives the candidate (absent: no route to it). */
    route?: StageRoute;
    /** Gates that run on entry and again whenever anything about the candidate's pods or route changes. */
    gates: readonly Gate[];
    /** May be the first stage of a never-deployed stack. */
    first: boolean;
    /** A rollback from here goes straight to the first stage of the table (no candidate). */
    rollback: boolean;
    /** May be entered straight from the first stage again (restore) with an image whose gate already passed. */
    restore: boolean;
    /** The release ends here: the candidate may become the stable version (the closing step changes no pod). */
    closes: boolean;
}

/** What the mesh route gives the candidate in a stage of the `istio` table. */
export interface StageRoute {
    /** Requests of the testers (Traffic.testers) go to the candidate. */
    testers: boolean;
    /** The weighted requests are copied to the candidate at Traffic.mirrorPercent (its answers are discarded). */
    mirror: boolean;
    /** Percent of the other requests the candidate answers. */
    weight: number;
}

/** `pods` table, in forward order: each stage's forward move is the next one. */
export const STAGES: readonly Stage[] = [
    {
        name: "stable",
        summary: "the stable version's 3 pods serve all traffic; no candidate",
        tutorialStep: "start, rollback target (step 5), and where a closed release leaves the promoted version",
        stable: true,
        gates: [],
        first: true,
        rollback: false,
        restore: false,
        closes: false,
    },
    {
        name: "dark",
        summary:
            "1 candidate pod labelled app=reviews_test beside the stable pods; the reviews Service does not select it",
        tutorialStep: "steps 1-3: deploy the candidate dark, check the app, smoke-test it by pod IP",
        stable: true,
        candidate: { pods: 1, serving: false },
        gates: [SMOKE_GATE, APP_GATE],
        first: true,
        rollback: true,
        restore: false,
        closes: false,
    },
    {
        name: "canary",
        summary: "1 candidate pod labelled app=reviews: 1 of 4 serving pods",
        tutorialStep: "step 4: put the candidate in service; step 5's restore comes back here",
        stable: true,
        candidate: { pods: 1, serving: true },
        gates: [SMOKE_GATE, APP_GATE],
        first: false,
        rollback: true,
        restore: true,
        closes: false,
    },
    {
        name: "half",
        summary: "as many candidate pods as stable pods: 3 of 6 serving pods",
        tutorialStep: "step 6: scale the candidate to 3",
        stable: true,
        candidate: { pods: "as-stable", serving: true },
        gates: [SMOKE_GATE, APP_GATE],
        first: false,
        rollback: true,
        restore: false,
        closes: false,
    },
    {
        name: "promoted",
        summary: "stable deleted: the candidate's pods serve all traffic",
        tutorialStep: "step 7: delete the old version; then close the release (the candidate becomes the stable)",
        stable: false,
        candidate: { pods: "release", serving: true },
        gates: [SMOKE_GATE, APP_GATE],
        first: false,
        rollback: false,
        restore: false,
        closes: true,
    },
];

const [stablePods, darkPods, , , promotedPods] = STAGES;
export const weightStageName = (weight: number): StageName => `weight-${weight}`;

/**
 * The `istio` table: the candidate's pods are in the reviews Service from the start and the mesh route decides
 * what they get: testers only (dark), then copies of live traffic (mirror), then each weight of the step list,
 * then all of it (weight-100) while the stable still runs, then the stable goes (promoted). Every stage after
 * dark re-runs the smoke gate and the app check through the mesh.
 */
function meshStages(traffic: MeshTraffic): Stage[] {
    const gates = [SMOKE_GATE, APP_GATE];
    const weighted = (weight: number, restore: boolean): Stage => ({
        name: weightStageName(weight),
        summary:
            weight === 100
                ? "the candidate's pods answer every reviews request; the stable's pods still run, for an instant rollback"
                : `the candidate's pods answer ${weight}% of reviews requests (testers: all of theirs); the stable's pods the rest`,
        tutorialStep:
            weight === 100
                ? "all traffic on the candidate while the stable still runs (instant rollback)"
                : "move in small steps while it stays healthy",
        stable: true,
        candidate: { pods: "as-stable", serving: true },
        route: { testers: true, mirror: false, weight },
        gates,
        first: false,
        rollback: true,
        restore,
        closes: false,
    });
    return [
        {
            ...stablePods,
            summary: "the stable version's 3 pods serve all traffic; the route sends everything to them",
            route: { testers: false, mirror: false, weight: 0 },
        },
        {
            ...darkPods,
            summary: `1 candidate pod in the reviews Service; the route sends it only the testers' requests (${traffic.testers.header}: ${traffic.testers.value}, or cookie ${traffic.testers.cookie}=${traffic.testers.value})`,
            tutorialStep: "route testers by header or cookie; the smoke test by pod IP as in steps 1-3",
            candidate: { pods: 1, serving: true },
            route: { testers: true, mirror: false, weight: 0 },
            gates: [SMOKE_GATE, APP_GATE],
            // A never-deployed stack has no route until this stage's VirtualService, which waits for the gate: the
            // candidate's pod would get plain requests through the Service meanwhile. Start at stable.
            first: false,
        },
        {
            name: "mirror",
            summary: `as many candidate pods as stable pods; ${traffic.mirrorPercent}% of live requests are copied to them, every answer still comes from the stable`,
            tutorialStep: "mirror production traffic to the candidate",
            stable: true,
            candidate: { pods: "as-stable", serving: true },
            route: { testers: true, mirror: true, weight: 0 },
            gates,
            first: false,
            rollback: true,
            restore: false,
            closes: false,
        },
        ...traffic.steps.map((w, i) => weighted(w, i === 0)),
        weighted(100, false),
        { ...promotedPods, route: { testers: false, mirror: false, weight: 100 }, gates },
    ];
}

/** A stage table: the stages of one traffic strategy, in forward order. */
export interface StageTable {
    strategy: TrafficStrategy;
    stages: readonly Stage[];
}

export const POD_TABLE: StageTable = { strategy: "pods", stages: STAGES };

export function stageTableOf(traffic: Traffic): StageTable {
    return traffic.strategy === "pods" ? POD_TABLE : { strategy: "istio", stages: meshStages(traffic) };
}

export const stageNames = (table: StageTable): StageName[] => table.stages.map((s) => s.name);

export function stageIn(table: StageTable, name: StageName): Stage {
    const stage = table.stages.find((s) => s.name === name);
    if (!stage)
        throw new Error(
            `unknown stage "${name}" for traffic strategy ${table.strategy}; allowed: ${stageNames(table).join(", ")}`,
        );
    return stage;
}

/** The stage a rollback goes to and a closed release starts from: the first of the table. */
export const baseStage = (table: StageTable): Stage => table.stages[0];
