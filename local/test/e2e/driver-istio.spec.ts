// End-to-end, the rollout driver's real CLI under the istio traffic strategy: a Git repository made here (a copy of
// the product), the local cluster's istiod and Envoy, a real Prometheus scraping Envoy, and the load generator
// sending steady traffic through Envoy to productpage. A good candidate walks stable -> dark -> mirror -> weight-5 ->
// weight-25 -> weight-100 -> promoted under `run` and the release closes: one commit per step with its decision
// trailer and evidence, every answer users got a 200, and the cluster (pods, endpoints, Envoy's route) at the
// closed release. The expected list of steps is written out here, never read from the code under test.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import { clusterKubeconfig } from "../../lib/env";
import { startLoad } from "../../lib/load";
import { ServedRoute, waitForRoute } from "../../lib/mesh";
import { ClusterView } from "../../lib/observe";
import { expectStage } from "./lib/expect-live";
import { DriverRig, image, show } from "../../lib/driver-rig";

const id = crypto.randomBytes(3).toString("hex");
const stack = `driver-istio-${id}`;
const namespace = `driver-istio-${id}`;
const V1 = { version: "v1", image: image("v1"), replicas: 3 };
const V2 = { version: "v2", image: image("v2"), replicas: 3 };
/** v2 adds ratings to every review by design: declared, so the mirror's answer comparison takes it as intended. */
const V2_CANDIDATE = { ...V2, changes: ["reviews[*].rating"] };
/**
 * Two steps, the shortest list the pack's default limits allow (the first step at most 5 %, each weight at most 5x
 * the one before, 100 included): weight-5, weight-25, then weight-100.
 */
const TRAFFIC = { strategy: "istio", steps: [5, 25] };
/** Seconds, not hours; an analysis still inconclusive after maxInconclusiveSeconds pauses the run (exit 3). */
const SCHEDULE = { minSeconds: 3, maxInconclusiveSeconds: 150, intervalSeconds: 2 };
/**
 * A floor that about 100 good candidate requests show (0 errors): at weight-5 of 50 requests/s that is under a
 * minute. The default (0.1 %) needs about 7,000 (docs/analysis.md).
 */
const ANALYSIS = { errorRateFloor: 0.1, minCandidateRequests: 50 };
const LOAD = { namespace, rate: 50, concurrency: 8, products: [0, 1, 2, 3], via: "mesh" as const, seconds: 540 };

describe("e2e: the rollout driver under the istio strategy, through istiod and Envoy", function () {
    this.timeout(15 * 60_000);
    const view = new ClusterView(clusterKubeconfig, namespace);
    let rig: DriverRig;
    let load: ReturnType<typeof startLoad> | undefined;

    before(() => {
        assert.ok(fs.existsSync(clusterKubeconfig), `no local cluster (${clusterKubeconfig}): run npm run cluster:up`);
        rig = DriverRig.deployed(stack, namespace, {
            release: { stable: V1 },
            traffic: TRAFFIC,
            schedule: SCHEDULE,
            analysis: ANALYSIS,
        });
    });

    after(async () => {
        await load?.stop();
        await rig?.cleanUp();
    });

    it("run walks a good candidate stable -> ... -> promoted through Envoy and closes: one commit per step, each once, in table order", async () => {
        await waitForRoute(
            namespace,
            (r: ServedRoute) => JSON.stringify(r.route.weights) === JSON.stringify({ v1: 100 }),
        );
        rig.writeStack({
            stage: "stable",
            release: { stable: V1, candidate: V2_CANDIDATE },
            traffic: TRAFFIC,
            schedule: SCHEDULE,
            analysis: ANALYSIS,
        });
        const release = rig.repo.commitAll("release: v2 as the candidate");
        load = startLoad(LOAD);
        const started = Date.now();
        const run = await rig.cliAsync(["run", stack]);
        const seconds = Math.round((Date.now() - started) / 1000);
        const summary = await load.stop();
        load = undefined;
        console.log(
            `      run took ${seconds}s; load: ${summary.sent} requests, by status ${JSON.stringify(summary.byStatus)}`,
        );
        assert.equal(run.status, 0, `${show(run)}\nsteps committed: ${rig.decisionsSince(release).join(", ")}`);

        assert.deepEqual(
            rig.decisionsSince(release),
            [
                "advance dark",
                "advance mirror",
                "advance weight-5",
                "advance weight-25",
                "advance weight-100",
                "advance promoted",
                "close stable",
            ],
            "each step once, in the istio table's order",
        );
        const log = rig.stageLog();
        const subjects = log.slice(-7).map((c) => c.subject.replace(stack, "<stack>"));
        assert.deepEqual(subjects, [
            "rollout <stack>: advance stable -> dark",
            "rollout <stack>: advance dark -> mirror",
            "rollout <stack>: advance mirror -> weight-5",
            "rollout <stack>: advance weight-5 -> weight-25",
            "rollout <stack>: advance weight-25 -> weight-100",
            "rollout <stack>: advance weight-100 -> promoted",
            "rollout <stack>: close the release, v2 is the stable",
        ]);
        // The evidence in numbers, from Envoy's counters: the mirrored copies at mirror, the live answers at weight-5.
        const fromMirror = rig.message(log.at(-5)!.sha);
        assert.match(
            fromMirror,
            /^\d+s at mirror; error-rate: candidate 0\/\d+ \(0\.00 %\) vs stable 0\/\d+ \(0\.00 %\)/m,
            fromMirror,
        );
        assert.match(fromMirror, /Rollout-Decision: advance\nRollout-Stage: weight-5/, fromMirror);
        const fromWeight5 = rig.message(log.at(-4)!.sha);
        assert.match(fromWeight5, /^\d+s at weight-5; error-rate: candidate 0\/\d+ \(0\.00 %\)/m, fromWeight5);
        assert.match(rig.message(), /Rollout-Decision: close\nRollout-Stage: stable/);

        // Every answer users got through Envoy was a 200 (an `error` is a request without an answer: a client
        // timeout on a busy machine, none of the candidate's).
        assert.deepEqual(
            Object.keys(summary.byStatus).filter((k) => k !== "error"),
            ["200"],
            JSON.stringify(summary.byStatus),
        );

        // Git and the cluster agree: the stack file has v2 as the stable, alone, at stable; the pods, the
        // endpoints and the route Envoy serves say the same.
        const config = rig.configAt();
        assert.deepEqual([config.stage, config.release], ["stable", { stable: V2 }]);
        await expectStage(view, { stable: V2 }, "stable");
        await waitForRoute(
            namespace,
            (r: ServedRoute) => JSON.stringify(r.route.weights) === JSON.stringify({ v2: 100 }),
        );
        const s = rig.status();
        assert.deepEqual(
            { live: s.stage.live, configured: s.stage.configured, differs: s.stage.differs },
            { live: "stable", configured: "stable", differs: false },
        );
    });
});
