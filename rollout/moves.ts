// The moves between stages, derived from a stage table (rollout/stages.ts): forward is the next stage in table
// order, a rollback goes to the first stage, a restore comes back from it, a never-deployed stack starts at a
// `first` stage, and closing a release turns the candidate of a `closes` stage into the stable version.
import { baseStage, StageName, StageTable } from "./stages";

export type MoveKind = "stay" | "first" | "forward" | "rollback" | "restore";
/** What was deployed before: a stage, nothing yet, or reviews workloads that fit no stage ("off-table"). */
export type LiveStage = StageName | "none" | "off-table";

export interface Move {
    from: LiveStage;
    to: StageName;
    kind: MoveKind;
}

const order = (table: StageTable, name: StageName) => table.stages.findIndex((s) => s.name === name);

/** Every move of the table in table order: firsts, forwards, rollbacks, restores (staying put is not listed). */
export function movesOf(table: StageTable): Move[] {
    const { stages } = table;
    const base = baseStage(table);
    return [
        ...stages.filter((s) => s.first).map((s): Move => ({ from: "none", to: s.name, kind: "first" })),
        ...stages.slice(1).map((s, i): Move => ({ from: stages[i].name, to: s.name, kind: "forward" })),
        ...stages
            .filter((s) => s.rollback && s !== base)
            .map((s): Move => ({ from: s.name, to: base.name, kind: "rollback" })),
        ...stages.filter((s) => s.restore).map((s): Move => ({ from: base.name, to: s.name, kind: "restore" })),
    ];
}

/** The kind of from -> to, or undefined when the table has no such move. Off-table live state may only roll back. */
export function moveKind(table: StageTable, from: LiveStage, to: StageName): MoveKind | undefined {
    if (from === to) return "stay";
    if (from === "off-table") return to === baseStage(table).name ? "rollback" : undefined;
    return movesOf(table).find((m) => m.from === from && m.to === to)?.kind;
}

/** Stages allowed from `from` (including staying), in table order, with the kind of each move. */
export function allowedNext(table: StageTable, from: LiveStage): { to: StageName; kind: MoveKind }[] {
    return table.stages
        .map((s) => ({ to: s.name, kind: moveKind(table, from, s.name) }))
        .filter((m): m is { to: StageName; kind: MoveKind } => m.kind !== undefined);
}

/** Stages strictly between two stages in table order (what a jump skips). */
export function skipped(table: StageTable, from: StageName, to: StageName): StageName[] {
    return table.stages.slice(order(table, from) + 1, order(table, to)).map((s) => s.name);
}

export const isForwardOf = (table: StageTable, from: StageName, to: StageName) => order(table, to) > order(table, from);
