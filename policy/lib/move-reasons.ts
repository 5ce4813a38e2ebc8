// Why a move between stages is unsafe, worked out from the stage table (what each stage serves), so the reason
// stays true when the table changes. Only the wording lives here; which moves are allowed comes from MOVES.
import { DeployedStage, allowedNext } from "../../rollout/transitions";
import { MOVES, MoveKind, STAGES, StageName } from "../../rollout/stages";
import { planStage, stageByName } from "../../rollout/plan";

const order = (name: StageName) => STAGES.findIndex((s) => s.name === name);
const share = (name: StageName) => planStage(name).v2SharePercent;
const inService = (name: StageName) => planStage(name).v2InService;
/** Stages where v2 runs but serves nothing: where its smoke test happens. */
export const darkStages = () => STAGES.filter((s) => s.v2.replicas > 0 && !inService(s.name)).map((s) => s.name);

export function list(names: string[]): string {
    return names.length <= 1 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

export function moveName(from: DeployedStage, to: StageName): string {
    return from === "none" ? `none -> ${to} (first deployment)` : `${from} -> ${to}`;
}

export function kindOf(from: StageName, to: StageName): MoveKind | "stay" | undefined {
    return from === to ? "stay" : MOVES.find((m) => m.from === from && m.to === to)?.kind;
}

/** "Allowed from X: a (stay), b (forward)", or the first stages of a never-deployed stack. */
export function allowedText(from: DeployedStage, exclude: MoveKind[] = []): string {
    if (from === "none") return `Allowed first stages: ${allowedNext("none").join(", ")}.`;
    const next = allowedNext(from)
        .map((to) => ({ to, kind: kindOf(from, to)! }))
        .filter(({ kind }) => !exclude.includes(kind as MoveKind))
        .map(({ to, kind }) => `${to} (${kind})`);
    return `Allowed from ${from}: ${next.join(", ")}.`;
}

/** Why the table refuses from -> to, in one clause that starts with a verb phrase about the move. */
export function whyRefused(from: DeployedStage, to: StageName): string {
    const target = stageByName(to);
    if (from === "none") {
        const start = target.v1.present ? "" : "starts without v1 and ";
        if (!inService(to)) return `${to} is not a starting stage of the stage table`;
        return `a never-deployed stack ${start}would put v2 in service (${share(to)}% of serving reviews pods) before its image passed the smoke test, which runs in ${list(darkStages())}`;
    }
    const source = stageByName(from);
    if (order(to) > order(from)) {
        const skipped = STAGES.slice(order(from) + 1, order(to)).map((s) => s.name);
        const skipping = `skipping ${list(skipped)}`;
        if (!target.v1.present) {
            const served = inService(from) ? `more than ${share(from)}% of reviews traffic` : "any production traffic";
            return `it deletes v1 before v2 has served ${served} (v2 would go from ${share(from)}% to ${share(to)}% of serving reviews pods at once, ${skipping})`;
        }
        if (!inService(from)) return `it puts v2 in service at ${share(to)}% of serving reviews pods at once, ${skipping}`;
        return `it raises v2 from ${share(from)}% to ${share(to)}% of serving reviews pods at once, ${skipping}`;
    }
    if (!source.v1.present) {
        return `${from} ends the rollout: v1 was deleted, so there is nothing to roll back to and ${to} would rebuild v1 from scratch`;
    }
    const rollbacks = MOVES.filter((m) => m.from === from && m.kind === "rollback").map((m) => m.to);
    const keeps = inService(to) ? "in service" : "running";
    if (rollbacks.length === 0) return `a partial step back keeps a suspect v2 ${keeps}, and ${from} has no rollback move`;
    return `a partial step back keeps a suspect v2 ${keeps}; a rollback goes straight to ${list(rollbacks)} and the rollout then moves forward one step at a time`;
}
