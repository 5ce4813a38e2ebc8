// The stage table: the single source of truth for a release of reviews (stable -> candidate). Stages are relative
// to the release pair, so v1 -> v2 and v2 -> v3 walk the same table with the same gates. The moves between
// stages (rollout/moves.ts), the components, the guard, the scripts, the README tables and the tests derive from
// this data; nothing else spells out a stage.
import { ANSWER_CHECKS, AnswerCheck } from "./smoke-check";

export const STAGE_NAMES = ["stable", "dark", "canary", "half", "promoted"] as const;
export type StageName = (typeof STAGE_NAMES)[number];

/**
 * The tutorial's smoke test as a gate: from the sleep pod, each candidate pod by IP, one request and then
 * `requestsInARow` more, every answer passing `checks`. Passing records the candidate's image in the gate record.
 */
export interface SmokeGate {
    kind: "smoke";
    port: number;
    path: string;
    requestsInARow: number;
    checks: readonly AnswerCheck[];
}

export const SMOKE_GATE: SmokeGate = { kind: "smoke", port: 9080, path: "/reviews/7", requestsInARow: 10, checks: ANSWER_CHECKS };

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
    /** The candidate's Deployment in this stage; absent when the stage has no candidate. */
    candidate?: { pods: PodCount; serving: boolean };
    /** Gates that run on entry and again whenever anything about the candidate's pods changes. */
    gates: readonly SmokeGate[];
    /** May be the first stage of a never-deployed stack. */
    first: boolean;
    /** A rollback from here goes straight to the first stage of the table (no candidate). */
    rollback: boolean;
    /** May be entered straight from the first stage again (restore) with an image whose gate already passed. */
    restore: boolean;
    /** The release ends here: the candidate may become the stable version (the closing step changes no pod). */
    closes: boolean;
}

/** How the candidate receives traffic, for the whole rollout: `pods` = its share of the pods behind the Service. */
export const TRAFFIC = { strategy: "pods" } as const;

/** In forward order: each stage's forward move is the next one. */
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
        summary: "1 candidate pod labelled app=reviews_test beside the stable pods; the reviews Service does not select it",
        tutorialStep: "steps 1-3: deploy the candidate dark, check the app, smoke-test it by pod IP",
        stable: true,
        candidate: { pods: 1, serving: false },
        gates: [SMOKE_GATE],
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
        gates: [SMOKE_GATE],
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
        gates: [SMOKE_GATE],
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
        gates: [SMOKE_GATE],
        first: false,
        rollback: false,
        restore: false,
        closes: true,
    },
];

export function stageByName(name: StageName): Stage {
    const stage = STAGES.find((s) => s.name === name);
    if (!stage) throw new Error(`unknown stage "${name}"; allowed: ${STAGE_NAMES.join(", ")}`);
    return stage;
}

/** The stage a rollback goes to and a closed release starts from: the first of the table. */
export const BASE_STAGE: Stage = STAGES[0];
