// The pull-request review, run locally or in CI: compiles the program, runs `pulumi preview` with the policy pack
// for one stack and prints whether the policy pack let the change through.
//   npm run review -- [stack] [--config FILE] [--summary FILE]
// Without PULUMI_BACKEND_URL in the environment it uses the local setup (toolchain, file backend, kwok cluster).
// --config defaults to policy/config.json when that file exists; --summary writes a Markdown report (CI posts it).
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { policyDir, pulumiEnv, repoRoot } from "../local/lib/env";

interface Options {
    stack?: string;
    config?: string;
    summary?: string;
}

function parseArgs(argv: string[]): Options {
    const options: Options = {};
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "--config" || arg === "--summary") {
            const value = argv[++i];
            if (!value) throw new Error(`${arg} needs a file name`);
            options[arg === "--config" ? "config" : "summary"] = value;
        } else if (arg.startsWith("-")) {
            throw new Error(`unknown option ${arg}; usage: npm run review -- [stack] [--config FILE] [--summary FILE]`);
        } else if (options.stack) {
            throw new Error(`one stack at a time: got "${options.stack}" and "${arg}"`);
        } else {
            options.stack = arg;
        }
    }
    const teamConfig = path.join(policyDir, "config.json");
    if (!options.config && fs.existsSync(teamConfig)) options.config = teamConfig;
    return options;
}

/** Runs a command, echoing its output live, and returns its exit code and everything it printed. */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
    return new Promise((resolve, reject) => {
        const child = spawn(cmd, args, { cwd: repoRoot, env });
        let output = "";
        child.stdout.on("data", (chunk) => { output += chunk; process.stdout.write(chunk); });
        child.stderr.on("data", (chunk) => { output += chunk; process.stderr.write(chunk); });
        child.on("error", (err) => reject(new Error(`cannot run ${cmd}: ${err.message} (is the Pulumi CLI on PATH? try npm run toolchain)`)));
        child.on("close", (code) => resolve({ code: code ?? 1, output }));
    });
}

/** The "Policies:" section of the preview output: the violations, grouped by pack. */
function policiesSection(output: string): string {
    const lines = output.split("\n");
    const start = lines.findIndex((l) => /^Policies:/.test(l));
    if (start < 0) return "";
    const end = lines.findIndex((l, i) => i > start && /^\S/.test(l));
    return lines.slice(start, end < 0 ? undefined : end).join("\n").trimEnd();
}

async function main() {
    const options = parseArgs(process.argv.slice(2));
    const env = process.env.PULUMI_BACKEND_URL ? process.env : { ...process.env, ...pulumiEnv() };

    if (spawnSync("npm", ["run", "build"], { cwd: repoRoot, stdio: "inherit" }).status !== 0) {
        throw new Error("npm run build failed: fix the compile errors above, then review again");
    }
    const args = ["preview", "--non-interactive", "--color", "never", "--policy-pack", policyDir];
    if (options.stack) args.push("--stack", options.stack);
    if (options.config) args.push("--policy-pack-config", path.resolve(options.config));
    const { code, output } = await run("pulumi", args, env);

    const mandatory = (output.match(/\[mandatory\]/g) ?? []).length;
    const advisory = (output.match(/\[advisory\]/g) ?? []).length;
    const stack = options.stack ?? "(selected stack)";
    const verdict =
        code === 0
            ? `PASSED: the policy pack allows this change (${advisory} advisory finding(s))`
            : mandatory > 0
              ? `REFUSED by the policy pack: ${mandatory} mandatory violation(s), ${advisory} advisory`
              : `FAILED: pulumi preview exited with code ${code} before the policy pack refused anything; see the output above`;
    console.log(`\n=== review of stack ${stack}: ${verdict}`);

    if (options.summary) {
        const policies = policiesSection(output);
        const tail = output.split("\n").slice(-150).join("\n");
        const report = [
            `### Policy review of stack \`${stack}\``,
            "",
            `**${verdict}**`,
            "",
            ...(policies ? ["```text", policies, "```", ""] : []),
            "<details><summary>pulumi preview output (last 150 lines)</summary>",
            "",
            "```text",
            tail,
            "```",
            "</details>",
            "",
        ].join("\n");
        fs.writeFileSync(options.summary, report);
    }
    process.exitCode = code;
}

main().catch((err: Error) => {
    console.error(`review: ${err.message}`);
    process.exitCode = 1;
});
