// The canary judge: hand-checked verdicts, then simulations against known truth. The simulations draw every look's
// traffic from a seeded generator, judge the cumulative counts after each look as the driver would, and measure how
// often a good candidate is ever failed (sequential test vs a naive fixed-sample z-test), how soon a bad one is, and
// how much traffic a good one needs to pass. Expected values are worked out by hand in the comments.
import * as assert from "assert";
import { Counts, judge, Outcome, Sample } from "../../analysis/judge";
import { mulberry32 } from "./seeded-random";

/** Exact Binomial(n, p) draw by geometric skips between successes: O(np) steps, cheap at the small p used here. */
function binomial(rand: () => number, n: number, p: number): number {
    const logQ = Math.log1p(-p);
    let successes = 0;
    for (let at = Math.floor(Math.log(rand()) / logQ) + 1; at <= n; at += Math.floor(Math.log(rand()) / logQ) + 1) {
        successes++;
    }
    return successes;
}

interface Truth {
    share: number;
    stableRate: number;
    candidateRate: number;
}

/** Runs one candidate: `perLook` requests routed at random each look; returns where `stop` first holds. */
function simulate(truth: Truth, perLook: number, looks: number, rand: () => number, stop: (s: Sample) => boolean) {
    const sample: Sample = { stable: { requests: 0, errors: 0 }, candidate: { requests: 0, errors: 0 } };
    for (let look = 1; look <= looks; look++) {
        const toCandidate = binomial(rand, perLook, truth.share);
        sample.candidate.requests += toCandidate;
        sample.candidate.errors += binomial(rand, toCandidate, truth.candidateRate);
        sample.stable.requests += perLook - toCandidate;
        sample.stable.errors += binomial(rand, perLook - toCandidate, truth.stableRate);
        if (stop(sample)) return { stoppedAt: look * perLook, sample };
    }
    return { stoppedAt: undefined, sample };
}

const ALPHA = 0.01;
const outcomeIs = (o: Outcome) => (s: Sample) => judge(s, { alpha: ALPHA }).outcome === o;

