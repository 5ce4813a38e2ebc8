// Running commands, background processes with pid files, and wait loops for the cluster scripts.
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { logsDir, pidFile } from "./paths";

export interface RunOptions {
    /** Given to the command's stdin; without it the command gets no stdin at all. */
    input?: string;
    /** Added to this process's environment. */
    env?: Record<string, string>;
    timeoutMs?: number;
}

/** Runs a command and returns its stdout; a failure names the command and carries its stderr. */
export function run(cmd: string, args: string[], { input, env, timeoutMs = 120_000 }: RunOptions = {}): string {
    try {
        return execFileSync(cmd, args, {
            input,
            env: env ? { ...process.env, ...env } : process.env,
            encoding: "utf8",
            maxBuffer: 1 << 26,
            // No stdin unless given: `kwokctl start` hands its stdin to the components it starts, and an open
            // pipe there keeps execFileSync waiting until the timeout.
            stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
            timeout: timeoutMs,
        });
    } catch (err: any) {
        const stderr = (err.stderr ?? "").toString().trim();
        throw new Error(`\`${[cmd, ...args].join(" ")}\` failed: ${stderr || err.message}`, { cause: err });
    }
}

/** Like run, but returns null instead of throwing: for probes whose failure is an answer. */
export function tryRun(cmd: string, args: string[], opts?: RunOptions): string | null {
    try {
        return run(cmd, args, opts);
    } catch {
        return null;
    }
}

const cmdline = (pid: number): string[] | null => {
    try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
    } catch {
        return null;
    }
};

/** Pid of a daemon started by startDaemon if it still runs (the pid file's process has the recorded marker). */
export function daemonPid(name: string): number | null {
    let recorded: { pid: number; marker: string };
    try {
        recorded = JSON.parse(fs.readFileSync(pidFile(name), "utf8"));
    } catch {
        return null;
    }
    const args = cmdline(recorded.pid);
    return args && args.includes(recorded.marker) ? recorded.pid : null;
}

/**
 * Starts a detached background process logging to logs/<name>.log and records its pid. `marker` must be one of
 * its arguments: it tells our process apart from an unrelated one that reused the pid.
 */
export function startDaemon(
    name: string,
    cmd: string,
    args: string[],
    { marker, env, cwd }: { marker: string; env?: Record<string, string>; cwd?: string },
): number {
    fs.mkdirSync(logsDir(), { recursive: true });
    const log = fs.openSync(path.join(logsDir(), `${name}.log`), "a");
    const child = spawn(cmd, args, {
        detached: true,
        stdio: ["ignore", log, log],
        env: { ...process.env, ...env },
        cwd,
    });
    fs.closeSync(log);
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start ${name} (${cmd})`);
    fs.writeFileSync(pidFile(name), JSON.stringify({ pid: child.pid, marker }));
    return child.pid;
}

const alive = (pid: number) => {
    try {
        return !fs.readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z ");
    } catch {
        return false;
    }
};

/** Stops one process by pid: SIGTERM, then SIGKILL after graceMs. */
export async function stopPid(pid: number, graceMs = 5000): Promise<void> {
    try {
        process.kill(pid, "SIGTERM");
    } catch {
        return;
    }
    const deadline = Date.now() + graceMs;
    while (alive(pid) && Date.now() < deadline) await sleep(100);
    if (alive(pid)) {
        try {
            process.kill(pid, "SIGKILL");
        } catch {
            /* already gone */
        }
    }
}

export async function stopDaemon(name: string): Promise<number | null> {
    const pid = daemonPid(name);
    if (pid) await stopPid(pid);
    fs.rmSync(pidFile(name), { force: true });
    return pid;
}

/** Pids of live processes whose command line mentions `text` (e.g. the cluster's state directory). */
export function processesMentioning(text: string): number[] {
    return fs
        .readdirSync("/proc")
        .filter((d) => /^\d+$/.test(d) && Number(d) !== process.pid)
        .map(Number)
        .filter((pid) => alive(pid) && (cmdline(pid) ?? []).some((a) => a.includes(text)));
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns a truthy value; on timeout the error names what was awaited and the last failure. */
export async function waitFor<T>(
    what: string,
    check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
    { timeoutMs = 60_000, intervalMs = 250 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: Error | undefined;
    for (;;) {
        try {
            const result = await check();
            if (result) return result;
        } catch (err) {
            last = err as Error;
        }
        if (Date.now() > deadline) {
            throw new Error(
                `timed out after ${timeoutMs / 1000}s waiting for ${what}${last ? `: ${last.message}` : ""}`,
            );
        }
        await sleep(intervalMs);
    }
}
