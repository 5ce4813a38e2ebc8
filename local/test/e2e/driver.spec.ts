// End-to-end: the rollout driver's real CLI in a Git repository made here (a copy of the product), against the
// local cluster, a real Prometheus scraping the pods and the load generator sending steady traffic through
// productpage. A good candidate walks stable -> promoted and closes under `run`, one commit per step with the
// evidence; `analyze` is inconclusive with the load stopped, never pass or fail; a broken candidate (errors on a
// share of its requests) is rolled back by `run`, committed, and then refused a restore; a kill -9 mid-walk and a
// second `run` converge without repeating or skipping a step; a person's commit stops the driver; two drivers.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import yaml from "js-yaml";
import { clearFault, setFault } from "../../cluster/faults";
import { clusterKubeconfig, projectName } from "../../lib/env";
import { startLoad } from "../../lib/load";
import { ClusterView } from "../../lib/observe";
import { expectStage } from "./lib/expect-live";
import { DriverRig, image, show } from "../../lib/driver-rig";

const id = crypto.randomBytes(3).toString("hex");
const stack = `driver-${id}`;
const namespace = `driver-${id}`;
const V1 = { version: "v1", image: image("v1"), replicas: 3 };
const V2 = { version: "v2", image: image("v2"), replicas: 3 };
// A broken release has an image of its own: the rig's fault table breaks every pod running it. It fails only the
// requests for product 3, so its gate (the smoke test asks /reviews/7) passes and only the analysis can catch it.
const V3_BAD = { version: "v3", image: image("v3", "1.20.3-driver-bad"), replicas: 3 };

/** Seconds, not hours: the schedule is data, and the tutorial's "+1 % an hour" is the same keys with 3600. */
const SCHEDULE = { minSeconds: 3, maxInconclusiveSeconds: 240, intervalSeconds: 2 };
/** At the load below a good candidate shows below 2 % errors within a minute; see docs/analysis.md for the defaults. */
const ANALYSIS = { errorRateFloor: 0.02, minCandidateRequests: 50 };
const LOAD = { rate: 50, concurrency: 8, products: [0, 3] };

