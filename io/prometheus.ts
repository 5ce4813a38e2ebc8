// Prometheus's HTTP API, read only: an instant query that answers one number. Node's fetch, no client library.
export class PrometheusError extends Error {}

/**
 * The value of an instant query at `time` (default: now). Undefined when the result is empty (no series matched:
 * no data); more than one series is an error, since a query of the analysis must sum to one number.
 */
export async function queryNumber(
    url: string,
    promql: string,
    time?: Date,
    timeoutMs = 10_000,
): Promise<number | undefined> {
    const q = new URLSearchParams({ query: promql, ...(time ? { time: (time.getTime() / 1000).toFixed(3) } : {}) });
    const at = `${url.replace(/\/+$/, "")}/api/v1/query`;
    let res: Response;
    try {
        res = await fetch(`${at}?${q}`, { signal: AbortSignal.timeout(timeoutMs) });
    } catch (e) {
        throw new PrometheusError(`cannot reach Prometheus at ${url} (analysis.prometheus): ${(e as Error).message}`);
    }
    const body = (await res.json().catch(() => undefined)) as
        { status?: string; error?: string; data?: { resultType?: string; result?: unknown } } | undefined;
    if (!res.ok || body?.status !== "success") {
        throw new PrometheusError(
            `Prometheus at ${url} refused the query ${promql}: HTTP ${res.status} ${body?.error ?? ""}`.trim(),
        );
    }
    const { resultType, result } = body.data ?? {};
    if (resultType === "scalar") return Number((result as [number, string])[1]);
    if (resultType !== "vector" || !Array.isArray(result))
        throw new PrometheusError(`query ${promql}: expected a vector, got ${resultType}`);
    if (result.length === 0) return undefined;
    if (result.length > 1) throw new PrometheusError(`query ${promql}: ${result.length} series, expected one (sum it)`);
    const value = Number((result[0] as { value: [number, string] }).value[1]);
    return Number.isNaN(value) ? undefined : value;
}
