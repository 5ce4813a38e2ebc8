// An `up` killed with SIGKILL mid-change, and the documented recovery (README, "When an up was killed"):
// `pulumi cancel` removes the dead process's lock, `pulumi refresh --clear-pending-creates` reconciles the
// state with the cluster, and the next `pulumi up` converges.
import { execFile, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { backendDir, policyDir, projectName, pulumiEnv, repoRoot, toolchainBin } from "../../../lib/env";

const pulumi = path.join(toolchainBin, "pulumi");
const env = () => ({ ...process.env, ...pulumiEnv() });
const stackRef = (stack: string) => `organization/${projectName}/${stack}`;
/** How often the checkpoint is read while a Deployment step runs. */
const POLL_MS = 10;

/** The pending operations of the stack's checkpoint on the file backend: what a kill now would leave behind. */
function pendingInCheckpoint(stack: string): { resource?: { urn?: string }; type?: string }[] {
    try {
        const file = path.join(backendDir, ".pulumi", "stacks", projectName, `${stack}.json`);
        return JSON.parse(fs.readFileSync(file, "utf8")).checkpoint?.latest?.pending_operations ?? [];
    } catch {
        return []; // mid-write (written to a temp file, then renamed): read again
    }
}

/**
 * Starts `pulumi up` and SIGKILLs its whole process group while a Deployment step is under way: once the engine
 * reports the step (not the CLI's heartbeat lines, which say "running" for the stack from the start) and the
 * checkpoint holds the step's pending operation, so the kill leaves one to recover from. A fixed delay after the
 * report was tried first: on a quiet machine a Deployment's rollout here can end within it.
 */
export function killUpMidChange(stack: string): Promise<string> {
    return new Promise((resolve, reject) => {
        const child = spawn(
            pulumi,
            [
                "up",
                "--yes",
                "--skip-preview",
                "--non-interactive",
                "--color",
                "never",
                "--stack",
                stackRef(stack),
                "--policy-pack",
                policyDir,
            ],
            { cwd: repoRoot, env: env(), detached: true },
        );
        let out = "";
        let killed = false;
        let polling: NodeJS.Timeout | undefined;
        const onData = (d: Buffer) => {
            out += d.toString();
            if (!polling && /kubernetes:apps\/v1:Deployment \S+ (updating|creating|deleting)/.test(out)) {
                polling = setInterval(() => {
                    if (killed || !pendingInCheckpoint(stack).some((op) => /Deployment/.test(op.resource?.urn ?? "")))
                        return;
                    killed = true;
                    process.kill(-child.pid!, "SIGKILL");
                }, POLL_MS);
            }
        };
        child.stdout.on("data", onData);
        child.stderr.on("data", onData);
        child.on("close", (_code, signal) => {
            clearInterval(polling);
            if (killed && signal === "SIGKILL") resolve(out);
            else reject(new Error(`pulumi up ended before it could be killed mid-change (signal ${signal}):\n${out}`));
        });
    });
}

/**
 * The README's procedure. Its file-backend step first: a kill during a checkpoint write leaves the checkpoint whole
 * (written to a temp file, then renamed) but may leave its `.attrs` sidecar empty, which every command then refuses
 * with "failed to load checkpoint: EOF"; an empty sidecar holds nothing, so it is removed.
 */
export async function recoverAfterKill(stack: string): Promise<{ pendingOperations: number }> {
    const run = (args: string[]) =>
        promisify(execFile)(pulumi, [...args, "--stack", stackRef(stack)], { cwd: repoRoot, env: env() });
    const stacks = path.join(backendDir, ".pulumi", "stacks", projectName);
    for (const f of fs.readdirSync(stacks).filter((f) => f.startsWith(`${stack}.json`) && f.endsWith(".attrs"))) {
        if (fs.statSync(path.join(stacks, f)).size === 0) fs.rmSync(path.join(stacks, f));
    }
    // What the kill left to recover from (read before the procedure clears it).
    const { stdout } = await promisify(execFile)(pulumi, ["stack", "export", "--stack", stackRef(stack)], {
        cwd: repoRoot,
        env: env(),
        maxBuffer: 64 << 20,
    });
    const pendingOperations = (JSON.parse(stdout).deployment?.pending_operations ?? []).length;
    await run(["cancel", "--yes"]);
    await run(["refresh", "--yes", "--skip-preview", "--clear-pending-creates", "--non-interactive"]);
    return { pendingOperations };
}
