// The driver's commands: `next` (one decision, committed, then applied), `run` (next until the release is promoted
// or rolled back), and the holds a person commits (pause, resume, abort, approve). Every decision that changes the
// stack file is a commit before it is applied, so a killed driver finds its step in Git and finishes it. In the Git
// modes the commit is pushed (`--push`), or proposed and waited for on the base (`--propose`), before it is applied.
import fs from "node:fs";
import yaml from "js-yaml";
import type { Judgement } from "../analysis/judge";
import { kubectlFor } from "../io/kubectl";
import { recordGateResult } from "../io/gate-record-write";
import { scheduleOf } from "../rollout/schedule";
import { baseStage, stageNameIn, stageNames, stageTableOf } from "../rollout/stages";
import { decide, Decision, Situation } from "./decide";
import {
    checkMode,
    clean,
    Commit,
    commitFile,
    currentBranch,
    DECISION_TRAILER,
    GitError,
    GitFlags,
    GitMode,
    GitStop,
    headOf,
    historyOf,
    proposalNumber,
    proposeCommit,
    pushDecision,
    repoOf,
    STAGE_TRAILER,
    syncWith,
    versionsOf,
    waitLanded,
} from "./git";
import { hold, LockedError, release } from "./lock";
import { readStatus, Status } from "./status";
import { readStackFile, StackFile, withKey } from "./stack-file";
import { up } from "./up";
import { DecisionEvent, notify } from "./webhook";

const EXIT_OF: Record<Decision["kind"], number> = {
    advance: 0,
    apply: 0,
    close: 0,
    rollback: 1,
    pause: 3,
    hold: 3,
    stop: 5,
    done: 0,
};
const MAX_FAILURES = 5;
const log = (line: string) => console.log(`${new Date().toISOString()} ${line}`);

/** The stage key's value and the candidate at one version of the stack file. */
function stageAndCandidate(text: string, project: string): { stage: string; candidate?: string } {
    const config = ((yaml.load(text) ?? {}) as { config?: Record<string, unknown> }).config ?? {};
    const release = config[`${project}:release`] as { candidate?: { version?: string; image?: string } } | undefined;
    const c = release?.candidate;
    return {
        stage: String(config[`${project}:stage`] ?? "stable"),
        candidate: c ? `${c.version} ${c.image}` : undefined,
    };
}

/** Was the live base stage reached by a rollback of this very candidate (so the driver must not start it again)? */
function rolledBack(sf: StackFile, base: string): boolean {
    const versions = versionsOf(sf.file).map((v) => stageAndCandidate(v.text, sf.project));
    const [now, ...before] = versions;
    if (!now || now.stage !== base) return false;
    const changed = before.find((v) => v.stage !== now.stage);
    return changed !== undefined && changed.candidate === now.candidate && now.candidate !== undefined;
}

function situationOf(sf: StackFile, s: Status, now: Date, lastCommit: Commit | undefined): Situation {
    const table = stageTableOf(sf.config.traffic);
    const a = s.analysis;
    const analysis: Situation["analysis"] = !a
        ? { error: "no trusted rollout record" }
        : "error" in a
          ? a
          : "notAnalysed" in a
            ? "none"
            : a.overall;
    return {
        table,
        live: s.stage.live,
        configured: sf.config.stage,
        hasCandidate: sf.config.release.candidate !== undefined,
        recordedAt: s.stage.recorded?.stage === s.stage.live ? s.stage.recorded.at : undefined,
        recordedStage: s.stage.recorded?.stage,
        now,
        analysis,
        schedule: scheduleOf(sf.config.schedule),
        pause: sf.config.pause ?? "",
        approved: sf.config.approved ?? "",
        lastCommit,
        rolledBack: rolledBack(sf, baseStage(table).name),
    };
}

/** Numbers for a commit message: each metric of the analysis that the decision's reason does not already give. */
function evidenceLines(a: Situation["analysis"], why: string): string[] {
    if (typeof a !== "object" || "error" in a) return [];
    return (a as Judgement).metrics
        .filter((m) => !why.includes(m.reason))
        .map((m) => `${m.metric}: ${m.outcome}: ${m.reason}`);
}

/**
 * One change of the stack file, as a commit: its text, message and trailers, its webhook event, and whether `up`
 * follows.
 */
interface Change {
    text: string;
    subject: string;
    body: string[];
    trailers: Record<string, string>;
    /** `<decision>-<stage>`: the last part of the proposal branch `rollout/<stack>/<n>-<decision>-<stage>`. */
    name: string;
    event?: Omit<DecisionEvent, "commit" | "at">;
    /** The stage it sets, applied by `up` once recorded; none: pause, resume, approve only record. */
    applies?: string;
}

const keyChange = (sf: StackFile, key: "stage" | "pause" | "approved", value: string) =>
    withKey(fs.readFileSync(sf.file, "utf8"), sf.project, key, value);

