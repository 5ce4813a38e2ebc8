// Splits one `pulumi up`/`preview` into consecutive phases, from the CLI's OpenTelemetry trace
// (`--otel-traces file://...`: one OTLP JSON document per line, span times in Unix nanoseconds).

/** Consecutive phases; together they make the wall time. */
export const PHASES = [
    "CLI start",
    "policy pack start",
    "program start",
    "program load",
    "program reads",
    "resource steps",
    "gate",
    "finish",
] as const;
export type Phase = (typeof PHASES)[number];

export interface Breakdown {
    wall: number;
    phases: Record<Phase, number>;
    /** Time in the policy pack's Analyze/Remediate/AnalyzeStack calls; it overlaps the resource steps. */
    policyChecks: number;
}

interface Span {
    name: string;
    start: number;
    end: number;
    peer?: string;
}

function spansOf(traceText: string): Span[] {
    const spans: Span[] = [];
    for (const line of traceText.split("\n").filter((l) => l.trim())) {
        for (const rs of JSON.parse(line).resourceSpans ?? []) {
            for (const ss of rs.scopeSpans ?? []) {
                for (const s of ss.spans ?? []) {
                    const peer = (s.attributes ?? []).find((a: { key: string }) => a.key === "net.peer.name")?.value
                        ?.stringValue;
                    spans.push({
                        name: s.name,
                        start: Number(s.startTimeUnixNano) / 1e6,
                        end: Number(s.endTimeUnixNano) / 1e6,
                        peer,
                    });
                }
            }
        }
    }
    return spans;
}

/** `startMs`/`endMs`: wall clock around the CLI process (Date.now()), the same clock as the trace's. */
export function breakdown(traceText: string, startMs: number, endMs: number): Breakdown {
    const spans = spansOf(traceText);
    const named = (name: string) => spans.filter((s) => s.name === name);
    const first = (name: string) => {
        const found = named(name).sort((a, b) => a.start - b.start)[0];
        if (!found) throw new Error(`the trace has no ${name} span: is this a pulumi run with a program?`);
        return found;
    };
    const run = first("pulumirpc.LanguageRuntime/Run");
    const policyStart = named("pulumirpc.LanguageRuntime/RunPlugin")[0]?.start ?? run.start;
    // The SDK registers the Stack resource before it loads the program; the program's own first resource (Bookinfo)
    // comes after its reads: config, then the stack's recorded target (a StackReference: ReadResource), the cluster.
    const registrations = named("pulumirpc.ResourceMonitor/RegisterResource")
        .map((s) => s.start)
        .sort((a, b) => a - b);
    if (registrations.length === 0) throw new Error("the trace has no pulumirpc.ResourceMonitor/RegisterResource span");
    const stackRegistered = registrations[0];
    const targetRead = named("pulumirpc.ResourceMonitor/ReadResource")
        .map((s) => s.start)
        .sort((a, b) => a - b)[0];
    const firstResource = registrations.find((t) => t > (targetRead ?? stackRegistered)) ?? run.end;
    const loaded = targetRead ?? firstResource;

    // Providers are told apart by address: kubernetes checks every object; the command provider (gate, app check)
    // is any other provider that created or updated something.
    const checks = new Map<string, number>();
    for (const s of named("pulumirpc.ResourceProvider/Check"))
        checks.set(s.peer ?? "", (checks.get(s.peer ?? "") ?? 0) + 1);
    const kubernetes = [...checks].sort((a, b) => b[1] - a[1])[0]?.[0];
    const smoke = spans
        .filter((s) => /^pulumirpc\.ResourceProvider\/(Create|Update)$/.test(s.name) && s.peer !== kubernetes)
        .reduce((sum, s) => sum + (s.end - s.start), 0);
    const policyChecks = spans
        .filter((s) => /^pulumirpc\.Analyzer\/(Analyze|Remediate|AnalyzeStack)$/.test(s.name))
        .reduce((sum, s) => sum + (s.end - s.start), 0);

    const ms: Record<Phase, number> = {
        "CLI start": policyStart - startMs,
        "policy pack start": run.start - policyStart,
        "program start": stackRegistered - run.start,
        "program load": loaded - stackRegistered,
        "program reads": firstResource - loaded,
        "resource steps": run.end - firstResource - smoke,
        gate: smoke,
        finish: endMs - run.end,
    };
    const phases = Object.fromEntries(PHASES.map((p) => [p, ms[p] / 1000])) as Record<Phase, number>;
    return { wall: (endMs - startMs) / 1000, phases, policyChecks: policyChecks / 1000 };
}
