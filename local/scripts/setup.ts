// Everything a real run needs, built or reused: policy pack dependencies, the Node.js the product runs on, the
// compiled program, and (with --cluster) the toolchain and the local kwok cluster. Shared by `npm test`, `npm run
// demo` and `npm run bench`. The toolchain's bin goes first on PATH, so every step after it, and the command after
// `--`, runs on that Node.js (current Pulumi needs >= 22; the machine may have an older one).
// Usage: ts-node --transpile-only local/scripts/setup.ts [--cluster] [-- command args...]
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { toolchainDir } from "../toolchain/paths";

const repo = path.resolve(__dirname, "..", "..");
process.env.PATH = `${path.join(toolchainDir(), "bin")}:${process.env.PATH}`;

/** Runs one labelled step with inherited output; returns whether it passed. */
export function step(label: string, cmd: string, args: string[]): boolean {
    const t0 = Date.now();
    console.log(`\n=== ${label}`);
    const r = spawnSync(cmd, args, { stdio: "inherit", cwd: repo });
    const secs = ((Date.now() - t0) / 1000).toFixed(0);
    console.log(`=== ${label}: ${r.status === 0 ? "ok" : `FAILED (exit ${r.status ?? r.signal})`} in ${secs}s`);
    return r.status === 0;
}

export function setup({ cluster }: { cluster: boolean }): boolean {
    const steps: [string, string, string[]][] = [
        ...(fs.existsSync(path.join(repo, "policy", "node_modules"))
            ? []
            : [
                  ["policy pack dependencies", "npm", ["ci", "--prefix", "policy", "--no-audit", "--no-fund"]] as [
                      string,
                      string,
                      string[],
                  ],
              ]),
        ["Node.js (build or reuse)", "npm", ["run", "--silent", "toolchain", "--", "node"]],
        ["compile the program", "npm", ["run", "build"]],
        ...(cluster
            ? ([
                  ["toolchain (build or reuse)", "npm", ["run", "--silent", "toolchain"]],
                  ["local cluster", "npm", ["run", "--silent", "cluster:up"]],
              ] as [string, string, string[]][])
            : []),
    ];
    return steps.every(([label, cmd, args]) => step(label, cmd, args));
}

if (require.main === module) {
    const dash = process.argv.indexOf("--");
    const [cmd, ...args] = dash < 0 ? [] : process.argv.slice(dash + 1);
    if (!setup({ cluster: process.argv.slice(2, dash < 0 ? undefined : dash).includes("--cluster") })) process.exit(1);
    if (cmd) {
        const r = spawnSync(cmd, args, { stdio: "inherit", cwd: repo });
        process.exit(r.status ?? 1);
    }
}
