// The driver's commands: `next` (one decision, committed, then applied), `run` (next until the release is promoted
// or rolled back), and the holds a person commits (pause, resume, abort, approve). Every decision that changes the
// stack file is a commit before it is applied, so a killed driver finds its step in Git and finishes it.
import fs from "node:fs";
import yaml from "js-yaml";
import type { Judgement } from "../analysis/judge";
import { kubectlFor } from "../io/kubectl";
import { recordGateResult } from "../io/gate-record-write";
import { scheduleOf } from "../rollout/schedule";
import { baseStage, stageTableOf } from "../rollout/stages";
import { decide, Decision, Situation } from "./decide";
import { clean, commitFile, DECISION_TRAILER, historyOf, repoOf, STAGE_TRAILER, versionsOf } from "./git";
import { hold, LockedError, release } from "./lock";
import { readStatus, Status } from "./status";
import { readStackFile, StackFile, withKey } from "./stack-file";
import { up } from "./up";
import { notify } from "./webhook";

const EXIT_OF: Record<Decision["kind"], number> = { advance: 0, apply: 0, close: 0, rollback: 1, pause: 3, hold: 3, stop: 5, done: 0 };
const MAX_FAILURES = 5;
const log = (line: string) => console.log(`${new Date().toISOString()} ${line}`);

/** The stage key's value and the candidate at one version of the stack file. */
function stageAndCandidate(text: string, project: string): { stage: string; candidate?: string } {
    const config = ((yaml.load(text) ?? {}) as { config?: Record<string, any> }).config ?? {};
    const c = config[`${project}:release`]?.candidate;
    return { stage: String(config[`${project}:stage`] ?? "stable"), candidate: c ? `${c.version} ${c.image}` : undefined };
}

/** Was the live base stage reached by a rollback of this very candidate (so the driver must not start it again)? */
function rolledBack(sf: StackFile, base: string): boolean {
    const versions = versionsOf(sf.file).map((v) => stageAndCandidate(v.text, sf.project));
    const [now, ...before] = versions;
    if (!now || now.stage !== base) return false;
    const changed = before.find((v) => v.stage !== now.stage);
    return changed !== undefined && changed.candidate === now.candidate && now.candidate !== undefined;
}

function situationOf(sf: StackFile, s: Status, now: Date): Situation {
    const table = stageTableOf(sf.config.traffic);
    const a = s.analysis;
    const analysis: Situation["analysis"] = !a ? { error: "no trusted rollout record" } : "error" in a ? a : "notAnalysed" in a ? "none" : a.overall;
    return {
        table,
        live: s.stage.live,
        configured: sf.config.stage,
        hasCandidate: sf.config.release.candidate !== undefined,
        recordedAt: s.stage.recorded?.stage === s.stage.live ? s.stage.recorded.at : undefined,
        now,
        analysis,
        schedule: scheduleOf(sf.config.schedule),
        pause: sf.config.pause ?? "",
        approved: sf.config.approved ?? "",
        lastCommit: historyOf(sf.file, 1)[0],
        rolledBack: rolledBack(sf, baseStage(table).name),
    };
}

/** Numbers for a commit message: the analysis's metrics, one line each. */
function evidenceLines(a: Situation["analysis"]): string[] {
    if (typeof a !== "object" || "error" in a) return [];
    return (a as Judgement).metrics.map((m) => `${m.metric}: ${m.outcome}: ${m.reason}`);
}

/** Writes `key: value` into the stack file and commits it with the decision's trailers. */
function commitKey(sf: StackFile, key: string, value: string, subject: string, body: string[], trailers: Record<string, string>): string {
    fs.writeFileSync(sf.file, withKey(fs.readFileSync(sf.file, "utf8"), sf.project, key, value));
    return commitFile(sf.file, [subject, "", ...body].join("\n").trim(), trailers);
}

