// The analysis bench: how fast our judge (analysis/judge.ts, DEFAULT_JUDGE_SETTINGS) detects the rig's faults and
// how often it rolls back a good candidate, against what Flagger's default analysis (./flagger-rule.ts) does with
// the same counts. A seeded simulation, not a run of the rig: see local/bench.md ("Analysis: detection and false
// rollbacks vs Flagger's default") for the results and what is modelled.
//
//   npx ts-node --transpile-only local/bench/analysis-bench.ts [--runs 1000] [--rate 50] [--seed 20261127]
//       [--horizon 3600] [--interval 10] [--base-p50 2] [--base-p99 9] [--scenarios all|good|faults]
//
// Per cell (a scenario at a stage) and run, one stream of traffic is drawn in 10 s chunks: `rate` reviews
// requests/s, steady as the rig's load generator sends them (local/lib/load.ts), each routed to the candidate at
// the stage's share (pods: random, as kube-proxy; istio weights: Envoy's weighted clusters; mirror: the candidate
// gets a copy of every request), each request failing at its version's error rate and taking a lognormal time
// (+ the fault's delay on the faulted fraction). Both judges see that same stream:
// - ours: every `interval` s, the counts and p99s cumulative from the stage's start, judged by judge(); the
//   driver's decision (driver/decide.ts): fail rolls back, pass advances once schedule.minSeconds (60) have passed,
//   still inconclusive at `horizon` (schedule.maxInconclusiveSeconds, 3600) pauses and asks a person;
// - Flagger: every 60 s, the last 60 s of the candidate alone, threshold 1. Its stage is one window (it advances
//   on a passed check): "1st window"; and, for the same exposure as ours, every window until `horizon` ("held").
// Latency is what each sees through Prometheus: the requests' times counted into the histogram buckets of the
// stage's query set (pods: the pod's http_request_duration_seconds buckets, local/cluster/pod-metrics.ts; istio:
// Envoy's default upstream_rq_time buckets), then histogram_quantile(0.99, ...) as Prometheus computes it.
import * as os from "os";
import { DEFAULT_JUDGE_SETTINGS, judge, Sample } from "../../analysis/judge";
import { logSumExp, rateLogLR, ratioLogLR } from "../../analysis/stats";
import { DURATION_BUCKETS } from "../cluster/pod-metrics";
import { FLAGGER_DEFAULT_RULE, flaggerCheck } from "./flagger-rule";
import { mulberry32 } from "../../test/unit/seeded-random";

/**
 * Binomial(n, p): exact (geometric skips between successes of the rarer outcome) while the rarer outcome's mean is
 * below 50, the normal approximation (rounded, clamped) above: bulk counts only, every small count is exact.
 */
function binomial(rand: () => number, n: number, p: number): number {
    if (n <= 0 || p <= 0) return 0;
    if (p >= 1) return n;
    if (p > 0.5) return n - binomial(rand, n, 1 - p);
    const mean = n * p;
    if (mean >= 50) {
        const z = Math.sqrt(-2 * Math.log(rand())) * Math.cos(2 * Math.PI * rand());
        return Math.min(n, Math.max(0, Math.round(mean + z * Math.sqrt(mean * (1 - p)))));
    }
    const logQ = Math.log1p(-p);
    let successes = 0;
    for (let at = Math.floor(Math.log(rand()) / logQ) + 1; at <= n; at += Math.floor(Math.log(rand()) / logQ) + 1)
        successes++;
    return successes;
}

