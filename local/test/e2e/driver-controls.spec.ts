// End-to-end, a person's controls of the rollout driver on the local cluster, with the real CLI in a Git repository
// made here (a copy of the product), a real Prometheus and the load generator: `pause --reason` is a commit and
// makes `next` and `run` hold (`next` exits 3, `run` keeps holding and commits nothing); `resume` is a commit and
// the running `run` goes on; a stage in `schedule.approve` (promoted) is waited for until `approve <stack>
// promoted`, a commit, after which the same `run` promotes and closes; `abort --reason` is refused while a `run`
// holds the lease, and once that run is interrupted it rolls back now, as a commit, the cluster back at stable, and
// a later `run` does not start the aborted candidate again. Exit codes, subjects, bodies and trailers are those of
// docs/driver.md, written out here.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import { clusterKubeconfig } from "../../lib/env";
import { startLoad } from "../../lib/load";
import { ClusterView } from "../../lib/observe";
import { expectStage } from "./lib/expect-live";
import { DriverRig, image, show } from "../../lib/driver-rig";

const id = crypto.randomBytes(3).toString("hex");
const stack = `driver-ctl-${id}`;
const namespace = `driver-ctl-${id}`;
const V1 = { version: "v1", image: image("v1"), replicas: 3 };
const V2 = { version: "v2", image: image("v2"), replicas: 3 };
const V3 = { version: "v3", image: image("v3"), replicas: 3 };
/** v3 shows red stars: its gate checks the stars the release declares (the default is v2's black). */
const V3_STARS = "red";
/** Seconds, not hours; promoted is entered only once approved. */
const SCHEDULE = { minSeconds: 3, maxInconclusiveSeconds: 300, intervalSeconds: 2, approve: ["promoted"] };
const ANALYSIS = { errorRateFloor: 0.02, minCandidateRequests: 50 };
const LOAD = { namespace, rate: 50, concurrency: 8, products: [0, 3], seconds: 480 };
const PAUSE_REASON = "looking at the dashboards first";
const ABORT_REASON = "the v3 release notes are wrong";

/** How many times a line matching `re` was printed. */
const count = (text: string, re: RegExp) => text.split("\n").filter((l) => re.test(l)).length;

