// The statistical judge of a canary analysis: the candidate's counts and percentiles against the stable's over the
// same window, and a verdict of pass, fail or inconclusive. Pure: the driver queries the metrics and acts.
//
// Error rate: an anytime-valid sequential test, so the driver may judge after every interval without inflating
// false alarms. Conditioned on the total k errors, each error is the candidate's with probability
// q(rho) = rho s / (rho s + 1 - s), s the candidate's share of the requests and rho the candidate/stable error-rate
// ratio; the stable's unknown rate drops out. The e-values are one-sided mixture likelihood ratios with equal weights
// on a grid of alternatives (`mixture`), each a nonnegative supermartingale under its null, so by Ville's inequality
// each crosses 1/alpha with probability at most alpha over all looks:
// - fail: null rho <= 1 (no worse than the stable), alternatives rho = m for m in the grid;
// - pass: null "rho >= maxErrorRatio and rate >= errorRateFloor", the average of two mixtures: the ratio one
//   (alternatives rho = maxErrorRatio / m) and the candidate's own rate (alternatives errorRateFloor / m, a Bernoulli
//   likelihood ratio). The floor passes a candidate when neither version errs at all, where no ratio is ever shown.
// A grid on the ratio, not a Beta prior on q, because q's scale moves with the share: at 1 % a flat prior on q would
// spend its weight on ratios of 50 and more. The share is the window's, so the window starts with the stage.
// Latency: the candidate's percentile against (1 + latencyTolerance) x the stable's (or + latencyMarginMs), a plain
// threshold on estimates with no error control, so it passes or holds and never fails on its own: a p99 of a few
// hundred requests is close to their largest, and a good candidate looked at every 10 s was over the tolerance at
// some look in 11-57 % of simulated runs (local/bench.md). A candidate that stays slower holds, and the driver asks
// a person.
import { growthToReach, logMixture, ratioLogLR, rateLogLR } from "./stats";

export interface Counts {
    requests: number;
    errors: number;
}

export interface Sample {
    stable: Counts;
    candidate: Counts;
    /** One percentile, in ms, of each version over the same window (e.g. p99, quantile 0.99). Absent: not judged. */
    latency?: { stableP: number; candidateP: number; quantile: number };
}

export interface JudgeSettings {
    /** Bound on the probability that a candidate no worse than the stable is ever failed, however often it is
     *  judged; it also bounds ever passing one erring at maxErrorRatio x the stable's rate or more, above the floor. */
    alpha: number;
    /** Candidate requests below which every metric is inconclusive, whatever the numbers say. */
    minCandidateRequests: number;
    /** The degradation worth detecting: the error rate passes once shown below this multiple of the stable's. */
    maxErrorRatio: number;
    /** An error rate the candidate may always have: it passes once shown below it, so no errors at all can pass. */
    errorRateFloor: number;
    /** The candidate's percentile may be at most (1 + latencyTolerance) x the stable's. */
    latencyTolerance: number;
    /** ... or at most this many milliseconds above it, whichever is more: at a few ms, an added call (reviews v2
     *  calls ratings) is many times the stable's percentile and no degradation worth holding a rollout for. */
    latencyMarginMs: number;
    /** The mixing grid: alternatives as multiples (> 1) away from each null, weighted equally. Wider detects larger
     *  effects sooner, each extra point costs every alternative log(points) of evidence. */
    mixture: readonly number[];
}

export const DEFAULT_JUDGE_SETTINGS: JudgeSettings = {
    alpha: 0.01,
    minCandidateRequests: 50,
    maxErrorRatio: 2,
    errorRateFloor: 0.001,
    latencyTolerance: 0.2,
    latencyMarginMs: 25,
    mixture: [1.5, 2, 3, 5, 10, 20],
};

export type Outcome = "pass" | "fail" | "inconclusive";

interface Judged {
    outcome: Outcome;
    reason: string;
    /** Inconclusive: candidate requests more that decide if the rates seen so far hold (an upper estimate). */
    needs?: number;
}

export interface ErrorRateResult extends Judged {
    metric: "error-rate";
    stable: Counts;
    candidate: Counts;
    stableRate: number;
    candidateRate: number;
    /** The candidate's share of the requests: the chance an error is its own when it errs like the stable. */
    share: number;
    /** E-value against "no worse than the stable": fails at threshold (Infinity beyond 1e308). */
    failEvidence: number;
    /** E-value against "maxErrorRatio x the stable's rate or worse, and above the floor": passes at threshold. */
    passEvidence: number;
    threshold: number;
}

export interface LatencyResult extends Judged {
    metric: "latency";
    quantile: number;
    stableP: number;
    candidateP: number;
    /**
     * max((1 + latencyTolerance) x stableP, stableP + latencyMarginMs): the candidate's percentile may be at most this.
     */
    threshold: number;
}