/** The commit a decision makes, if any: advance, rollback, close (the release closes: event `promoted`) and pause. */
function changeOf(sf: StackFile, d: Decision, s: Pick<Situation, "live" | "analysis">): Change | undefined {
    const from = String(s.live);
    if (d.kind === "advance" || d.kind === "rollback") {
        return {
            text: keyChange(sf, "stage", d.to),
            subject: `rollout ${sf.stack}: ${d.kind === "advance" ? "advance" : "roll back"} ${from} -> ${d.to}`,
            body: [d.why, ...evidenceLines(s.analysis, d.why)],
            trailers: { [DECISION_TRAILER]: d.kind, [STAGE_TRAILER]: d.to },
            name: `${d.kind}-${d.to}`,
            event: { stack: sf.stack, decision: d.kind, from, to: d.to, why: d.why },
            applies: d.to,
        };
    }
    if (d.kind === "close") {
        const c = sf.config.release.candidate!;
        const doc = yaml.load(fs.readFileSync(sf.file, "utf8")) as { config: Record<string, unknown> };
        doc.config[`${sf.project}:release`] = { stable: { version: c.version, image: c.image, replicas: c.replicas } };
        doc.config[`${sf.project}:stage`] = d.to;
        // An approval belongs to this release: the next one's gated stages wait for an approval of their own.
        delete doc.config[`${sf.project}:approved`];
        return {
            text: yaml.dump(doc, { lineWidth: -1 }),
            subject: `rollout ${sf.stack}: close the release, ${c.version} is the stable`,
            body: [d.why],
            trailers: { [DECISION_TRAILER]: "close", [STAGE_TRAILER]: d.to },
            name: `close-${d.to}`,
            event: { stack: sf.stack, decision: "promoted", from, to: d.to, why: d.why },
            applies: d.to,
        };
    }
    if (d.kind === "pause") {
        return {
            text: keyChange(sf, "pause", d.why),
            subject: `rollout ${sf.stack}: pause at ${from}`,
            body: [d.why],
            trailers: { [DECISION_TRAILER]: "pause", [STAGE_TRAILER]: from },
            name: `pause-${from}`,
            event: { stack: sf.stack, decision: "pause", from, why: d.why },
        };
    }
    return undefined;
}

/** How a decision is recorded and applied: the Git mode, the webhook, the `up` (a callback, so tests observe it). */
export interface StepOptions {
    git: GitMode;
    /** schedule.webhook; empty: none. */
    webhook: string;
    /** `pulumi up` of the stack; called only once the step is recorded as the Git mode asks. */
    apply: () => Promise<void>;
    log?: (line: string) => void;
    /** Run at each look while a proposal waits (the driver renews its lease). */
    tick?: () => void;
}

/**
 * A change, in this order: committed (local and push: on HEAD; propose: on its own branch), published (push: to
 * `<remote> <branch>`; propose: pushed, then waited for until it lands on the base, which is then fast-forwarded),
 * announced (webhook), applied. A step that could not be published throws GitStop, and nothing is applied.
 */
async function record(sf: StackFile, c: Change, o: StepOptions): Promise<string> {
    const say = o.log ?? log;
    const message = [c.subject, "", ...c.body].join("\n").trim();
    let sha: string;
    if (o.git.kind === "propose") {
        const name = `rollout/${sf.stack}/${proposalNumber(sf.file)}-${c.name}`;
        const proposed = proposeCommit(sf.file, c.text, message, c.trailers, o.git.remote, name);
        sha = await waitLanded(sf.file, { sha: proposed, name, text: c.text }, o.git, { log: say, tick: o.tick });
    } else {
        fs.writeFileSync(sf.file, c.text);
        sha = commitFile(sf.file, message, c.trailers);
        if (o.git.kind === "push") pushDecision(sf.file, sha, o.git.remote, o.git.branch);
    }
    say(
        `${c.subject} (commit ${sha.slice(0, 8)}${o.git.kind === "push" ? `, pushed to ${o.git.remote} ${o.git.branch}` : o.git.kind === "propose" ? `, on ${o.git.remote}/${o.git.base}` : ""})`,
    );
    if (c.event) await notify(o.webhook, { ...c.event, commit: sha, at: new Date().toISOString() }, say);
    if (c.applies) {
        await o.apply();
        say(`${c.applies} applied`);
    }
    return sha;
}

/**
 * What the driver does with a decision (after the quarantine of a rolled-back image): advance, rollback, close and
 * pause are a commit of the stack file, recorded as `o.git` says, announced, and (but pause) applied; `apply`
 * finishes a committed step; an approval wait and the end are announced; the rest is logged. `s.lastCommit` is the
 * stack file's last commit when the driver looked: another one now is a person's change, which wins (GitStop).
 * Returns the decision's commit, if it made one.
 */
