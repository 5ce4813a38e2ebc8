// One look of the analysis at the live stage: its queries sent to Prometheus, the answers, and the judge's result.
// Measured with the rollout record (the deployed release, table and analysis, and when the stage began), never
// with the stack file under change.
import { RolledService } from "../rollout/service";
import { analysed, lookQueries, LookAnswers, LookQueries, sampleOf } from "../analysis/look";
import { AnalysisConfig, analysisOf, judgeSettingsOf, queriesOf } from "../analysis/config";
import { judge, Judgement, Sample } from "../analysis/judge";
import { RolloutRecord } from "../rollout/rollout-record";
import { stageIn, stageTableOf } from "../rollout/stages";
import { AnswerDiff, DEFAULT_ANSWER_DIFF_SETTINGS } from "../analysis/answer-diff";
import { sampleAnswers } from "./answer-sample";
import { Kubectl } from "./kubectl";
import { queryNumber } from "./prometheus";

export interface Look {
    at: string;
    stage: string;
    /** Seconds since the stage was recorded. */
    elapsedSeconds: number;
    analysis: AnalysisConfig;
    queriesName: string;
    queries: LookQueries;
    /** What Prometheus answered to each query. */
    metricAnswers: LookAnswers;
    sample: Sample;
    /** The metrics' judgement. */
    judgement: Judgement;
    /** Mirror stage: the candidate's answers compared with two stable pods'. */
    answers?: AnswerDiff;
    /** Metrics and answers together: what the driver acts on. */
    overall: Judgement;
}

export type LookResult = Look | { stage: string; notAnalysed: string };

/** Metrics and answers together: a failed comparison fails, an inconclusive one holds a metrics pass. */
function overallOf(j: Judgement, answers: AnswerDiff | undefined): Judgement {
    if (!answers || answers.outcome === "pass" || j.outcome === "fail") return j;
    const reason = `answers: ${answers.reason}${j.outcome === "pass" ? "" : `; ${j.reason}`}`;
    if (answers.outcome === "fail") return { outcome: "fail", metrics: j.metrics, reason };
    return {
        outcome: "inconclusive",
        metrics: j.metrics,
        reason,
        ...(j.outcome === "inconclusive" && j.needs ? { needs: j.needs } : {}),
    };
}

/** The analysis of the recorded stage at `now`, or why that stage has none. `kubectl` reaches the pods (answers). */
export async function lookAt(
    record: RolloutRecord,
    namespace: string,
    service: RolledService,
    kubectl: Kubectl,
    now = new Date(),
): Promise<LookResult> {
    const port = service.port;
    const stage = stageIn(stageTableOf(record.traffic), record.stage);
    const candidate = record.release.candidate;
    if (!candidate || !analysed(stage)) {
        return {
            stage: stage.name,
            notAnalysed: `stage ${stage.name} gives the candidate no requests beside the stable's: nothing to compare`,
        };
    }
    const analysis = analysisOf(record.analysis);
    const elapsedSeconds = Math.max(0, (now.getTime() - Date.parse(record.recordedAt)) / 1000);
    const { name, templates } = queriesOf(analysis, record.traffic.strategy);
    const queries = lookQueries(templates, analysis, {
        namespace,
        service: service.name,
        port,
        stable: record.release.stable.version,
        candidate: candidate.version,
        elapsedSeconds,
    });
    const ask = async (q: LookQueries["stable"]) => {
        const [requests, errors, latency] = await Promise.all([
            queryNumber(analysis.prometheus, q.requests, now),
            queryNumber(analysis.prometheus, q.errors, now),
            q.latency ? queryNumber(analysis.prometheus, q.latency, now) : undefined,
        ]);
        return { requests, errors, latency };
    };
    const [stableAnswers, candidateAnswers] = await Promise.all([ask(queries.stable), ask(queries.candidate)]);
    const metricAnswers = { stable: stableAnswers, candidate: candidateAnswers };
    const sample = sampleOf(metricAnswers, analysis.quantile);
    const judgement = judge(sample, judgeSettingsOf(analysis), { elapsedSeconds });
    const compared = stage.route?.mirror
        ? sampleAnswers(kubectl, {
              namespace,
              service: service.name,
              port,
              stable: record.release.stable.version,
              candidate: candidate.version,
              paths: Array.from({ length: analysis.answerRequests }, (_, i) => `/${service.name}/${i}`),
              ignore: (candidate as { changes?: string[] }).changes ?? [],
              minRequests: DEFAULT_ANSWER_DIFF_SETTINGS.minRequests,
          })
        : undefined;
    return {
        at: now.toISOString(),
        stage: stage.name,
        elapsedSeconds,
        analysis,
        queriesName: name,
        queries,
        metricAnswers,
        sample,
        judgement,
        ...(compared ? { answers: compared } : {}),
        overall: overallOf(judgement, compared),
    };
}
