// The analysis as stack config (key `analysis`): where the metrics are, which queries read them, and the judge's
// settings. It is part of the release's yardstick (the rollout record keeps it), so a change of it while a candidate
// runs is refused like a change of the stage table: evidence gathered under one analysis is never judged by a
// looser one. Pure: validated with zod by rollout/config.ts.
import { z } from "zod";
import { DEFAULT_ANSWER_DIFF_SETTINGS } from "./answer-diff";
import { DEFAULT_JUDGE_SETTINGS, JudgeSettings } from "./judge";
import { QUERY_SETS, QuerySetName, QueryTemplates, templateProblems } from "./queries";

export interface AnalysisConfig extends Omit<JudgeSettings, "mixture"> {
    /** Prometheus's base URL (its HTTP API answers at `<url>/api/v1/query`). */
    prometheus: string;
    /**
     * Envoy's admin base URL (its `/config_dump` shows the route users' requests meet); `status` reads it under
     * istio. On a cluster: a sidecar's admin port forwarded, `kubectl port-forward deploy/sleep 15000`.
     */
    envoyAdmin: string;
    /** A named query set, or templates of one's own; unset: `envoy` under istio, `pods` under pods. */
    queries?: QuerySetName | QueryTemplates;
    /** The latency percentile compared, e.g. 0.99. */
    quantile: number;
    /** Mirror stage: requests sent to a candidate pod and two stable pods whose answers are compared. */
    answerRequests: number;
}

export const DEFAULT_ANALYSIS: AnalysisConfig = {
    prometheus: "http://127.0.0.1:9090",
    envoyAdmin: "http://127.0.0.1:15000",
    quantile: 0.99,
    answerRequests: 40,
    alpha: DEFAULT_JUDGE_SETTINGS.alpha,
    minCandidateRequests: DEFAULT_JUDGE_SETTINGS.minCandidateRequests,
    maxErrorRatio: DEFAULT_JUDGE_SETTINGS.maxErrorRatio,
    errorRateFloor: DEFAULT_JUDGE_SETTINGS.errorRateFloor,
    latencyTolerance: DEFAULT_JUDGE_SETTINGS.latencyTolerance,
    latencyMarginMs: DEFAULT_JUDGE_SETTINGS.latencyMarginMs,
};

const asNumber = (v: unknown) => (typeof v === "string" && /^\s*-?\d+(\.\d+)?(e-?\d+)?\s*$/i.test(v) ? Number(v) : v);
const between = (min: number, max: number, open = false) =>
    z.preprocess(
        asNumber,
        z
            .number({ invalid_type_error: "wrong type, expected a number" })
            .refine((x) => (open ? x > min && x < max : x >= min && x <= max), {
                message: open ? `not strictly between ${min} and ${max}` : `not between ${min} and ${max}`,
            }),
    );

const httpUrl = (example: string) =>
    z
        .string()
        .url(`not a URL (e.g. ${example})`)
        .refine((u) => /^https?:\/\//.test(u), "not an http(s) URL");

const templates = z
    .object({ requests: z.string(), errors: z.string(), latency: z.string().optional() })
    .strict()
    .superRefine((t, ctx) => {
        for (const p of templateProblems(t)) ctx.addIssue({ code: z.ZodIssueCode.custom, message: p });
    });

export const analysisSchema = z
    .object({
        prometheus: httpUrl(DEFAULT_ANALYSIS.prometheus),
        envoyAdmin: httpUrl(DEFAULT_ANALYSIS.envoyAdmin),
        queries: z.union([z.enum(Object.keys(QUERY_SETS) as [QuerySetName, ...QuerySetName[]]), templates], {
            errorMap: () => ({
                message: `unknown query set; allowed: ${Object.keys(QUERY_SETS).join(", ")}, or {requests, errors, latency?} templates`,
            }),
        }),
        quantile: between(0.5, 1, true),
        answerRequests: z.preprocess(
            asNumber,
            z
                .number()
                .int("not a whole number")
                .min(
                    DEFAULT_ANSWER_DIFF_SETTINGS.minRequests,
                    `less than ${DEFAULT_ANSWER_DIFF_SETTINGS.minRequests}, the comparison's minimum`,
                )
                .max(1000, "more than 1000"),
        ),
        alpha: between(0, 0.2, true),
        minCandidateRequests: z.preprocess(asNumber, z.number().int("not a whole number").min(1, "less than 1")),
        maxErrorRatio: between(1, 100, true),
        errorRateFloor: between(0, 0.5, true),
        latencyTolerance: between(0, 10),
        latencyMarginMs: between(0, 60_000),
    })
    .partial()
    .strict();

export const ANALYSIS_ALLOWED =
    `{prometheus (URL, default ${DEFAULT_ANALYSIS.prometheus}), envoyAdmin (URL, default ${DEFAULT_ANALYSIS.envoyAdmin}), queries (${Object.keys(QUERY_SETS).join(" | ")} or {requests, errors, latency?} templates; default envoy under istio, pods under pods), ` +
    `quantile (0.5-1, default ${DEFAULT_ANALYSIS.quantile}), answerRequests (${DEFAULT_ANSWER_DIFF_SETTINGS.minRequests}-1000, default ${DEFAULT_ANALYSIS.answerRequests}), alpha (0-0.2, default ${DEFAULT_ANALYSIS.alpha}), minCandidateRequests (>= 1, default ${DEFAULT_ANALYSIS.minCandidateRequests}), ` +
    `maxErrorRatio (1-100, default ${DEFAULT_ANALYSIS.maxErrorRatio}), errorRateFloor (0-0.5, default ${DEFAULT_ANALYSIS.errorRateFloor}), latencyTolerance (0-10, default ${DEFAULT_ANALYSIS.latencyTolerance}), latencyMarginMs (0-60000, default ${DEFAULT_ANALYSIS.latencyMarginMs})}; ` +
    "set with `pulumi config set --path analysis.minCandidateRequests 100` (docs/analysis.md)";

/** The analysis with its defaults filled in. */
export const analysisOf = (partial: Partial<AnalysisConfig> | undefined): AnalysisConfig => ({
    ...DEFAULT_ANALYSIS,
    ...(partial ?? {}),
});

/** The judge's settings of an analysis. */
export function judgeSettingsOf(a: AnalysisConfig): Partial<JudgeSettings> {
    const { alpha, minCandidateRequests, maxErrorRatio, errorRateFloor, latencyTolerance, latencyMarginMs } = a;
    return { alpha, minCandidateRequests, maxErrorRatio, errorRateFloor, latencyTolerance, latencyMarginMs };
}

/** The query templates an analysis reads with, under a traffic strategy. */
export function queriesOf(a: AnalysisConfig, strategy: "pods" | "istio"): { name: string; templates: QueryTemplates } {
    const q = a.queries ?? (strategy === "istio" ? "envoy" : "pods");
    return typeof q === "string" ? { name: q, templates: QUERY_SETS[q] } : { name: "custom", templates: q };
}
