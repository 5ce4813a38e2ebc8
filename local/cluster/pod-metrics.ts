// What an instrumented Bookinfo app exposes on GET /metrics, per pod (the pod server keeps one set per pod): the
// requests it answered by status class (`code="2xx"`), and how long they took, as a histogram in seconds. Copies a mesh
// mirrored to the pod carry `mirrored="true"`, so a candidate's answers to mirrored traffic are seen apart from live
// ones. Nothing the scrape adds (namespace, pod, app, version: Prometheus's relabelling, cluster/prometheus.ts) is
// here. Prometheus text exposition format 0.0.4.

/** The usual client-library buckets (seconds), up to 10 s: the `slow` fault (3 s) and latency faults land inside. */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/**
 * Status classes, every one exposed from the start at 0: a counter series that first appears at 7 has no earlier
 * sample, so `increase()` would never count those 7 (Prometheus's own advice: initialise known label values).
 */
const CLASSES = ["1xx", "2xx", "3xx", "4xx", "5xx"];

interface Histogram {
    buckets: number[];
    sum: number;
    count: number;
}
interface PodMetrics {
    /** `<class>,<mirrored>` -> requests. */
    requests: Map<string, number>;
    durations: { false: Histogram; true: Histogram };
}

const histogram = (): Histogram => ({ buckets: DURATION_BUCKETS.map(() => 0), sum: 0, count: 0 });
const byPod = new Map<string, PodMetrics>();

const metricsOf = (pod: string): PodMetrics => {
    let m = byPod.get(pod);
    if (!m) {
        const requests = new Map(
            CLASSES.flatMap(
                (c) =>
                    [
                        [`${c},false`, 0],
                        [`${c},true`, 0],
                    ] as [string, number][],
            ),
        );
        byPod.set(pod, (m = { requests, durations: { false: histogram(), true: histogram() } }));
    }
    return m;
};

/** Records one answered request of `pod` (any key; the server uses `<namespace>/<name>`). */
export function observe(pod: string, code: number, mirrored: boolean, seconds: number): void {
    const m = metricsOf(pod);
    const key = `${Math.floor(code / 100)}xx,${mirrored}`;
    m.requests.set(key, (m.requests.get(key) ?? 0) + 1);
    const h = m.durations[`${mirrored}`];
    DURATION_BUCKETS.forEach((le, i) => {
        if (seconds <= le) h.buckets[i]++;
    });
    h.sum += seconds;
    h.count++;
}

/** `le` as a float ("1.0", as Prometheus 3 stores it whatever the page says), so queries read the same everywhere. */
const bound = (le: number) => (Number.isInteger(le) ? le.toFixed(1) : String(le));

/** The /metrics page of `pod`: every series from the start, at 0 before its first request. */
export function exposition(pod: string): string {
    const m = metricsOf(pod);
    const lines = [
        '# HELP http_requests_total Requests answered, by status class; mirrored="true": copies a mesh mirrored here.',
        "# TYPE http_requests_total counter",
    ];
    for (const [key, n] of [...m.requests].sort(([a], [b]) => a.localeCompare(b))) {
        const [code, mirrored] = key.split(",");
        lines.push(`http_requests_total{code="${code}",mirrored="${mirrored}"} ${n}`);
    }
    lines.push(
        "# HELP http_request_duration_seconds Time from a request's arrival to the end of its answer.",
        "# TYPE http_request_duration_seconds histogram",
    );
    for (const mirrored of ["false", "true"] as const) {
        const h = m.durations[mirrored];
        DURATION_BUCKETS.forEach((le, i) =>
            lines.push(
                `http_request_duration_seconds_bucket{mirrored="${mirrored}",le="${bound(le)}"} ${h.buckets[i]}`,
            ),
        );
        lines.push(
            `http_request_duration_seconds_bucket{mirrored="${mirrored}",le="+Inf"} ${h.count}`,
            `http_request_duration_seconds_sum{mirrored="${mirrored}"} ${h.sum}`,
            `http_request_duration_seconds_count{mirrored="${mirrored}"} ${h.count}`,
        );
    }
    return lines.join("\n") + "\n";
}