export type MetricResult = ErrorRateResult | LatencyResult;

export interface Needs {
    candidateRequests: number;
    /** At the candidate's request rate so far. */
    seconds?: number;
}

/** Inconclusive `needs` is absent when more candidate requests alone would not decide (a missing percentile, no
 *  stable traffic, no decision in sight at the rates seen so far). */
export type Judgement =
    | { outcome: "pass" | "fail"; metrics: MetricResult[]; reason: string }
    | { outcome: "inconclusive"; metrics: MetricResult[]; reason: string; needs?: Needs };

/** How long the window judged has run: turns the requests needed into seconds at the rate so far. */
export interface Look {
    elapsedSeconds: number;
}

/** Judges one window of the candidate against the stable: the counts and percentiles since the stage began. */
export function judge(sample: Sample, settings: Partial<JudgeSettings> = {}, look?: Look): Judgement {
    const s = { ...DEFAULT_JUDGE_SETTINGS, ...settings };
    checkSettings(s);
    const metrics: MetricResult[] = [judgeErrorRate(sample, s)];
    if (sample.latency) metrics.push(judgeLatency(sample.candidate.requests, sample.latency, s));
    const reasons = (o: Outcome) => metrics.filter((m) => m.outcome === o).map((m) => `${m.metric}: ${m.reason}`);
    if (reasons("fail").length > 0) return { outcome: "fail", metrics, reason: reasons("fail").join("; ") };
    if (reasons("inconclusive").length === 0) return { outcome: "pass", metrics, reason: reasons("pass").join("; ") };
    const reason = reasons("inconclusive").join("; ");
    const more = metrics.map((m) => m.needs).filter((n): n is number => n !== undefined);
    if (more.length === 0) return { outcome: "inconclusive", metrics, reason };
    const needs: Needs = { candidateRequests: Math.max(...more) };
    const served = sample.candidate.requests;
    if (look && look.elapsedSeconds > 0 && served > 0) {
        needs.seconds = Math.ceil((needs.candidateRequests * look.elapsedSeconds) / served);
    }
    return { outcome: "inconclusive", metrics, reason, needs };
}

function checkSettings(s: JudgeSettings): void {
    const bad = [
        !(s.alpha > 0 && s.alpha < 1) && "alpha must be in (0, 1)",
        !(s.minCandidateRequests >= 1) && "minCandidateRequests must be at least 1",
        !(s.maxErrorRatio > 1) && "maxErrorRatio must be above 1",
        !(s.errorRateFloor > 0 && s.errorRateFloor < 1) && "errorRateFloor must be in (0, 1)",
        !(s.latencyTolerance >= 0) && "latencyTolerance must be at least 0",
        !(s.latencyMarginMs >= 0) && "latencyMarginMs must be at least 0",
        !(s.mixture.length > 0 && s.mixture.every((m) => m > 1)) && "mixture must be multiples above 1",
    ].filter((b): b is string => typeof b === "string");
    if (bad.length > 0) throw new RangeError(`judge settings: ${bad.join("; ")}`);
}

const pct = (r: number) => (Number.isFinite(r) ? `${(100 * r).toPrecision(3)} %` : "n/a");
const num = (x: number) => (Number.isFinite(x) && Math.abs(x) < 1e6 ? x.toPrecision(3) : x.toExponential(2));
/** An e-value given as its log: plain when readable, a power of ten beyond (where the number itself overflows). */
const evidence = (logE: number) =>
    Math.abs(logE) < Math.log(1e6) ? Math.exp(logE).toPrecision(3) : `10^${(logE / Math.LN10).toFixed(1)}`;
const countsText = (c: Counts) => `${c.errors}/${c.requests} (${pct(c.errors / c.requests)})`;

function countsProblem(who: string, c: Counts): string | undefined {
    if (![c.requests, c.errors].every((x) => Number.isFinite(x) && x >= 0)) return `${who} counts missing`;
    if (c.errors > c.requests) return `${who} counts inconsistent: ${c.errors} errors in ${c.requests} requests`;
    return undefined;
}

/** More candidate requests needed: to reach the minimum, and (by `growth` of all counts) to decide. */
function needed(served: number, growth: number, s: JudgeSettings): number | undefined {
    const more = Math.max(s.minCandidateRequests - served, served > 0 ? served * (growth - 1) : 0);
    return Number.isFinite(more) ? Math.max(1, Math.ceil(more)) : undefined;
}

