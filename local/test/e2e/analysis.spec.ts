// End-to-end, the analysis under the istio strategy: real `pulumi up`s to `mirror`, the load generator
// sending steady traffic through productpage and Envoy, Envoy mirroring every reviews request to the candidate, a
// real Prometheus scraping Envoy, and `rollout analyze` judging the candidate's copies against the stable's live
// answers and its answers against two stable pods'. With no load the analysis is inconclusive, never pass or fail;
// a good candidate passes; a candidate answering 200 with a wrong review text, and one failing 2 % of its requests,
// are each failed here, at `mirror`, where no user has got one of their answers, and the report names the metric
// and its numbers; at weight-5 a good candidate passes on its live answers.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { clearFault, setFault } from "../../cluster/faults";
import { pulumiEnv, repoRoot } from "../../lib/env";
import { startLoad } from "../../lib/load";
import { waitForRoute } from "../../lib/mesh";
import { RolloutStack } from "../../lib/stack";
import { EngineLog } from "./lib/engine-log";
import { readStatus } from "../../../driver/status";
import { readStackFile } from "../../../driver/stack-file";
import type { Look } from "../../../io/analysis";

const stack = "e2e-analysis";
const namespace = "bookinfo-analysis";
const image = (version: string, tag = "1.20.3") => `docker.io/istio/examples-bookinfo-reviews-${version}:${tag}`;
/** The candidate's image is this spec's own: a fault on it reaches no other namespace. */
const V2_IMAGE = image("v2", "1.20.3-analysis-spec");
const RELEASE = {
    stable: { version: "v1", image: image("v1"), replicas: 3 },
    // v2 adds ratings to every review by design: declared, so the answer comparison reviews it as intended.
    candidate: { version: "v2", image: V2_IMAGE, replicas: 3, changes: ["reviews[*].rating"] },
};
/** A floor a minute of mirrored copies can show at 20 requests/s (the default, 0.1 %, needs about 7,000). */
const ANALYSIS = { errorRateFloor: 0.02, minCandidateRequests: 50 };
/** The statuses of the answers users got (`error`: a request that got none). */
const answeredStatuses = (byStatus: Record<string, number>) => Object.keys(byStatus).filter((k) => k !== "error");
const LOAD = { namespace, rate: 20, concurrency: 8, products: [0, 1, 2, 3], via: "mesh" as const, seconds: 300 };