describe("e2e: the rollout driver", function () {
    this.timeout(20 * 60_000);
    const view = new ClusterView(clusterKubeconfig, namespace);
    let rig: DriverRig;
    let load: ReturnType<typeof startLoad> | undefined;

    const writeStack = (release: object, stage = "stable") =>
        rig.writeStack({ stage, release, schedule: SCHEDULE, analysis: ANALYSIS });
    const startTraffic = () => (load = startLoad({ namespace, ...LOAD, seconds: 600 }));
    const stopTraffic = async () => {
        await load?.stop();
        load = undefined;
    };

    before(() => {
        assert.ok(fs.existsSync(clusterKubeconfig), `no local cluster (${clusterKubeconfig}): run npm run cluster:up`);
        rig = DriverRig.deployed(stack, namespace, { release: { stable: V1 }, schedule: SCHEDULE, analysis: ANALYSIS });
    });

    after(async () => {
        await stopTraffic();
        clearFault(V3_BAD.image);
        await rig?.cleanUp();
    });

    it("rejects bad input naming it, and changes nothing", () => {
        const before = rig.repo.git("rev-parse", "HEAD");
        const r = rig.cli(["next", stack, "--bogus", "1"]);
        assert.equal(r.status, 2, show(r));
        assert.match(r.output, /next takes no --bogus; it takes --json/);
        const none = rig.cli(["status", "nosuch"]);
        assert.equal(none.status, 2, show(none));
        assert.match(none.output, /no stack file .*Pulumi\.nosuch\.yaml/);
        assert.equal(rig.repo.git("rev-parse", "HEAD"), before);
    });

    it("a good candidate: run walks stable -> promoted and closes, one commit per step with its evidence; a kill -9 mid-walk resumes without repeating or skipping", async () => {
        writeStack({ stable: V1, candidate: V2 });
        rig.repo.commitAll("release: v2 as the candidate");
        startTraffic();

        // First driver: killed -9 right after its canary -> half decision is committed (its up under way).
        const first = rig.spawnCli(["run", stack]);
        const deadline = Date.now() + 8 * 60_000;
        while (!rig.stageLog().some((c) => c.stage === "half") && Date.now() < deadline && first.exitCode === null)
            await new Promise((r) => setTimeout(r, 200));
        first.kill("SIGKILL");
        await first.done;
        assert.ok(
            rig.stageLog().some((c) => c.stage === "half"),
            `the first driver never advanced to half:\n${first.text()}`,
        );

        // Two drivers: while the second runs, a third refuses, naming the holder.
        const second = rig.spawnCli(["run", stack]);
        await new Promise((r) => setTimeout(r, 4000));
        const third = rig.cli(["next", stack], 60_000);
        assert.notEqual(third.status, 0, show(third));
        assert.match(third.output, /another driver holds this rollout: \S+\/\d+ \(Lease/, show(third));
        const code = (await second.done).code;
        assert.equal(code, 0, second.text());
        await stopTraffic();

        const log = rig.stageLog().filter((c) => c.decision !== "person");
        assert.deepEqual(
            log.map((c) => `${c.decision} ${c.stage}`),
            ["advance dark", "advance canary", "advance half", "advance promoted", "close stable"],
            "each step once, in table order",
        );
        const canaryMsg = rig.repo.git("log", "-1", "--format=%B", log[2].sha);
        assert.match(
            canaryMsg,
            /^rollout driver-\w+: advance canary -> half\n\n\d+s at canary; error-rate: candidate 0\/\d+ \(0\.00 %\) vs stable 0\/\d+/m,
            canaryMsg,
        );
        assert.match(canaryMsg, /Rollout-Decision: advance\nRollout-Stage: half/);
        const closed = yaml.load(rig.repo.read(rig.stackFile)) as {
            config: Record<string, { stable?: { version: string }; candidate?: unknown }>;
        };
        assert.deepEqual(
            [
                closed.config[`${projectName}:release`].stable?.version,
                closed.config[`${projectName}:release`].candidate,
            ],
            ["v2", undefined],
        );
        await expectStage(view, { stable: V2 }, "stable");
    });

    it("status --json says where the rollout stands, as docs/driver.md documents it", () => {
        const r = rig.cli(["status", stack, "--json"]);
        assert.equal(r.status, 0, show(r));
        const s = JSON.parse(r.output);
        assert.deepEqual(
            {
                release: s.release,
                stage: { live: s.stage.live, configured: s.stage.configured, differs: s.stage.differs },
                pods: s.pods,
                next: s.next,
                analysis: s.analysis,
            },
            {
                release: { stable: V2 },
                stage: { live: "stable", configured: "stable", differs: false },
                pods: [{ version: "v2", image: V2.image, ready: 3, desired: 3, serving: true }],
                next: [],
                analysis: {
                    stage: "stable",
                    notAnalysed: "stage stable gives the candidate no requests beside the stable's: nothing to compare",
                },
            },
        );
        assert.equal(s.decisions[0].decision, "close");
    });

    it("a broken candidate: analyze is inconclusive without load; run rolls it back as a commit; a restore of that image is refused", async () => {
        setFault(V3_BAD.image, { kind: "product", id: 3, fault: "http-500" });
        writeStack({ stable: V2, candidate: { ...V3_BAD, stars: "red" } }, "stable");
        rig.repo.commitAll("release: v3 as the candidate");
        // Walk to canary by hand, as a person would, with no traffic: nothing to judge on.
        for (const stage of ["dark", "canary"]) {
            writeStack({ stable: V2, candidate: { ...V3_BAD, stars: "red" } }, stage);
            rig.repo.commitAll(`stage: ${stage}`);
            const up = rig.up();
            assert.equal(up.status, 0, `up to ${stage}: ${up.output}`);
        }
        const quiet = rig.cli(["analyze", stack]);
        assert.equal(quiet.status, 3, show(quiet));
        assert.match(
            quiet.output,
            /^analysis {4}INCONCLUSIVE at canary .*needs \d+ more candidate requests/m,
            show(quiet),
        );

        // Spawned, not run synchronously: the load generator shares this process's event loop.
        startTraffic();
        const runner = rig.spawnCli(["run", stack]);
        const code = (await runner.done).code;
        await stopTraffic();
        assert.equal(code, 1, runner.text());
        const last = rig.stageLog().at(-1)!;
        assert.deepEqual([last.decision, last.stage], ["rollback", "stable"]);
        const msg = rig.repo.git("log", "-1", "--format=%B");
        assert.match(
            msg,
            /roll back canary -> stable\n\nerror-rate: candidate \d+\/\d+ \([\d.]+ %\) vs stable 0\/\d+/,
            msg,
        );
        await expectStage(view, { stable: V2, candidate: V3_BAD }, "stable");

        // The person tries the restore: refused, naming the failed analysis.
        writeStack({ stable: V2, candidate: { ...V3_BAD, stars: "red" } }, "canary");
        rig.repo.commitAll("stage: canary again");
        const restore = rig.up();
        assert.notEqual(restore.status, 0, restore.output);
        assert.match(restore.output, /analysis failed at canary/, restore.output);
        await expectStage(view, { stable: V2, candidate: V3_BAD }, "stable");
    });

    it("a person's commit wins: the driver stops, naming the commit", () => {
        const r = rig.cli(["next", stack]);
        assert.equal(r.status, 5, show(r));
        assert.match(
            r.output,
            /the stack file asks for canary while stable runs, set by commit \w{8} \(a person: stage: canary again\): a person's change wins/,
            show(r),
        );
    });
});
