#!/usr/bin/env node
// The README's test command (`npm test`): sets up everything the suites need on a fresh machine (toolchain,
// compiled program, policy pack dependencies, local cluster), then runs every suite and reports each one.
// `npm test -- unit policy` runs only the named suites; suites that need the cluster start it first.
import { spawnSync } from "node:child_process";
import fs from "node:fs";

const suites = [
    { name: "unit", script: "test:unit", cluster: false },
    { name: "policy", script: "test:policy", cluster: false },
    { name: "cluster", script: "test:cluster", cluster: true },
    { name: "e2e", script: "test:e2e", cluster: true },
];
const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !suites.some((s) => s.name === w));
if (unknown.length) {
    console.error(`unknown suite(s) ${unknown.join(", ")}; allowed: ${suites.map((s) => s.name).join(", ")}`);
    process.exit(2);
}
const selected = suites.filter((s) => wanted.length === 0 || wanted.includes(s.name));

function step(label, cmd, args) {
    const t0 = Date.now();
    console.log(`\n=== ${label}`);
    const r = spawnSync(cmd, args, { stdio: "inherit" });
    const secs = ((Date.now() - t0) / 1000).toFixed(0);
    console.log(`=== ${label}: ${r.status === 0 ? "ok" : `FAILED (exit ${r.status ?? r.signal})`} in ${secs}s`);
    return r.status === 0;
}

const results = [];
const needsCluster = selected.some((s) => s.cluster);
const setup = [
    ["compile the program", "npm", ["run", "build"]],
    ...(fs.existsSync("policy/node_modules") ? [] : [["policy pack dependencies", "npm", ["ci", "--prefix", "policy", "--no-audit", "--no-fund"]]]),
    ...(needsCluster ? [["toolchain (build or reuse)", "node", ["toolchain/build.mjs"]], ["local cluster", "npm", ["run", "cluster:up"]]] : []),
];
for (const [label, cmd, args] of setup) {
    if (!step(label, cmd, args)) process.exit(1);
}
for (const s of selected) results.push([s.name, step(`suite ${s.name}`, "npm", ["run", s.script])]);

console.log("\nsummary:");
for (const [name, ok] of results) console.log(`  ${ok ? "pass" : "FAIL"}  ${name}`);
process.exit(results.every(([, ok]) => ok) ? 0 : 1);