export async function carryOut(
    sf: StackFile,
    d: Decision,
    s: Pick<Situation, "live" | "analysis" | "lastCommit">,
    o: StepOptions,
): Promise<string | undefined> {
    const say = o.log ?? log;
    const change = changeOf(sf, d, s);
    if (change) {
        const head = headOf(sf.file);
        if (head !== s.lastCommit?.sha) {
            const c = historyOf(sf.file, 1)[0];
            throw new GitStop(
                `the stack file changed since the driver looked: commit ${c.sha.slice(0, 8)} (${c.author}: ${c.subject}); a person's change wins, nothing is committed or applied`,
            );
        }
        return record(sf, change, o);
    }
    if (d.kind === "apply") {
        say(d.why);
        await o.apply();
        say(`${d.to} applied`);
        return undefined;
    }
    say(`${d.kind}${"outcome" in d ? ` ${d.outcome}` : ""}: ${d.why}`);
    if (d.kind === "done" || (d.kind === "hold" && d.why.includes("waits for an approval"))) {
        await notify(
            o.webhook,
            { stack: sf.stack, decision: d.kind, from: String(s.live), why: d.why, at: new Date().toISOString() },
            say,
        );
    }
    return undefined;
}

async function act(
    sf: StackFile,
    d: Decision,
    s: Situation,
    git: GitMode,
    kubectl: ReturnType<typeof kubectlFor>,
): Promise<void> {
    if (d.kind === "rollback") {
        // Quarantine: the failed image serves no more until its gate passes again (the guard reads the record).
        const c = sf.config.release.candidate!;
        recordGateResult(kubectl, sf.config.namespace, {
            image: c.image,
            version: c.version,
            failedAt: new Date().toISOString(),
            failure: `analysis failed at ${s.live}: ${d.why}`,
        });
    }
    await carryOut(sf, d, s, {
        git,
        webhook: s.schedule.webhook,
        apply: () => up(sf.dir, sf.stack, (l) => log(`  up: ${l}`)),
        tick: () => hold(kubectl, sf.config.namespace),
    });
}

/** The Git mode of the flags, checked before anything changes: the remote exists; propose's base is checked out. */
export function modeOf(sf: StackFile, flags: GitFlags = { kind: "local" }, intervalSeconds?: number): GitMode {
    const mode: GitMode =
        flags.kind !== "propose"
            ? flags
            : {
                  ...flags,
                  base: flags.base ?? currentBranch(sf.dir) ?? "",
                  intervalSeconds: intervalSeconds ?? scheduleOf(sf.config.schedule).intervalSeconds,
              };
    if (mode.kind === "propose" && !mode.base)
        throw new GitError("--propose needs a branch checked out (HEAD is detached) or --base <branch>");
    checkMode(sf.dir, mode);
    return mode;
}

function checkRepo(sf: StackFile): void {
    if (!repoOf(sf.dir))
        throw new Error(`${sf.dir} is not in a Git repository: the driver records every decision as a commit`);
    if (!clean(sf.file))
        throw new Error(
            `${sf.file} has uncommitted changes: commit or revert them first (a person's change wins, but only a committed one is a record)`,
        );
}

interface NextOptions {
    json?: boolean;
    git?: GitFlags;
    /** Seconds between looks (run) and between a proposal's fetches; default schedule.intervalSeconds. */
    intervalSeconds?: number;
}

/** One decision: in a Git mode, on HEAD brought level with the remote branch first (a person's pushed commit wins). */
export async function next(dir: string, stack: string, opts: NextOptions = {}): Promise<Decision> {
    let sf = readStackFile(dir, stack);
    checkRepo(sf);
    const mode = modeOf(sf, opts.git, opts.intervalSeconds);
    const kubectl = kubectlFor(sf.config.kubeconfig, sf.config.context);
    hold(kubectl, sf.config.namespace);
    if (mode.kind !== "local") {
        syncWith(sf.file, mode, log);
        sf = readStackFile(dir, stack);
    }
    const seen = historyOf(sf.file, 1)[0];
    const now = new Date();
    const situation = situationOf(sf, await readStatus(sf, { now }), now, seen);
    const d = decide(situation);
    if (opts.json) console.log(JSON.stringify(d));
    await act(sf, d, situation, mode, kubectl);
    return d;
}

export async function runNext(dir: string, stack: string, opts: NextOptions): Promise<number> {
    try {
        return EXIT_OF[(await next(dir, stack, opts)).kind];
    } finally {
        const sf = readStackFile(dir, stack);
        release(kubectlFor(sf.config.kubeconfig, sf.config.context), sf.config.namespace);
    }
}

