// The expected outcome of every (live stage, requested stage) pair of two releases, written out BY HAND: "Y" =
// allowed, else the rules that refuse it, in the order the pack reports them. Read by policy/move-matrix.spec.ts
// (the pack's stack checks) and test/unit/pack-contract.spec.ts (the real program under mocks).
//
// Abbreviations: move = reviews-stage-move-allowed, capacity = reviews-capacity-floor-kept,
// gate = reviews-serves-only-gate-passed-images.
import type { StageName } from "../../rollout/stages";
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
    stable: ["Y", "Y", "Y", "move", "move capacity"],
    dark: ["Y", "Y", "Y", "move", "move capacity"],
    canary: ["Y", "move", "Y", "Y", "move capacity"],
    half: ["Y", "move", "move", "Y", "Y"],
    promoted: ["move capacity gate", "move capacity gate", "move capacity gate", "move gate", "Y"],
};

// Release v2 -> v3: v2 passed its gate in the release before, so the record has passes for v2 and v3.
export const V2_V3: Record<string, Row> = {
    //          stable                  dark                    canary                  half              promoted
    stable: ["Y", "Y", "Y", "move", "move capacity"],
    dark: ["Y", "Y", "Y", "move", "move capacity"],
    canary: ["Y", "move", "Y", "Y", "move capacity"],
    half: ["Y", "move", "move", "Y", "Y"],
    promoted: ["move capacity", "move capacity", "move capacity", "move", "Y"],
};

// A never-deployed namespace (no reviews Deployment, no gate record): only the first stages, and the candidate may
// not serve before its gate ran.
export const FIRST: Row = ["Y", "Y", "move gate", "move gate", "move gate"];

export const MATRICES: [ReleaseName, Record<string, Row>][] = [
    ["v1->v2", V1_V2],
    ["v2->v3", V2_V3],
];

// The istio table (default steps 1, 5, 10, 25, 50). Moves: forward one stage, stay, rollback to stable from any
// stage that still runs the stable, and from stable the restore straight to weight-1. The capacity floor counts the
// pods that are ready now and serve in the goal: promoted drops the stable, so it needs 3 ready candidate pods.
export const MESH_COLUMNS: StageName[] = [
    "stable",
    "dark",
    "mirror",
    "weight-1",
    "weight-5",
    "weight-10",
    "weight-25",
    "weight-50",
    "weight-100",
    "promoted",
];

export type MeshRow = [string, string, string, string, string, string, string, string, string, string];

// Columns:    stable    dark      mirror    weight-1  weight-5  weight-10 weight-25 weight-50 weight-100 promoted
const meshRows = (fromPromoted: MeshRow): Record<string, MeshRow> => ({
    stable: ["Y", "Y", "move", "Y", "move", "move", "move", "move", "move", "move capacity"],
    dark: ["Y", "Y", "Y", "move", "move", "move", "move", "move", "move", "move capacity"],
    mirror: ["Y", "move", "Y", "Y", "move", "move", "move", "move", "move", "move"],
    "weight-1": ["Y", "move", "move", "Y", "Y", "move", "move", "move", "move", "move"],
    "weight-5": ["Y", "move", "move", "move", "Y", "Y", "move", "move", "move", "move"],
    "weight-10": ["Y", "move", "move", "move", "move", "Y", "Y", "move", "move", "move"],
    "weight-25": ["Y", "move", "move", "move", "move", "move", "Y", "Y", "move", "move"],
    "weight-50": ["Y", "move", "move", "move", "move", "move", "move", "Y", "Y", "move"],
    "weight-100": ["Y", "move", "move", "move", "move", "move", "move", "move", "Y", "Y"],
    promoted: fromPromoted,
});

// From promoted only staying is a move; going back brings the stable back on pods that are not there yet
// (capacity where the goal's ready candidate pods are fewer than 3), and in v1 -> v2 the baseline v1 was never
// gated (gate wherever the route weighs v1; weight-100 gives it nothing).
export const MESH_MATRICES: [ReleaseName, Record<string, MeshRow>][] = [
    [
        "v1->v2",
        meshRows([
            "move capacity gate",
            "move capacity gate",
            "move gate",
            "move gate",
            "move gate",
            "move gate",
            "move gate",
            "move gate",
            "move",
            "Y",
        ]),
    ],
    [
        "v2->v3",
        meshRows(["move capacity", "move capacity", "move", "move", "move", "move", "move", "move", "move", "Y"]),
    ],
];

// A never-deployed namespace under istio starts at stable: dark would put the candidate's pod in the Service before
// its route exists (the VirtualService waits for the gate); dark's route sends the candidate no plain request, so
// only the move rule refuses it; anything later routes traffic to a candidate with no gate pass.
export const MESH_FIRST: MeshRow = [
    "Y",
    "move",
    "move gate",
    "move gate",
    "move gate",
    "move gate",
    "move gate",
    "move gate",
    "move gate",
    "move gate",
];
