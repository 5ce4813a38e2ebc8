// Flagger's default canary analysis, as a rule on the candidate's counts of one window: the yardstick the analysis
// bench (local/bench/analysis-bench.ts) holds our judge against. It is Flagger's behaviour, not the product's, so
// it lives with the rig and the product never imports it. Written from Flagger's docs (usage/metrics.md: the
// builtin `request-success-rate` min 99 and `request-duration` max 500 ms over `interval: 1m`) and its source
// (fluxcd/flagger pkg/controller/scheduler_metrics.go `runBuiltinMetricChecks`, scheduler.go `rollback`):
// - each analysis interval is one check; it fails at the first metric that fails, so one failed check per interval;
// - success rate = 100 x non-5xx / all requests of the candidate over the window; it fails when below the minimum
//   (`val < min`: exactly 99 % passes);
// - p99 duration (ms) over the window; it fails when above the maximum (`val > max`);
// - a query with no value (0/0 or an empty histogram: NaN) is `ErrNoValuesFound`: "Halt advancement no values
//   found ... probably ... is not receiving traffic", and that counts as a failed check too;
// - failed checks add up over the analysis (not reset by a passing check); the canary is rolled back when they
//   reach `threshold` (default 1: the first failed check rolls back).

export interface FlaggerRule {
    /** Seconds per check, and the window every check judges alone (`interval: 1m`). */
    intervalSeconds: number;
    /** Failed checks that roll back (`analysis.threshold`). */
    threshold: number;
    /** `request-success-rate` thresholdRange.min, in percent. */
    minSuccessRatePercent: number;
    /** `request-duration` thresholdRange.max: the p99 in ms. */
    maxDurationMs: number;
}

/** Flagger's defaults as the issue states them: interval 1 m, threshold 1, success rate >= 99 %, p99 <= 500 ms. */
export const FLAGGER_DEFAULT_RULE: FlaggerRule = {
    intervalSeconds: 60,
    threshold: 1,
    minSuccessRatePercent: 99,
    maxDurationMs: 500,
};

/** The candidate's counts over one interval. */
export interface FlaggerWindow {
    requests: number;
    errors: number;
    /** The window's p99 in ms; NaN: the query found no values; absent: the duration check is not configured. */
    durationMs?: number;
}

export type FlaggerCheck =
    | { ok: true; successRatePercent: number; reason: string }
    | { ok: false; noValues: boolean; successRatePercent: number; reason: string };

/** One check of one window, as runBuiltinMetricChecks does it: success rate first, then duration. */
export function flaggerCheck(w: FlaggerWindow, rule: FlaggerRule = FLAGGER_DEFAULT_RULE): FlaggerCheck {
    const successRatePercent = w.requests > 0 ? (100 * (w.requests - w.errors)) / w.requests : NaN;
    if (!Number.isFinite(successRatePercent)) {
        return {
            ok: false,
            noValues: true,
            successRatePercent,
            reason: "no values found for request-success-rate (not receiving traffic)",
        };
    }
    const rate = `success rate ${successRatePercent.toFixed(2)}%`;
    if (successRatePercent < rule.minSuccessRatePercent) {
        return { ok: false, noValues: false, successRatePercent, reason: `${rate} < ${rule.minSuccessRatePercent}%` };
    }
    if (w.durationMs !== undefined) {
        if (!Number.isFinite(w.durationMs)) {
            return {
                ok: false,
                noValues: true,
                successRatePercent,
                reason: "no values found for request-duration (not receiving traffic)",
            };
        }
        if (w.durationMs > rule.maxDurationMs) {
            return {
                ok: false,
                noValues: false,
                successRatePercent,
                reason: `request duration ${w.durationMs} ms > ${rule.maxDurationMs} ms`,
            };
        }
    }
    return { ok: true, successRatePercent, reason: rate };
}

export interface FlaggerAnalysis {
    /** The 0-based window whose failed check reached the threshold; absent: not rolled back (yet). */
    rolledBackAt?: number;
    failedChecks: number;
    checks: FlaggerCheck[];
}

/** Judges windows in order, each alone; stops at the check that brings the failed checks to the threshold. */
export function flaggerAnalysis(
    windows: readonly FlaggerWindow[],
    rule: FlaggerRule = FLAGGER_DEFAULT_RULE,
): FlaggerAnalysis {
    if (!(Number.isInteger(rule.threshold) && rule.threshold >= 1))
        throw new RangeError(`threshold must be a whole number >= 1, got ${rule.threshold}`);
    const checks: FlaggerCheck[] = [];
    let failedChecks = 0;
    for (const [i, w] of windows.entries()) {
        const check = flaggerCheck(w, rule);
        checks.push(check);
        if (!check.ok) failedChecks++;
        if (failedChecks >= rule.threshold) return { rolledBackAt: i, failedChecks, checks };
    }
    return { failedChecks, checks };
}