/** Standard normal CDF (Abramowitz-Stegun 7.1.26, error below 1.5e-7). */
function phi(x: number): number {
    const z = Math.abs(x) / Math.SQRT2;
    const t = 1 / (1 + 0.3275911 * z);
    const erf =
        1 -
        t *
            (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) *
            Math.exp(-z * z);
    return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** Prometheus's histogram_quantile on per-bucket counts (bounds ascending, the last count is the +Inf bucket). */
export function histogramQuantile(q: number, bounds: readonly number[], counts: readonly number[]): number {
    const total = counts.reduce((a, b) => a + b, 0);
    if (total === 0) return NaN;
    const rank = q * total;
    let below = 0;
    for (let i = 0; i < bounds.length; i++) {
        const cumulative = below + counts[i];
        if (cumulative >= rank) {
            const start = i === 0 ? 0 : bounds[i - 1];
            return start + (bounds[i] - start) * ((rank - below) / counts[i]);
        }
        below = cumulative;
    }
    return bounds[bounds.length - 1]; // the rank falls in +Inf: Prometheus answers the highest finite bound
}

/** Envoy's default histogram buckets (ms), which `upstream_rq_time` uses. */
const ENVOY_BUCKETS_MS = [
    0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000,
];
const POD_BUCKETS_MS = DURATION_BUCKETS.map((s) => s * 1000);

interface Scenario {
    name: string;
    good: boolean;
    stableRate: number;
    candidateRate: number;
    /** Each candidate request takes `ms` longer with probability `rate` (the rig's latency fault). */
    delay?: { ms: number; rate: number };
}

const SCENARIOS: Scenario[] = [
    { name: "0 % vs 0 % (the rig's stable)", good: true, stableRate: 0, candidateRate: 0 },
    { name: "0.5 % vs 0.5 %", good: true, stableRate: 0.005, candidateRate: 0.005 },
    { name: "1 % vs 1 %", good: true, stableRate: 0.01, candidateRate: 0.01 },
    { name: "error-rate 2 % vs 0 %", good: false, stableRate: 0, candidateRate: 0.02 },
    { name: "5x errors: 5 % vs 1 %", good: false, stableRate: 0.01, candidateRate: 0.05 },
    { name: "1 product of 4 failing: 25 % vs 0 %", good: false, stableRate: 0, candidateRate: 0.25 },
    {
        name: "+150 ms on 5 % (p99), 0 % errors",
        good: false,
        stableRate: 0,
        candidateRate: 0,
        delay: { ms: 150, rate: 0.05 },
    },
];

interface StageCase {
    name: string;
    /** The candidate's share of routed requests; mirror: every request is also copied to the candidate. */
    share: number;
    mirror: boolean;
    bounds: number[];
}

const STAGES: StageCase[] = [
    { name: "pods canary 25 %", share: 0.25, mirror: false, bounds: POD_BUCKETS_MS },
    { name: "pods half 50 %", share: 0.5, mirror: false, bounds: POD_BUCKETS_MS },
    { name: "istio weight-1", share: 0.01, mirror: false, bounds: ENVOY_BUCKETS_MS },
    { name: "istio weight-5", share: 0.05, mirror: false, bounds: ENVOY_BUCKETS_MS },
    { name: "istio weight-10", share: 0.1, mirror: false, bounds: ENVOY_BUCKETS_MS },
    { name: "istio mirror (100 % copies)", share: 1, mirror: true, bounds: ENVOY_BUCKETS_MS },
];

interface Options {
    runs: number;
    rate: number;
    seed: number;
    horizon: number;
    interval: number;
    baseP50: number;
    baseP99: number;
    /** Which scenarios: all, good (good candidates only) or faults. */
    scenarios: "all" | "good" | "faults";
}

const CHUNK = 10;
/** schedule.minSeconds's default: the driver advances on a pass only after this long in the stage. */
const MIN_SECONDS = 60;

function parseOptions(argv: string[]): Options {
    const o: Options = {
        runs: 1000,
        rate: 50,
        seed: 20261127,
        horizon: 3600,
        interval: 10,
        baseP50: 2,
        baseP99: 9,
        scenarios: "all",
    };
    const keys: Record<string, Exclude<keyof Options, "scenarios">> = {
        "--runs": "runs",
        "--rate": "rate",
        "--seed": "seed",
        "--horizon": "horizon",
        "--interval": "interval",
        "--base-p50": "baseP50",
        "--base-p99": "baseP99",
    };
    for (let i = 0; i < argv.length; i += 2) {
        if (argv[i] === "--scenarios" && ["all", "good", "faults"].includes(argv[i + 1])) {
            o.scenarios = argv[i + 1] as Options["scenarios"];
            continue;
        }
        const key = keys[argv[i]];
        const value = Number(argv[i + 1]);
        if (!key || !Number.isFinite(value))
            throw new Error(
                `usage: analysis-bench.ts [${Object.keys(keys)
                    .map((k) => `${k} N`)
                    .join("] [")}] [--scenarios all|good|faults]; bad: ${argv[i]} ${argv[i + 1] ?? ""}`,
            );
        o[key] = value;
    }
    const bad = [
        !(Number.isInteger(o.runs) && o.runs >= 1) && "--runs must be a whole number >= 1",
        !(o.rate > 0 && o.rate <= 10_000) && "--rate must be in (0, 10000]",
        !(o.interval >= CHUNK && o.interval % CHUNK === 0) && `--interval must be a multiple of ${CHUNK}`,
        !(o.horizon >= 60 && o.horizon % 60 === 0 && o.horizon % o.interval === 0) &&
            "--horizon must be a multiple of 60 and of --interval",
        !(o.baseP50 > 0 && o.baseP99 > o.baseP50) && "--base-p99 must be above --base-p50 > 0",
    ].filter((b): b is string => typeof b === "string");
    if (bad.length) throw new Error(bad.join("; "));
    return o;
}

/** Per-bucket probabilities (the last one +Inf) of a lognormal time (p50, p99), shifted by `shift` ms. */
function bucketProbabilities(bounds: readonly number[], p50: number, p99: number, shift: number): number[] {
    const sigma = Math.log(p99 / p50) / 2.326348;
    const cdf = (ms: number) => (ms <= shift ? 0 : phi((Math.log(ms - shift) - Math.log(p50)) / sigma));
    const cum = bounds.map(cdf);
    return [...cum.map((c, i) => c - (i === 0 ? 0 : cum[i - 1])), 1 - cum[cum.length - 1]];
}

/** Adds a Multinomial(n, probs) draw into `into` (conditional binomials, bucket by bucket). */
function addMultinomial(rand: () => number, n: number, probs: readonly number[], into: number[]): void {
    let left = n;
    let mass = 1;
    for (let i = 0; i < probs.length && left > 0; i++) {
        const x = i === probs.length - 1 ? left : binomial(rand, left, mass > 0 ? Math.min(1, probs[i] / mass) : 0);
        into[i] += x;
        left -= x;
        mass -= probs[i];
    }
}

interface Version {
    requests: number;
    errors: number;
    buckets: number[];
}
const emptyVersion = (buckets: number): Version => ({
    requests: 0,
    errors: 0,
    buckets: new Array(buckets + 1).fill(0),
});
const addInto = (to: Version, from: Version) => {
    to.requests += from.requests;
    to.errors += from.errors;
    from.buckets.forEach((c, i) => (to.buckets[i] += c));
};

interface Decided {
    outcome: "rollback" | "advance" | "pause";
    byLatency: boolean;
    viaFloor: boolean;
    seconds: number;
    candidateRequests: number;
}

interface RunResult {
    /** The driver with the judge as configured: error rate and p99. */
    ours: Decided;
    /** The same looks with the error rate alone (no latency query). */
    errorsOnly: Decided;
    flaggerFirstFails: boolean;
    flaggerFirstNoValues: boolean;
    flaggerHeld?: { seconds: number; candidateRequests: number };
}

/** Did the floor's mixture carry the pass (more of the pass evidence from it than from the ratio mixture)? */
function passViaFloor(s: Sample): boolean {
    const { maxErrorRatio: R, errorRateFloor: floor, mixture } = DEFAULT_JUDGE_SETTINGS;
    const { candidate: c, stable: st } = s;
    const share = c.requests / (c.requests + st.requests);
    const k = c.errors + st.errors;
    const ratio = logSumExp(mixture.map((m) => ratioLogLR(c.errors, k, share, R / m, R)));
    const rate = logSumExp(mixture.map((m) => rateLogLR(c.errors, c.requests, floor / m, floor)));
    return rate >= ratio;
}

/** One look of the driver (driver/decide.ts): fail rolls back, pass advances after minSeconds (60), inconclusive
 *  at the horizon (maxInconclusiveSeconds) pauses; anything else holds (undefined). */
function look(sample: Sample, t: number, o: Options): Decided | undefined {
    const j = judge(sample, DEFAULT_JUDGE_SETTINGS, { elapsedSeconds: t });
    const at = { seconds: t, candidateRequests: sample.candidate.requests };
    if (j.outcome === "fail") {
        const byLatency = !j.metrics.some((m) => m.metric === "error-rate" && m.outcome === "fail");
        return { outcome: "rollback", byLatency, viaFloor: false, ...at };
    }
    if (j.outcome === "inconclusive" && t >= o.horizon)
        return { outcome: "pause", byLatency: false, viaFloor: false, ...at };
    if (j.outcome === "pass" && t >= MIN_SECONDS)
        return { outcome: "advance", byLatency: false, viaFloor: passViaFloor(sample), ...at };
    return undefined;
}

function simulateRun(
    sc: Scenario,
    st: StageCase,
    o: Options,
    rand: () => number,
    probs: { base: number[]; delayed: number[] },
): RunResult {
    const nb = st.bounds.length;
    const cum = { stable: emptyVersion(nb), candidate: emptyVersion(nb) };
    let windowCandidate = emptyVersion(nb);
    let ours: Decided | undefined;
    let errorsOnly: Decided | undefined;
    let flaggerFirstFails = false;
    let flaggerFirstNoValues = false;
    let flaggerHeld: RunResult["flaggerHeld"];
    let flaggerDone = false;
    for (let t = CHUNK; t <= o.horizon; t += CHUNK) {
        const n = Math.floor(o.rate * t) - Math.floor(o.rate * (t - CHUNK));
        const toCandidate = st.mirror ? n : binomial(rand, n, st.share);
        const toStable = st.mirror ? n : n - toCandidate;
        const stable = emptyVersion(nb);
        stable.requests = toStable;
        stable.errors = binomial(rand, toStable, sc.stableRate);
        addMultinomial(rand, toStable, probs.base, stable.buckets);
        const candidate = emptyVersion(nb);
        candidate.requests = toCandidate;
        candidate.errors = binomial(rand, toCandidate, sc.candidateRate);
        const delayed = sc.delay ? binomial(rand, toCandidate, sc.delay.rate) : 0;
        addMultinomial(rand, toCandidate - delayed, probs.base, candidate.buckets);
        addMultinomial(rand, delayed, probs.delayed, candidate.buckets);
        addInto(cum.stable, stable);
        addInto(cum.candidate, candidate);
        addInto(windowCandidate, candidate);

        if ((!ours || !errorsOnly) && t % o.interval === 0) {
            const stableP = histogramQuantile(0.99, st.bounds, cum.stable.buckets);
            const candidateP = histogramQuantile(0.99, st.bounds, cum.candidate.buckets);
            const counts: Sample = {
                stable: { requests: cum.stable.requests, errors: cum.stable.errors },
                candidate: { requests: cum.candidate.requests, errors: cum.candidate.errors },
            };
            const latency =
                Number.isFinite(stableP) && Number.isFinite(candidateP)
                    ? { latency: { stableP, candidateP, quantile: 0.99 } }
                    : {};
            ours ??= look({ ...counts, ...latency }, t, o);
            errorsOnly ??= look(counts, t, o);
        }
        if (!flaggerDone && t % FLAGGER_DEFAULT_RULE.intervalSeconds === 0) {
            const check = flaggerCheck({
                requests: windowCandidate.requests,
                errors: windowCandidate.errors,
                durationMs: histogramQuantile(0.99, st.bounds, windowCandidate.buckets),
            });
            if (t === FLAGGER_DEFAULT_RULE.intervalSeconds) {
                flaggerFirstFails = !check.ok;
                flaggerFirstNoValues = !check.ok && check.noValues;
            }
            if (!check.ok) {
                flaggerHeld = { seconds: t, candidateRequests: cum.candidate.requests };
                flaggerDone = true;
            }
            windowCandidate = emptyVersion(nb);
        }
        if (ours && errorsOnly && flaggerDone) break;
    }
    const paused: Decided = {
        outcome: "pause",
        byLatency: false,
        viaFloor: false,
        seconds: o.horizon,
        candidateRequests: cum.candidate.requests,
    };
    return {
        ours: ours ?? paused,
        errorsOnly: errorsOnly ?? paused,
        flaggerFirstFails,
        flaggerFirstNoValues,
        flaggerHeld,
    };
}

/** Nearest-rank quantile. */
function quantile(xs: number[], q: number): number {
    const sorted = [...xs].sort((a, b) => a - b);
    return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];
}

