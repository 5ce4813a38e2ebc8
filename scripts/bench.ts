// `npm run bench`: for each stage transition, the wall time of `pulumi up` against the same change made with
// kubectl (server-side apply of the manifests the program renders, deletes of what the stage drops, then
// `kubectl rollout status`), measured in one run on one cluster; plus a no-op preview and the program's start-up.
// A benchmark prints ratios; it never fails on a slow machine.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { STAGE_NAMES, StageName } from "../rollout/stages";
import { clusterKubeconfig, repoRoot, stateDir, toolchainBin } from "./lib/env";
import { RolloutStack } from "./lib/stack";

const kubectl = path.join(toolchainBin, "kubectl");
const renderRoot = path.join(stateDir, "render");

function seconds<T>(f: () => T): [T, number] {
    const t0 = process.hrtime.bigint();
    const r = f();
    return [r, Number(process.hrtime.bigint() - t0) / 1e9];
}
async function secondsAsync(f: () => Promise<unknown>): Promise<number> {
    const t0 = process.hrtime.bigint();
    await f();
    return Number(process.hrtime.bigint() - t0) / 1e9;
}
function k(...args: string[]): string {
    return execFileSync(kubectl, ["--kubeconfig", clusterKubeconfig, ...args], { encoding: "utf8" });
}

/** Renders every stage's manifests with the program itself (provider renderYamlToDirectory), in a throwaway stack. */
async function renderStages(): Promise<Record<StageName, string>> {
    const dirs = {} as Record<StageName, string>;
    const render = await RolloutStack.open({ stack: "bench-render", namespace: "bookinfo-bench-kubectl" });
    for (const stage of STAGE_NAMES) {
        const dir = path.join(renderRoot, stage);
        fs.rmSync(dir, { recursive: true, force: true });
        await render.setStage(stage);
        await render.setConfig("renderYamlTo", dir);
        await render.stack.up();
        await render.destroy();
        dirs[stage] = dir;
    }
    return dirs;
}

/** kubectl's version of a stage change: apply the stage's manifests, delete the Deployments it drops, wait. */
function kubectlConverge(dir: string, previous: string | undefined, ns: string): number {
    const deployments = (d: string) => fs.readdirSync(path.join(d, "1-manifest"))
        .filter((f) => f.startsWith("apps_v1-deployment-")).map((f) => f.replace(/^apps_v1-deployment-[^-]+-/, "").replace(/\.yaml$/, ""));
    const [, t] = seconds(() => {
        k("apply", "--server-side", "--force-conflicts", "-R", "-f", dir);
        if (previous) for (const gone of deployments(previous).filter((d) => !deployments(dir).includes(d))) k("-n", ns, "delete", "deployment", gone, "--wait");
        for (const d of deployments(dir)) k("-n", ns, "rollout", "status", `deployment/${d}`, "--timeout=300s");
    });
    return t;
}

async function main() {
    console.log("rendering every stage's manifests with the program ...");
    const rendered = await renderStages();
    const ns = "bookinfo-bench";
    const rollout = await RolloutStack.open({ stack: "bench", namespace: ns });
    await rollout.destroy();
    k("delete", "namespace", "bookinfo-bench-kubectl", "--ignore-not-found", "--wait");

    const rows: string[][] = [];
    let previous: StageName | undefined;
    for (const stage of ["v1-only", "v2-dark", "canary", "half", "promoted"] as StageName[]) {
        await rollout.setStage(stage);
        const pulumiSecs = await secondsAsync(() => rollout.up());
        const kubectlSecs = kubectlConverge(rendered[stage], previous && rendered[previous], "bookinfo-bench-kubectl");
        rows.push([`${previous ?? "none"} -> ${stage}`, pulumiSecs.toFixed(1), kubectlSecs.toFixed(1), (pulumiSecs / kubectlSecs).toFixed(1)]);
        console.log(`  ${rows[rows.length - 1].join("  ")}`);
        previous = stage;
    }
    const noop = await secondsAsync(() => rollout.preview());
    const [, compiled] = seconds(() => execFileSync("node", ["-e", "require('./dist/components/bookinfo')"], { cwd: repoRoot }));
    const [, transpiled] = seconds(() => execFileSync("npx", ["ts-node", "-e", "require('./components/bookinfo')"], { cwd: repoRoot }));
    await rollout.destroy();
    k("delete", "namespace", "bookinfo-bench-kubectl", "--ignore-not-found", "--wait");

    console.log("\n| transition | pulumi up (s) | kubectl (s) | ratio |\n|---|---|---|---|");
    for (const r of rows) console.log(`| ${r.join(" | ")} |`);
    console.log(`\nno-op pulumi preview: ${noop.toFixed(1)}s`);
    console.log(`program start-up (load the components): compiled ${compiled.toFixed(2)}s, ts-node ${transpiled.toFixed(2)}s (ratio ${(transpiled / compiled).toFixed(1)})`);
}

main().catch((e) => {
    console.error(`bench failed: ${(e as Error).message}`);
    process.exit(1);
});
