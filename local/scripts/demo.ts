// `npm run demo [-- --traffic istio]`: walks two releases of reviews (v1 -> v2, then v2 -> v3) with real `pulumi up`
// (policy pack attached) against the local cluster: every stage of the strategy's table, one refused jump, one
// rollback and restore, the closing step, and what the cluster does at each stage (pods, endpoints, the
// candidate's measured share; under istio also the testers' requests and the mirrored copies, through Envoy),
// then a summary. Under pods a third part follows: a release driven by `rollout run` (demo-driver.ts).
import { EngineEvent } from "@pulumi/pulumi/automation";
import { fleetOf, sharePercent } from "../../rollout/fleet";
import { Release } from "../../rollout/release";
import { routeOf } from "../../rollout/route";
import { POD_TABLE, StageName, stageIn, stageTableOf, weightStageName } from "../../rollout/stages";
import { DEFAULT_STEPS, DEFAULT_TESTERS, Traffic } from "../../rollout/traffic";
import { clusterKubeconfig } from "../lib/env";
import { countersByVersion, sendThroughMesh } from "../lib/mesh";
import { ClusterView, percentOf } from "../lib/observe";
import { RolloutStack } from "../lib/stack";
import { driverDemo } from "./demo-driver";

const strategy = process.argv.includes("--traffic") ? process.argv[process.argv.indexOf("--traffic") + 1] : "pods";
if (strategy !== "pods" && strategy !== "istio") throw new Error(`--traffic ${strategy}: allowed pods, istio`);
const TRAFFIC: Traffic =
    strategy === "istio"
        ? { strategy, steps: DEFAULT_STEPS, mirrorPercent: 100, testers: DEFAULT_TESTERS }
        : { strategy: "pods" };
const TABLE = stageTableOf(TRAFFIC);
const namespace = process.env.DEMO_NAMESPACE ?? (strategy === "istio" ? "bookinfo-mesh-demo" : "bookinfo");
/** Requests per share measurement: Envoy's split is random per request, so the mesh gets a larger sample. */
const SHARE_REQUESTS = strategy === "istio" ? 2000 : 400;
const image = (version: string) => `docker.io/istio/examples-bookinfo-reviews-${version}:1.20.3`;
const V1 = { version: "v1", image: image("v1"), replicas: 3 };
const V2 = { version: "v2", image: image("v2"), replicas: 3 };
const V3 = { version: "v3", image: image("v3"), replicas: 3, stars: "red" };
const RELEASE_1: Release = { stable: V1, candidate: V2 };
const RELEASE_2: Release = { stable: V2, candidate: V3 };

type Step = { release: Release; stage: StageName; note: string; expectRefusal?: boolean };
const weights = (release: Release) =>
    TRAFFIC.strategy === "istio"
        ? TRAFFIC.steps.map((w): Step => ({
              release,
              stage: weightStageName(w),
              note: `${release.candidate!.version} answers ${w}%`,
          }))
        : [];

/** The istio walk: testers, mirror, every weight step, a refused jump, a rollback + restore, closing, release 2. */
const MESH_WALK: Step[] = [
    { release: RELEASE_1, stage: "stable", note: "start: v1 only, the route sends everything to v1" },
    { release: RELEASE_1, stage: "dark", note: "deploy v2, route the testers to it" },
    { release: RELEASE_1, stage: "weight-25", note: "unsafe jump to 25 %", expectRefusal: true },
    { release: RELEASE_1, stage: "mirror", note: "copy live requests to v2" },
    { release: RELEASE_1, stage: "weight-1", note: "v2 answers 1%" },
    { release: RELEASE_1, stage: "stable", note: "rollback: weight 0 in one up" },
    { release: RELEASE_1, stage: "weight-1", note: "restore: v2's image passed its gate" },
    ...weights(RELEASE_1).slice(1),
    { release: RELEASE_1, stage: "weight-100", note: "v2 answers everything, v1 still runs" },
    { release: RELEASE_1, stage: "promoted", note: "delete v1" },
    { release: { stable: V2 }, stage: "stable", note: "close release 1: v2 is the stable" },
    { release: RELEASE_2, stage: "dark", note: "deploy v3 (red stars), route the testers to it" },
    { release: RELEASE_2, stage: "mirror", note: "copy live requests to v3" },
    ...weights(RELEASE_2),
    { release: RELEASE_2, stage: "weight-100", note: "v3 answers everything" },
    { release: RELEASE_2, stage: "promoted", note: "delete v2" },
];

