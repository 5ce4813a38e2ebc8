// Status and analysis for people: one line per fact, the numbers behind every verdict.
import type { Look, LookResult } from "../io/analysis";
import type { MetricResult } from "../analysis/judge";
import type { Status } from "./status";
import { describeRoute } from "../rollout/route";
import { deploymentName, ROLLED_OUT } from "../rollout/service";

const ago = (iso: string, now: Date) => {
    const s = Math.max(0, Math.round((now.getTime() - Date.parse(iso)) / 1000));
    return s < 120 ? `${s}s ago` : s < 7200 ? `${Math.round(s / 60)}m ago` : `${Math.round(s / 3600)}h ago`;
};

function metricLine(m: MetricResult): string {
    if (m.metric === "error-rate") {
        return (
            `error-rate  ${m.outcome.padEnd(12)} candidate ${m.candidate.errors}/${m.candidate.requests}, stable ${m.stable.errors}/${m.stable.requests}, ` +
            `share ${Number.isFinite(m.share) ? (100 * m.share).toFixed(1) : "n/a"} %, evidence fail ${m.failEvidence.toPrecision(3)} / pass ${m.passEvidence.toPrecision(3)} (threshold ${m.threshold})`
        );
    }
    return `latency     ${m.outcome.padEnd(12)} p${100 * m.quantile} candidate ${m.candidateP.toFixed(1)} ms, stable ${m.stableP.toFixed(1)} ms, limit ${m.threshold.toFixed(1)} ms`;
}

export function renderLook(r: LookResult | { error: string }): string[] {
    if ("error" in r) return [`analysis    cannot judge: ${r.error}`];
    if ("notAnalysed" in r) return [`analysis    none at ${r.stage}: ${r.notAnalysed}`];
    const l = r as Look;
    const j = l.overall;
    const needs =
        j.outcome === "inconclusive" && j.needs
            ? `, needs ${j.needs.candidateRequests} more candidate requests${j.needs.seconds !== undefined ? ` (about ${j.needs.seconds}s at the current rate)` : ""}`
            : "";
    return [
        `analysis    ${j.outcome.toUpperCase()} at ${l.stage} over ${l.queries.window} (queries ${l.queriesName}, ${l.analysis.prometheus})${needs}`,
        ...j.metrics.map((m) => `  ${metricLine(m)}`),
        ...(l.answers
            ? [
                  `  answers     ${l.answers.outcome.padEnd(12)} ${l.answers.requests} requests compared: ${
                      l.answers.fields
                          .filter((f) => f.verdict === "differs")
                          .map((f) => f.path)
                          .join(", ") || "no field differs beyond the noise"
                  }`,
              ]
            : []),
        `  reason: ${j.reason}`,
    ];
}

export function renderStatus(s: Status, now = new Date()): string {
    const { stable, candidate } = s.release;
    const moves = [
        ...s.next.map((m) => `${m.to} (${m.kind})`),
        ...s.refused.map((m) => `${m.to} (${m.kind}, refused: ${m.why})`),
    ];
    const lines = [
        `stack       ${s.stack} (${s.stackFile}), namespace ${s.namespace}`,
        `release     stable ${stable.version} (${stable.image})${candidate ? `, candidate ${candidate.version} (${candidate.image})` : ", no candidate"}`,
        `stage       live ${s.stage.live}${s.stage.recorded ? ` (recorded ${s.stage.recorded.stage} ${ago(s.stage.recorded.at, now)})` : ""}, configured ${s.stage.configured}` +
            (s.stage.differs ? "  << differs: an up is due, or was refused" : ""),
        `next        ${moves.join(", ") || (s.release.candidate ? "none" : "set release.candidate to start a release")}`,
        `pods        ${s.pods.map((p) => `${deploymentName(ROLLED_OUT, p.version)} ${p.ready}/${p.desired} ${p.serving ? "serving" : "dark"}`).join(", ") || "none"}`,
    ];
    if (s.route)
        lines.push(`route       ${"problem" in s.route ? `unreadable: ${s.route.problem}` : describeRoute(s.route)}`);
    if (s.served) {
        lines.push(
            "problem" in s.served
                ? `envoy       unreadable: ${s.served.problem}`
                : `envoy       serves ${describeRoute(s.served.route)}` +
                      (s.served.differences.length
                          ? `  << differs from the declared route: ${s.served.differences.join("; ")}`
                          : ", as declared"),
        );
    }
    const g = s.gate;
    lines.push(
        g.trust !== "trusted"
            ? `gate        record ${g.trust}${g.why ? `: ${g.why}` : ""}`
            : `gate        ${
                  g.passes
                      ?.slice(-3)
                      .map((p) => `${p.version} passed ${ago(p.passedAt, now)}`)
                      .join(", ") || "no pass"
              }` +
                  `${g.failures?.length ? `; failed: ${g.failures.map((f) => `${f.version} (${f.image}) ${f.failure}`).join("; ")}` : ""}`,
    );
    if (s.record.trust !== "trusted")
        lines.push(`record      ${s.record.trust}${s.record.why ? `: ${s.record.why}` : ""}`);
    if (s.analysis) lines.push(...renderLook(s.analysis));
    lines.push(`decisions   ${s.decisions.length ? "" : "none in Git"}`);
    for (const c of s.decisions)
        lines.push(`  ${c.sha.slice(0, 8)} ${c.date} ${c.decision ? `[${c.decision}]` : `[${c.author}]`} ${c.subject}`);
    return lines.join("\n");
}
