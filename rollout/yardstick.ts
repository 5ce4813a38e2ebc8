// The yardstick rule: the change under review never sets what it is measured with. The release's roles, the traffic
// table (strategy, steps, mirror, testers), the bounds and the analysis come from the rollout record of the last `up`;
// a change of them is allowed only where it cannot move traffic (an `up` from a stage without a candidate to one
// without a candidate), except the two moves that change roles by design: closing a release (the promoted candidate
// becomes the stable) and a new candidate where none runs. A new yardstick judges from the next `up` on.
import { analysisOf } from "../analysis/config";
import { Yardstick } from "./rollout-record";
import { LiveStage } from "./moves";
import { baseStage, stageIn, StageName, StageTable } from "./stages";

export const YARDSTICK_RULE = "reviews-yardstick-fixed-during-rollout";

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const show = (v: unknown) => (v === undefined ? "(unset)" : JSON.stringify(v));

/** Traffic and bounds keys that differ, as `key = requested (deployed: X)`. */
function changedKeys(deployed: Yardstick, requested: Yardstick): string[] {
    const out: string[] = [];
    const d = deployed.traffic as unknown as Record<string, unknown>;
    const r = requested.traffic as unknown as Record<string, unknown>;
    for (const k of new Set([...Object.keys(d), ...Object.keys(r)])) {
        if (!same(d[k], r[k])) out.push(`traffic.${k} = ${show(r[k])} (deployed: ${show(d[k])})`);
    }
    for (const k of Object.keys(deployed.bounds) as (keyof Yardstick["bounds"])[]) {
        if (deployed.bounds[k] !== requested.bounds[k])
            out.push(`bounds.${k} = ${requested.bounds[k]} (deployed: ${deployed.bounds[k]})`);
    }
    // The fields a candidate changes by design are ignored by its answer comparison: part of the analysis too.
    const changes = (y: Yardstick) => (y.release.candidate as { changes?: string[] } | undefined)?.changes ?? [];
    if (
        deployed.release.candidate?.version === requested.release.candidate?.version &&
        !same(changes(deployed), changes(requested))
    ) {
        out.push(`release.candidate.changes = ${show(changes(requested))} (deployed: ${show(changes(deployed))})`);
    }
    const da = analysisOf(deployed.analysis) as unknown as Record<string, unknown>;
    const ra = analysisOf(requested.analysis) as unknown as Record<string, unknown>;
    for (const k of new Set([...Object.keys(da), ...Object.keys(ra)])) {
        if (!same(da[k], ra[k])) out.push(`analysis.${k} = ${show(ra[k])} (deployed: ${show(da[k])})`);
    }
    return out;
}

export interface YardstickJudgement {
    /** Refusals, each one sentence naming the key, the deployed value and what is allowed. */
    messages: string[];
    /** The release the rest of the verdict judges with: the requested one where its change is allowed. */
    release: Yardstick["release"];
}

/**
 * Judges the change of the yardstick. `from` is the live stage under the deployed yardstick, `to` the stage the
 * requested workloads fit under the requested one (undefined: none); `table` is the deployed table.
 */
export function judgeYardstick(
    deployed: Yardstick,
    requested: Yardstick,
    table: StageTable,
    from: LiveStage,
    to: StageName | undefined,
): YardstickJudgement {
    const base = baseStage(table).name;
    const fromFree = from === "none" || from === base;
    const toFree = to === base;
    const where = `(${from} -> ${to ?? "no stage"})`;
    const messages: string[] = [];
    const d = deployed.release;
    const r = requested.release;
    const closes = from !== "none" && from !== "off-table" && stageIn(table, from).closes;
    const closing =
        closes &&
        toFree &&
        d.candidate !== undefined &&
        r.stable.version === d.candidate.version &&
        r.stable.image === d.candidate.image;

    if (r.stable.version !== d.stable.version && !closing) {
        messages.push(
            `release.stable.version = ${r.stable.version}, but the deployed stable is ${d.stable.version} (rollout record) ${where}: the stable changes only by closing a release, at ${table.stages
                .filter((s) => s.closes)
                .map((s) => s.name)
                .join(
                    " or ",
                )}, where the candidate ${d.candidate ? `${d.candidate.version} (${d.candidate.image}) ` : ""}becomes release.stable; set release.stable back to ${d.stable.version} (${d.stable.image}).`,
        );
    }
    const dc = d.candidate?.version;
    const rc = r.candidate?.version;
    if (dc !== rc && !fromFree && !closing && !(rc === undefined && toFree)) {
        messages.push(
            `release.candidate.version = ${rc ?? "(none)"}, but ${dc} is the deployed candidate and runs (${from}): a new candidate starts only where none runs; roll back to ${base} first, or set release.candidate.version back to ${dc}.`,
        );
    }
    const changed = changedKeys(deployed, requested);
    if (changed.length > 0 && !(fromFree && toFree)) {
        messages.push(
            `${changed.join(", ")} while a rollout is under way ${where}: the stage table, the bounds and the analysis change only in an up from ${base} to ${base} (no candidate), and the new values judge from the next up on; set them back to the deployed values.`,
        );
    }
    return { messages, release: messages.some((m) => m.startsWith("release.")) ? d : r };
}
