// Runs one io/ script (gate, settle, app check) as its Command would, against the stand-in kubectl
// (fixtures/fake-kubectl.js) first on PATH: returns the run, the kubectl calls it made, and what it applied.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export function runWithFakeKubectl(script: string, env: Record<string, string>) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${path.basename(script, ".ts")}-`));
    fs.copyFileSync(path.join(__dirname, "fixtures/fake-kubectl.js"), path.join(dir, "kubectl"));
    fs.chmodSync(path.join(dir, "kubectl"), 0o755);
    const log = path.join(dir, "log");
    const applied = path.join(dir, "applied");
    fs.writeFileSync(log, "");
    const result = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", script], {
        cwd: path.join(__dirname, "../.."),
        encoding: "utf8",
        env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, FAKE_LOG: log, FAKE_APPLIED: applied, ...env },
    });
    const calls = fs
        .readFileSync(log, "utf8")
        .trim()
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as string[]);
    const record = fs.existsSync(applied) ? JSON.parse(fs.readFileSync(applied, "utf8")) : undefined;
    fs.rmSync(dir, { recursive: true, force: true });
    return { ...result, calls, record };
}

/**
 * How the gate and the app check send their requests, written out: one exec in the fixture's sleep pod (sleep-1,
 * namespace bookinfo), curl with each answer's status and end marker after it, up to the URLs (no headers).
 */
export const CURL_FROM_SLEEP = [
    "exec",
    "sleep-1",
    "-n",
    "bookinfo",
    "-c",
    "sleep",
    "--",
    "curl",
    "-sS",
    "-m",
    "5",
    "-w",
    "\\n%{http_code}\\n--answer-end--\\n",
];
