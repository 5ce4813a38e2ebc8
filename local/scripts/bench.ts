// `npm run bench`: for each stage transition, the wall time of `pulumi up` against the same change made with
// kubectl (server-side apply of the manifests the program renders, deletes of the Deployments the stage drops,
// then `kubectl rollout status`), in one run on one cluster; plus a no-op preview, and where each `pulumi` run
// spends its time (from the CLI's OpenTelemetry trace). A benchmark prints numbers; it never fails on a slow machine.
//
//   npm run bench                                  the pods walk against kubectl
//   npm run bench -- --extra-services 10           the same with 10 more Bookinfo-sized services in both stacks
//   npm run bench -- --traffic istio               the istio walk: each weight step's up, and the time from up
//                                                  returning to Envoy serving the new weights, against kubectl
//   npm run bench -- --driver [--traffic istio]    the rollout driver's run: each decision's commit to the new stage
//                                                  serving (pods, endpoints, Envoy), against kubectl's apply of the
//                                                  same change to serving (local/bench/driver-walk.ts)
//   npm run bench -- --compare <checkout> [--before-toolchain <dir>] [--rounds N]
//                                                  before/after: interleaved floor runs, no-op previews and stage
//                                                  changes (with the pack and without) of this checkout and another
//                                                  one (built, e.g. a `git archive` of the base commit), each with
//                                                  its toolchain; medians, ratios, and each side above its floor
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { Release } from "../../rollout/release";
import { routeOf } from "../../rollout/route";
import { stageIn, stageNames, stageTableOf } from "../../rollout/stages";
import { DEFAULT_STEPS, DEFAULT_TESTERS, Traffic } from "../../rollout/traffic";
import { clusterKubeconfig, projectName, pulumiEnv, repoRoot, stateDir, toolchainBin } from "../lib/env";
import { kubectl as kubectlOnCluster } from "../cluster/kube";
import { ServedRoute, waitForRoute } from "../lib/mesh";
import { RolloutStack } from "../lib/stack";
import { breakdown, Breakdown, Phase, PHASES } from "../lib/trace-phases";
import { driverWalk } from "../bench/driver-walk";

/** The tutorial's release: v1 (3 pods) -> v2. */
const RELEASE: Release = {
    stable: { version: "v1", image: "docker.io/istio/examples-bookinfo-reviews-v1:1.20.3", replicas: 3 },
    candidate: { version: "v2", image: "docker.io/istio/examples-bookinfo-reviews-v2:1.20.3", replicas: 3 },
};

const PULUMI_NS = "bookinfo-bench";
const KUBECTL_NS = "bookinfo-bench-kubectl";
const traceDir = path.join(stateDir, "bench-traces");

const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;
/** The rig's kubectl, with room for `rollout status --timeout=300s` and deletes that wait. */
const kubectl = (...args: string[]) => kubectlOnCluster(args, { timeoutMs: 330_000 });
const f1 = (s: number) => s.toFixed(1);
const f2 = (s: number) => s.toFixed(2);
const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function option(name: string): string | undefined {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1] : undefined;
}
const extraServices = option("extra-services") ?? "0";
const traffic: Traffic =
    option("traffic") === "istio"
        ? { strategy: "istio", steps: DEFAULT_STEPS, mirrorPercent: 100, testers: DEFAULT_TESTERS }
        : { strategy: "pods" };
const extraConfig: Record<string, string> = {
    ...(extraServices !== "0" ? { extraServices } : {}),
    ...(traffic.strategy === "istio" ? { traffic: JSON.stringify({ strategy: "istio" }) } : {}),
};
const table = stageTableOf(traffic);
const STAGES = stageNames(table);
const renderRoot = path.join(stateDir, traffic.strategy === "istio" ? "render-istio" : "render");

/**
 * Renders every stage with the program itself (config renderYamlTo) in a throwaway stack, without the policy pack:
 * it judges a move from the deployed stage, and a rendering has none. The stack is removed, not destroyed: a
 * destroy would delete the files.
 */