/** `next` in a loop until the release is promoted (and closed) or rolled back, or a person stops it. */
export async function runLoop(dir: string, stack: string, opts: NextOptions): Promise<number> {
    const sf = readStackFile(dir, stack);
    modeOf(sf, opts.git, opts.intervalSeconds); // a bad remote or base ends the run before its first look
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
                // still locked by the up of a driver killed a moment ago) is tried again from a fresh look. Git's
                // refusal (a push refused, a proposal overtaken or not merged in time) ends it too.
                if (
                    e instanceof LockedError ||
                    e instanceof GitStop ||
                    /uncommitted|not in a Git repository|invalid stack config/.test((e as Error).message) ||
                    ++failures > MAX_FAILURES
                )
                    throw e;
                log(
                    `failed (${failures} of ${MAX_FAILURES} in a row), looking again: ${(e as Error).message.split("\n").slice(0, 3).join(" ")}`,
                );
                await new Promise((r) => setTimeout(r, 1000 * (opts.intervalSeconds ?? 5)));
                continue;
            }
            if (d.kind === "done") return d.outcome === "rolled-back" ? 1 : 0;
            if (d.kind === "stop" || d.kind === "pause") return EXIT_OF[d.kind];
            if (d.kind === "close") return 0;
            if (d.kind === "rollback" || d.kind === "advance" || d.kind === "apply") continue;
            const interval =
                opts.intervalSeconds ?? scheduleOf(readStackFile(dir, stack).config.schedule).intervalSeconds;
            await new Promise((r) => setTimeout(r, 1000 * interval));
        }
    } finally {
        release(kubectl, sf.config.namespace);
    }
}

/**
 * A person's hold, committed (and in a Git mode pushed or proposed, on HEAD brought level with the remote first):
 * pause (with a reason), resume, abort (roll back now, with a reason), approve <stage>.
 */
export async function setHold(
    dir: string,
    stack: string,
    verb: "pause" | "resume" | "abort" | "approve",
    o: { reason?: string; stage?: string; git?: GitFlags; intervalSeconds?: number },
): Promise<number> {
    let sf = readStackFile(dir, stack);
    checkRepo(sf);
    const who = process.env.USER ?? "someone";
    if ((verb === "pause" || verb === "abort") && !o.reason)
        throw new Error(`${verb} needs --reason <text>: the commit says why`);
    const table = stageTableOf(sf.config.traffic);
    if (verb === "approve" && (!o.stage || !stageNameIn(table, o.stage)))
        throw new Error(`approve needs a stage of the table: ${stageNames(table).join(" | ")}`);
    const git = modeOf(sf, o.git, o.intervalSeconds);
    const kubectl = kubectlFor(sf.config.kubeconfig, sf.config.context);
    const namespace = sf.config.namespace;
    // abort applies its step: it holds the lease like a driver.
    if (verb === "abort") hold(kubectl, namespace);
    try {
        if (git.kind !== "local") {
            syncWith(sf.file, git, log);
            sf = readStackFile(dir, stack);
        }
        const step: StepOptions = {
            git,
            webhook: scheduleOf(sf.config.schedule).webhook,
            apply: () => up(sf.dir, sf.stack, (l) => log(`  up: ${l}`)),
            ...(verb === "abort" ? { tick: () => hold(kubectl, namespace) } : {}),
        };
        const from = sf.config.stage;
        if (verb === "approve") {
            await record(
                sf,
                {
                    text: keyChange(sf, "approved", o.stage!),
                    subject: `rollout ${sf.stack}: approve ${o.stage}`,
                    body: [`approved by ${who}`],
                    trailers: { [DECISION_TRAILER]: "approve" },
                    name: `approve-${o.stage}`,
                },
                step,
            );
            return 0;
        }
        if (verb === "pause" || verb === "resume") {
            await record(
                sf,
                {
                    text: keyChange(sf, "pause", verb === "pause" ? o.reason! : ""),
                    subject: `rollout ${sf.stack}: ${verb}`,
                    body: [verb === "pause" ? o.reason! : `resumed by ${who}`],
                    trailers: { [DECISION_TRAILER]: verb },
                    name: `${verb}-${from}`,
                    event: { stack: sf.stack, decision: verb, from, why: o.reason ?? "" },
                },
                step,
            );
            return 0;
        }
        // abort: a rollback now, whatever the analysis says, as a commit naming the reason; then applied.
        const base = baseStage(stageTableOf(sf.config.traffic)).name;
        await record(
            sf,
            {
                text: keyChange(sf, "stage", base),
                subject: `rollout ${sf.stack}: abort ${from} -> ${base}`,
                body: [o.reason!],
                trailers: { [DECISION_TRAILER]: "rollback", [STAGE_TRAILER]: base },
                name: `rollback-${base}`,
                event: { stack: sf.stack, decision: "rollback", from, to: base, why: o.reason! },
                applies: base,
            },
            step,
        );
        return 1;
    } finally {
        if (verb === "abort") release(kubectl, namespace);
    }
}
