// The arithmetic of the judge's e-values, in log space: counts reach the hundreds of thousands, and a likelihood
// ratio of that many requests over- or underflows a double long before it is decided.

/** log(sum(exp(x))) without overflow; -Infinity for no terms. */
export function logSumExp(xs: readonly number[]): number {
    const top = Math.max(...xs);
    if (!Number.isFinite(top)) return top;
    return top + Math.log(xs.reduce((sum, x) => sum + Math.exp(x - top), 0));
}

/** Log of the equal-weight mixture of likelihood ratios given in log space: an e-value when each ratio is one. */
export function logMixture(logRatios: readonly number[]): number {
    return logSumExp(logRatios) - Math.log(logRatios.length);
}

/**
 * Log likelihood ratio of candidate/stable error-rate ratio `alt` against `base`, after `onCandidate` of `errors`
 * errors fell on the candidate while it served `share` of the requests. Given the errors, each one is the
 * candidate's with probability q(rho) = rho s / (rho s + 1 - s): the stable's unknown rate cancels. Written out,
 * the ratio is (alt/base)^x ((1 + s(base-1)) / (1 + s(alt-1)))^k, linear in the counts once logged.
 */
export function ratioLogLR(onCandidate: number, errors: number, share: number, alt: number, base: number): number {
    const perError = Math.log1p(share * (alt - 1)) - Math.log1p(share * (base - 1));
    return onCandidate * Math.log(alt / base) - errors * perError;
}

/** Log likelihood ratio of error rate `alt` against `base` after `errors` in `requests` independent requests. */
export function rateLogLR(errors: number, requests: number, alt: number, base: number): number {
    return errors * Math.log(alt / base) + (requests - errors) * (Math.log1p(-alt) - Math.log1p(-base));
}

/**
 * The factor by which all counts must grow, in the proportions seen so far, before the mixture of `logRatios`
 * reaches `logThreshold`: each log ratio is linear in such a factor, so the first term to reach the threshold alone
 * (times the number of terms) bounds it from above. Infinity when no term grows.
 */
export function growthToReach(logRatios: readonly number[], logThreshold: number): number {
    const needed = logThreshold + Math.log(logRatios.length);
    return Math.min(...logRatios.map((l) => (l > 0 ? needed / l : Infinity)));
}