async function renderStages(): Promise<void> {
    for (const stage of STAGES) {
        const dir = path.join(renderRoot, stage);
        fs.rmSync(dir, { recursive: true, force: true });
        const render = await RolloutStack.open({
            stack: "bench-render",
            namespace: KUBECTL_NS,
            release: RELEASE,
            config: { ...extraConfig, stage, renderYamlTo: dir },
        });
        await render.stack.up({ color: "never" });
        await render.stack.workspace.removeStack("bench-render", { force: true });
    }
}

/** Files the Provider wrote for a stage: `<dir>/1-manifest/<group>_<version>-<kind>-<namespace>-<name>.yaml`. */
const manifests = (stage: string) => path.join(renderRoot, stage, "1-manifest");
function deploymentsOf(stage: string): string[] {
    const prefix = `apps_v1-deployment-${KUBECTL_NS}-`;
    return fs
        .readdirSync(manifests(stage))
        .filter((f) => f.startsWith(prefix))
        .map((f) => f.slice(prefix.length, -".yaml".length));
}

/** kubectl's version of a stage change: apply the stage's manifests (namespace first), delete what it drops. */
function kubectlApply(stage: string, previous: string | undefined): void {
    kubectl("apply", "--server-side", "-f", path.join(manifests(stage), `v1-namespace-default-${KUBECTL_NS}.yaml`));
    kubectl("apply", "--server-side", "-f", manifests(stage));
    const now = deploymentsOf(stage);
    for (const gone of previous ? deploymentsOf(previous).filter((d) => !now.includes(d)) : []) {
        kubectl("-n", KUBECTL_NS, "delete", "deployment", gone, "--wait");
    }
}

/** The same, then waited for as a person would: `kubectl rollout status` of each Deployment. */
function kubectlConverge(stage: string, previous: string | undefined): number {
    const t0 = process.hrtime.bigint();
    kubectlApply(stage, previous);
    for (const d of deploymentsOf(stage))
        kubectl("-n", KUBECTL_NS, "rollout", "status", `deployment/${d}`, "--timeout=300s");
    return seconds(t0);
}

interface PulumiRun extends Breakdown {
    stdout: string;
}

/** Where a `pulumi` run comes from: a checkout (program and pack), a project in it, and a toolchain's bin. */
interface Source {
    checkout: string;
    project: string;
    /** The toolchain's bin dir: its pulumi runs, its plugins, kubectl (and node, if it has one) go first on PATH. */
    bin: string;
}
const THIS: Source = { checkout: repoRoot, project: projectName, bin: toolchainBin };

/** The environment of a run from `bin`: this run's toolchain bin is taken off PATH, so `bin` alone decides. */
const envOf = (bin: string) => ({
    ...process.env,
    ...pulumiEnv(),
    PATH: [bin, ...(process.env.PATH ?? "").split(":").filter((d) => d !== toolchainBin)].join(":"),
});

/**
 * One `pulumi` run of a stack straight through the CLI (what a user types, policy pack attached as RolloutStack
 * does, unless `pack` is false), traced with `--otel-traces` for the breakdown.
 */
function pulumi(command: "up" | "preview", label: string, stack = "bench", from = THIS, pack = true): PulumiRun {
    const trace = path.join(traceDir, `${label}.json`);
    fs.rmSync(trace, { force: true });
    const args = [
        command,
        "--cwd",
        from.checkout,
        "--stack",
        `organization/${from.project}/${stack}`,
        ...(pack ? ["--policy-pack", path.join(from.checkout, "policy")] : []),
        "--color",
        "never",
        "--otel-traces",
        `file://${trace}`,
    ];
    const start = Date.now();
    let stdout: string;
    try {
        stdout = execFileSync(
            path.join(from.bin, "pulumi"),
            command === "up" ? [...args, "--yes", "--skip-preview"] : args,
            {
                cwd: from.checkout,
                env: envOf(from.bin),
                encoding: "utf8",
                stdio: ["ignore", "pipe", "inherit"],
                maxBuffer: 64 << 20,
            },
        );
    } catch (e) {
        throw new Error(
            `pulumi ${command} of ${stack} in ${from.checkout} failed:\n${String(
                (e as { stdout?: string }).stdout ?? "",
            )
                .split("\n")
                .slice(-30)
                .join("\n")}`,
            { cause: e },
        );
    }
    return { ...breakdown(fs.readFileSync(trace, "utf8"), start, Date.now()), stdout };
}

