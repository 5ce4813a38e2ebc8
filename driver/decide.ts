// The driver's decision, pure: from where the rollout stands (live stage, stack file, its last commit, the
// analysis, the schedule) to one of advance, roll back, hold, pause, apply (finish a committed step) or stop. The
// driver keeps no state of its own: everything it decides from is in the cluster, the stack file and Git.
import type { Judgement } from "../analysis/judge";
import { LiveStage } from "../rollout/moves";
import { minSecondsIn, Schedule } from "../rollout/schedule";
import { baseStage, StageTable } from "../rollout/stages";
import type { Commit } from "./git";

export interface Situation {
    table: StageTable;
    live: LiveStage;
    configured: string;
    hasCandidate: boolean;
    /** When the live stage was recorded by the settle step (undefined: no trusted record of the live stage). */
    recordedAt?: string;
    /** The stage the trusted rollout record holds (undefined: no trusted record). */
    recordedStage?: string;
    now: Date;
    /** The analysis of the live stage: a judgement, "none" for a stage without one, or why it could not run. */
    analysis: Judgement | "none" | { error: string };
    schedule: Schedule;
    pause: string;
    approved: string;
    /** The last commit that changed the stack file, and the stage it set if it was the driver's. */
    lastCommit?: Commit & { stage?: string };
    /** The stage before the last change of the stage key was a later one than it: the rollout was rolled back. */
    rolledBack: boolean;
}

export type Decision =
    | { kind: "advance"; to: string; why: string }
    | { kind: "rollback"; to: string; why: string }
    | { kind: "apply"; to: string; why: string }
    /** At the closing stage: the candidate becomes release.stable, the stage the table's first, and `approved` goes. */
    | { kind: "close"; to: string; why: string }
    | { kind: "pause"; why: string }
    | { kind: "hold"; why: string; until?: string }
    | { kind: "stop"; why: string }
    | { kind: "done"; outcome: "promoted" | "rolled-back" | "no-candidate"; why: string };

export function decide(s: Situation): Decision {
    const base = baseStage(s.table).name;
    const stages = s.table.stages;
    const order = stages.findIndex((x) => x.name === s.live);
    if (s.configured !== s.live) {
        // A step the driver committed but did not see applied (killed, or its up failed): apply it, nothing else.
        const c = s.lastCommit;
        if (c?.decision && c.stage === s.configured)
            return {
                kind: "apply",
                to: s.configured,
                why: `finishing ${c.decision} to ${s.configured} (commit ${c.sha.slice(0, 8)})`,
            };
        return {
            kind: "stop",
            why: `the stack file asks for ${s.configured} while ${s.live} runs, set by ${c ? `commit ${c.sha.slice(0, 8)} (${c.author}: ${c.subject})` : "an uncommitted edit"}: a person's change wins; run pulumi up (or revert it), then the driver goes on`,
        };
    }
    if (s.recordedStage !== undefined && s.recordedStage !== s.live) {
        // The pods are at the configured stage but its up ended before the settle step (killed): finish it.
        return {
            kind: "apply",
            to: s.live,
            why: `finishing the up of ${s.live}: its pods run, but the rollout record still says ${s.recordedStage} (the up was cut short before it settled)`,
        };
    }
    if (s.pause) return { kind: "hold", why: `paused: ${s.pause} (rollout resume)` };
    if (!s.hasCandidate) return { kind: "done", outcome: "no-candidate", why: "no candidate in the release" };
    if (stages[order]?.closes) {
        const min = minSecondsIn(s.schedule, s.live);
        const elapsed = s.recordedAt ? (s.now.getTime() - Date.parse(s.recordedAt)) / 1000 : 0;
        if (!s.schedule.close)
            return {
                kind: "done",
                outcome: "promoted",
                why: `${s.live}: the candidate serves alone (schedule.close false: a person closes the release)`,
            };
        if (elapsed < min)
            return {
                kind: "hold",
                why: `${s.live} for ${Math.round(elapsed)}s of its ${min}s before the release closes`,
            };
        return {
            kind: "close",
            to: base,
            why: `${s.live} for ${Math.round(elapsed)}s: the candidate becomes the stable`,
        };
    }
    if (s.live === base && s.rolledBack)
        return {
            kind: "done",
            outcome: "rolled-back",
            why: `rolled back to ${base}; a person restores it (commit the stage, pulumi up)`,
        };
    if (order < 0)
        return {
            kind: "stop",
            why: `the live reviews workloads fit no stage (${s.live}): the guard refuses every move but a rollback`,
        };
    if (!s.recordedAt) return { kind: "stop", why: "no trusted rollout record: pulumi up writes one" };

    const a = s.analysis;
    if (typeof a === "object" && "error" in a) return { kind: "hold", why: `the analysis could not run: ${a.error}` };
    const elapsed = (s.now.getTime() - Date.parse(s.recordedAt)) / 1000;
    if (a !== "none") {
        if (a.outcome === "fail") return { kind: "rollback", to: base, why: a.reason };
        if (a.outcome === "inconclusive") {
            if (elapsed >= s.schedule.maxInconclusiveSeconds) {
                return {
                    kind: "pause",
                    why: `analysis inconclusive after ${Math.round(elapsed)}s at ${s.live} (schedule.maxInconclusiveSeconds ${s.schedule.maxInconclusiveSeconds}): ${a.reason}`,
                };
            }
            const more = a.needs
                ? `needs ${a.needs.candidateRequests} more candidate requests${a.needs.seconds !== undefined ? `, about ${a.needs.seconds}s at the current rate` : ""}`
                : "needs more data";
            return { kind: "hold", why: `analysis inconclusive at ${s.live}: ${more}` };
        }
    }
    const min = minSecondsIn(s.schedule, s.live);
    if (elapsed < min) {
        return {
            kind: "hold",
            why: `${s.live} for ${Math.round(elapsed)}s of its ${min}s`,
            until: new Date(Date.parse(s.recordedAt) + 1000 * min).toISOString(),
        };
    }
    const next = stages[order + 1];
    if (!next) return { kind: "done", outcome: "promoted", why: `${s.live} is the last stage` };
    if (s.schedule.approve.includes(next.name) && s.approved !== next.name) {
        return {
            kind: "hold",
            why: `${next.name} waits for an approval: npm run rollout -- approve <stack> ${next.name}`,
        };
    }
    const evidence = a === "none" ? `${s.live} has no analysis` : a.reason;
    return { kind: "advance", to: next.name, why: `${Math.round(elapsed)}s at ${s.live}; ${evidence}` };
}
