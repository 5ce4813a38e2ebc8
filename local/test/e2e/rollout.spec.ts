// End-to-end: the real CLI, plugins and policy pack against the local cluster, through the Automation API. One
// ordered walk of two releases (v1 -> v2, then v2 -> v3) in its own namespace, with rollbacks, a restore, a broken
// candidate, an interrupted up and a lock race; each `it` starts where the previous one left the stack.
import assert from "node:assert/strict";
import { Release } from "../../../rollout/release";
import { allowedNext, LiveStage } from "../../../rollout/moves";
import { POD_TABLE, STAGE_NAMES, StageName } from "../../../rollout/stages";
import { clearFault, setFault } from "../../cluster/faults";
import { clusterKubeconfig } from "../../lib/env";
import { EndpointWatcher, WatchReport } from "../../lib/endpoint-watcher";
import { ClusterView } from "../../lib/observe";
import { RolloutStack } from "../../lib/stack";
import { EngineLog } from "./lib/engine-log";
import { expectStage } from "./lib/expect-live";
import { killUpMidChange, recoverAfterKill } from "./lib/interrupted-up";
import { stateOf } from "./lib/state";

const namespace = "bookinfo-e2e";
const image = (version: string, tag = "1.20.3") => `docker.io/istio/examples-bookinfo-reviews-${version}:${tag}`;
const V1 = { version: "v1", image: image("v1"), replicas: 3 };
const RELEASE_1: Release = { stable: V1, candidate: { version: "v2", image: image("v2"), replicas: 3 } };

