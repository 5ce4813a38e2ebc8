// One look of the analysis: which queries judge the live stage, and the judge's sample from their answers. Pure;
// io/analysis.ts sends the queries to Prometheus. The window starts when the stage was recorded (the settle step's
// `recordedAt`), so the candidate's share of the requests is the stage's own.
import type { Stage } from "../rollout/stages";
import { AnalysisConfig } from "./config";
import { Sample } from "./judge";
import { fill, QueryTemplates } from "./queries";

/**
 * Analysed: stages where the stable and the candidate both get requests (served, or under mirror copied). Not
 * weight-100: the stable still runs there, for an instant rollback, but answers nothing, so there is no baseline.
 */
export function analysed(stage: Stage): boolean {
    if (!stage.stable || !stage.candidate?.serving) return false;
    return stage.route ? stage.route.mirror || (stage.route.weight > 0 && stage.route.weight < 100) : true;
}

export interface LookQueries {
    window: string;
    stable: { requests: string; errors: string; latency?: string };
    candidate: { requests: string; errors: string; latency?: string };
}

export interface LookTarget {
    namespace: string;
    service: string;
    port: number;
    stable: string;
    candidate: string;
    /** Seconds since the stage began. */
    elapsedSeconds: number;
}

/** The PromQL of one look: each template filled in for the stable and the candidate over the stage's window. */
export function lookQueries(templates: QueryTemplates, analysis: AnalysisConfig, t: LookTarget): LookQueries {
    const window = `${Math.max(1, Math.ceil(t.elapsedSeconds))}s`;
    const of = (version: string) => {
        const vars = {
            namespace: t.namespace,
            service: t.service,
            version,
            port: String(t.port),
            window,
            quantile: String(analysis.quantile),
        };
        return {
            requests: fill(templates.requests, vars),
            errors: fill(templates.errors, vars),
            ...(templates.latency ? { latency: fill(templates.latency, vars) } : {}),
        };
    };
    return { window, stable: of(t.stable), candidate: of(t.candidate) };
}

/** What Prometheus answered: a number, or undefined for an empty result (no series: no data). */
export interface LookAnswers {
    stable: { requests?: number; errors?: number; latency?: number };
    candidate: { requests?: number; errors?: number; latency?: number };
}

/**
 * The judge's sample. No requests series is no requests (0: the judge is then inconclusive, never pass or fail);
 * no errors series beside requests is no errors (a server that never erred has none). `increase()` extrapolates,
 * so counts are rounded; a latency is judged only when both versions have one.
 */
export function sampleOf(a: LookAnswers, quantile: number): Sample {
    const counts = (v: LookAnswers["stable"]) => {
        const requests = Math.round(v.requests ?? 0);
        return { requests, errors: Math.min(requests, Math.round(v.errors ?? 0)) };
    };
    const finite = (x: number | undefined): x is number => x !== undefined && Number.isFinite(x);
    const { stable, candidate } = a;
    return {
        stable: counts(stable),
        candidate: counts(candidate),
        ...(finite(stable.latency) && finite(candidate.latency)
            ? { latency: { stableP: stable.latency, candidateP: candidate.latency, quantile } }
            : {}),
    };
}
