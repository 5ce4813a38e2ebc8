// The allowed moves between deployed stages, derived from MOVES in the stage table.
import { MOVES, Move, StageName, STAGES } from "./stages";

/** What was deployed before this update: a stage, or nothing yet (a never-deployed stack). */
export type DeployedStage = StageName | "none";

export interface MoveVerdict {
    allowed: boolean;
    /** The matching move of the table; undefined for staying put, a first deployment or a refused move. */
    move?: Move;
    /** Stages allowed from `from` (including staying), in table order. */
    allowedNext: StageName[];
}

export function allowedNext(from: DeployedStage): StageName[] {
    if (from === "none") return STAGES.filter((s) => s.initial).map((s) => s.name);
    const targets = new Set<StageName>([from, ...MOVES.filter((m) => m.from === from).map((m) => m.to)]);
    return STAGES.map((s) => s.name).filter((n) => targets.has(n));
}

/**
 * Judges a move by the table alone. A `restore` move is allowed here; whether its image passed the smoke test
 * is checked by the caller, which knows the images.
 */
export function judgeMove(from: DeployedStage, to: StageName): MoveVerdict {
    const next = allowedNext(from);
    const move = MOVES.find((m) => m.from === from && m.to === to);
    return { allowed: next.includes(to), move, allowedNext: next };
}