const pct = (k: number, n: number) => `${((100 * k) / n).toFixed(1)} %`;
const medP90 = (xs: number[]) =>
    xs.length ? `${Math.round(quantile(xs, 0.5))} / ${Math.round(quantile(xs, 0.9))}` : "-";
const perSecond = (x: number) => (x >= 10 ? x.toFixed(0) : x.toPrecision(2));

interface Cell {
    scenario: Scenario;
    stage: StageCase;
    candidateRate: number;
    results: RunResult[];
}

function runCell(sc: Scenario, st: StageCase, o: Options, cellSeed: number): Cell {
    const rand = mulberry32(cellSeed);
    const probs = {
        base: bucketProbabilities(st.bounds, o.baseP50, o.baseP99, 0),
        delayed: bucketProbabilities(st.bounds, o.baseP50, o.baseP99, sc.delay?.ms ?? 0),
    };
    const results: RunResult[] = [];
    for (let r = 0; r < o.runs; r++) results.push(simulateRun(sc, st, o, rand, probs));
    return { scenario: sc, stage: st, candidateRate: o.rate * st.share, results };
}

const share = (xs: Decided[], n: number) =>
    ["rollback", "advance", "pause"]
        .map((o) => ((100 * xs.filter((x) => x.outcome === o).length) / n).toFixed(1))
        .join(" / ");