async function act(sf: StackFile, d: Decision, s: Situation): Promise<void> {
    const event = { stack: sf.stack, decision: d.kind, from: String(s.live), why: d.why, at: new Date().toISOString() };
    const webhook = s.schedule.webhook;
    if (d.kind === "advance" || d.kind === "rollback") {
        if (d.kind === "rollback") {
            // Quarantine: the failed image serves no more until its gate passes again (the guard reads the record).
            const c = sf.config.release.candidate!;
            recordGateResult(kubectlFor(sf.config.kubeconfig, sf.config.context), sf.config.namespace, {
                image: c.image, version: c.version, failedAt: new Date().toISOString(), failure: `analysis failed at ${s.live}: ${d.why}`,
            });
        }
        const subject = `rollout ${sf.stack}: ${d.kind === "advance" ? "advance" : "roll back"} ${s.live} -> ${d.to}`;
        const sha = commitKey(sf, "stage", d.to, subject, [d.why, ...evidenceLines(s.analysis)], { [DECISION_TRAILER]: d.kind, [STAGE_TRAILER]: d.to });
        log(`${subject} (commit ${sha.slice(0, 8)})`);
        await notify(webhook, { ...event, to: d.to, commit: sha }, log);
        await up(sf.dir, sf.stack, (l) => log(`  up: ${l}`));
        log(`${d.to} applied`);
    } else if (d.kind === "close") {
        const c = sf.config.release.candidate!;
        const doc = yaml.load(fs.readFileSync(sf.file, "utf8")) as { config: Record<string, unknown> };
        doc.config[`${sf.project}:release`] = { stable: { version: c.version, image: c.image, replicas: c.replicas } };
        doc.config[`${sf.project}:stage`] = d.to;
        fs.writeFileSync(sf.file, yaml.dump(doc, { lineWidth: -1 }));
        const subject = `rollout ${sf.stack}: close the release, ${c.version} is the stable`;
        const sha = commitFile(sf.file, [subject, "", d.why].join("\n"), { [DECISION_TRAILER]: "close", [STAGE_TRAILER]: d.to });
        log(`${subject} (commit ${sha.slice(0, 8)})`);
        await notify(webhook, { ...event, decision: "promoted", to: d.to, commit: sha }, log);
        await up(sf.dir, sf.stack, (l) => log(`  up: ${l}`));
        log("release closed");
    } else if (d.kind === "apply") {
        log(d.why);
        await up(sf.dir, sf.stack, (l) => log(`  up: ${l}`));
        log(`${d.to} applied`);
    } else if (d.kind === "pause") {
        const sha = commitKey(sf, "pause", d.why, `rollout ${sf.stack}: pause at ${s.live}`, [d.why], { [DECISION_TRAILER]: "pause", [STAGE_TRAILER]: String(s.live) });
        log(`paused (commit ${sha.slice(0, 8)}): ${d.why}`);
        await notify(webhook, { ...event, commit: sha }, log);
    } else {
        log(`${d.kind}${"outcome" in d ? ` ${d.outcome}` : ""}: ${d.why}`);
        if (d.kind === "done" || (d.kind === "hold" && d.why.includes("waits for an approval"))) await notify(webhook, event, log);
    }
}

function checkRepo(sf: StackFile): void {
    if (!repoOf(sf.dir)) throw new Error(`${sf.dir} is not in a Git repository: the driver records every decision as a commit`);
    if (!clean(sf.file)) throw new Error(`${sf.file} has uncommitted changes: commit or revert them first (a person's change wins, but only a committed one is a record)`);
}

/** One decision. */
export async function next(dir: string, stack: string, opts: { json?: boolean } = {}): Promise<Decision> {
    const sf = readStackFile(dir, stack);
    checkRepo(sf);
    const kubectl = kubectlFor(sf.config.kubeconfig, sf.config.context);
    hold(kubectl, sf.config.namespace);
    const now = new Date();
    const situation = situationOf(sf, await readStatus(sf, { now }), now);
    const d = decide(situation);
    if (opts.json) console.log(JSON.stringify(d));
    await act(sf, d, situation);
    return d;
}

export async function runNext(dir: string, stack: string, opts: { json?: boolean }): Promise<number> {
    try {
        return EXIT_OF[(await next(dir, stack, opts)).kind];
    } finally {
        const sf = readStackFile(dir, stack);
        release(kubectlFor(sf.config.kubeconfig, sf.config.context), sf.config.namespace);
    }
}

