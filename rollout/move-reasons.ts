// Why the stage table refuses a move, worked out from the table (what each stage serves), so the reason stays
// true when the table changes. Which moves are allowed comes from rollout/moves.ts; only the wording lives here.
import { Fleet, Release, sharePercent } from "./fleet";
import { allowedNext, isForwardOf, LiveStage, MOVES, skipped } from "./moves";
import { BASE_STAGE, StageName, stageByName, STAGES } from "./stages";

export function list(names: string[]): string {
    return names.length <= 1 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

export function moveName(from: LiveStage, to: StageName): string {
    if (from === "none") return `none -> ${to} (first deployment)`;
    if (from === "off-table") return `off-table -> ${to}`;
    return `${from} -> ${to}`;
}

/** "Allowed from X: a (stay), b (forward)". */
export function allowedText(from: LiveStage): string {
    const next = allowedNext(from).map(({ to, kind }) => `${to} (${kind})`);
    const where = from === "none" ? "Allowed first stages" : `Allowed from ${from}`;
    return `${where}: ${next.map((n) => n.replace(" (first)", "")).join(", ")}.`;
}

/** Stages where the candidate runs but serves nothing: where its gate first runs. */
export const darkStages = () => STAGES.filter((s) => s.candidate && !s.candidate.serving).map((s) => s.name);

/** Why the table refuses from -> to, in one clause about the move, with shares measured on the two fleets. */
export function whyRefused(from: LiveStage, to: StageName, live: Fleet, requested: Fleet, release: Release): string {
    const target = stageByName(to);
    const candidate = release.candidate?.version;
    const before = sharePercent(live, candidate);
    const after = sharePercent(requested, candidate);
    if (from === "none") {
        return `${to} is not a first stage: a never-deployed stack would put the candidate in service (${after}% of serving reviews pods) before its gate ran, which happens in ${list(darkStages())}`;
    }
    if (from === "off-table") {
        return `the live reviews workloads fit no stage of release ${releaseName(release)}, and from there only a rollback to ${BASE_STAGE.name} (keeping what serves, adding nothing) leads back onto the table`;
    }
    const source = stageByName(from);
    if (isForwardOf(from, to)) {
        const skipping = `skipping ${list(skipped(from, to))}`;
        if (!target.stable) {
            return `it deletes the stable version before the candidate served more than ${before}% of reviews pods (${before}% -> ${after}% at once, ${skipping})`;
        }
        if (!source.candidate?.serving) return `it puts the candidate in service at ${after}% of serving reviews pods at once, ${skipping}`;
        return `it raises the candidate from ${before}% to ${after}% of serving reviews pods at once, ${skipping}`;
    }
    if (!source.stable) {
        return `${from} deleted the stable version (${release.stable.version}), so there is nothing to roll back to and ${to} would rebuild it from scratch; to close the release instead, make the candidate the stable (release.stable = ${candidate ?? "the candidate"} with its image, no release.candidate) at stage ${BASE_STAGE.name}`;
    }
    const rollbacks = MOVES.filter((m) => m.from === from && m.kind === "rollback").map((m) => m.to);
    const keeps = target.candidate?.serving ? "in service" : "running";
    if (rollbacks.length === 0) return `a partial step back keeps a suspect candidate ${keeps}, and ${from} has no rollback move`;
    return `a partial step back keeps a suspect candidate ${keeps}; a rollback goes straight to ${list(rollbacks)} and the rollout then moves forward one step at a time`;
}

export function releaseName(release: Release): string {
    return release.candidate ? `${release.stable.version} -> ${release.candidate.version}` : `${release.stable.version} (no candidate)`;
}
