// The README's test command (`npm test`): sets up everything the suites need on a fresh machine (toolchain,
// compiled program, policy pack dependencies, local cluster), then runs every suite and reports each one.
// `npm test -- unit policy` runs only the named suites; the toolchain and the cluster are built/started only when
// a selected suite needs them.
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

const results = selected.map((s) => [s.name, step(`suite ${s.name}`, "npm", ["run", s.script])] as const);
console.log("\nsummary:");
for (const [name, ok] of results) console.log(`  ${ok ? "pass" : "FAIL"}  ${name}`);
process.exit(results.every(([, ok]) => ok) ? 0 : 1);