/** The naive check: a one-sided two-proportion z-test at alpha 0.01 (z > 2.326), run at every look. */
function naiveFails(s: Sample): boolean {
    const { candidate: c, stable: st } = s;
    if (c.requests === 0 || st.requests === 0) return false;
    const pooled = (c.errors + st.errors) / (c.requests + st.requests);
    const sd = Math.sqrt(pooled * (1 - pooled) * (1 / c.requests + 1 / st.requests));
    return sd > 0 && (c.errors / c.requests - st.errors / st.requests) / sd > 2.326;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

describe("canary judge: verdicts worked out by hand", () => {
    it("no requests at all (no load) is inconclusive and needs the minimum of 50, never pass or fail", () => {
        const j = judge({ stable: { requests: 0, errors: 0 }, candidate: { requests: 0, errors: 0 } });
        assert.deepStrictEqual(
            [j.outcome, j.outcome === "inconclusive" && j.needs],
            ["inconclusive", { candidateRequests: 50 }],
        );
        assert.match(j.reason, /no requests since the stage began .*needs 50 more candidate requests/);
        const noStable = judge({ stable: { requests: 0, errors: 0 }, candidate: { requests: 500, errors: 400 } });
        assert.deepStrictEqual(
            [noStable.outcome, noStable.outcome === "inconclusive" && noStable.needs],
            ["inconclusive", undefined],
        );
    });

    it("no candidate requests is inconclusive and needs the minimum of 50", () => {
        const j = judge({ stable: { requests: 1000, errors: 3 }, candidate: { requests: 0, errors: 0 } });
        assert.strictEqual(j.outcome, "inconclusive");
        assert.ok(j.outcome === "inconclusive" && j.needs?.candidateRequests === 50, j.reason);
    });

    it("0 errors in 30 is inconclusive: below the minimum, and the rule of three needs thousands more", () => {
        const j = judge({ stable: { requests: 3000, errors: 0 }, candidate: { requests: 30, errors: 0 } });
        assert.strictEqual(j.outcome, "inconclusive");
        // 0 errors in n bounds the rate under 3/n at 95 %: showing < 0.1 % takes 3,000 requests at least.
        assert.ok(j.outcome === "inconclusive" && j.needs!.candidateRequests >= 3000 - 30, j.reason);
    });

    it("below the minimum sample even all errors is inconclusive, never a fail", () => {
        const j = judge({ stable: { requests: 4000, errors: 10 }, candidate: { requests: 40, errors: 40 } });
        assert.strictEqual(j.outcome, "inconclusive");
    });

    it("no errors anywhere: 2,000 candidate requests are inconclusive, 8,000 pass (below the 0.1 % floor)", () => {
        // The floor's alternative 0.1 %/20 gains n x (0.001 - 0.00005) = 0.00095 n nats with no errors; alone it
        // reaches 100 x 12 terms (ln 1200 = 7.09) at n = 7,460: 2,000 need at most 5,460 more, 8,000 (7.6 nats) pass.
        const few = judge({ stable: { requests: 198_000, errors: 0 }, candidate: { requests: 2000, errors: 0 } });
        assert.strictEqual(few.outcome, "inconclusive");
        const more = few.outcome === "inconclusive" ? few.needs!.candidateRequests : 0;
        assert.ok(more >= 1000 && more <= 5470, `needs ${more}`);
        const many = judge({ stable: { requests: 792_000, errors: 0 }, candidate: { requests: 8000, errors: 0 } });
        assert.strictEqual(many.outcome, "pass", many.reason);
    });

    it("states the seconds at the candidate's rate so far: 25 requests in 50 s is 2 s a request", () => {
        const j = judge(
            { stable: { requests: 2500, errors: 0 }, candidate: { requests: 25, errors: 0 } },
            {},
            {
                elapsedSeconds: 50,
            },
        );
        assert.ok(j.outcome === "inconclusive" && j.needs!.seconds === 2 * j.needs!.candidateRequests, j.reason);
    });

    it("fails 30 errors in 1,000 against 100 in 99,000", () => {
        // Share 1 %, 130 errors, 30 on the candidate. The alternative rho = 20 alone: 30 ln 20 - 130 ln(1 + 0.01 x 19)
        // = 89.9 - 22.6 = 67 nats, far above ln(100 x 6).
        const j = judge({ stable: { requests: 99_000, errors: 100 }, candidate: { requests: 1000, errors: 30 } });
        assert.strictEqual(j.outcome, "fail", j.reason);
        assert.strictEqual(j.metrics[0].metric, "error-rate");
        assert.ok(j.metrics[0].metric === "error-rate" && j.metrics[0].failEvidence >= 100);
    });

    it("passes 1 % against 1 % with 10,000 candidate requests", () => {
        // Share 0.99 %, 10,100 errors, 100 on the candidate. Alternative rho = 1 against rho = 2:
        // 100 ln(1/2) + 10,100 ln(1 + 0.0099) = -69.3 + 99.5 = 30 nats, above ln(100 x 12) = 7.1.
        const j = judge({ stable: { requests: 1e6, errors: 1e4 }, candidate: { requests: 10_000, errors: 100 } });
        assert.strictEqual(j.outcome, "pass", j.reason);
    });

    it("a stable with no requests is inconclusive: no baseline", () => {
        const j = judge({ stable: { requests: 0, errors: 0 }, candidate: { requests: 500, errors: 5 } });
        assert.strictEqual(j.outcome, "inconclusive");
        assert.match(j.reason, /no baseline/);
    });

    it("missing or inconsistent counts are inconclusive", () => {
        const outcome = (stable: Counts, candidate: Counts) => judge({ stable, candidate }).outcome;
        assert.strictEqual(outcome({ requests: NaN, errors: 0 }, { requests: 500, errors: 5 }), "inconclusive");
        assert.strictEqual(outcome({ requests: 100, errors: 0 }, { requests: 500, errors: 501 }), "inconclusive");
    });
});

describe("canary judge: latency", () => {
    const good = { stable: { requests: 1_000_000, errors: 10_000 }, candidate: { requests: 10_000, errors: 100 } };
    const latency = (stableP: number, candidateP: number): Sample => ({
        ...good,
        latency: { stableP, candidateP, quantile: 0.99 },
    });

    it("passes p99 110 ms against 100 ms (at most 125 ms: 20 % or 25 ms); holds at 130 ms, never fails on a percentile alone", () => {
        assert.strictEqual(judge(latency(100, 110)).outcome, "pass");
        const slow = judge(latency(100, 130));
        assert.strictEqual(slow.outcome, "inconclusive");
        const outcomes = slow.metrics.map((m) => [m.metric, m.outcome]);
        assert.deepStrictEqual(outcomes, [
            ["error-rate", "pass"],
            ["latency", "inconclusive"],
        ]);
        assert.match(slow.reason, /latency: candidate p99 130 ms vs at most 125 ms .*over the tolerance/);
        assert.strictEqual(
            judge({ ...latency(100, 900), candidate: { requests: 10_000, errors: 900 } }).outcome,
            "fail",
            "errors still fail it",
        );
    });

    it("at a few milliseconds the margin decides: an added call passes, +150 ms on p99 holds", () => {
        // Measured on the rig at mirror: v1 live 1.7 ms, v2's mirrored copies 8.3 ms (v2 calls ratings, v1 does not).
        assert.strictEqual(judge(latency(1.7, 8.3)).outcome, "pass");
        assert.strictEqual(judge(latency(1.7, 8.3), { latencyMarginMs: 0 }).outcome, "inconclusive");
        // The rig's latency fault: +150 ms on 5 % of requests moves p99 from about 9 ms past 150 ms.
        assert.strictEqual(judge(latency(9, 155)).outcome, "inconclusive");
    });

    it("a NaN or missing percentile is inconclusive", () => {
        assert.strictEqual(judge(latency(100, NaN)).outcome, "inconclusive");
        assert.strictEqual(judge(latency(NaN, 100)).outcome, "inconclusive");
    });

    it("below the minimum sample latency is inconclusive, even far above the stable", () => {
        const few = { stable: { requests: 3000, errors: 0 }, candidate: { requests: 20, errors: 0 } };
        const j = judge({ ...few, latency: { stableP: 100, candidateP: 900, quantile: 0.99 } });
        assert.strictEqual(j.outcome, "inconclusive");
        assert.strictEqual(j.metrics[1].outcome, "inconclusive");
    });
});

describe("canary judge: simulations against known truth", function () {
    this.timeout(60_000);

    // 40 looks of 5,000 requests (200,000 in all, 2,000 at the candidate), both versions erring 1 %, the same runs
    // judged by both tests. A good candidate is ever failed with probability at most alpha (Ville's inequality);
    // 3 binomial sd at 10,000 runs add 0.003.
    const good: Truth = { share: 0.01, stableRate: 0.01, candidateRate: 0.01 };
    const bound = ALPHA + 3 * Math.sqrt((ALPHA * (1 - ALPHA)) / 10_000);
    const everFailed = { sequential: 0, naive: 0 };
    before(() => {
        const rand = mulberry32(1);
        for (let i = 0; i < 10_000; i++) {
            let sequential = false;
            let naive = false;
            simulate(good, 5000, 40, rand, (s) => {
                sequential ||= outcomeIs("fail")(s);
                naive ||= naiveFails(s);
                return sequential && naive;
            });
            everFailed.sequential += sequential ? 1 : 0;
            everFailed.naive += naive ? 1 : 0;
        }
    });

    it("10,000 good candidates at 1 % share, 40 looks each: the sequential test fails at most alpha of them", () => {
        const n = everFailed.sequential;
        console.log(`      sequential: ${n} of 10,000 good candidates ever failed (${(n / 100).toFixed(2)} %)`);
        assert.ok(n / 10_000 <= bound, `${n} failed`);
    });

    it("the same 10,000 runs: a z-test at alpha 0.01 at every look fails more than alpha of them", () => {
        const n = everFailed.naive;
        console.log(`      naive z-test: ${n} of 10,000 good candidates ever failed (${(n / 100).toFixed(2)} %)`);
        assert.ok(n / 10_000 > bound, `${n} failed`);
    });

    const power = (truth: Truth, perLook: number, looks: number, seed: number) => {
        const rand = mulberry32(seed);
        const detected: number[] = [];
        const atCandidate: number[] = [];
        for (let i = 0; i < 2000; i++) {
            const run = simulate(truth, perLook, looks, rand, outcomeIs("fail"));
            if (run.stoppedAt) {
                detected.push(run.stoppedAt);
                atCandidate.push(run.sample.candidate.requests);
            }
        }
        return { power: detected.length / 2000, median: median(detected), atCandidate: median(atCandidate) };
    };

    it("2,000 bad candidates erring 5 % against 1 % at 1 % share are failed by 40,000 requests (400 at it)", () => {
        const r = power({ share: 0.01, stableRate: 0.01, candidateRate: 0.05 }, 1000, 40, 3);
        console.log(`      5x: power ${r.power}, median ${r.median} requests to detection, ${r.atCandidate} at it`);
        assert.ok(r.power >= 0.9, `power ${r.power}`);
    });

    it("2,000 rig faults erring 2 % against 0.1 % at weight-5 are failed by 10,000 requests (500 at it)", () => {
        const r = power({ share: 0.05, stableRate: 0.001, candidateRate: 0.02 }, 250, 40, 4);
        console.log(`      2 % vs 0.1 %: power ${r.power}, median ${r.median} to detection, ${r.atCandidate} at it`);
        assert.ok(r.power >= 0.9, `power ${r.power}`);
    });

    it("2,000 candidates erring 2x the stable (the pass bound) at 1 % share, 30 looks: at most alpha ever pass", () => {
        // Judged to the end whatever fails first, so only the pass side's own bound protects them. 3 sd at 2,000 runs.
        const rand = mulberry32(6);
        let passed = 0;
        for (let i = 0; i < 2000; i++) {
            const truth = { share: 0.01, stableRate: 0.01, candidateRate: 0.02 };
            if (simulate(truth, 10_000, 30, rand, outcomeIs("pass")).stoppedAt) passed++;
        }
        console.log(`      2x: ${passed} of 2,000 ever passed`);
        assert.ok(passed / 2000 <= ALPHA + 3 * Math.sqrt((ALPHA * (1 - ALPHA)) / 2000), `${passed} passed`);
    });

    it("2,000 good candidates at 1 % share: 95 % pass by 500,000 requests (5,000 at the candidate)", () => {
        const rand = mulberry32(5);
        const passedAt: number[] = [];
        const atCandidate: number[] = [];
        let failed = 0;
        for (let i = 0; i < 2000; i++) {
            const run = simulate(good, 10_000, 50, rand, (s) => !outcomeIs("inconclusive")(s));
            if (run.stoppedAt && outcomeIs("pass")(run.sample)) {
                passedAt.push(run.stoppedAt);
                atCandidate.push(run.sample.candidate.requests);
            } else if (run.stoppedAt) failed++;
        }
        const pass = `${passedAt.length} of 2,000 passed, ${failed} failed`;
        console.log(`      good: ${pass}, median ${median(passedAt)} requests (${median(atCandidate)} at it) to pass`);
        assert.ok(passedAt.length / 2000 >= 0.95, `${passedAt.length} passed`);
    });
});