function printBreakdown(runs: [string, Breakdown][]): void {
    console.log(`\nWhere each \`pulumi\` run spends its time (s; from --otel-traces):\n`);
    console.log(
        `| run | wall | ${PHASES.join(" | ")} | policy checks (within steps) |\n|---|---|${PHASES.map(() => "---|").join("")}---|`,
    );
    for (const [label, b] of runs) {
        console.log(
            `| ${label} | ${f1(b.wall)} | ${PHASES.map((p) => f2(b.phases[p])).join(" | ")} | ${f2(b.policyChecks)} |`,
        );
    }
}

const FLOOR = { project: "bench-floor", runs: 3 };
/** The floor project of a checkout (local/bench-floor), run with the same toolchain as the checkout's program. */
const floorOf = (from: Source): Source => ({
    ...from,
    checkout: path.join(from.checkout, "local", "bench-floor"),
    project: FLOOR.project,
});

/**
 * The floor under every run: the same CLI, language host, engine and SDKs with a program that declares nothing and
 * a pack whose one rule judges nothing (local/bench-floor); the run of median wall time of FLOOR.runs no-op ups and
 * previews.
 */
function floor(): { up: Breakdown; preview: Breakdown } {
    const from = floorOf(THIS);
    const run = (command: "up" | "preview", i: number) => pulumi(command, `floor-${command}-${i}`, "floor", from);
    const medianRun = (runs: Breakdown[]) => [...runs].sort((a, b) => a.wall - b.wall)[Math.floor(runs.length / 2)];
    cli(from, "floor", "stack", "select", "--create");
    try {
        run("up", 0);
        const runs = Array.from({ length: FLOOR.runs }, (_, i) => [run("up", i + 1), run("preview", i + 1)]);
        return { up: medianRun(runs.map((r) => r[0])), preview: medianRun(runs.map((r) => r[1])) };
    } finally {
        cli(from, "floor", "stack", "rm", "--yes", "--force");
    }
}