function goodRow(c: Cell): string {
    const n = c.results.length;
    const ours = c.results.map((r) => r.ours);
    const rolled = ours.filter((x) => x.outcome === "rollback");
    const advanced = ours.filter((x) => x.outcome === "advance");
    const floor = advanced.filter((x) => x.viaFloor).length;
    const paused = ours.filter((x) => x.outcome === "pause").length;
    const first = c.results.filter((r) => r.flaggerFirstFails).length;
    const firstNoValues = c.results.filter((r) => r.flaggerFirstNoValues).length;
    const held = c.results.filter((r) => r.flaggerHeld).length;
    return (
        `| ${c.scenario.name} | ${c.stage.name} | ${perSecond(c.candidateRate)} | ` +
        `${pct(rolled.length, n)} (${pct(rolled.filter((x) => x.byLatency).length, n)}) | ${pct(advanced.length, n)} (${pct(floor, n)}) | ${pct(paused, n)} | ` +
        `${medP90(advanced.map((x) => x.seconds))} | ${share(
            c.results.map((r) => r.errorsOnly),
            n,
        )} | ` +
        `${pct(first, n)}${firstNoValues ? ` (${pct(firstNoValues, n)} no values)` : ""} | ${pct(held, n)} |`
    );
}

function faultRow(c: Cell): string {
    const n = c.results.length;
    const ours = c.results.map((r) => r.ours);
    const detected = ours.filter((x) => x.outcome === "rollback");
    const byLatency = detected.filter((x) => x.byLatency).length;
    const alone = c.results.map((r) => r.errorsOnly).filter((x) => x.outcome === "rollback");
    const first = c.results.filter((r) => r.flaggerFirstFails).length;
    const held = c.results.map((r) => r.flaggerHeld).filter((h): h is NonNullable<typeof h> => !!h);
    return (
        `| ${c.scenario.name} | ${c.stage.name} | ${perSecond(c.candidateRate)} | ` +
        `${pct(detected.length, n)} (${pct(byLatency, n)}) | ${medP90(detected.map((x) => x.candidateRequests))} | ${medP90(detected.map((x) => x.seconds))} | ` +
        `${share(ours, n)} | ${pct(alone.length, n)}, ${medP90(alone.map((x) => x.seconds))} | ` +
        `${pct(first, n)} | ${pct(held.length, n)} | ${medP90(held.map((h) => h.candidateRequests))} | ${medP90(held.map((h) => h.seconds))} |`
    );
}

