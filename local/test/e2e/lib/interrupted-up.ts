// An `up` killed with SIGKILL mid-change, and the documented recovery (README, "When an up was killed"):
// `pulumi cancel` removes the dead process's lock, `pulumi refresh --clear-pending-creates` reconciles the
// state with the cluster, and the next `pulumi up` converges.
import { execFile, spawn } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { policyDir, projectName, pulumiEnv, repoRoot, toolchainBin } from "../../../lib/env";

const pulumi = path.join(toolchainBin, "pulumi");
const env = () => ({ ...process.env, ...pulumiEnv() });
const stackRef = (stack: string) => `organization/${projectName}/${stack}`;

/**
 * Starts `pulumi up` and SIGKILLs its whole process group as soon as the engine reports a Deployment step under
 * way (not the CLI's heartbeat lines, which say "running" for the stack from the start).
 */
export function killUpMidChange(stack: string): Promise<string> {
    return new Promise((resolve, reject) => {
        const child = spawn(pulumi, ["up", "--yes", "--skip-preview", "--non-interactive", "--color", "never",
            "--stack", stackRef(stack), "--policy-pack", policyDir], { cwd: repoRoot, env: env(), detached: true });
        let out = "";
        let killed = false;
        const onData = (d: Buffer) => {
            out += d.toString();
            if (!killed && /kubernetes:apps\/v1:Deployment \S+ (updating|creating|deleting)/.test(out)) {
                killed = true;
                process.kill(-child.pid!, "SIGKILL");
            }
        };
        child.stdout.on("data", onData);
        child.stderr.on("data", onData);
        child.on("close", (_code, signal) => killed && signal === "SIGKILL"
            ? resolve(out)
            : reject(new Error(`pulumi up ended before it could be killed mid-change (signal ${signal}):\n${out}`)));
    });
}

/** Pending operations the killed run left in the stack's checkpoint. */
export async function pendingOperations(stack: string): Promise<number> {
    const { stdout } = await promisify(execFile)(pulumi, ["stack", "export", "--stack", stackRef(stack)], { cwd: repoRoot, env: env(), maxBuffer: 64 << 20 });
    return (JSON.parse(stdout).deployment?.pending_operations ?? []).length;
}

export async function recoverAfterKill(stack: string): Promise<void> {
    const run = (args: string[]) => promisify(execFile)(pulumi, [...args, "--stack", stackRef(stack)], { cwd: repoRoot, env: env() });
    await run(["cancel", "--yes"]);
    await run(["refresh", "--yes", "--skip-preview", "--clear-pending-creates", "--non-interactive"]);
}
