// `npm run demo`: walks every stage of the reviews v2 rollout with real `pulumi up` (policy pack attached) against
// the local cluster, shows what the cluster does at each stage, one refused jump and one rollback, then a summary.
import { EngineEvent } from "@pulumi/pulumi/automation";
import { planStage } from "../../rollout/plan";
import { StageName } from "../../rollout/stages";
import { clusterKubeconfig } from "../lib/env";
import { ClusterView } from "../lib/observe";
import { RolloutStack } from "../lib/stack";

const namespace = process.env.DEMO_NAMESPACE ?? "bookinfo";
const SHARE_REQUESTS = 400;

/** The walk: every stage in order, with a refused jump and a rollback + restore where the tutorial has them. */
const walk: { stage: StageName; note: string; expectRefusal?: boolean }[] = [
    { stage: "v1-only", note: "start: v1 only" },
    { stage: "v2-dark", note: "deploy v2 dark, smoke-test it by pod IP" },
    { stage: "promoted", note: "unsafe jump straight to promoted", expectRefusal: true },
    { stage: "canary", note: "put v2 in service" },
    { stage: "v1-only", note: "rollback: remove v2 quickly" },
    { stage: "canary", note: "restore: same image already passed the smoke test" },
    { stage: "half", note: "scale v2 to 3" },
    { stage: "promoted", note: "delete v1" },
];

interface Row { stage: string; note: string; seconds: string; pods: string; endpoints: number; expected: string; measured: string; result: string }

function progress(label: string) {
    const t0 = Date.now();
    const timer = setInterval(() => console.log(`   ... ${label}: ${((Date.now() - t0) / 1000).toFixed(0)}s`), 10_000);
    const onEvent = (e: EngineEvent) => {
        const m = e.resourcePreEvent?.metadata;
        if (m && m.op !== "same" && m.op !== "read") console.log(`   ${m.op.padEnd(8)} ${m.type} ${m.urn.split("::").pop()}`);
        const d = e.diagnosticEvent;
        // Ambient plugins on PATH are how the local toolchain works: their per-run warning is noise here.
        if (d && (d.severity === "error" || d.severity === "warning") && !/ from \$PATH at /.test(d.message)) console.log(`   ${d.severity}: ${d.message.trim()}`);
        const p = e.policyEvent;
        if (p) console.log(`   policy ${p.enforcementLevel} ${p.policyName}: ${p.message.trim()}`);
    };
    return { onEvent, done: () => { clearInterval(timer); return ((Date.now() - t0) / 1000).toFixed(1); } };
}

async function main() {
    const view = new ClusterView(clusterKubeconfig, namespace);
    const rollout = await RolloutStack.open({ stack: "demo", namespace });
    console.log(`demo stack organization/bookinfo-rollout/demo, namespace ${namespace}, kubeconfig ${clusterKubeconfig}`);
    const start = progress("destroy of a previous demo");
    await rollout.destroy();
    console.log(`   previous demo state removed in ${start.done()}s`);

    const rows: Row[] = [];
    for (const step of walk) {
        console.log(`\n### ${step.stage}: ${step.note}`);
        await rollout.setStage(step.stage);
        const p = progress(`pulumi up (${step.stage})`);
        try {
            await rollout.up({ onEvent: p.onEvent });
        } catch (e) {
            const secs = p.done();
            if (!step.expectRefusal) throw e;
            const refusal = String((e as Error).message).split("\n").find((l) => /is refused/.test(l))?.trim();
            console.log(`   refused as expected in ${secs}s, nothing changed: ${refusal ?? (e as Error).message}`);
            rows.push({ stage: step.stage, note: step.note, seconds: secs, pods: "-", endpoints: 0, expected: "-", measured: "-", result: "refused by policy" });
            const previous = rows.filter((r) => r.result !== "refused by policy").pop()!.stage;
            await rollout.setStage(previous);
            continue;
        }
        const secs = p.done();
        if (step.expectRefusal) throw new Error(`${step.stage} should have been refused by the policy pack`);
        const pods = await view.reviewsPods();
        const endpoints = await view.readyEndpoints();
        const outputs = await rollout.stack.outputs();
        console.log("   reviews pods:");
        for (const pod of pods) console.log(`     ${pod.name.padEnd(32)} ${pod.version}  app=${pod.app.padEnd(13)} ${pod.ip.padEnd(15)} ${pod.ready ? "ready" : "not ready"}`);
        console.log(`   reviews endpoints (ready): ${endpoints.map((e) => `${e.ip}(${e.pod})`).join(" ") || "none"}`);
        if (outputs.smokeTest?.value) console.log(`   smoke test: ${String(outputs.smokeTest.value).trim().split("\n").join("\n               ")}`);
        const share = await view.measureShare(SHARE_REQUESTS);
        const expected = planStage(step.stage).v2SharePercent;
        console.log(`   v2 share over ${SHARE_REQUESTS} requests: ${share.v2Percent}% (expected ${expected}%), by version ${JSON.stringify(share.byVersion)}, errors ${share.errors}`);
        const count = (v: string) => pods.filter((x) => x.version === v).length;
        rows.push({
            stage: step.stage, note: step.note, seconds: secs, pods: `${count("v1")}/${count("v2")}`, endpoints: endpoints.length,
            expected: `${expected}%`, measured: `${share.v2Percent}%`, result: "converged",
        });
    }

    console.log("\nsummary:");
    const header = ["stage", "move", "up (s)", "v1/v2 pods", "endpoints", "v2 expected", "v2 measured", "result"];
    const lines = rows.map((r) => [r.stage, r.note, r.seconds, r.pods, String(r.endpoints), r.expected, r.measured, r.result]);
    const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
    for (const l of [header, ...lines]) console.log("  " + l.map((c, i) => c.padEnd(widths[i])).join("  "));
}

main().catch((e) => {
    console.error(`demo failed: ${(e as Error).message}`);
    process.exit(1);
});