/** The pods walk: each stage in order, with a refused jump, a rollback + restore and the closing step of release 1. */
const PODS_WALK: Step[] = [
    { release: RELEASE_1, stage: "stable", note: "start: v1 only" },
    { release: RELEASE_1, stage: "dark", note: "deploy v2 dark, gate it by pod IP" },
    { release: RELEASE_1, stage: "promoted", note: "unsafe jump straight to promoted", expectRefusal: true },
    { release: RELEASE_1, stage: "canary", note: "put v2 in service" },
    { release: RELEASE_1, stage: "stable", note: "rollback: remove v2 quickly" },
    { release: RELEASE_1, stage: "canary", note: "restore: v2's image passed its gate" },
    { release: RELEASE_1, stage: "half", note: "scale v2 to 3" },
    { release: RELEASE_1, stage: "promoted", note: "delete v1" },
    { release: { stable: V2 }, stage: "stable", note: "close release 1: v2 is the stable" },
    { release: RELEASE_2, stage: "dark", note: "deploy v3 dark (red stars), gate it" },
    { release: RELEASE_2, stage: "canary", note: "put v3 in service" },
    { release: RELEASE_2, stage: "half", note: "scale v3 to 3" },
    { release: RELEASE_2, stage: "promoted", note: "delete v2" },
];

const walk = strategy === "istio" ? MESH_WALK : PODS_WALK;

interface Row {
    stage: string;
    note: string;
    seconds: string;
    pods: string;
    endpoints: number;
    expected: string;
    measured: string;
    testers: string;
    mirrored: string;
    result: string;
}

/**
 * Under istio: the candidate's share of plain requests, the testers' requests (header, cookie) and mirrored copies,
 * through Envoy.
 */
async function meshMeasure(
    release: Release,
    stage: StageName,
): Promise<Pick<Row, "expected" | "measured" | "testers" | "mirrored">> {
    const candidate = release.candidate?.version ?? "";
    const before = (await countersByVersion(namespace))[candidate]?.mirrored ?? 0;
    const plain = await sendThroughMesh(namespace, SHARE_REQUESTS);
    const header = await sendThroughMesh(namespace, 100, {
        headers: { [DEFAULT_TESTERS.header]: DEFAULT_TESTERS.value },
    });
    const cookie = await sendThroughMesh(namespace, 100, {
        headers: { cookie: `${DEFAULT_TESTERS.cookie}=${DEFAULT_TESTERS.value}` },
    });
    await new Promise((r) => setTimeout(r, 500)); // copies are fire-and-forget: let the last ones land
    const mirrored = ((await countersByVersion(namespace))[candidate]?.mirrored ?? 0) - before;
    const expected = routeOf(stageIn(TABLE, stage), release, 100).weights[candidate] ?? 0;
    console.log(
        `   through Envoy: plain ${JSON.stringify(plain.byVersion)} of ${SHARE_REQUESTS} (errors ${plain.errors}); tester header ${JSON.stringify(header.byVersion)}; tester cookie ${JSON.stringify(cookie.byVersion)}; ${mirrored} copies mirrored to ${candidate || "-"}`,
    );
    return {
        expected: `${expected}%`,
        measured: `${candidate ? ((100 * (plain.byVersion[candidate] ?? 0)) / SHARE_REQUESTS).toFixed(2) : 0}%`,
        testers: `${header.byVersion[candidate] ?? 0}+${cookie.byVersion[candidate] ?? 0}/200`,
        mirrored: candidate ? String(mirrored) : "-",
    };
}

function progress(label: string) {
    const t0 = Date.now();
    const timer = setInterval(() => console.log(`   ... ${label}: ${((Date.now() - t0) / 1000).toFixed(0)}s`), 10_000);
    const onEvent = (e: EngineEvent) => {
        const m = e.resourcePreEvent?.metadata;
        if (m && m.op !== "same" && m.op !== "read")
            console.log(`   ${m.op.padEnd(8)} ${m.type} ${m.urn.split("::").pop()}`);
        const d = e.diagnosticEvent;
        // Ambient plugins on PATH are how the local toolchain works: their per-run warning is noise here.
        if (d && (d.severity === "error" || d.severity === "warning") && !/ from \$PATH at /.test(d.message))
            console.log(`   ${d.severity}: ${d.message.trim()}`);
        const p = e.policyEvent;
        if (p) console.log(`   policy ${p.enforcementLevel} ${p.policyName}: ${p.message.trim()}`);
    };
    return {
        onEvent,
        done: () => {
            clearInterval(timer);
            return ((Date.now() - t0) / 1000).toFixed(1);
        },
    };
}