describe("e2e: a person's controls of the rollout driver: pause, resume, approve, abort", function () {
    this.timeout(15 * 60_000);
    const view = new ClusterView(clusterKubeconfig, namespace);
    let rig: DriverRig;
    let load: ReturnType<typeof startLoad> | undefined;

    before(() => {
        assert.ok(fs.existsSync(clusterKubeconfig), `no local cluster (${clusterKubeconfig}): run npm run cluster:up`);
        rig = DriverRig.deployed(stack, namespace, { release: { stable: V1 }, schedule: SCHEDULE, analysis: ANALYSIS });
    });

    after(async () => {
        await load?.stop();
        await rig?.cleanUp();
    });

    it("pause is a commit and holds next (exit 3) and run; resume is a commit and run goes on; promoted waits for approve, then run promotes and closes", async () => {
        rig.writeStack({
            stage: "stable",
            release: { stable: V1, candidate: V2 },
            schedule: SCHEDULE,
            analysis: ANALYSIS,
        });
        const release = rig.repo.commitAll("release: v2 as the candidate");

        const pause = rig.cli(["pause", stack, "--reason", PAUSE_REASON]);
        assert.equal(pause.status, 0, show(pause));
        assert.equal(rig.message(), `rollout ${stack}: pause\n\n${PAUSE_REASON}\n\nRollout-Decision: pause`);
        assert.equal(rig.configAt().pause, PAUSE_REASON);
        const paused = rig.head();

        const next = rig.cli(["next", stack]);
        assert.equal(next.status, 3, show(next));
        assert.match(next.output, new RegExp(`hold: paused: ${PAUSE_REASON} \\(rollout resume\\)`), show(next));
        assert.equal(rig.head(), paused, "a held next commits nothing");

        load = startLoad(LOAD);
        const run = rig.spawnCli(["run", stack]);
        const held = await rig.until(() => count(run.text(), /hold: paused: /) >= 3, run, 90);
        assert.ok(held, `run did not hold on the pause:\n${run.text()}`);
        assert.equal(rig.head(), paused, "a paused run commits nothing");
        await expectStage(view, { stable: V1, candidate: V2 }, "stable");

        const resume = await rig.cliAsync(["resume", stack]);
        assert.equal(resume.status, 0, show(resume));
        assert.equal(
            rig.message(),
            `rollout ${stack}: resume\n\nresumed by release-manager\n\nRollout-Decision: resume`,
        );
        assert.equal(rig.configAt().pause, "");

        // The same run goes on, up to half, and there waits for the approval of promoted.
        const waits = /hold: promoted waits for an approval: npm run rollout -- approve <stack> promoted/;
        const waiting = await rig.until(() => count(run.text(), waits) >= 3, run, 6 * 60);
        assert.ok(waiting, `run did not wait for the approval of promoted:\n${run.text()}`);
        assert.equal(run.exitCode, null, "run keeps looking while an approval waits");
        assert.deepEqual(rig.decisionsSince(release), [
            "pause stable",
            "resume stable",
            "advance dark",
            "advance canary",
            "advance half",
        ]);
        await expectStage(view, { stable: V1, candidate: V2 }, "half");

        const approve = await rig.cliAsync(["approve", stack, "promoted"]);
        assert.equal(approve.status, 0, show(approve));
        assert.equal(
            rig.message(),
            `rollout ${stack}: approve promoted\n\napproved by release-manager\n\nRollout-Decision: approve`,
        );
        assert.equal(rig.configAt().approved, "promoted");

        const { code } = await run.done;
        const summary = await load.stop();
        load = undefined;
        assert.equal(code, 0, run.text());
        // Every answer was a 200 (`error`: a request without an answer, a client timeout on a busy machine).
        assert.deepEqual(
            Object.keys(summary.byStatus).filter((k) => k !== "error"),
            ["200"],
            JSON.stringify(summary.byStatus),
        );
        assert.deepEqual(rig.decisionsSince(release), [
            "pause stable",
            "resume stable",
            "advance dark",
            "advance canary",
            "advance half",
            "approve half",
            "advance promoted",
            "close stable",
        ]);
        // The close makes v2 the stable and drops the approval: the next release's promoted waits for its own.
        const closed = rig.configAt();
        assert.deepEqual([closed.stage, closed.release, closed.approved], ["stable", { stable: V2 }, undefined]);
        await expectStage(view, { stable: V2 }, "stable");
    });

    it("abort is refused while a run holds the lease; with the run interrupted it rolls back now as a commit, the cluster back at stable, and run does not start that candidate again", async () => {
        rig.writeStack({
            stage: "stable",
            release: { stable: V2, candidate: { ...V3, stars: V3_STARS } },
            schedule: SCHEDULE,
            analysis: ANALYSIS,
        });
        const release = rig.repo.commitAll("release: v3 as the candidate");
        // No load: at canary the analysis has nothing to judge, so the run holds there (never a pass on no data).
        const run = rig.spawnCli(["run", stack]);
        const atCanary = await rig.until(
            () => /canary applied/.test(run.text()) && /hold: analysis inconclusive at canary/.test(run.text()),
            run,
            5 * 60,
        );
        assert.ok(atCanary, `run did not hold at canary:\n${run.text()}`);
        await expectStage(view, { stable: V2, candidate: V3 }, "canary");

        const before = rig.head();
        const refused = await rig.cliAsync(["abort", stack, "--reason", ABORT_REASON]);
        assert.equal(refused.status, 2, show(refused));
        assert.match(refused.output, /another driver holds this rollout: \S+\/\d+ \(Lease/, show(refused));
        assert.equal(rig.head(), before, "a refused abort commits nothing");

        // SIGINT: the run gives up its lease and ends with 130 (docs/driver.md), between two looks.
        run.kill("SIGINT");
        const { code } = await run.done;
        assert.equal(code, 130, run.text());

        const abort = rig.cli(["abort", stack, "--reason", ABORT_REASON]);
        assert.equal(abort.status, 1, show(abort));
        assert.equal(
            rig.message(),
            `rollout ${stack}: abort canary -> stable\n\n${ABORT_REASON}\n\nRollout-Decision: rollback\nRollout-Stage: stable`,
        );
        assert.deepEqual(rig.decisionsSince(release), ["advance dark", "advance canary", "rollback stable"]);
        await expectStage(view, { stable: V2, candidate: V3 }, "stable");
        const s = rig.status();
        assert.deepEqual(
            { live: s.stage.live, configured: s.stage.configured, differs: s.stage.differs },
            { live: "stable", configured: "stable", differs: false },
        );

        // The driver never starts an aborted (rolled-back) candidate again: a person restores it.
        const again = rig.cli(["run", stack]);
        assert.equal(again.status, 1, show(again));
        assert.match(again.output, /done rolled-back: rolled back to stable; a person restores it/, show(again));
        assert.deepEqual(rig.decisionsSince(release), ["advance dark", "advance canary", "rollback stable"]);
    });
});