/** The walk through the strategy's stage table, each transition with pulumi and with kubectl; then a no-op preview. */
async function walk(): Promise<void> {
    fs.mkdirSync(traceDir, { recursive: true });
    console.log(`rendering every stage's manifests with the program (renderYamlTo) ...`);
    await renderStages();

    const rollout = await RolloutStack.open({
        stack: "bench",
        namespace: PULUMI_NS,
        release: RELEASE,
        config: extraConfig,
    });
    const rows: { transition: string; up: number; kubectl: number }[] = [];
    const meshRows: string[][] = [];
    const runs: [string, Breakdown][] = [];
    try {
        await rollout.destroy();
        kubectl("delete", "namespace", KUBECTL_NS, "--ignore-not-found", "--wait");
        let previous: string | undefined;
        for (const stage of STAGES) {
            const transition = `${previous ?? "none"} -> ${stage}`;
            await rollout.setStage(stage);
            const up = pulumi("up", `up-${stage}`);
            const wanted =
                traffic.strategy === "istio"
                    ? routeOf(stageIn(table, stage), RELEASE, traffic.mirrorPercent).weights
                    : undefined;
            const sorted = (weights: Record<string, number>) => JSON.stringify(Object.entries(weights).sort());
            const served = (r: ServedRoute) => sorted(r.route.weights) === sorted(wanted!);
            const pulumiRoute = wanted && (await waitForRoute(PULUMI_NS, served));
            // kubectl's route change: the rendered VirtualService alone, then Envoy, timed from the apply; then the
            // rest.
            let kubectlRoute: { ms: number } | undefined;
            if (wanted && previous) {
                kubectl(
                    "apply",
                    "--server-side",
                    "-f",
                    path.join(manifests(stage), `networking.istio.io_v1-virtualservice-${KUBECTL_NS}-reviews.yaml`),
                );
                kubectlRoute = await waitForRoute(KUBECTL_NS, served);
            }
            const k = kubectlConverge(stage, previous);
            if (wanted && !previous) kubectlRoute = await waitForRoute(KUBECTL_NS, served);
            rows.push({ transition, up: up.wall, kubectl: k });
            runs.push([`up ${transition}`, up]);
            let line = `  ${transition}: pulumi up ${f1(up.wall)}s, kubectl ${f1(k)}s`;
            if (wanted) {
                const appCheck = /app check passed: .*\(([\d.]+) s\)/.exec(up.stdout)?.[1] ?? "-";
                meshRows.push([
                    transition,
                    JSON.stringify(wanted),
                    f1(up.wall),
                    f2(pulumiRoute!.ms / 1000),
                    appCheck,
                    f1(k),
                    f2(kubectlRoute!.ms / 1000),
                ]);
                line += `; Envoy serves ${JSON.stringify(wanted)} ${pulumiRoute!.ms} ms after up, ${kubectlRoute!.ms} ms after kubectl; app check waited ${appCheck} s`;
            }
            console.log(line);
            previous = stage;
        }
        runs.push(["no-op preview", pulumi("preview", "preview-noop")]);
        const { up, preview } = floor();
        runs.push(["floor: no-op up, empty program, one-rule pack", up], ["floor: no-op preview, same", preview]);
    } finally {
        await rollout.destroy();
        await rollout.stack.workspace.removeStack("bench", { force: true });
        kubectl("delete", "namespace", KUBECTL_NS, "--ignore-not-found", "--wait");
    }

    console.log(`\ntraffic ${traffic.strategy}, extra services ${extraServices}\n`);
    const wallOf = (label: string) => runs.find(([l]) => l.startsWith(label))![1].wall;
    const wall = (label: string) => f1(wallOf(label));
    const floorUp = wallOf("floor: no-op up");
    console.log(
        "| transition | pulumi up (s) | kubectl (s) | ratio | above the floor's no-op up (s) |\n|---|---|---|---|---|",
    );
    for (const r of rows)
        console.log(
            `| ${r.transition} | ${f1(r.up)} | ${f1(r.kubectl)} | ${(r.up / r.kubectl).toFixed(1)} | ${f1(r.up - floorUp)} |`,
        );
    if (meshRows.length) {
        console.log(
            "\n| transition | weights | pulumi up (s) | Envoy after up (s) | app check's wait inside up (s) | kubectl (s) | Envoy after kubectl's VirtualService apply (s) |\n|---|---|---|---|---|---|---|",
        );
        for (const r of meshRows) console.log(`| ${r.join(" | ")} |`);
    }
    console.log(
        `\nno-op \`pulumi preview\` (policy pack attached): ${wall("no-op preview")}s, ${f1(wallOf("no-op preview") - wallOf("floor: no-op preview"))}s above the floor's`,
    );
    console.log(
        `floor (local/bench-floor: nothing declared, a one-rule pack, same CLI and SDKs): up ${wall("floor: no-op up")}s, preview ${wall("floor: no-op preview")}s`,
    );
    printBreakdown(runs);
}

/** `pulumi <args>` for a stack of `from`, quiet but for errors. */
function cli(from: Source, stack: string, ...args: string[]): void {
    execFileSync(
        path.join(from.bin, "pulumi"),
        [...args, "--cwd", from.checkout, "--stack", `organization/${from.project}/${stack}`, "--color", "never"],
        { cwd: from.checkout, env: envOf(from.bin), stdio: ["ignore", "ignore", "inherit"] },
    );
}