async function main() {
    const view = new ClusterView(clusterKubeconfig, namespace);
    const stack = strategy === "istio" ? "demo-mesh" : "demo";
    const rollout = await RolloutStack.open({
        stack,
        namespace,
        release: RELEASE_1,
        config: { traffic: JSON.stringify(TRAFFIC) },
    });
    console.log(
        `demo stack organization/bookinfo-rollout/${stack}, traffic ${strategy}, namespace ${namespace}, kubeconfig ${clusterKubeconfig}`,
    );
    const start = progress("destroy of a previous demo");
    await rollout.destroy();
    console.log(`   previous demo state removed in ${start.done()}s`);

    const rows: Row[] = [];
    for (const step of walk) {
        const { release } = step;
        const candidate = release.candidate?.version;
        console.log(`\n### ${release.stable.version} -> ${candidate ?? "(no candidate)"} ${step.stage}: ${step.note}`);
        await rollout.setRelease(release);
        await rollout.setStage(step.stage);
        const p = progress(`pulumi up (${step.stage})`);
        try {
            await rollout.up({ onEvent: p.onEvent });
        } catch (e) {
            const secs = p.done();
            if (!step.expectRefusal) throw e;
            const refusal = String((e as Error).message)
                .split("\n")
                .find((l) => /\[reviews-stage-move-allowed\]/.test(l))
                ?.trim();
            console.log(`   refused as expected in ${secs}s, nothing changed: ${refusal ?? (e as Error).message}`);
            rows.push({
                stage: step.stage,
                note: step.note,
                seconds: secs,
                pods: "-",
                endpoints: 0,
                expected: "-",
                measured: "-",
                testers: "-",
                mirrored: "-",
                result: "refused",
            });
            const previous = rows.filter((r) => r.result !== "refused").pop()!.stage;
            await rollout.setStage(previous);
            continue;
        }
        const secs = p.done();
        if (step.expectRefusal) throw new Error(`${step.stage} should have been refused by the guard`);
        const pods = await view.reviewsPods();
        const endpoints = await view.readyEndpoints();
        const outputs = await rollout.stack.outputs();
        console.log("   reviews pods:");
        for (const pod of pods)
            console.log(
                `     ${pod.name.padEnd(32)} ${pod.version}  app=${pod.app.padEnd(13)} ${pod.ip.padEnd(15)} ${pod.ready ? "ready" : "not ready"}`,
            );
        console.log(`   reviews endpoints (ready): ${endpoints.map((e) => `${e.ip}(${e.pod})`).join(" ") || "none"}`);
        console.log(`   gate: ${String(outputs.gate?.value ?? "").trim()}`);
        let measures: Pick<Row, "expected" | "measured" | "testers" | "mirrored">;
        if (strategy === "istio") {
            console.log(`   app check: ${String(outputs.appCheck?.value ?? "").trim()}`);
            measures = await meshMeasure(release, step.stage);
        } else {
            const share = await view.measureShare(SHARE_REQUESTS);
            const expected = sharePercent(fleetOf(release, step.stage, POD_TABLE), candidate);
            const measured = percentOf(share, candidate);
            console.log(
                `   ${candidate ?? "candidate"} share over ${SHARE_REQUESTS} requests: ${measured}% (expected ${expected}%), by version ${JSON.stringify(share.byVersion)}, errors ${share.errors}`,
            );
            measures = { expected: `${expected}%`, measured: `${measured}%`, testers: "-", mirrored: "-" };
        }
        const versions = [...new Set(pods.map((x) => x.version))];
        rows.push({
            stage: step.stage,
            note: step.note,
            seconds: secs,
            pods: versions.map((v) => `${v}:${pods.filter((x) => x.version === v).length}`).join(" "),
            endpoints: endpoints.length,
            ...measures,
            result: "converged",
        });
    }

    console.log("\nsummary:");
    const mesh = strategy === "istio";
    const header = [
        "stage",
        "move",
        "up (s)",
        "pods",
        "endpoints",
        "candidate expected",
        "candidate measured",
        ...(mesh ? ["testers to candidate", "mirrored"] : []),
        "result",
    ];
    const lines = rows.map((r) => [
        r.stage,
        r.note,
        r.seconds,
        r.pods,
        String(r.endpoints),
        r.expected,
        r.measured,
        ...(mesh ? [r.testers, r.mirrored] : []),
        r.result,
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
    for (const l of [header, ...lines]) console.log("  " + l.map((c, i) => c.padEnd(widths[i])).join("  "));
    if (!mesh) await driverDemo();
}

main().catch((e) => {
    console.error(`demo failed: ${(e as Error).message}`);
    process.exit(1);
});