/** `next` in a loop until the release is promoted (and closed) or rolled back, or a person stops it. */
export async function runLoop(dir: string, stack: string, opts: { intervalSeconds?: number; json?: boolean }): Promise<number> {
    const sf = readStackFile(dir, stack);
    const kubectl = kubectlFor(sf.config.kubeconfig, sf.config.context);
    const stop = () => {
        release(kubectl, sf.config.namespace);
        process.exit(130);
    };
    process.once("SIGINT", stop).once("SIGTERM", stop);
    let failures = 0;
    try {
        for (;;) {
            let d: Decision;
            try {
                d = await next(dir, stack, opts);
                failures = 0;
            } catch (e) {
                // Another driver, bad input or a dirty stack file end the run; a failed read or up (e.g. the stack
                // still locked by the up of a driver killed a moment ago) is tried again from a fresh look.
                if (e instanceof LockedError || /uncommitted|not in a Git repository|invalid stack config/.test((e as Error).message) || ++failures > MAX_FAILURES) throw e;
                log(`failed (${failures} of ${MAX_FAILURES} in a row), looking again: ${(e as Error).message.split("\n").slice(0, 3).join(" ")}`);
                await new Promise((r) => setTimeout(r, 1000 * (opts.intervalSeconds ?? 5)));
                continue;
            }
            if (d.kind === "done") return d.outcome === "rolled-back" ? 1 : 0;
            if (d.kind === "stop" || d.kind === "pause") return EXIT_OF[d.kind];
            if (d.kind === "close") return 0;
            if (d.kind === "rollback" || d.kind === "advance" || d.kind === "apply") continue;
            const interval = opts.intervalSeconds ?? scheduleOf(readStackFile(dir, stack).config.schedule).intervalSeconds;
            await new Promise((r) => setTimeout(r, 1000 * interval));
        }
    } finally {
        release(kubectl, sf.config.namespace);
    }
}

/** A person's hold, committed: pause (with a reason), resume, abort (roll back now, with a reason), approve <stage>. */
export async function setHold(dir: string, stack: string, verb: "pause" | "resume" | "abort" | "approve", o: { reason?: string; stage?: string }): Promise<number> {
    const sf = readStackFile(dir, stack);
    checkRepo(sf);
    const who = process.env.USER ?? "someone";
    if ((verb === "pause" || verb === "abort") && !o.reason) throw new Error(`${verb} needs --reason <text>: the commit says why`);
    if (verb === "approve") {
        const stages = stageTableOf(sf.config.traffic).stages.map((s) => s.name);
        if (!o.stage || !stages.includes(o.stage)) throw new Error(`approve needs a stage of the table: ${stages.join(" | ")}`);
        const sha = commitKey(sf, "approved", o.stage, `rollout ${sf.stack}: approve ${o.stage}`, [`approved by ${who}`], { [DECISION_TRAILER]: "approve" });
        log(`approved ${o.stage} (commit ${sha.slice(0, 8)})`);
        return 0;
    }
    if (verb === "pause" || verb === "resume") {
        const sha = commitKey(sf, "pause", verb === "pause" ? o.reason! : "", `rollout ${sf.stack}: ${verb}`, [verb === "pause" ? o.reason! : `resumed by ${who}`], { [DECISION_TRAILER]: verb });
        log(`${verb}d (commit ${sha.slice(0, 8)})`);
        await notify(scheduleOf(sf.config.schedule).webhook, { stack: sf.stack, decision: verb, from: sf.config.stage, why: o.reason ?? "", commit: sha, at: new Date().toISOString() }, log);
        return 0;
    }
    // abort: a rollback now, whatever the analysis says, as a commit naming the reason; then applied.
    const base = baseStage(stageTableOf(sf.config.traffic)).name;
    const kubectl = kubectlFor(sf.config.kubeconfig, sf.config.context);
    hold(kubectl, sf.config.namespace);
    try {
        const sha = commitKey(sf, "stage", base, `rollout ${sf.stack}: abort ${sf.config.stage} -> ${base}`, [o.reason!], { [DECISION_TRAILER]: "rollback", [STAGE_TRAILER]: base });
        log(`aborted to ${base} (commit ${sha.slice(0, 8)}): ${o.reason}`);
        await notify(scheduleOf(sf.config.schedule).webhook, { stack: sf.stack, decision: "rollback", from: sf.config.stage, to: base, why: o.reason!, commit: sha, at: new Date().toISOString() }, log);
        await up(sf.dir, sf.stack, (l) => log(`  up: ${l}`));
        return 1;
    } finally {
        release(kubectl, sf.config.namespace);
    }
}