/** A stack of `from` driven through the CLI: config set as a team would, with `--path` for the release. */
function configure(from: Source, stack: string, namespace: string): void {
    cli(from, stack, "stack", "select", "--create");
    const leaves: [string, string][] = [
        ["namespace", namespace],
        ["kubeconfig", clusterKubeconfig],
        ["stage", "stable"],
        ...Object.entries(extraConfig),
    ];
    for (const [role, v] of Object.entries(RELEASE))
        for (const [field, value] of Object.entries(v!)) leaves.push([`release.${role}.${field}`, String(value)]);
    for (const [key, value] of leaves)
        cli(from, stack, "config", "set", ...(key.includes(".") ? ["--path"] : []), `${projectName}:${key}`, value);
}

const setStage = (from: Source, stack: string, stage: string) =>
    cli(from, stack, "config", "set", `${projectName}:stage`, stage);

function destroy(from: Source, stack: string): void {
    cli(from, stack, "state", "unprotect", "--all", "--yes");
    cli(from, stack, "destroy", "--yes", "--skip-preview");
    cli(from, stack, "stack", "rm", "--yes", "--force");
}

/** The run kinds of a compare round, in order; the product's runs are measured above the floor's of their kind. */
const COMPARE_KINDS = [
    "floor: no-op up",
    "floor: no-op preview",
    "no-op preview",
    "up stable -> dark",
    "up dark -> stable",
    "up stable -> dark, no pack",
    "up dark -> stable, no pack",
] as const;
type CompareKind = (typeof COMPARE_KINDS)[number];
/** The floor a product run is measured above: the floor's run of the same command (the floor has its pack on). */
const floorKindOf = (kind: CompareKind): CompareKind | undefined =>
    kind.startsWith("floor") || kind.endsWith("no pack")
        ? undefined
        : kind.includes("preview")
          ? "floor: no-op preview"
          : "floor: no-op up";

/**
 * Before/after in one process: this checkout with its toolchain ("after", stack bench-after) and another checkout
 * with its own toolchain ("before", stack bench-before; by default this toolchain), each in its own namespace, take
 * turns (the order alternates per round) at the floor's no-op up and preview, a no-op preview, a stable -> dark up
 * (the gate runs) and a dark -> stable up (a rollback), each up with the pack and without it. Medians per run kind
 * and phase, and each product run above its side's floor.
 */
