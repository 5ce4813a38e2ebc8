// `npm run bench -- --driver [--traffic istio]`: the rollout driver's `run` walks v1 -> v2 under steady load, and
// each decision (its commit, timestamped in the driver's log) is timed to the moment the new stage serves: the
// stage's pods ready, the reviews Service's endpoints exactly its serving pods, and under istio Envoy serving the
// stage's route. Then kubectl makes the same changes (the program's rendered manifests, applied server-side) in
// another namespace, timed from the apply to the same check. The driver's time includes what kubectl skips: the
// `up` with the policy pack, the gates, the settle step. The analysis waits between steps are not counted: they
// come before the decision.
import { Release } from "../../rollout/release";
import { routeOf } from "../../rollout/route";
import { servedDifferences } from "../../rollout/served-route";
import { fleetOf } from "../../rollout/fleet";
import { StageName, stageNameIn, StageTable, stageIn } from "../../rollout/stages";
import { Traffic } from "../../rollout/traffic";
import { DriverRig } from "../lib/driver-rig";
import { clusterKubeconfig } from "../lib/env";
import { startLoad } from "../lib/load";
import { servedRoute } from "../lib/mesh";
import { ClusterView, podsSettled } from "../lib/observe";

const POLL_MS = 50;
/** Short waits between steps: the bench times steps, not the analysis (docs/driver.md has the real schedule keys). */
const SCHEDULE = { minSeconds: 2, maxInconclusiveSeconds: 300, intervalSeconds: 1 };
/** A floor about 100 good candidate requests show, so each stage's analysis passes within seconds at this load. */
const ANALYSIS = { errorRateFloor: 0.1, minCandidateRequests: 30 };

export interface DriverWalkOptions {
    release: Release;
    traffic: Traffic;
    table: StageTable;
    /** kubectl's version of a stage change in `namespace`, without waiting (the walk times it to serving). */
    kubectlApply: (stage: StageName, previous: StageName | undefined) => void;
    kubectlNamespace: string;
}

/** Does the namespace serve `stage` of `release`: pods, endpoints, and under istio Envoy's route? */
async function serves(view: ClusterView, o: DriverWalkOptions, stage: StageName): Promise<boolean> {
    const fleet = fleetOf(o.release, stage, o.table);
    const pods = await view.reviewsPods();
    if (!podsSettled(pods, fleet)) return false;
    const serving = fleet.filter((w) => w.serving).map((w) => w.version);
    const want = pods
        .filter((p) => serving.includes(p.version))
        .map((p) => p.ip)
        .sort();
    const endpoints = (await view.readyEndpoints()).map((e) => e.ip).sort();
    if (JSON.stringify(endpoints) !== JSON.stringify(want)) return false;
    if (o.traffic.strategy !== "istio") return true;
    const served = await servedRoute(view.namespace);
    const declared = routeOf(stageIn(o.table, stage), o.release, o.traffic.mirrorPercent);
    return served !== null && servedDifferences(served.route, declared).length === 0;
}

/** Milliseconds from `since` (epoch ms) until the namespace serves `stage` (polled every POLL_MS). */
async function servingAfter(view: ClusterView, o: DriverWalkOptions, stage: StageName, since: number) {
    const deadline = Date.now() + 10 * 60_000;
    while (!(await serves(view, o, stage))) {
        if (Date.now() > deadline) throw new Error(`${view.namespace} did not serve ${stage} within 10 minutes`);
        await new Promise((r) => setTimeout(r, POLL_MS));
    }
    return Date.now() - since;
}

interface Step {
    from: StageName;
    to: StageName;
    /** When the decision was committed (epoch ms, from the driver's log). */
    decidedAt: number;
    /**
     * Decision to serving, and to the driver's `applied` line (its `up` returned: a preview, then the update, whose
     * gate, app check and settle step run after the stage serves).
     */
    servingMs: number;
    appliedMs?: number;
    kubectlMs?: number;
}

