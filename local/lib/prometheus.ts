// The rig's Prometheus as tests and scripts read it (cluster/prometheus.ts runs it): instant queries over its HTTP
// API, polled until a value is what a spec expects, and the names Envoy's cluster stats have there.
import { PROMETHEUS_URL } from "../cluster/paths";
import { sleep } from "../cluster/processes";

export interface Sample {
    metric: Record<string, string>;
    value: number;
}

/** An instant query's vector (a scalar as one sample without labels). */
export async function query(promql: string): Promise<Sample[]> {
    const res = await fetch(`${PROMETHEUS_URL}/api/v1/query?${new URLSearchParams({ query: promql })}`, {
        signal: AbortSignal.timeout(5000),
    });
    const body = (await res.json()) as { status: string; error?: string; data: { resultType: string; result: any } };
    if (body.status !== "success") throw new Error(`Prometheus refused ${promql}: ${body.error}`);
    const { resultType, result } = body.data;
    if (resultType === "scalar") return [{ metric: {}, value: Number(result[1]) }];
    return (result as { metric: Record<string, string>; value: [number, string] }[]).map((r) => ({
        metric: r.metric,
        value: Number(r.value[1]),
    }));
}

/** The query's samples keyed by one label's value (e.g. `sum by (version) (...)` by "version"). */
export async function queryBy(label: string, promql: string): Promise<Record<string, number>> {
    return Object.fromEntries((await query(promql)).map((s) => [s.metric[label] ?? "", s.value]));
}

/**
 * Polls (every 200 ms) until `check` accepts what `read` returns; resolves with it and the ms it took. On timeout
 * the error shows the last value, so a count that overshoots or never arrives says by how much.
 */
export async function waitForPrometheus<T>(
    what: string,
    read: () => Promise<T>,
    check: (value: T) => boolean,
    timeoutMs = 20_000,
): Promise<{ value: T; ms: number }> {
    const started = Date.now();
    let last: T | undefined;
    let error: Error | undefined;
    for (;;) {
        try {
            last = await read();
            if (check(last)) return { value: last, ms: Date.now() - started };
        } catch (err) {
            error = err as Error;
        }
        if (Date.now() - started > timeoutMs) {
            throw new Error(
                `Prometheus did not show ${what} within ${timeoutMs} ms; last: ${JSON.stringify(last)}${error ? ` (${error.message})` : ""}`,
            );
        }
        await sleep(200);
    }
}

/**
 * The Prometheus name of a stat of Envoy's upstream clusters: the rig's Envoy tags stats as istio-proxy's bootstrap
 * does (cluster/mesh.ts `ISTIO_STATS_TAGS`), so `cluster.<name>.upstream_rq_total` is
 * `envoy_cluster_upstream_rq_total{cluster_name="<name>"}` and `..upstream_rq_5xx` is
 * `envoy_cluster_upstream_rq{response_code_class="5xx", ...}`, as a sidecar's `/stats/prometheus` has them.
 */
export const envoyClusterMetric = (stat: string) => `envoy_cluster_${stat}`;

/** The `cluster_name` label of a subset's cluster of `service` in `namespace`. */
export const envoySubsetLabel = (namespace: string, service: string, subset: string, port = 9080) =>
    `cluster_name="outbound|${port}|${subset}|${service}.${namespace}.svc.cluster.local"`;
