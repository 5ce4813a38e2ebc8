// The stage table: the single source of truth for the reviews v2 rollout. Components, the policy pack, the CLI
// scripts, the README tables and the tests all derive from this data; nothing else spells out a stage.
import { REVIEWS_APP, REVIEWS_DARK_APP } from "./labels";

export const STAGE_NAMES = ["v1-only", "v2-dark", "canary", "half", "promoted"] as const;
export type StageName = (typeof STAGE_NAMES)[number];

/** How v2 receives traffic. Only `pods` exists today (share = pod ratio behind the reviews Service); an Istio
 * mode (weights in 1% steps, header/cookie routes, mirroring) becomes another variant of this union. */
export type Traffic = { mode: "pods" };

export interface Stage {
    name: StageName;
    /** One line for humans: what the cluster looks like in this stage. */
    summary: string;
    /** Tutorial step this stage implements. */
    tutorialStep: string;
    v1: { present: boolean; replicas: number };
    /** replicas 0 = no v2 Deployment at all. `app` is the label v2 pods carry: `reviews` puts them in service. */
    v2: { replicas: number; app: typeof REVIEWS_APP | typeof REVIEWS_DARK_APP };
    traffic: Traffic;
    /** Allowed as the first stage of a never-deployed stack. */
    initial: boolean;
}

export const STAGES: readonly Stage[] = [
    {
        name: "v1-only",
        summary: "3 reviews v1 pods serve all traffic; no v2",
        tutorialStep: "start, and rollback target (step 5)",
        v1: { present: true, replicas: 3 },
        v2: { replicas: 0, app: REVIEWS_DARK_APP },
        traffic: { mode: "pods" },
        initial: true,
    },
    {
        name: "v2-dark",
        summary: "1 v2 pod labelled app=reviews_test beside 3 v1 pods; the reviews Service does not select it",
        tutorialStep: "steps 1-3: deploy v2 dark, check the app, smoke-test v2 by pod IP",
        v1: { present: true, replicas: 3 },
        v2: { replicas: 1, app: REVIEWS_DARK_APP },
        traffic: { mode: "pods" },
        initial: true,
    },
    {
        name: "canary",
        summary: "1 v2 pod labelled app=reviews: 1 of 4 serving pods",
        tutorialStep: "step 4: put v2 in service",
        v1: { present: true, replicas: 3 },
        v2: { replicas: 1, app: REVIEWS_APP },
        traffic: { mode: "pods" },
        initial: false,
    },
    {
        name: "half",
        summary: "3 v2 pods beside 3 v1 pods: 3 of 6 serving pods",
        tutorialStep: "step 6: scale v2 to 3",
        v1: { present: true, replicas: 3 },
        v2: { replicas: 3, app: REVIEWS_APP },
        traffic: { mode: "pods" },
        initial: false,
    },
    {
        name: "promoted",
        summary: "v1 deleted: 3 v2 pods serve all traffic",
        tutorialStep: "step 7: delete v1",
        v1: { present: false, replicas: 0 },
        v2: { replicas: 3, app: REVIEWS_APP },
        traffic: { mode: "pods" },
        initial: false,
    },
];

/**
 * forward: the next step of the tutorial. rollback: back to v1 only (step 5, "remove v2 quickly").
 * restore: v1 only straight back to canary, allowed only for a v2 image that already passed the smoke test.
 * Staying on the same stage is always allowed and is not listed.
 */
export type MoveKind = "forward" | "rollback" | "restore";
export interface Move { from: StageName; to: StageName; kind: MoveKind }

export const MOVES: readonly Move[] = [
    { from: "v1-only", to: "v2-dark", kind: "forward" },
    { from: "v2-dark", to: "canary", kind: "forward" },
    { from: "canary", to: "half", kind: "forward" },
    { from: "half", to: "promoted", kind: "forward" },
    { from: "v2-dark", to: "v1-only", kind: "rollback" },
    { from: "canary", to: "v1-only", kind: "rollback" },
    { from: "half", to: "v1-only", kind: "rollback" },
    { from: "v1-only", to: "canary", kind: "restore" },
];