describe("e2e: two releases on the local cluster", function () {
    this.timeout(15 * 60_000);
    const view = new ClusterView(clusterKubeconfig, namespace);
    const log = new EngineLog();
    const watcher = new EndpointWatcher(view);
    const shares: string[] = [];
    let rollout: RolloutStack;
    let release: Release = RELEASE_1;
    let deployed: LiveStage = "none";

    async function upTo(stage: StageName): Promise<void> {
        await rollout.setStage(stage);
        await rollout.up({ onEvent: log.onEvent });
        deployed = stage;
        const { candidatePercent } = await expectStage(view, release, stage);
        shares.push(`${release.stable.version}->${release.candidate?.version ?? "-"} ${stage}: ${candidatePercent}%`);
    }

    /**
     * Every move the table refuses from the deployed stage: refused by preview and up, naming the rule, nothing
     * changed.
     */
    async function expectRefusedMovesFrom(): Promise<void> {
        const refused = STAGE_NAMES.filter((s) => !allowedNext(POD_TABLE, deployed).some((m) => m.to === s));
        assert.ok(refused.length > 0);
        for (const to of refused) {
            const before = await Promise.all([view.settled(), stateOf(rollout)]);
            await rollout.setStage(to);
            const named = (e: Error) =>
                /reviews-stage-move-allowed/.test(e.message) &&
                e.message.includes(`${deployed === "none" ? "none" : deployed} -> ${to}`);
            await assert.rejects(rollout.preview({ onEvent: log.onEvent }), named, `preview ${deployed} -> ${to}`);
            await assert.rejects(rollout.up({ onEvent: log.onEvent }), named, `up ${deployed} -> ${to}`);
            assert.deepEqual(
                await Promise.all([view.snapshot(), stateOf(rollout)]),
                before,
                `${deployed} -> ${to} changed the cluster or the state`,
            );
        }
        if (deployed !== "none") await rollout.setStage(deployed);
    }

    before(async () => {
        rollout = await RolloutStack.open({ stack: "e2e", namespace, release });
        await rollout.destroy();
    });

    it("refuses every first deployment that does not start at stable or dark", expectRefusedMovesFrom);

    it("deploys stable (v1), then watches the reviews endpoints for the rest of the walk", async () => {
        await upTo("stable");
        watcher.start();
    });

    it("changes nothing on bad config, naming the key", async () => {
        // [key, bad value, what the error must name, how to put the key back]
        const cases: [string, string, RegExp, () => Promise<void>][] = [
            ["stage", "canery", /stage = "canery": unknown stage/, () => rollout.setStage("stable")],
            ["stage", "v2-dark", /"v2-dark" is "dark"/, () => rollout.setStage("stable")],
            [
                "v2Fault",
                "http-500",
                /v2Fault = "http-500": this key was retired/,
                () => rollout.removeConfig("v2Fault"),
            ],
            ["replicaz", "3", /replicaz = "3": unknown key/, () => rollout.removeConfig("replicaz")],
        ];
        for (const [key, value, message, restore] of cases) {
            const before = await Promise.all([view.snapshot(), stateOf(rollout)]);
            await rollout.setConfig(key, value);
            try {
                await assert.rejects(rollout.up(), (e: Error) => message.test(e.message), `${key}=${value}`);
                assert.deepEqual(
                    await Promise.all([view.snapshot(), stateOf(rollout)]),
                    before,
                    `${key}=${value} changed something`,
                );
            } finally {
                await restore();
            }
        }
    });

    it("refuses the unsafe moves from stable (canary needs a gate pass)", expectRefusedMovesFrom);

    it("dark: v2 runs beside v1, unselected, and passes its gate", async () => {
        await upTo("dark");
        const outputs = await rollout.stack.outputs();
        assert.match(outputs.gate.value, /^gate passed: 1 pod\(s\) of reviews-v2 running .*reviews-v2:1\.20\.3/);
    });

    it("refuses the unsafe moves from dark", expectRefusedMovesFrom);

    it("rolls back from dark to stable, and goes dark again", async () => {
        await upTo("stable");
        await upTo("dark");
    });

    it("canary: 1 of 4 pods is v2", async () => upTo("canary"));

    it("refuses the unsafe moves from canary", expectRefusedMovesFrom);

    it("rolls back from canary, then restores canary with the image whose gate passed", async () => {
        await upTo("stable");
        await upTo("canary");
    });

    it("half: 3 of 6 pods are v2", async () => upTo("half"));

    it("refuses the unsafe moves from half", expectRefusedMovesFrom);

    it("rolls back from half to stable", async () => upTo("stable"));

    it("a broken candidate fails its gate: up fails naming the check, v1 keeps serving, canary stays refused", async () => {
        const broken = image("v2", "1.20.4-rc1");
        setFault(broken, "http-500");
        release = { ...release, candidate: { ...release.candidate!, image: broken } };
        await rollout.setRelease(release);
        await rollout.setStage("dark");
        await assert.rejects(rollout.up({ onEvent: log.onEvent }), (e: Error) =>
            /gate failed: http-200 on pod reviews-v2-\S+ \(10\.244\./.test(e.message),
        );
        assert.equal((await view.readyEndpoints()).length, V1.replicas, "v1 keeps serving");
        const share = await view.measureShare(100);
        assert.equal(share.errors, 0);
        assert.equal(share.byVersion.v1, 100);
        await rollout.setStage("canary");
        await assert.rejects(
            rollout.up(),
            (e: Error) => /reviews-serves-only-gate-passed-images.*1\.20\.4-rc1/s.test(e.message),
            "an image that failed its gate cannot serve",
        );
        deployed = "dark";
    });

    it("the next good image proceeds", async () => {
        release = { ...release, candidate: { ...release.candidate!, image: image("v2", "1.20.4") } };
        await rollout.setRelease(release);
        await upTo("dark");
        await upTo("canary");
    });

    it("recovers an up killed mid-change (SIGKILL) with the documented procedure", async () => {
        await rollout.setStage("half");
        await killUpMidChange("e2e");
        const { pendingOperations } = await recoverAfterKill("e2e");
        assert.ok(pendingOperations > 0, "the kill must leave a pending operation to recover from");
        await rollout.up({ onEvent: log.onEvent });
        deployed = "half";
        await expectStage(view, release, "half");
    });

    it("refuses a second concurrent up through the state lock, and the state stays whole", async () => {
        const results = await Promise.allSettled([
            rollout.up({ onEvent: log.onEvent }),
            rollout.up({ onEvent: log.onEvent }),
        ]);
        const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
        assert.equal(failed.length, 1, "exactly one of two concurrent ups must be refused");
        assert.match(String(failed[0].reason?.message), /locked/i);
        const preview = await rollout.preview();
        // A `read` is the StackReference to this stack's own outputs, read again when the last up changed one of
        // them (fromStage, after a recovery that started off the stage): nothing in the cluster or the state moves.
        const changed = Object.entries(preview.changeSummary).filter(
            ([op, n]) => op !== "same" && op !== "read" && (n ?? 0) > 0,
        );
        assert.deepEqual(changed, [], "after the race a preview shows no pending change");
    });

    it("promoted: v1 deleted, v2 serves everything", async () => upTo("promoted"));

    it("refuses the unsafe moves from promoted", expectRefusedMovesFrom);

    it("closes release 1: v2 becomes the stable with its own image, and no pod changes", async () => {
        const pods = (await view.reviewsPods()).map((p) => p.name);
        release = { stable: { ...release.candidate! } };
        await rollout.setRelease(release);
        await upTo("stable");
        assert.deepEqual(
            (await view.reviewsPods()).map((p) => p.name),
            pods,
            "closing a release changes no pod",
        );
    });

    it("release 2 (v2 -> v3, red stars): dark, canary, a rollback, a restore, half, promoted", async () => {
        release = {
            stable: release.stable,
            candidate: { version: "v3", image: image("v3"), replicas: 3, stars: "red" } as Release["candidate"],
        };
        await rollout.setRelease(release);
        await upTo("dark");
        await expectRefusedMovesFrom();
        await upTo("canary");
        await upTo("stable");
        await upTo("canary");
        await upTo("half");
        await expectRefusedMovesFrom();
        await upTo("promoted");
    });

    it("never replaced a Deployment and never dipped below the stable's capacity during the walk", async () => {
        const report: WatchReport = await watcher.stop();
        assert.deepEqual(log.replacements("kubernetes:apps/v1:Deployment"), [], "replaced Deployments");
        assert.ok(report.perSecond >= 10, `endpoint watcher sampled ${report.perSecond.toFixed(1)}/s, needs >= 10`);
        assert.ok(
            report.maxGapMs <= 2000,
            `endpoint watcher's largest gap between samples was ${report.maxGapMs} ms (> 2000)`,
        );
        assert.equal(report.errors, 0, "endpoint watcher errors");
        assert.ok(
            report.minReady >= V1.replicas,
            `ready reviews endpoints fell to ${report.minReady} (< ${V1.replicas})`,
        );
        console.log(
            `      endpoint watcher: ${report.samples} samples over ${report.seconds.toFixed(0)}s (${report.perSecond.toFixed(1)}/s, largest gap ${report.maxGapMs} ms), minimum ${report.minReady} ready`,
        );
        console.log(`      measured candidate shares (400 requests each): ${shares.join("; ")}`);
    });

    it("destroy leaves the namespace empty", async () => {
        clearFault(image("v2", "1.20.4-rc1"));
        await rollout.destroy();
        assert.deepEqual(await view.deploymentNames(), []);
        assert.deepEqual(
            (await view.reviewsPods()).map((p) => p.name),
            [],
        );
    });
});
