// The rollout command line: `npm run rollout -- <command> <stack> [flags]` (or `npx rollout ...` in a checkout). Exit
// codes: 0 done / pass, 1 failed / rolled back, 2 bad input or a read failed, 3 inconclusive or waiting, 4 nothing to
// judge, 5 stopped: a person's change wins (the stack file asks for another stage than runs by a person's commit, a
// push refused, a proposal overtaken on its base). docs/driver.md has every command and the JSON shapes.
import { readStatus } from "./status";
import { renderLook, renderStatus } from "./render";
import { readStackFile } from "./stack-file";
import { runNext, runLoop, setHold } from "./commands";
import { branchNameProblem, GitFlags, GitStop, remoteNameProblem } from "./git";

export const EXIT = { ok: 0, failed: 1, usage: 2, waiting: 3, nothing: 4, stopped: 5 } as const;

const USAGE = `usage: npm run rollout -- <command> <stack> [flags]
  status <stack> [--json] [--watch] [--wait <stage|promoted|rolled-back> --timeout <seconds>]
  analyze <stack> [--json]            the analysis of the live stage, with its evidence
  next <stack> [--json]               one decision: advance, hold or roll back, committed to Git, then pulumi up
  run <stack> [--interval <seconds>]  next until promoted or rolled back
  pause <stack> --reason <text> | resume <stack> | abort <stack> --reason <text> | approve <stack> <stage>
Git modes of next, run, pause, resume, abort, approve (default: commit in this checkout only):
  --push <remote> <branch>            push each decision's commit; applied only once pushed
  --propose <remote> [--base <branch>] [--propose-timeout <seconds>]
                                      push each step as branch rollout/<stack>/<n>-<decision>-<stage>; applied once it lands on <base>`;

interface Args {
    command: string;
    stack: string;
    rest: string[];
    flags: Record<string, string | true>;
    git: GitFlags;
}

const GIT_FLAGS = ["push", "propose", "base", "propose-timeout"];

/** A flag's seconds: a number above 0. */
function secondsOf(flag: string, v: string | true | undefined): number | undefined {
    if (v === undefined) return undefined;
    if (typeof v !== "string" || !/^\d+(\.\d+)?$/.test(v) || Number(v) <= 0)
        throw new UsageError(`--${flag} takes seconds (a number above 0), not ${JSON.stringify(v)}`);
    return Number(v);
}

function gitFlagsOf(flags: Args["flags"], push: [string, string] | undefined): GitFlags {
    if (push && flags.propose)
        throw new UsageError("--push and --propose exclude each other: push each decision, or propose it");
    if ((flags.base || flags["propose-timeout"]) && !flags.propose)
        throw new UsageError("--base and --propose-timeout go with --propose <remote>");
    const remote = push?.[0] ?? (flags.propose as string | undefined);
    const remoteProblem = remote !== undefined && remoteNameProblem(remote);
    if (remoteProblem)
        throw new UsageError(`--${push ? "push" : "propose"}: remote ${JSON.stringify(remote)} ${remoteProblem}`);
    const branch = push?.[1] ?? (flags.base as string | undefined);
    const branchProblem = branch !== undefined && branchNameProblem(branch);
    if (branchProblem)
        throw new UsageError(`--${push ? "push" : "base"}: branch ${JSON.stringify(branch)} ${branchProblem}`);
    if (push) return { kind: "push", remote: push[0], branch: push[1] };
    if (remote)
        return {
            kind: "propose",
            remote,
            ...(branch ? { base: branch } : {}),
            timeoutSeconds: secondsOf("propose-timeout", flags["propose-timeout"]) ?? 3600,
        };
    return { kind: "local" };
}

export function parseArgs(argv: string[]): Args {
    const flags: Record<string, string | true> = {};
    const positional: string[] = [];
    let push: [string, string] | undefined;
    for (let i = 0; i < argv.length; i++) {
        const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
        if (!m) positional.push(argv[i]);
        else if (m[1] === "push") {
            // Two values: --push <remote> <branch>.
            const values = m[2] === undefined ? argv.slice(i + 1, i + 3) : [];
            if (values.length < 2 || values.some((v) => v.startsWith("--")))
                throw new UsageError("--push takes two values: --push <remote> <branch>");
            push = [values[0], values[1]];
            flags.push = values.join(" ");
            i += 2;
        } else if (m[2] !== undefined) flags[m[1]] = m[2];
        else if (["json", "watch"].includes(m[1])) flags[m[1]] = true;
        else if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) flags[m[1]] = argv[++i];
        else throw new UsageError(`--${m[1]} needs a value`);
    }
    const [command, stack, ...rest] = positional;
    if (!command || !stack) throw new UsageError("name a command and a stack");
    const known: Record<string, string[]> = {
        status: ["json", "watch", "wait", "timeout"],
        analyze: ["json"],
        next: ["json", ...GIT_FLAGS],
        run: ["json", "interval", ...GIT_FLAGS],
        pause: ["reason", ...GIT_FLAGS],
        resume: GIT_FLAGS,
        abort: ["reason", ...GIT_FLAGS],
        approve: GIT_FLAGS,
    };
    if (!known[command]) throw new UsageError(`unknown command ${command}; allowed: ${Object.keys(known).join(", ")}`);
    const bad = Object.keys(flags).filter((f) => !known[command].includes(f));
    if (bad.length)
        throw new UsageError(
            `${command} takes no --${bad.join(", --")}; it takes ${known[command].map((f) => `--${f}`).join(", ") || "no flags"}`,
        );
    for (const f of ["interval", "timeout"]) secondsOf(f, flags[f]);
    return { command, stack, rest, flags, git: gitFlagsOf(flags, push) };
}

