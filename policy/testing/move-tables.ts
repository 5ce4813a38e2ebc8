// The expected outcome of every (live stage, requested stage) pair of two releases, written out BY HAND: "Y" =
// allowed, else the rules that refuse it, in the order the pack reports them. Read by policy/move-matrix.spec.ts
// (the pack's stack checks) and policy/program-contract.spec.ts (the real program).
//
// Abbreviations: move = reviews-stage-move-allowed, capacity = reviews-capacity-floor-kept,
// gate = reviews-serves-only-gate-passed-images.
import type { ReleaseName } from "./fixtures";

export const RULES: Record<string, string> = {
    move: "reviews-stage-move-allowed",
    capacity: "reviews-capacity-floor-kept",
    gate: "reviews-serves-only-gate-passed-images",
};
export const COLUMNS = ["stable", "dark", "canary", "half", "promoted"];

export type Row = [string, string, string, string, string];

// Release v1 -> v2: v1 is the baseline, never gated, so the gate record has a pass for v2 only; from promoted, any
// stage that brings v1 back would serve it untested.
export const V1_V2: Record<string, Row> = {
    //          stable                  dark                    canary                  half              promoted
    stable:   ["Y",                    "Y",                    "Y",                    "move",           "move capacity"],
    dark:     ["Y",                    "Y",                    "Y",                    "move",           "move capacity"],
    canary:   ["Y",                    "move",                 "Y",                    "Y",              "move capacity"],
    half:     ["Y",                    "move",                 "move",                 "Y",              "Y"],
    promoted: ["move capacity gate",   "move capacity gate",   "move capacity gate",   "move gate",      "Y"],
};

// Release v2 -> v3: v2 passed its gate in the release before, so the record has passes for v2 and v3.
export const V2_V3: Record<string, Row> = {
    //          stable                  dark                    canary                  half              promoted
    stable:   ["Y",                    "Y",                    "Y",                    "move",           "move capacity"],
    dark:     ["Y",                    "Y",                    "Y",                    "move",           "move capacity"],
    canary:   ["Y",                    "move",                 "Y",                    "Y",              "move capacity"],
    half:     ["Y",                    "move",                 "move",                 "Y",              "Y"],
    promoted: ["move capacity",        "move capacity",        "move capacity",        "move",           "Y"],
};

// A never-deployed namespace (no reviews Deployment, no gate record): only the first stages, and the candidate may
// not serve before its gate ran.
export const FIRST: Row = ["Y", "Y", "move gate", "move gate", "move gate"];

export const MATRICES: [ReleaseName, Record<string, Row>][] = [
    ["v1->v2", V1_V2],
    ["v2->v3", V2_V3],
];
