// The README's test command (`npm test`): sets up everything the suites need on a fresh machine (toolchain,
// compiled program, policy pack dependencies, local cluster), then runs every suite and reports each one.
// `npm test -- unit policy` runs only the named suites; the toolchain and the cluster are built/started only when
// a selected suite needs them.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { setup, step } from "./setup";

const suites = [
    { name: "unit", script: "test:unit", cluster: false },
    { name: "policy", script: "test:policy", cluster: false },
    { name: "plugins", script: "test:plugins", cluster: false },
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
if (!setup({ cluster: selected.some((s) => s.cluster) })) process.exit(1);

// Each suite's output is also kept in a log, so a failure's details can be repeated under the summary: CI shows
// only the end of a long run.
const logs = fs.mkdtempSync(path.join(os.tmpdir(), "bookinfo-test-"));
const results = selected.map((s) => {
    const log = path.join(logs, `${s.name}.log`);
    const ok = step(`suite ${s.name}`, "bash", ["-c", `npm run ${s.script} 2>&1 | tee ${log}; exit \${PIPESTATUS[0]}`]);
    return { name: s.name, ok, log };
});
console.log("\nsummary:");
for (const r of results) console.log(`  ${r.ok ? "pass" : "FAIL"}  ${r.name}`);
for (const r of results.filter((r) => !r.ok))
    console.log(`\n=== why ${r.name} failed (${r.log}):\n${failureOf(r.log)}`);
process.exit(results.every((r) => r.ok) ? 0 : 1);

/** Mocha's failure report (from "N failing" on), or the log's last lines for a suite that is not mocha's. */
function failureOf(log: string): string {
    const lines = fs.readFileSync(log, "utf8").split("\n");
    // eslint-disable-next-line no-control-regex -- mocha colours its report
    const from = lines.findIndex((l) => /^\s*\d+ failing/.test(l.replace(/\x1b\[[0-9;]*m/g, "")));
    return (from >= 0 ? lines.slice(from, from + 80) : lines.slice(-30)).join("\n");
}