async function compare(before: Source, rounds: number): Promise<void> {
    fs.mkdirSync(traceDir, { recursive: true });
    const sides = [
        { name: "before", from: before, stack: "bench-before", ns: `${PULUMI_NS}-before` },
        { name: "after", from: THIS, stack: "bench-after", ns: `${PULUMI_NS}-after` },
    ];
    const results: Record<string, Partial<Record<CompareKind, Breakdown[]>>> = { before: {}, after: {} };
    const record = (side: string, kind: CompareKind, b: Breakdown) => (results[side][kind] ??= []).push(b);
    try {
        for (const s of sides) {
            configure(s.from, s.stack, s.ns);
            cli(floorOf(s.from), s.stack, "stack", "select", "--create");
            pulumi("up", `${s.name}-first`, s.stack, s.from);
            pulumi("up", `${s.name}-floor-first`, s.stack, floorOf(s.from));
        }
        for (let round = 0; round < rounds; round++) {
            for (const s of round % 2 ? [...sides].reverse() : sides) {
                const run = (kind: CompareKind, command: "up" | "preview", from: Source, pack = true) =>
                    record(
                        s.name,
                        kind,
                        pulumi(command, `${s.name}-${kind.replace(/\W+/g, "-")}`, s.stack, from, pack),
                    );
                run("floor: no-op up", "up", floorOf(s.from));
                run("floor: no-op preview", "preview", floorOf(s.from));
                run("no-op preview", "preview", s.from);
                for (const pack of [true, false]) {
                    setStage(s.from, s.stack, "dark");
                    run(pack ? "up stable -> dark" : "up stable -> dark, no pack", "up", s.from, pack);
                    setStage(s.from, s.stack, "stable");
                    run(pack ? "up dark -> stable" : "up dark -> stable, no pack", "up", s.from, pack);
                }
            }
            console.log(`  round ${round + 1}/${rounds} done`);
        }
    } finally {
        for (const s of sides) {
            destroy(s.from, s.stack);
            cli(floorOf(s.from), s.stack, "stack", "rm", "--yes", "--force");
        }
    }
    const m = (xs: Breakdown[], p?: Phase) => median(xs.map((x) => (p ? x.phases[p] : x.wall)));
    const [b, a] = [results.before, results.after];
    console.log(
        `\nbefore: ${before.checkout} (${before.bin}); after: ${repoRoot} (${toolchainBin}); ${rounds} interleaved rounds; medians (s)\n`,
    );
    console.log(
        `| run | wall before | wall after | after/before | ${PHASES.map((p) => `${p} b -> a`).join(" | ")} |\n|---|---|---|---|${PHASES.map(() => "---|").join("")}`,
    );
    for (const kind of COMPARE_KINDS) {
        const [bk, ak] = [b[kind]!, a[kind]!];
        console.log(
            `| ${kind} | ${f2(m(bk))} | ${f2(m(ak))} | ${(m(ak) / m(bk)).toFixed(2)} | ${PHASES.map((p) => `${f2(m(bk, p))} -> ${f2(m(ak, p))}`).join(" | ")} |`,
        );
    }
    console.log(
        `\nThe product above the floor (a run's median minus its side's floor median of the same command; s)\n\n| run | before | after | ${PHASES.map((p) => `${p} b -> a`).join(" | ")} |\n|---|---|---|${PHASES.map(() => "---|").join("")}`,
    );
    for (const kind of COMPARE_KINDS) {
        const fk = floorKindOf(kind);
        if (!fk) continue;
        const above = (r: typeof b, p?: Phase) => m(r[kind]!, p) - m(r[fk]!, p);
        console.log(
            `| ${kind} | ${f2(above(b))} | ${f2(above(a))} | ${PHASES.map((p) => `${f2(above(b, p))} -> ${f2(above(a, p))}`).join(" | ")} |`,
        );
    }
    console.log(`\nThe pack's cost: an up with the pack minus the same up without it (medians; s)\n`);
    console.log(`| run | before | after |\n|---|---|---|`);
    for (const kind of ["up stable -> dark", "up dark -> stable"] as const) {
        const cost = (r: typeof b) => m(r[kind]!) - m(r[`${kind}, no pack`]!);
        console.log(`| ${kind} | ${f2(cost(b))} | ${f2(cost(a))} |`);
    }
}

/** The driver's walk, against kubectl applying the program's rendered manifests. */
async function driver(): Promise<void> {
    console.log(`rendering every stage's manifests with the program (renderYamlTo) ...`);
    await renderStages();
    kubectl("delete", "namespace", KUBECTL_NS, "--ignore-not-found", "--wait");
    try {
        await driverWalk({ release: RELEASE, traffic, table, kubectlApply, kubectlNamespace: KUBECTL_NS });
    } finally {
        kubectl("delete", "namespace", KUBECTL_NS, "--ignore-not-found", "--wait");
    }
}

const compareWith = option("compare");
const beforeToolchain = option("before-toolchain");
(compareWith
    ? compare(
          {
              checkout: path.resolve(compareWith),
              project: projectName,
              bin: beforeToolchain ? path.join(path.resolve(beforeToolchain), "bin") : toolchainBin,
          },
          Number(option("rounds") ?? 5),
      )
    : process.argv.includes("--driver")
      ? driver()
      : walk()
).catch((e) => {
    console.error(`bench failed: ${(e as Error).message}`);
    process.exit(1);
});