describe("e2e: the analysis at mirror, from Prometheus and the answers themselves", function () {
    this.timeout(15 * 60_000);
    const log = new EngineLog();
    let rollout: RolloutStack;
    let load: ReturnType<typeof startLoad> | undefined;

    const look = async (): Promise<Look> => {
        const s = await readStatus(readStackFile(repoRoot, stack));
        assert.ok(s.analysis && "overall" in s.analysis, `no analysis: ${JSON.stringify(s.analysis)}`);
        return s.analysis;
    };
    /** Looks every 3 s until the analysis decides (or the time is up); returns the last look. */
    const decided = async (seconds: number): Promise<Look> => {
        const deadline = Date.now() + 1000 * seconds;
        for (;;) {
            const l = await look();
            if (l.overall.outcome !== "inconclusive" || Date.now() > deadline) return l;
            await new Promise((r) => setTimeout(r, 3000));
        }
    };
    /** `npm run rollout -- analyze`, as a person runs it: its exit code and what it printed. */
    const analyzeCli = () => {
        const r = spawnSync("node_modules/.bin/ts-node", ["--transpile-only", "driver/cli.ts", "analyze", stack], {
            cwd: repoRoot,
            env: { ...process.env, ...pulumiEnv() },
            encoding: "utf8",
            timeout: 120_000,
        });
        return { status: r.status, output: `${r.stdout}${r.stderr}` };
    };
    const upTo = async (stage: string) => {
        await rollout.setStage(stage);
        await rollout.up({ onEvent: log.onEvent });
    };

    before(async () => {
        rollout = await RolloutStack.open({
            stack,
            namespace,
            config: {
                traffic: JSON.stringify({ strategy: "istio" }),
                analysis: JSON.stringify(ANALYSIS),
                release: JSON.stringify(RELEASE),
            },
        });
        await rollout.destroy();
        for (const stage of ["stable", "dark", "mirror"]) await upTo(stage);
        await waitForRoute(namespace, (r) => r.route.mirror?.version === "v2");
    });

    after(async () => {
        await load?.stop();
        clearFault(V2_IMAGE);
        await rollout?.destroy();
    });

    it("with no load the analysis is inconclusive and says how many more candidate requests it needs: never pass or fail", async () => {
        const l = await look();
        assert.equal(l.overall.outcome, "inconclusive", l.overall.reason);
        assert.equal(l.queriesName, "envoy");
        // What the window holds is the tail of the app check's requests at most (increase() extrapolates a little).
        assert.ok(l.sample.candidate.requests < ANALYSIS.minCandidateRequests, JSON.stringify(l.sample));
        assert.ok(
            l.overall.outcome === "inconclusive" && (l.overall.needs?.candidateRequests ?? 0) > 0,
            JSON.stringify(l.overall),
        );
        const cli = analyzeCli();
        assert.equal(cli.status, 3, cli.output);
        assert.match(cli.output, /INCONCLUSIVE at mirror .*needs \d+ more candidate requests/);
    });

    it("a good candidate passes: its mirrored copies' errors against the stable's, and its answers against two stable pods'", async () => {
        load = startLoad(LOAD);
        const l = await decided(120);
        assert.equal(l.overall.outcome, "pass", `${l.overall.reason}\n${JSON.stringify(l.sample)}`);
        assert.equal(l.answers?.outcome, "pass", l.answers?.reason);
        // The ratings v2 adds are the release's declared change: reviewed as ignored, never as a difference.
        assert.ok(
            l.answers!.fields.some((f) => f.verdict === "ignored" && f.path.includes("rating")),
            JSON.stringify(l.answers!.fields.map((f) => [f.path, f.verdict])),
        );
        assert.ok(l.sample.candidate.requests >= 50 && l.sample.stable.requests >= 50, JSON.stringify(l.sample));
    });

    it("a wrong answer with status 200 fails the look, naming the field and an example, while every user still gets v1's answer", async () => {
        setFault(V2_IMAGE, { kind: "wrong-answer" });
        try {
            const l = await look();
            assert.equal(l.overall.outcome, "fail", l.overall.reason);
            assert.match(l.overall.reason, /answers: .*reviews\[0\]\.text/, l.overall.reason);
            const cli = analyzeCli();
            assert.equal(cli.status, 1, cli.output);
            assert.match(cli.output, /reviews\[0\]\.text/);
        } finally {
            clearFault(V2_IMAGE);
        }
        const summary = await load!.stop();
        load = undefined;
        // Mirroring never serves the candidate's answer: every answer users got was a 200 (a request without any
        // answer, a client timeout on a busy machine, is no answer of the candidate's).
        assert.deepEqual(answeredStatuses(summary.byStatus), ["200"], JSON.stringify(summary.byStatus));
    });

    it("2 % of the candidate's requests failing is caught at mirror, from Envoy's shadow cluster: the error rate fails with its counts", async () => {
        // A window of its own: the stage's window began before the good traffic above, which a fault starting now
        // would be judged together with (the driver would have moved on at that pass). Rolled back and walked to
        // mirror again, as a person would restart a release.
        for (const stage of ["stable", "dark", "mirror"]) await upTo(stage);
        await waitForRoute(namespace, (r) => r.route.mirror?.version === "v2");
        setFault(V2_IMAGE, { kind: "error-rate", rate: 0.02 });
        load = startLoad(LOAD);
        const started = Date.now();
        try {
            const l = await decided(180);
            const seconds = ((Date.now() - started) / 1000).toFixed(0);
            assert.equal(l.overall.outcome, "fail", `${l.overall.reason}\n${JSON.stringify(l.sample)}`);
            assert.match(l.overall.reason, /error-rate: candidate \d+\/\d+/, l.overall.reason);
            assert.ok(l.sample.candidate.errors > 0 && l.sample.stable.errors === 0, JSON.stringify(l.sample));
            console.log(`      caught after ${seconds}s at 20 requests/s: ${l.judgement.reason}`);
        } finally {
            clearFault(V2_IMAGE);
            const summary = await load.stop();
            load = undefined;
            assert.deepEqual(
                answeredStatuses(summary.byStatus),
                ["200"],
                `users saw the candidate's errors: ${JSON.stringify(summary.byStatus)}`,
            );
        }
    });

    it("a good candidate passes at weight-5 too, judged on its live answers: 5 % of 100 requests/s", async () => {
        for (const stage of ["stable", "dark", "mirror", "weight-1", "weight-5"]) await upTo(stage);
        await waitForRoute(namespace, (r) => r.route.weights.v2 === 5);
        load = startLoad({ ...LOAD, rate: 100 });
        const started = Date.now();
        const l = await decided(240);
        const summary = await load.stop();
        load = undefined;
        assert.equal(l.overall.outcome, "pass", `${l.overall.reason}\n${JSON.stringify(l.sample)}`);
        assert.equal(l.answers, undefined, "answers are compared at mirror only");
        const share = l.sample.candidate.requests / (l.sample.candidate.requests + l.sample.stable.requests);
        assert.ok(share > 0.02 && share < 0.09, `the candidate's share of the window ${share}`);
        console.log(
            `      passed after ${((Date.now() - started) / 1000).toFixed(0)}s: ${l.judgement.reason} (load: ${JSON.stringify(summary.byStatus)})`,
        );
    });
});
