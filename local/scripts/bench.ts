// `npm run bench`: for each stage transition, the wall time of `pulumi up` against the same change made with
// kubectl (server-side apply of the manifests the program renders, deletes of the Deployments the stage drops,
// then `kubectl rollout status`), in one run on one cluster; plus a no-op preview, and where each `pulumi` run
// spends its time (from the CLI's OpenTelemetry trace). A benchmark prints numbers; it never fails on a slow machine.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { Release } from "../../rollout/fleet";
import { STAGE_NAMES, StageName } from "../../rollout/stages";
import { policyDir, pulumiEnv, repoRoot, stateDir, toolchainBin } from "../lib/env";
import { kubectl as kubectlOnCluster } from "../lib/kube";
import { RolloutStack } from "../lib/stack";
import { breakdown, Breakdown, PHASES } from "../lib/trace-phases";

/** The tutorial's release: v1 (3 pods) -> v2. */
const RELEASE: Release = {
    stable: { version: "v1", image: "docker.io/istio/examples-bookinfo-reviews-v1:1.20.3", replicas: 3 },
    candidate: { version: "v2", image: "docker.io/istio/examples-bookinfo-reviews-v2:1.20.3", replicas: 3 },
};

const PULUMI_NS = "bookinfo-bench";
const KUBECTL_NS = "bookinfo-bench-kubectl";
const renderRoot = path.join(stateDir, "render");
const traceDir = path.join(stateDir, "bench-traces");

const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;
/** The rig's kubectl, with room for `rollout status --timeout=300s` and deletes that wait. */
const kubectl = (...args: string[]) => kubectlOnCluster(args, { timeoutMs: 330_000 });

/**
 * Renders every stage with the program itself (config renderYamlTo) in a throwaway stack, without the policy pack:
 * it judges a move from the deployed stage, and a rendering has none. The stack is removed, not destroyed: a
 * destroy would delete the files.
 */
async function renderStages(): Promise<void> {
    for (const stage of STAGE_NAMES) {
        const dir = path.join(renderRoot, stage);
        fs.rmSync(dir, { recursive: true, force: true });
        const render = await RolloutStack.open({ stack: "bench-render", namespace: KUBECTL_NS, release: RELEASE, config: { stage, renderYamlTo: dir } });
        await render.stack.up({ color: "never" });
        await render.stack.workspace.removeStack("bench-render", { force: true });
    }
}

/** Files the Provider wrote for a stage: `<dir>/1-manifest/<group>_<version>-<kind>-<namespace>-<name>.yaml`. */
const manifests = (stage: StageName) => path.join(renderRoot, stage, "1-manifest");
function deploymentsOf(stage: StageName): string[] {
    const prefix = `apps_v1-deployment-${KUBECTL_NS}-`;
    return fs.readdirSync(manifests(stage)).filter((f) => f.startsWith(prefix)).map((f) => f.slice(prefix.length, -".yaml".length));
}

/** kubectl's version of a stage change: apply the stage's manifests (namespace first), delete what it drops, wait. */
function kubectlConverge(stage: StageName, previous: StageName | undefined): number {
    const t0 = process.hrtime.bigint();
    kubectl("apply", "--server-side", "-f", path.join(manifests(stage), `v1-namespace-default-${KUBECTL_NS}.yaml`));
    kubectl("apply", "--server-side", "-f", manifests(stage));
    const now = deploymentsOf(stage);
    for (const gone of previous ? deploymentsOf(previous).filter((d) => !now.includes(d)) : []) {
        kubectl("-n", KUBECTL_NS, "delete", "deployment", gone, "--wait");
    }
    for (const d of now) kubectl("-n", KUBECTL_NS, "rollout", "status", `deployment/${d}`, "--timeout=300s");
    return seconds(t0);
}

/**
 * One `pulumi` run of stack `bench` straight through the CLI (what a user types, policy pack attached as
 * RolloutStack does), traced with `--otel-traces` for the breakdown.
 */
function pulumi(command: "up" | "preview", label: string): Breakdown {
    const trace = path.join(traceDir, `${label}.json`);
    fs.rmSync(trace, { force: true });
    const args = [command, "--stack", "bench", "--policy-pack", policyDir, "--color", "never", "--otel-traces", `file://${trace}`];
    const start = Date.now();
    execFileSync(path.join(toolchainBin, "pulumi"), command === "up" ? [...args, "--yes", "--skip-preview"] : args, {
        cwd: repoRoot,
        env: { ...process.env, ...pulumiEnv() },
        stdio: ["ignore", "ignore", "inherit"],
    });
    return breakdown(fs.readFileSync(trace, "utf8"), start, Date.now());
}

const f1 = (s: number) => s.toFixed(1);

async function main() {
    fs.mkdirSync(traceDir, { recursive: true });
    console.log("rendering every stage's manifests with the program (renderYamlTo) ...");
    await renderStages();

    const rollout = await RolloutStack.open({ stack: "bench", namespace: PULUMI_NS, release: RELEASE });
    const rows: string[][] = [];
    const runs: [string, Breakdown][] = [];
    try {
        await rollout.destroy();
        kubectl("delete", "namespace", KUBECTL_NS, "--ignore-not-found", "--wait");
        let previous: StageName | undefined;
        for (const stage of STAGE_NAMES) {
            const transition = `${previous ?? "none"} -> ${stage}`;
            await rollout.setStage(stage);
            const up = pulumi("up", `up-${stage}`);
            const k = kubectlConverge(stage, previous);
            rows.push([transition, f1(up.wall), f1(k), (up.wall / k).toFixed(1)]);
            runs.push([`up ${transition}`, up]);
            console.log(`  ${transition}: pulumi up ${f1(up.wall)}s, kubectl ${f1(k)}s`);
            previous = stage;
        }
        runs.push(["no-op preview", pulumi("preview", "preview-noop")]);
    } finally {
        await rollout.destroy();
        await rollout.stack.workspace.removeStack("bench", { force: true });
        kubectl("delete", "namespace", KUBECTL_NS, "--ignore-not-found", "--wait");
    }

    console.log("\n| transition | pulumi up (s) | kubectl (s) | ratio |\n|---|---|---|---|");
    for (const r of rows) console.log(`| ${r.join(" | ")} |`);
    const noop = runs[runs.length - 1][1];
    console.log(`\nno-op \`pulumi preview\` (policy pack attached): ${f1(noop.wall)}s`);
    console.log(`program start-up (node start, SDK load, config, live-state read, until the first resource): ` +
        runs.map(([, b]) => b.phases["program start-up"].toFixed(2)).join(", ") + " s");

    console.log(`\nWhere each \`pulumi\` run spends its time (s; from --otel-traces):\n`);
    console.log(`| run | wall | ${PHASES.join(" | ")} | policy checks (within steps) |\n|---|---|${PHASES.map(() => "---|").join("")}---|`);
    for (const [label, b] of runs) {
        console.log(`| ${label} | ${f1(b.wall)} | ${PHASES.map((p) => b.phases[p].toFixed(2)).join(" | ")} | ${b.policyChecks.toFixed(2)} |`);
    }
}

main().catch((e) => {
    console.error(`bench failed: ${(e as Error).message}`);
    process.exit(1);
});
