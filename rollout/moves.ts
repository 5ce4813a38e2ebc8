// The moves between stages, derived from the stage table (rollout/stages.ts): forward is the next stage in table
// order, a rollback goes to the first stage, a restore comes back from it, a never-deployed stack starts at a
// `first` stage, and closing a release turns the candidate of a `closes` stage into the stable version.
import { BASE_STAGE, StageName, STAGES } from "./stages";

export type MoveKind = "stay" | "first" | "forward" | "rollback" | "restore";
/** What was deployed before: a stage, nothing yet, or reviews workloads that fit no stage ("off-table"). */
export type LiveStage = StageName | "none" | "off-table";

export interface Move {
    from: LiveStage;
    to: StageName;
    kind: MoveKind;
}

const order = (name: StageName) => STAGES.findIndex((s) => s.name === name);

/** Every move of the table in table order: firsts, forwards, rollbacks, restores (staying put is not listed). */
export const MOVES: readonly Move[] = [
    ...STAGES.filter((s) => s.first).map((s): Move => ({ from: "none", to: s.name, kind: "first" })),
    ...STAGES.slice(1).map((s, i): Move => ({ from: STAGES[i].name, to: s.name, kind: "forward" })),
    ...STAGES.filter((s) => s.rollback && s !== BASE_STAGE).map((s): Move => ({ from: s.name, to: BASE_STAGE.name, kind: "rollback" })),
    ...STAGES.filter((s) => s.restore).map((s): Move => ({ from: BASE_STAGE.name, to: s.name, kind: "restore" })),
];

/** The kind of from -> to, or undefined when the table has no such move. Off-table live state may only roll back. */
export function moveKind(from: LiveStage, to: StageName): MoveKind | undefined {
    if (from === to) return "stay";
    if (from === "off-table") return to === BASE_STAGE.name ? "rollback" : undefined;
    return MOVES.find((m) => m.from === from && m.to === to)?.kind;
}

/** Stages allowed from `from` (including staying), in table order, with the kind of each move. */
export function allowedNext(from: LiveStage): { to: StageName; kind: MoveKind }[] {
    return STAGES.map((s) => ({ to: s.name, kind: moveKind(from, s.name) }))
        .filter((m): m is { to: StageName; kind: MoveKind } => m.kind !== undefined);
}

/** Stages strictly between two stages in table order (what a jump skips). */
export function skipped(from: StageName, to: StageName): StageName[] {
    return STAGES.slice(order(from) + 1, order(to)).map((s) => s.name);
}

export const isForwardOf = (from: StageName, to: StageName) => order(to) > order(from);
