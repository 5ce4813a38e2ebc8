#!/usr/bin/env node
// Everything a real run needs, built or reused: policy pack dependencies, the compiled program, the toolchain and
// (with --cluster) the local kwok cluster. Shared by `npm test`, `npm run demo` and `npm run bench`.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { fileURLToPath } from "node:url";

export function step(label, cmd, args) {
    const t0 = Date.now();
    console.log(`\n=== ${label}`);
    const r = spawnSync(cmd, args, { stdio: "inherit" });
    const secs = ((Date.now() - t0) / 1000).toFixed(0);
    console.log(`=== ${label}: ${r.status === 0 ? "ok" : `FAILED (exit ${r.status ?? r.signal})`} in ${secs}s`);
    return r.status === 0;
}

export function setup({ cluster }) {
    const steps = [
        ...(fs.existsSync("policy/node_modules") ? [] : [["policy pack dependencies", "npm", ["ci", "--prefix", "policy", "--no-audit", "--no-fund"]]]),
        ["compile the program", "npm", ["run", "build"]],
        ...(cluster ? [["toolchain (build or reuse)", "node", ["local/toolchain/build.mjs"]], ["local cluster", "npm", ["run", "cluster:up"]]] : []),
    ];
    return steps.every(([label, cmd, args]) => step(label, cmd, args));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
    process.exit(setup({ cluster: process.argv.includes("--cluster") }) ? 0 : 1);
}
