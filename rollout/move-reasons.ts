// Why the stage table refuses a move, worked out from the table (what each stage serves), so the reason stays
// true when the table changes. Which moves are allowed comes from rollout/moves.ts; only the wording lives here.
import { Release } from "./release";
import { allowedNext, isForwardOf, LiveStage, movesOf, skipped } from "./moves";
import { baseStage, StageName, stageIn, StageTable } from "./stages";

export function list(names: string[]): string {
    return names.length <= 1 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

export function moveName(from: LiveStage, to: StageName): string {
    if (from === "none") return `none -> ${to} (first deployment)`;
    if (from === "off-table") return `off-table -> ${to}`;
    return `${from} -> ${to}`;
}

/** "Allowed from X: a (stay), b (forward)". */
export function allowedText(table: StageTable, from: LiveStage): string {
    const next = allowedNext(table, from).map(({ to, kind }) => `${to} (${kind})`);
    const where = from === "none" ? "Allowed first stages" : `Allowed from ${from}`;
    return `${where}: ${next.map((n) => n.replace(" (first)", "")).join(", ")}.`;
}

/** Stages where the candidate runs but gets no live traffic: where its gate first runs. */
export const darkStages = (table: StageTable) =>
    table.stages
        .filter((s) => s.candidate && (s.route ? s.route.weight === 0 && !s.route.mirror : !s.candidate.serving))
        .map((s) => s.name);

/** What the candidate's share is: of the serving pods (pods strategy) or of the requests the route weighs (istio). */
const shareUnit = (table: StageTable) => (table.strategy === "pods" ? "of serving pods" : "of requests");

/**
 * Why the table refuses from -> to, in one clause about the move; `before` and `after` are the candidate's share
 * (percent) in the live and the requested state.
 */
export function whyRefused(
    table: StageTable,
    from: LiveStage,
    to: StageName,
    before: number,
    after: number,
    release: Release,
): string {
    const target = stageIn(table, to);
    const candidate = release.candidate?.version;
    const unit = shareUnit(table);
    const base = baseStage(table);
    if (from === "none") {
        if (table.strategy === "istio") {
            return `${to} is not a first stage: a never-deployed stack has no route until the VirtualService, which waits for the candidate's gate, so the candidate's pods in the Service would get plain requests before their gate ran`;
        }
        return `${to} is not a first stage: a never-deployed stack would put the candidate in service (${after}% ${unit}) before its gate ran, which happens in ${list(darkStages(table))}`;
    }
    if (from === "off-table") {
        return `the live workloads fit no stage of release ${releaseName(release)}, and from there only a rollback to ${base.name} (keeping what serves, adding nothing) leads back onto the table`;
    }
    const source = stageIn(table, from);
    if (isForwardOf(table, from, to)) {
        const skipping = `skipping ${list(skipped(table, from, to))}`;
        if (!target.stable) {
            return `it deletes the stable version before the candidate served more than ${before}% ${unit} (${before}% -> ${after}% at once, ${skipping})`;
        }
        if (before === 0) return `it puts the candidate in service at ${after}% ${unit} at once, ${skipping}`;
        return `it raises the candidate from ${before}% to ${after}% ${unit} at once, ${skipping}`;
    }
    if (!source.stable) {
        return `${from} deleted the stable version (${release.stable.version}), so there is nothing to roll back to and ${to} would rebuild it from scratch; to close the release instead, make the candidate the stable (release.stable = ${candidate ?? "the candidate"} with its image, no release.candidate) at stage ${base.name}`;
    }
    const rollbacks = movesOf(table)
        .filter((m) => m.from === from && m.kind === "rollback")
        .map((m) => m.to);
    const keeps = target.candidate?.serving ? "in service" : "running";
    if (rollbacks.length === 0)
        return `a partial step back keeps a suspect candidate ${keeps}, and ${from} has no rollback move`;
    return `a partial step back keeps a suspect candidate ${keeps}; a rollback goes straight to ${list(rollbacks)} and the rollout then moves forward one step at a time`;
}

export function releaseName(release: Release): string {
    return release.candidate
        ? `${release.stable.version} -> ${release.candidate.version}`
        : `${release.stable.version} (no candidate)`;
}