const DECISION = /^(\S+) rollout \S+: advance (\S+) -> (\S+) \(commit/;
const APPLIED = /^(\S+) (\S+) applied$/;

export async function driverWalk(o: DriverWalkOptions): Promise<void> {
    const stack = `bench-driver-${o.traffic.strategy}`;
    const view = new ClusterView(clusterKubeconfig, stack);
    const traffic = o.traffic.strategy === "istio" ? { strategy: "istio", steps: o.traffic.steps } : undefined;
    // v2 adds ratings to every review by design: declared, so the mirror's answer comparison takes it as intended.
    const stackConfig = ({ stable, candidate }: Release) => ({
        stage: "stable",
        release: { stable, ...(candidate ? { candidate: { ...candidate, changes: ["reviews[*].rating"] } } : {}) },
        schedule: SCHEDULE,
        analysis: ANALYSIS,
        ...(traffic ? { traffic } : {}),
    });
    const rig = DriverRig.deployed(stack, stack, stackConfig({ stable: o.release.stable }));
    const steps: Step[] = [];
    let load: ReturnType<typeof startLoad> | undefined;
    try {
        rig.writeStack(stackConfig(o.release));
        rig.repo.commitAll("release: v2 as the candidate");

        load = startLoad({
            namespace: stack,
            rate: 50,
            concurrency: 8,
            products: [0, 1, 2, 3],
            seconds: 600,
            ...(o.traffic.strategy === "istio" ? { via: "mesh" as const } : {}),
        });
        console.log(`driver: run ${stack} under load (50 requests/s) ...`);
        const run = rig.spawnCli(["run", stack]);
        let seen = 0;
        const waits: Promise<void>[] = [];
        // Each decision line starts a watch of its stage; the `applied` line that follows closes the step's up.
        while (run.exitCode === null && run.signalCode === null) {
            const lines = run.text().split("\n");
            for (const line of lines.slice(seen, -1)) {
                const d = DECISION.exec(line);
                if (d) {
                    const stage = (name: string) => {
                        const known = stageNameIn(o.table, name);
                        if (!known) throw new Error(`the driver names a stage outside the table: ${line}`);
                        return known;
                    };
                    const step: Step = {
                        from: stage(d[2]),
                        to: stage(d[3]),
                        decidedAt: Date.parse(d[1]),
                        servingMs: NaN,
                    };
                    steps.push(step);
                    waits.push(
                        servingAfter(view, o, step.to, step.decidedAt).then((ms) => {
                            step.servingMs = ms;
                            console.log(
                                `  ${step.from} -> ${step.to}: serving ${(ms / 1000).toFixed(1)} s after the decision`,
                            );
                        }),
                    );
                }
                const a = APPLIED.exec(line);
                const open = steps.at(-1);
                if (a && open && a[2] === open.to && open.appliedMs === undefined)
                    open.appliedMs = Date.parse(a[1]) - open.decidedAt;
            }
            seen = Math.max(seen, lines.length - 1);
            await new Promise((r) => setTimeout(r, 20));
        }
        await Promise.all(waits);
        const summary = await load.stop();
        const { code } = await run.done;
        if (code !== 0)
            throw new Error(`the driver's run exited ${code}:\n${run.text().split("\n").slice(-40).join("\n")}`);
        console.log(`driver: done; load ${summary.sent} requests, by status ${JSON.stringify(summary.byStatus)}`);

        // kubectl: the same changes, each timed from its apply to the same serving check.
        const kview = new ClusterView(clusterKubeconfig, o.kubectlNamespace);
        let previous: StageName | undefined;
        for (const stage of ["stable" as const, ...steps.map((s) => s.to)]) {
            const t0 = Date.now();
            o.kubectlApply(stage, previous);
            const ms = await servingAfter(kview, o, stage, t0);
            const step = steps.find((s) => s.to === stage);
            if (step) step.kubectlMs = ms;
            previous = stage;
        }
    } finally {
        await load?.stop();
        await rig.cleanUp();
    }

    const s = (ms: number | undefined) => (ms === undefined || Number.isNaN(ms) ? "-" : (ms / 1000).toFixed(1));
    console.log(
        `\ndriver (${o.traffic.strategy}): a decision's commit to the new stage serving, against kubectl's apply of the same change to serving\n`,
    );
    console.log(
        "| step | driver: decision -> serving (s) | driver: decision -> up returned (s) | kubectl: apply -> serving (s) | ratio (serving) |",
    );
    console.log("|---|---|---|---|---|");
    for (const st of steps)
        console.log(
            `| ${st.from} -> ${st.to} | ${s(st.servingMs)} | ${s(st.appliedMs)} | ${s(st.kubectlMs)} | ${st.kubectlMs ? (st.servingMs / st.kubectlMs).toFixed(1) : "-"} |`,
        );
}
