// The rollout command line: `npm run rollout -- <command> <stack> [flags]` (or `npx rollout ...` in a checkout).
// Exit codes: 0 done / pass, 1 failed / rolled back, 2 bad input or a read failed, 3 inconclusive or waiting,
// 4 nothing to judge. docs/driver.md has every command and the JSON shapes.
import { readStatus } from "./status";
import { renderLook, renderStatus } from "./render";
import { readStackFile } from "./stack-file";
import { runNext, runLoop, setHold } from "./commands";

export const EXIT = { ok: 0, failed: 1, usage: 2, waiting: 3, nothing: 4 } as const;

const USAGE = `usage: npm run rollout -- <command> <stack> [flags]
  status <stack> [--json] [--watch] [--wait <stage|promoted|rolled-back> --timeout <seconds>]
  analyze <stack> [--json]            the analysis of the live stage, with its evidence
  next <stack> [--json]               one decision: advance, hold or roll back, committed to Git, then pulumi up
  run <stack> [--interval <seconds>]  next until promoted or rolled back
  pause <stack> --reason <text> | resume <stack> | abort <stack> --reason <text> | approve <stack> <stage>`;

interface Args {
    command: string;
    stack: string;
    rest: string[];
    flags: Record<string, string | true>;
}

export function parseArgs(argv: string[]): Args {
    const flags: Record<string, string | true> = {};
    const positional: string[] = [];
    for (let i = 0; i < argv.length; i++) {
        const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
        if (!m) positional.push(argv[i]);
        else if (m[2] !== undefined) flags[m[1]] = m[2];
        else if (["json", "watch"].includes(m[1])) flags[m[1]] = true;
        else if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) flags[m[1]] = argv[++i];
        else throw new UsageError(`--${m[1]} needs a value`);
    }
    const [command, stack, ...rest] = positional;
    if (!command || !stack) throw new UsageError("name a command and a stack");
    const known: Record<string, string[]> = {
        status: ["json", "watch", "wait", "timeout"], analyze: ["json"], next: ["json"], run: ["json", "interval", "timeout"],
        pause: ["reason"], resume: [], abort: ["reason"], approve: [],
    };
    if (!known[command]) throw new UsageError(`unknown command ${command}; allowed: ${Object.keys(known).join(", ")}`);
    const bad = Object.keys(flags).filter((f) => !known[command].includes(f));
    if (bad.length) throw new UsageError(`${command} takes no --${bad.join(", --")}; it takes ${known[command].map((f) => `--${f}`).join(", ") || "no flags"}`);
    return { command, stack, rest, flags };
}

export class UsageError extends Error {}

const projectDir = () => process.env.ROLLOUT_PROJECT_DIR ?? process.cwd();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function status(a: Args): Promise<number> {
    const wait = a.flags.wait as string | undefined;
    const deadline = Date.now() + 1000 * Number(a.flags.timeout ?? 600);
    let last = "";
    for (;;) {
        const s = await readStatus(readStackFile(projectDir(), a.stack));
        const text = a.flags.json ? JSON.stringify(s, null, 2) : renderStatus(s);
        if (!a.flags.watch && !wait) {
            console.log(text);
            return EXIT.ok;
        }
        if (text !== last) {
            // On a terminal the status is redrawn in place; elsewhere (CI logs) one line per change.
            if (process.stdout.isTTY && a.flags.watch) process.stdout.write(`\x1b[H\x1b[2J${text}\n`);
            else console.log(`${new Date().toISOString()} live ${s.stage.live}, configured ${s.stage.configured}${s.analysis && "overall" in s.analysis ? `, analysis ${s.analysis.overall.outcome}` : ""}`);
            last = text;
        }
        if (wait) {
            const reached = wait === "promoted" ? s.stage.live === "promoted" : wait === "rolled-back" ? s.release.candidate !== undefined && s.stage.live === "stable" : s.stage.live === wait;
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
    const look = s.analysis ?? { error: `no trusted rollout record in namespace ${s.namespace} (${s.record.trust}${s.record.why ? `: ${s.record.why}` : ""}): pulumi up writes one` };
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
            case "status": return await status(a);
            case "analyze": return await analyze(a);
            case "next": return await runNext(projectDir(), a.stack, { json: !!a.flags.json });
            case "run": return await runLoop(projectDir(), a.stack, { intervalSeconds: Number(a.flags.interval ?? 10), json: !!a.flags.json });
            case "pause": case "resume": case "abort": case "approve":
                return await setHold(projectDir(), a.stack, a.command, { reason: a.flags.reason as string | undefined, stage: a.rest[0] });
        }
    } catch (e) {
        console.error(`rollout ${a.command} ${a.stack}: ${(e as Error).message}`);
        return EXIT.usage;
    }
    return EXIT.usage;
}

if (require.main === module) main(process.argv.slice(2)).then((code) => process.exit(code));
