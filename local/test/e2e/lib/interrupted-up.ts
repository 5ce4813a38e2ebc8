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

/** Starts `pulumi up` and SIGKILLs its whole process group as soon as the engine has started a resource step. */
export function killUpMidChange(stack: string): Promise<string> {
    return new Promise((resolve, reject) => {
        const child = spawn(pulumi, ["up", "--yes", "--skip-preview", "--non-interactive", "--color", "never",
            "--stack", stackRef(stack), "--policy-pack", policyDir], { cwd: repoRoot, env: env(), detached: true });
        let out = "";
        let killed = false;
        const onData = (d: Buffer) => {
            out += d.toString();
            if (!killed && /\b(updating|creating|deleting)\b/.test(out)) {
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

export async function recoverAfterKill(stack: string): Promise<void> {
    const run = (args: string[]) => promisify(execFile)(pulumi, [...args, "--stack", stackRef(stack)], { cwd: repoRoot, env: env() });
    await run(["cancel", "--yes"]);
    await run(["refresh", "--yes", "--skip-preview", "--clear-pending-creates", "--non-interactive"]);
}