function main(): void {
    const o = parseOptions(process.argv.slice(2));
    const started = Date.now();
    const command = `npx ts-node --transpile-only local/bench/analysis-bench.ts --runs ${o.runs} --rate ${o.rate} --seed ${o.seed} --horizon ${o.horizon} --interval ${o.interval} --base-p50 ${o.baseP50} --base-p99 ${o.baseP99}${o.scenarios === "all" ? "" : ` --scenarios ${o.scenarios}`}`;
    const cells: Cell[] = [];
    SCENARIOS.forEach((sc, i) =>
        STAGES.forEach((st, j) => {
            if ((o.scenarios === "good" && !sc.good) || (o.scenarios === "faults" && sc.good)) return;
            cells.push(runCell(sc, st, o, (o.seed + Math.imul(0x9e3779b9 | 0, 1 + i * STAGES.length + j)) >>> 0));
            process.stderr.write(".");
        }),
    );
    process.stderr.write("\n");
    const seconds = (Date.now() - started) / 1000;
    const h = `${o.horizon / 60} min`;
    const s = DEFAULT_JUDGE_SETTINGS;
    const out = [
        `command: \`${command}\``,
        `seed ${o.seed}; ${o.runs} runs per cell; ${o.rate} reviews requests/s; ours looks every ${o.interval} s (cumulative from the stage's start), ` +
            `advances on pass after 60 s, pauses still inconclusive at ${o.horizon} s; Flagger judges each 60 s window alone (success >= ${FLAGGER_DEFAULT_RULE.minSuccessRatePercent} %, ` +
            `p99 <= ${FLAGGER_DEFAULT_RULE.maxDurationMs} ms, threshold ${FLAGGER_DEFAULT_RULE.threshold}); judge: alpha ${s.alpha}, minCandidateRequests ${s.minCandidateRequests}, ` +
            `maxErrorRatio ${s.maxErrorRatio}, errorRateFloor ${s.errorRateFloor}, latencyTolerance ${s.latencyTolerance}; request time lognormal p50 ${o.baseP50} ms, p99 ${o.baseP99} ms`,
        `machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? "?"}, node ${process.version}, load average ${os
            .loadavg()
            .map((x) => x.toFixed(1))
            .join(" ")}; ${seconds.toFixed(0)} s`,
        "",
        `Good candidates (candidate vs stable error rate; the same request times): false rollbacks`,
        "",
        `| errors | stage | candidate req/s | ours: rolled back (by p99) | ours: advanced (via the floor) | ours: inconclusive at ${h} | ours: median / p90 s to advance | ours, error rate alone: rolled back / advanced / inconclusive % | Flagger: 1st window fails | Flagger held ${h}: a window fails |`,
        "|---|---|---|---|---|---|---|---|---|---|",
        ...cells.filter((c) => c.scenario.good).map(goodRow),
        "",
        `Faults: detection`,
        "",
        `| fault | stage | candidate req/s | ours: detected (by p99) | ours: median / p90 candidate requests | ours: median / p90 s | ours: rolled back / advanced / inconclusive % | ours, error rate alone: detected, median / p90 s | Flagger: 1st window fails | Flagger held ${h}: detected | Flagger: median / p90 candidate requests | Flagger: median / p90 s |`,
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
        ...cells.filter((c) => !c.scenario.good).map(faultRow),
    ];
    console.log(out.join("\n"));
}

if (require.main === module) {
    try {
        main();
    } catch (e) {
        console.error((e as Error).message);
        process.exit(2);
    }
}