function judgeErrorRate(sample: Sample, s: JudgeSettings): ErrorRateResult {
    const { stable, candidate } = sample;
    const threshold = 1 / s.alpha;
    // One object, settled below: object spreads cost more than the statistics in the simulations' million calls.
    const result: ErrorRateResult = {
        metric: "error-rate",
        outcome: "inconclusive",
        reason: "",
        stable,
        candidate,
        stableRate: stable.errors / stable.requests,
        candidateRate: candidate.errors / candidate.requests,
        share: NaN,
        failEvidence: 1,
        passEvidence: 1,
        threshold,
    };
    const problem = countsProblem("stable", stable) ?? countsProblem("candidate", candidate);
    if (problem || stable.requests === 0) {
        result.reason = problem ?? "the stable served no requests: no baseline";
        // Nothing served at all (no load): at least the minimum is needed before anything can be said.
        if (!problem && candidate.requests < s.minCandidateRequests) {
            result.needs = needed(candidate.requests, 1, s);
            const none =
                candidate.requests === 0
                    ? "no requests since the stage began (is there traffic?)"
                    : "the stable served no requests";
            result.reason = `${none}: no baseline; needs ${result.needs} more candidate requests, and the stable's`;
        }
        return result;
    }

    const share = candidate.requests / (candidate.requests + stable.requests);
    const x = candidate.errors;
    const k = candidate.errors + stable.errors;
    const R = s.maxErrorRatio;
    const failLogs = s.mixture.map((m) => ratioLogLR(x, k, share, m, 1));
    const passLogs = [
        ...s.mixture.map((m) => ratioLogLR(x, k, share, R / m, R)),
        ...s.mixture.map((m) => rateLogLR(x, candidate.requests, s.errorRateFloor / m, s.errorRateFloor)),
    ];
    const logT = Math.log(threshold);
    const failLog = logMixture(failLogs);
    const passLog = logMixture(passLogs);
    result.share = share;
    result.failEvidence = Math.exp(failLog);
    result.passEvidence = Math.exp(passLog);
    const says = `candidate ${countsText(candidate)} vs stable ${countsText(stable)}`;
    const enough = candidate.requests >= s.minCandidateRequests;
    if (enough && failLog >= logT) {
        result.outcome = "fail";
        result.reason = `${says}: evidence ${evidence(failLog)} >= ${threshold} that it errs more than stable`;
    } else if (enough && passLog >= logT) {
        const bound = `below ${R}x the stable's rate or ${pct(s.errorRateFloor)}`;
        result.outcome = "pass";
        result.reason = `${says}: evidence ${evidence(passLog)} >= ${threshold} that it errs ${bound}`;
    } else {
        const growth = Math.min(growthToReach(failLogs, logT), growthToReach(passLogs, logT));
        result.needs = needed(candidate.requests, growth, s);
        const both = `evidence ${evidence(failLog)} to fail, ${evidence(passLog)} to pass`;
        const why = enough ? `${both}, both below ${threshold}` : `under the minimum of ${s.minCandidateRequests}`;
        const next = result.needs === undefined ? "no decision in sight from more" : `needs ~${result.needs} more`;
        result.reason = `${says}: ${why}; ${next} candidate requests`;
    }
    return result;
}

function judgeLatency(served: number, latency: NonNullable<Sample["latency"]>, s: JudgeSettings): LatencyResult {
    const { quantile, stableP, candidateP } = latency;
    const threshold = Math.max((1 + s.latencyTolerance) * stableP, stableP + s.latencyMarginMs);
    const head = { metric: "latency" as const, quantile, stableP, candidateP, threshold };
    const p = `p${Math.round(1000 * quantile) / 10}`;
    const says = `candidate ${p} ${num(candidateP)} ms vs at most ${num(threshold)} ms`;
    const valid = (ms: number) => Number.isFinite(ms) && ms >= 0;
    if (!(served >= s.minCandidateRequests)) {
        const needs = needed(Number.isFinite(served) ? served : 0, 1, s);
        const reason = `${served} candidate requests, below the minimum of ${s.minCandidateRequests}`;
        return { ...head, outcome: "inconclusive", needs, reason };
    }
    if (!valid(stableP) || !valid(candidateP)) {
        return { ...head, outcome: "inconclusive", reason: `${p} missing: stable ${stableP}, candidate ${candidateP}` };
    }
    const tol = `(stable ${num(stableP)} ms + ${num(100 * s.latencyTolerance)} % or + ${num(s.latencyMarginMs)} ms)`;
    if (candidateP > threshold) {
        return {
            ...head,
            outcome: "inconclusive",
            reason: `${says} ${tol}: over the tolerance; a percentile carries no error control, so this holds and never rolls back alone`,
        };
    }
    return { ...head, outcome: "pass", reason: `${says} ${tol}` };
}