export class UsageError extends Error {}

const projectDir = () => process.env.ROLLOUT_PROJECT_DIR ?? process.cwd();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function status(a: Args): Promise<number> {
    const wait = a.flags.wait as string | undefined;
    const deadline = Date.now() + 1000 * Number(a.flags.timeout ?? 600);
    let last = "";
    for (;;) {
        const s = await readStatus(readStackFile(projectDir(), a.stack), { served: true });
        const text = a.flags.json ? JSON.stringify(s, null, 2) : renderStatus(s);
        if (!a.flags.watch && !wait) {
            console.log(text);
            return EXIT.ok;
        }
        if (text !== last) {
            // On a terminal the status is redrawn in place; elsewhere (CI logs) one line per change.
            if (process.stdout.isTTY && a.flags.watch) process.stdout.write(`\x1b[H\x1b[2J${text}\n`);
            else
                console.log(
                    `${new Date().toISOString()} live ${s.stage.live}, configured ${s.stage.configured}${s.analysis && "overall" in s.analysis ? `, analysis ${s.analysis.overall.outcome}` : ""}`,
                );
            last = text;
        }
        if (wait) {
            const reached =
                wait === "promoted"
                    ? s.stage.live === "promoted"
                    : wait === "rolled-back"
                      ? s.release.candidate !== undefined && s.stage.live === "stable"
                      : s.stage.live === wait;
            if (reached) return EXIT.ok;
            if (Date.now() > deadline) {
                console.error(`timed out waiting for ${wait}: live ${s.stage.live}`);
                return EXIT.waiting;
            }
        }
        await sleep(2000);
    }
}

async function analyze(a: Args): Promise<number> {
    const s = await readStatus(readStackFile(projectDir(), a.stack));
    const look = s.analysis ?? {
        error: `no trusted rollout record in namespace ${s.namespace} (${s.record.trust}${s.record.why ? `: ${s.record.why}` : ""}): pulumi up writes one`,
    };
    console.log(a.flags.json ? JSON.stringify(look, null, 2) : renderLook(look).join("\n"));
    if ("error" in look) return EXIT.usage;
    if ("notAnalysed" in look) return EXIT.nothing;
    return { pass: EXIT.ok, fail: EXIT.failed, inconclusive: EXIT.waiting }[look.overall.outcome];
}

export async function main(argv: string[]): Promise<number> {
    let a: Args;
    try {
        a = parseArgs(argv);
    } catch (e) {
        console.error(`${(e as Error).message}\n${USAGE}`);
        return EXIT.usage;
    }
    try {
        switch (a.command) {
            case "status":
                return await status(a);
            case "analyze":
                return await analyze(a);
            case "next":
                return await runNext(projectDir(), a.stack, { json: !!a.flags.json, git: a.git });
            case "run":
                return await runLoop(projectDir(), a.stack, {
                    intervalSeconds: secondsOf("interval", a.flags.interval),
                    json: !!a.flags.json,
                    git: a.git,
                });
            case "pause":
            case "resume":
            case "abort":
            case "approve":
                return await setHold(projectDir(), a.stack, a.command, {
                    reason: a.flags.reason as string | undefined,
                    stage: a.rest[0],
                    git: a.git,
                });
        }
    } catch (e) {
        if (e instanceof GitStop) {
            console.error(`rollout ${a.command} ${a.stack}: stopped: ${e.message}`);
            return e.waiting ? EXIT.waiting : EXIT.stopped;
        }
        console.error(`rollout ${a.command} ${a.stack}: ${(e as Error).message}`);
        return EXIT.usage;
    }
    return EXIT.usage;
}

if (require.main === module) main(process.argv.slice(2)).then((code) => process.exit(code));
