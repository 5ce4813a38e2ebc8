// Assertions on the live cluster for a stage: pods per version and label, the reviews endpoints, the v2 share.
import assert from "node:assert/strict";
import { REVIEWS_APP } from "../../../../rollout/labels";
import { planStage } from "../../../../rollout/plan";
import { StageName } from "../../../../rollout/stages";
import { ClusterView } from "../../../lib/observe";

export const SHARE_REQUESTS = 400;
/**
 * Allowed distance between measured and expected v2 share, in percentage points: 4.5 standard deviations of a
 * binomial sample of SHARE_REQUESTS random endpoint picks (canary 9.7, half 11.3), so a correct split fails less
 * than once in 100 000 runs while a wrong one (25 % instead of 50 %) is off by more than 10 deviations. At 0 % and
 * 100 % every pick lands on one version, so the measurement must be exact.
 */
export function shareTolerance(expectedPercent: number, requests = SHARE_REQUESTS): number {
    const p = expectedPercent / 100;
    return 100 * 4.5 * Math.sqrt((p * (1 - p)) / requests);
}

/** Waits until the cluster settles on the stage (pods terminate asynchronously after `up`), then asserts it. */
export async function expectStage(view: ClusterView, stage: StageName, v1Replicas = 3): Promise<void> {
    const plan = planStage(stage, { v1Replicas });
    const deadline = Date.now() + 60_000;
    for (;;) {
        const pods = await view.reviewsPods();
        const count = (v: string) => pods.filter((p) => p.version === v).length;
        const settled = count("v1") === plan.v1Replicas && count("v2") === plan.v2Replicas && pods.every((p) => p.ready);
        if (settled || Date.now() > deadline) {
            assert.equal(count("v1"), plan.v1Replicas, `${stage}: v1 pods`);
            assert.equal(count("v2"), plan.v2Replicas, `${stage}: v2 pods`);
            for (const p of pods.filter((x) => x.version === "v2")) assert.equal(p.app, plan.v2App, `${stage}: app label of ${p.name}`);
            for (const p of pods.filter((x) => x.version === "v1")) assert.equal(p.app, REVIEWS_APP, `${stage}: app label of ${p.name}`);
            const serving = pods.filter((p) => p.app === REVIEWS_APP).map((p) => p.ip).sort();
            const endpoints = (await view.readyEndpoints()).map((e) => e.ip).sort();
            assert.deepEqual(endpoints, serving, `${stage}: reviews endpoints are exactly the pods labelled app=reviews`);
            break;
        }
        await new Promise((r) => setTimeout(r, 500));
    }
    const share = await view.measureShare(SHARE_REQUESTS);
    assert.equal(share.errors, 0, `${stage}: failed requests while measuring the share`);
    const tolerance = shareTolerance(plan.v2SharePercent);
    assert.ok(Math.abs(share.v2Percent - plan.v2SharePercent) <= tolerance,
        `${stage}: v2 answered ${share.v2Percent}% of ${SHARE_REQUESTS} requests, expected ${plan.v2SharePercent}% ± ${tolerance.toFixed(1)}`);
}
