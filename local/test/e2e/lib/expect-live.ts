// Assertions on the live cluster for a stage of a release: pods per version and label, the reviews endpoints, and
// the candidate's share measured over HTTP. Expected values come from the stage table (fleetOf).
import assert from "node:assert/strict";
import { fleetOf, sharePercent } from "../../../../rollout/fleet";
import { Release } from "../../../../rollout/release";
import { REVIEWS } from "../../../../rollout/service";
import { POD_TABLE, StageName } from "../../../../rollout/stages";
import { sleep } from "../../../cluster/processes";
import { ClusterView, percentOf, podsSettled } from "../../../lib/observe";

export const SHARE_REQUESTS = 400;
/**
 * Allowed distance between measured and expected candidate share, in percentage points: 4.5 standard deviations
 * of a binomial sample of SHARE_REQUESTS random endpoint picks (canary 9.7, half 11.3), so a correct split fails
 * less than once in 100 000 runs while a wrong one (25 % instead of 50 %) is off by more than 10 deviations. At
 * 0 % and 100 % every pick lands on one version, so the measurement must be exact.
 */
export function shareTolerance(expectedPercent: number, requests = SHARE_REQUESTS): number {
    const p = expectedPercent / 100;
    return 100 * 4.5 * Math.sqrt((p * (1 - p)) / requests);
}

/** Waits until the cluster settles on the stage (pods terminate asynchronously after `up`), then asserts it. */
export async function expectStage(
    view: ClusterView,
    release: Release,
    stage: StageName,
): Promise<{ candidatePercent: number }> {
    const fleet = fleetOf(release, stage, POD_TABLE);
    const deadline = Date.now() + 60_000;
    for (;;) {
        const pods = await view.reviewsPods();
        const count = (v: string) => pods.filter((p) => p.version === v).length;
        if (podsSettled(pods, fleet) || Date.now() > deadline) {
            for (const w of fleet) {
                assert.equal(count(w.version), w.replicas, `${stage}: ${w.version} pods`);
                for (const p of pods.filter((x) => x.version === w.version)) {
                    assert.equal(p.app, w.serving ? REVIEWS.name : REVIEWS.darkApp, `${stage}: app label of ${p.name}`);
                }
            }
            assert.deepEqual(
                pods.map((p) => p.version).filter((v) => !fleet.some((w) => w.version === v)),
                [],
                `${stage}: pods of versions outside the stage`,
            );
            const serving = pods
                .filter((p) => p.app === REVIEWS.name)
                .map((p) => p.ip)
                .sort();
            const endpoints = (await view.readyEndpoints()).map((e) => e.ip).sort();
            assert.deepEqual(
                endpoints,
                serving,
                `${stage}: reviews endpoints are exactly the pods labelled app=reviews`,
            );
            break;
        }
        await sleep(500);
    }
    const candidate = release.candidate?.version;
    const expected = sharePercent(fleet, candidate);
    const share = await view.measureShare(SHARE_REQUESTS);
    assert.equal(share.errors, 0, `${stage}: failed requests while measuring the share`);
    const candidatePercent = percentOf(share, candidate);
    const tolerance = shareTolerance(expected);
    assert.ok(
        Math.abs(candidatePercent - expected) <= tolerance,
        `${stage}: ${candidate ?? "the candidate"} answered ${candidatePercent}% of ${SHARE_REQUESTS} requests, expected ${expected}% ± ${tolerance.toFixed(1)}`,
    );
    return { candidatePercent };
}
