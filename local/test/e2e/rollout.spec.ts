// End-to-end: the real CLI, plugins and policy pack against the local cluster, through the Automation API.
// One ordered walk in its own namespace; each `it` starts where the previous one left the stack.
import assert from "node:assert/strict";
import { STAGE_NAMES, StageName } from "../../../rollout/stages";
import { allowedNext, DeployedStage } from "../../../rollout/transitions";
import { clusterKubeconfig } from "../../lib/env";
import { EndpointWatcher, WatchReport } from "../../lib/endpoint-watcher";
import { ClusterView } from "../../lib/observe";
import { RolloutStack } from "../../lib/stack";
import { EngineLog } from "./lib/engine-log";
import { expectStage } from "./lib/expect-live";
import { killUpMidChange, recoverAfterKill } from "./lib/interrupted-up";

const namespace = "bookinfo-e2e";
const V1_REPLICAS = 3;
const goodImage = "docker.io/istio/examples-bookinfo-reviews-v2:1.20.3";

describe("e2e: every stage on the local cluster", function () {
    this.timeout(15 * 60_000);
    const view = new ClusterView(clusterKubeconfig, namespace);
    const log = new EngineLog();
    const watcher = new EndpointWatcher(view);
    let rollout: RolloutStack;
    let deployed: DeployedStage = "none";

    async function upTo(stage: StageName): Promise<void> {
        await rollout.setStage(stage);
        await rollout.up({ onEvent: log.onEvent });
        deployed = stage;
        await expectStage(view, stage, V1_REPLICAS);
    }

    /** Every refused move from the deployed stage: refused by preview and by up, and the cluster is untouched. */
    async function expectRefusedMovesFrom(): Promise<void> {
        const refused = STAGE_NAMES.filter((s) => !allowedNext(deployed).includes(s));
        for (const to of refused) {
            const before = await view.snapshot();
            await rollout.setStage(to);
            await assert.rejects(rollout.preview({ onEvent: log.onEvent }), (e: Error) => e.message.includes(to), `preview ${deployed} -> ${to}`);
            await assert.rejects(rollout.up({ onEvent: log.onEvent }), (e: Error) => e.message.includes(to), `up ${deployed} -> ${to}`);
            assert.deepEqual(await view.snapshot(), before, `${deployed} -> ${to} changed the cluster`);
        }
        if (deployed !== "none") await rollout.setStage(deployed);
    }

    before(async () => {
        rollout = await RolloutStack.open({ stack: "e2e", namespace, config: { v1Replicas: String(V1_REPLICAS) } });
        await rollout.destroy();
    });

    it("refuses every first deployment that does not start at v1-only or v2-dark", async () => {
        await expectRefusedMovesFrom();
    });

    it("deploys v1-only, then watches the reviews endpoints for the rest of the walk", async () => {
        await upTo("v1-only");
        watcher.start();
    });

    it("changes nothing on bad config, naming the key", async () => {
        // [key, bad value, what the error must name, how to put the key back]
        const cases: [string, string, RegExp, () => Promise<void>][] = [
            ["stage", "canery", /stage.*canery/s, () => rollout.setStage("v1-only")],
            ["v1Replicas", "-1", /v1Replicas/, () => rollout.setConfig("v1Replicas", String(V1_REPLICAS))],
            ["v1Replicas", "2.5", /v1Replicas/, () => rollout.setConfig("v1Replicas", String(V1_REPLICAS))],
            ["replicaz", "3", /replicaz/, () => rollout.removeConfig("replicaz")],
        ];
        for (const [key, value, message, restore] of cases) {
            const before = await view.snapshot();
            await rollout.setConfig(key, value);
            try {
                await assert.rejects(rollout.up(), (e: Error) => message.test(e.message), `${key}=${value}`);
                assert.deepEqual(await view.snapshot(), before, `${key}=${value} changed the cluster`);
            } finally {
                await restore();
            }
        }
    });

    it("refuses the unsafe moves from v1-only (canary needs a smoke-tested image)", expectRefusedMovesFrom);

    it("v2-dark: v2 runs beside v1, unselected, and passes the smoke test", async () => {
        await upTo("v2-dark");
        const outputs = await rollout.stack.outputs();
        assert.equal(outputs.stage.value, "v2-dark");
    });

    it("refuses the unsafe moves from v2-dark", expectRefusedMovesFrom);

    it("rolls back from v2-dark to v1-only", async () => {
        await upTo("v1-only");
        await upTo("v2-dark");
    });

    it("canary: 1 of 4 pods is v2", async () => {
        await upTo("canary");
    });

    it("refuses the unsafe moves from canary", expectRefusedMovesFrom);

    it("rolls back from canary, then restores canary with the same smoke-tested image", async () => {
        await upTo("v1-only");
        await upTo("canary");
    });

    it("half: 3 of 6 pods are v2", async () => {
        await upTo("half");
    });

    it("refuses the unsafe moves from half", expectRefusedMovesFrom);

    it("rolls back from half to v1-only", async () => {
        await upTo("v1-only");
    });

    it("a broken v2 fails its smoke test: up fails naming the check, v1 keeps serving, the stage does not advance", async () => {
        await rollout.setConfig("v2Image", goodImage.replace(":1.20.3", ":1.20.4-rc1"));
        await rollout.setConfig("v2Fault", "http-500");
        await rollout.setStage("v2-dark");
        await assert.rejects(rollout.up({ onEvent: log.onEvent }), (e: Error) => /smoke test failed: .*on pod reviews-v2/s.test(e.message));
        const state = await view.readyEndpoints();
        assert.equal(state.length, V1_REPLICAS, "v1 keeps serving");
        const share = await view.measureShare(100);
        assert.equal(share.errors, 0);
        assert.equal(share.byVersion.v1, 100);
        await rollout.setStage("canary");
        await assert.rejects(rollout.up(), /v2-dark/, "an image that failed its smoke test cannot go in service");
    });

    it("the next good image proceeds", async () => {
        await rollout.setConfig("v2Image", goodImage.replace(":1.20.3", ":1.20.4"));
        await rollout.setConfig("v2Fault", "none");
        deployed = "v1-only";
        await upTo("v2-dark");
    });

    it("recovers an up killed mid-change (SIGKILL) with the documented procedure", async () => {
        await rollout.setStage("canary");
        await killUpMidChange("e2e");
        await recoverAfterKill("e2e");
        await rollout.up({ onEvent: log.onEvent });
        deployed = "canary";
        await expectStage(view, "canary", V1_REPLICAS);
    });

    it("refuses a second concurrent up through the state lock, and the state stays whole", async () => {
        await rollout.setStage("half");
        const results = await Promise.allSettled([rollout.up({ onEvent: log.onEvent }), rollout.up({ onEvent: log.onEvent })]);
        const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
        assert.equal(failed.length, 1, "exactly one of two concurrent ups must be refused");
        assert.match(String(failed[0].reason?.message), /locked/i);
        deployed = "half";
        await expectStage(view, "half", V1_REPLICAS);
        const preview = await rollout.preview();
        const changed = Object.entries(preview.changeSummary).filter(([op, n]) => op !== "same" && (n ?? 0) > 0);
        assert.deepEqual(changed, [], "after the race a preview shows no pending change");
    });

    it("promoted: v1 deleted, v2 serves everything", async () => {
        await upTo("promoted");
    });

    it("refuses the unsafe moves from promoted", expectRefusedMovesFrom);

    it("never replaced a Deployment and never dipped below v1's capacity during the walk", async () => {
        const report: WatchReport = await watcher.stop();
        assert.deepEqual(log.replacements("kubernetes:apps/v1:Deployment"), [], "replaced Deployments");
        assert.ok(report.perSecond >= 10, `endpoint watcher sampled ${report.perSecond.toFixed(1)}/s, needs >= 10`);
        assert.equal(report.errors, 0, "endpoint watcher errors");
        assert.ok(report.minReady >= V1_REPLICAS, `ready reviews endpoints fell to ${report.minReady} (< ${V1_REPLICAS})`);
        console.log(`      endpoint watcher: ${report.samples} samples over ${report.seconds.toFixed(0)}s (${report.perSecond.toFixed(1)}/s), minimum ${report.minReady} ready`);
    });

    it("destroy leaves the namespace empty", async () => {
        await rollout.destroy();
        assert.deepEqual(await view.deploymentNames().catch(() => []), []);
        assert.deepEqual((await view.reviewsPods().catch(() => [])).map((p) => p.name), []);
    });
});
