// Everything a real run needs, built or reused: policy pack dependencies, the compiled program, the toolchain and
// (with --cluster) the local kwok cluster. Shared by `npm test`, `npm run demo` and `npm run bench`.
// Usage: ts-node --transpile-only local/scripts/setup.ts [--cluster]
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const repo = path.resolve(__dirname, "..", "..");

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
    process.exit(setup({ cluster: process.argv.includes("--cluster") }) ? 0 : 1);
}
