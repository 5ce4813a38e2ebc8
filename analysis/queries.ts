// The analysis's PromQL, as data: one template per metric, with the namespace, service, version, window and
// quantile filled in per look. Each returns one number for one version over the window (requests and errors as
// counts, latency in milliseconds); an empty result is "no data", never 0. Flagger's built-in Istio queries are
// the reference for `istio`; `envoy` reads Envoy's own cluster stats as an Istio sidecar exports them on
// `/stats/prometheus` (istio-proxy's stats tags: `cluster_name` is the whole `outbound|<port>|<subset>|<host>`,
// 5xx answers are `upstream_rq{response_code_class="5xx"}`); `pods` reads an app's own /metrics.
export interface QueryTemplates {
    requests: string;
    errors: string;
    /** Absent: latency is not judged. */
    latency?: string;
}

export const PLACEHOLDERS = ["namespace", "service", "version", "port", "window", "quantile"] as const;
export type QueryVars = Record<(typeof PLACEHOLDERS)[number], string>;

const envoyCluster = 'cluster_name="outbound|{port}|{version}|{service}.{namespace}.svc.cluster.local"';
const istioWorkload =
    'reporter="destination", destination_workload_namespace="{namespace}", destination_workload="{service}-{version}"';
const podOf = 'namespace="{namespace}", app=~"{service}|{service}_test", version="{version}"';

export const QUERY_SETS = {
    envoy: {
        requests: `sum(increase(envoy_cluster_upstream_rq_total{${envoyCluster}}[{window}]))`,
        errors: `sum(increase(envoy_cluster_upstream_rq{${envoyCluster}, response_code_class="5xx"}[{window}]))`,
        latency: `histogram_quantile({quantile}, sum by (le) (increase(envoy_cluster_upstream_rq_time_bucket{${envoyCluster}}[{window}])))`,
    },
    istio: {
        requests: `sum(increase(istio_requests_total{${istioWorkload}}[{window}]))`,
        errors: `sum(increase(istio_requests_total{${istioWorkload}, response_code=~"5.."}[{window}]))`,
        latency: `histogram_quantile({quantile}, sum by (le) (increase(istio_request_duration_milliseconds_bucket{${istioWorkload}}[{window}])))`,
    },
    pods: {
        requests: `sum(increase(http_requests_total{${podOf}}[{window}]))`,
        errors: `sum(increase(http_requests_total{${podOf}, code=~"5.."}[{window}]))`,
        latency: `1000 * histogram_quantile({quantile}, sum by (le) (increase(http_request_duration_seconds_bucket{${podOf}}[{window}])))`,
    },
} satisfies Record<string, QueryTemplates>;
export type QuerySetName = keyof typeof QUERY_SETS;

const PLACEHOLDER = /\{(\w+)\}/g;

/** Problems of hand-written templates: unknown placeholders, and those every template needs. */
export function templateProblems(t: Partial<QueryTemplates>): string[] {
    const out: string[] = [];
    for (const [metric, text] of Object.entries(t)) {
        if (typeof text !== "string") continue;
        const used = [...text.matchAll(PLACEHOLDER)].map((m) => m[1]);
        const unknown = used.filter((u) => !(PLACEHOLDERS as readonly string[]).includes(u));
        if (unknown.length)
            out.push(
                `${metric}: unknown placeholder {${unknown.join("}, {")}}; allowed: {${PLACEHOLDERS.join("}, {")}}`,
            );
        for (const needed of ["namespace", "version", "window"]) {
            if (!used.includes(needed))
                out.push(`${metric}: needs {${needed}}, or it cannot tell this rollout's version and window apart`);
        }
    }
    return out;
}

/** One template with the look's values filled in. */
export const fill = (template: string, vars: QueryVars): string =>
    template.replace(PLACEHOLDER, (_, k: keyof QueryVars) => vars[k]);
