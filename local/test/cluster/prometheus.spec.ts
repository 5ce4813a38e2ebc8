// The rig's Prometheus for real: it finds a namespace's Bookinfo pods through Kubernetes discovery, scrapes their
// /metrics and Envoy's cluster stats, and its HTTP API then shows exactly the requests this spec sent: to pod IPs
// by version and status code, and through the mesh per subset, copies mirrored to the candidate included (their
// errors and latency too). Before each count, Prometheus is polled until it agrees with the source it scrapes
// (the pod server's counters, Envoy's admin), so every delta is exact. Needs `npm run cluster:up` with the mesh.
import assert from "node:assert/strict";
import { clearFault, setFault } from "../../cluster/faults";
import { envoyServing } from "../../cluster/mesh";
import { ENVOY_ADMIN_PORT, PROMETHEUS_URL } from "../../cluster/paths";
import { prometheusReady } from "../../cluster/prometheus";
import { meshCounters, sendThroughMesh, waitForRoute } from "../../lib/mesh";
import { httpGet } from "../../lib/observe";
import { envoyClusterMetric, envoySubsetLabel, query, queryBy, waitForPrometheus } from "../../lib/prometheus";
import {
    answeringPods,
    deployment,
    get,
    kubectl,
    PodInfo,
    podUrl,
    reviewsDeployment,
    service,
    waitFor,
} from "./helpers";
import { destinationRule, meshedNamespace, virtualService } from "./mesh-manifests";
import { DEFAULT_ANALYSIS } from "../../../analysis/config";
import { lookQueries } from "../../../analysis/look";
import { QUERY_SETS } from "../../../analysis/queries";
import { queryNumber } from "../../../io/prometheus";

const specStart = Date.now();
const ns = `prom-spec-${specStart.toString(36)}`;
/** The candidate's image, this spec's own, so a fault on it reaches no other namespace. */
const V2 = `docker.io/istio/examples-bookinfo-reviews-v2:prom-spec-${Date.now().toString(36)}`;
const JASON = { "end-user": "jason" };

const apply = (objects: object[]) =>
    kubectl(["apply", "--server-side", "--field-manager", "prometheus-spec", "-f", "-"], {
        input: JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }),
    });

/** Sends `n` GETs of `path` to a pod IP, 8 at a time; returns the statuses counted. */
async function sendToPod(pod: PodInfo, n: number, path = "/reviews/1"): Promise<Record<number, number>> {
    const statuses: Record<number, number> = {};
    let next = 0;
    const worker = async () => {
        while (next < n) {
            next++;
            const { status } = await get(podUrl(pod.ip, path));
            statuses[status] = (statuses[status] ?? 0) + 1;
        }
    };
    await Promise.all(Array.from({ length: Math.min(8, n) }, worker));
    return statuses;
}

const reviewsPods = `{namespace="${ns}", app="reviews"}`;
const withLabels = (selector: string, extra: string) => selector.replace(/}$/, `, ${extra}}`);

/** Requests per version and status class, as Prometheus has them: `v1 2xx false` -> n. */
async function podRequests(): Promise<Record<string, number>> {
    const rows = await query(`sum by (version, code, mirrored) (http_requests_total${reviewsPods})`);
    return Object.fromEntries(rows.map((r) => [`${r.metric.version} ${r.metric.code} ${r.metric.mirrored}`, r.value]));
}

/** Waits until Prometheus's request counts of every reviews pod equal the pod server's own counters: a settled base. */
async function settledPodRequests(): Promise<Record<string, number>> {
    await waitForPrometheus(
        "the pod server's counters",
        async () => {
            const counters = await meshCounters(ns);
            const live = await queryBy(
                "pod",
                `sum by (pod) (http_requests_total${withLabels(reviewsPods, 'mirrored="false"')})`,
            );
            const copies = await queryBy(
                "pod",
                `sum by (pod) (http_requests_total${withLabels(reviewsPods, 'mirrored="true"')})`,
            );
            return Object.entries(counters)
                .filter(([pod]) => pod.startsWith("reviews-"))
                .every(([pod, c]) => (live[pod] ?? 0) === c.served && (copies[pod] ?? 0) === c.mirrored);
        },
        (ok) => ok,
    );
    return podRequests();
}

/** A count map as text, zeros left out and keys sorted, for comparing what Prometheus shows with what is expected. */
const canon = (o: Record<string, number> | undefined) =>
    JSON.stringify(
        Object.entries(o ?? {})
            .filter(([, v]) => v !== 0)
            .sort(),
    );
const same = (want: Record<string, number>) => (v: Record<string, number> | undefined) => canon(v) === canon(want);

const plus = (base: Record<string, number>, add: Record<string, number>) => {
    const out = { ...base };
    for (const [k, v] of Object.entries(add)) out[k] = (out[k] ?? 0) + v;
    return out;
};

/** An Envoy counter of reviews' subset cluster, read from Envoy's admin (the source Prometheus scrapes). */
async function envoyCounter(subset: string, stat: string): Promise<number> {
    const name = `cluster.outbound|9080|${subset}|reviews.${ns}.svc.cluster.local.${stat}`;
    const filter = `^${name.replace(/[.|]/g, "\\$&")}$`;
    const stats =
        JSON.parse(
            await httpGet(
                `http://127.0.0.1:${ENVOY_ADMIN_PORT}/stats?format=json&filter=${encodeURIComponent(filter)}`,
            ),
        ).stats ?? [];
    return stats[0]?.value ?? 0;
}

/** The same counter in Prometheus: `stat` as Envoy's Prometheus page names it, plus label matchers. */
const promEnvoy = async (subset: string, stat: string, labels = ""): Promise<number> =>
    (
        await query(
            `sum(${envoyClusterMetric(stat)}{${envoySubsetLabel(ns, "reviews", subset)}${labels ? `, ${labels}` : ""}})`,
        )
    )[0]?.value ?? 0;

/**
 * Envoy's counters per subset that the spec counts, keyed `<subset> <name>`: Prometheus's view, once it equals Envoy's.
 */
const ENVOY_COUNTS: [string, string, string][] = [
    // [name, Envoy's stat, Prometheus's stat and labels]
    ["total", "upstream_rq_total", "upstream_rq_total"],
    ["2xx", "upstream_rq_2xx", `upstream_rq|response_code_class="2xx"`],
    ["5xx", "upstream_rq_5xx", `upstream_rq|response_code_class="5xx"`],
    // Envoy splits requests by x-envoy-internal: `cluster.<name>.internal.upstream_rq_*` are the shadow's copies here.
    ["mirrored", "internal.upstream_rq_completed", "internal_upstream_rq_completed"],
    ["mirrored 5xx", "internal.upstream_rq_5xx", `internal_upstream_rq|response_code_class="5xx"`],
    ["live", "external.upstream_rq_completed", "external_upstream_rq_completed"],
];

async function settledEnvoyCounts(): Promise<Record<string, number>> {
    const read = async (source: "envoy" | "prometheus") => {
        const out: Record<string, number> = {};
        for (const subset of ["v1", "v2"]) {
            for (const [name, stat, prom] of ENVOY_COUNTS) {
                const [metric, labels] = prom.split("|");
                out[`${subset} ${name}`] =
                    source === "envoy" ? await envoyCounter(subset, stat) : await promEnvoy(subset, metric, labels);
            }
        }
        return out;
    };
    const { value } = await waitForPrometheus(
        "Envoy's cluster counters",
        async () => {
            const [envoy, prom] = [await read("envoy"), await read("prometheus")];
            return canon(envoy) === canon(prom) ? prom : undefined;
        },
        (v) => v !== undefined,
    );
    return value!;
}

describe("Prometheus: real scrapes of the pods' /metrics and Envoy's stats, read over its HTTP API", function () {
    this.timeout(120_000);
    let v1: PodInfo;
    let v2: PodInfo;
    const timings: Record<string, number> = {};

    before(async () => {
        assert.ok(
            await prometheusReady(),
            `Prometheus does not answer at ${PROMETHEUS_URL}: npm run toolchain, then npm run cluster:up`,
        );
        assert.ok(
            await envoyServing(),
            "the mesh is not running: build istio and envoy (npm run toolchain), then npm run cluster:up",
        );
        apply([meshedNamespace(ns)]);
        apply([
            reviewsDeployment(ns, "v1"),
            reviewsDeployment(ns, "v2", { image: V2 }),
            deployment(ns, "ratings-v1", "ratings", "v1"),
            deployment(ns, "productpage-v1", "productpage", "v1"),
            service(ns, "reviews"),
            service(ns, "ratings"),
            service(ns, "productpage"),
            destinationRule(ns),
        ]);
        const reviews = await answeringPods(ns, "app=reviews", 2);
        v1 = reviews.find((p) => p.labels.version === "v1")!;
        v2 = reviews.find((p) => p.labels.version === "v2")!;
        await answeringPods(ns, "app=ratings", 1);
        await answeringPods(ns, "app=productpage", 1);
    });

    after(() => {
        clearFault(V2);
        kubectl(["delete", "namespace", ns, "--wait=false"]);
        console.log(`      ms until Prometheus showed the requests sent: ${JSON.stringify(timings)}`);
    });

    it("discovers every Bookinfo pod of the namespace (role pod) and scrapes it, labelled namespace, pod, app, version", async () => {
        const started = Date.now();
        const { value } = await waitForPrometheus(
            `4 pods of ${ns} up`,
            () => query(`up{job="pods", namespace="${ns}"}`),
            (rows) => rows.length === 4 && rows.every((r) => r.value === 1),
        );
        timings["new pods scraped"] = Date.now() - started;
        const seen = value
            .map((r) => `${r.metric.pod} ${r.metric.app} ${r.metric.version} ${r.metric.instance}`)
            .sort();
        const pods = JSON.parse(kubectl(["get", "pods", "-n", ns, "-o", "json"]))
            .items.map(
                (p: any) =>
                    `${p.metadata.name} ${p.metadata.labels.app} ${p.metadata.labels.version} ${p.status.podIP}:9080`,
            )
            .sort();
        assert.deepEqual(seen, pods);
        assert.deepEqual(
            (await query('up{job="envoy"}')).map((r) => r.value),
            [1],
        );
    });

    it("a pod's requests by version and status code are exact; /metrics itself is never counted; a 500 release still reports", async () => {
        const base = await settledPodRequests();
        assert.deepEqual(await sendToPod(v1, 30), { 200: 30 });
        assert.deepEqual(await sendToPod(v2, 20), { 200: 20 });
        assert.deepEqual(await sendToPod(v2, 5, "/metrics"), { 200: 5 });
        setFault(V2, "http-500");
        assert.deepEqual(await sendToPod(v2, 7), { 500: 7 });
        const want = plus(base, { "v1 2xx false": 30, "v2 2xx false": 20, "v2 5xx false": 7 });
        const started = Date.now();
        await waitForPrometheus(`the pods' requests ${JSON.stringify(want)}`, podRequests, same(want));
        timings["pod requests"] = Date.now() - started;
        clearFault(V2);
        // Over a window, as a rollout judges: increase() extrapolates a little past the samples (never below them).
        const errors = await queryBy(
            "version",
            `sum by (version) (increase(http_requests_total${withLabels(reviewsPods, 'code=~"5.."')}[1m]))`,
        );
        // Bounds: the 7 at least, and at most doubled (the series is a few scrapes old, the window ends a scrape
        // later).
        assert.ok(errors.v1 === 0 && errors.v2 >= 7 && errors.v2 <= 14, JSON.stringify(errors));
    });

    it("the pods' request-duration histogram counts every request once, and a slow answer in the right bucket", async () => {
        const count = async (le?: string) =>
            (
                await query(
                    `sum(http_request_duration_seconds_${le ? "bucket" : "count"}` +
                        `${withLabels(`{namespace="${ns}", pod="${v2.name}"}`, `mirrored="false"${le ? `, le="${le}"` : ""}`)})`,
                )
            )[0]?.value ?? 0;
        const read = async () => ({ count: await count(), under2_5: await count("2.5"), under5: await count("5.0") });
        await settledPodRequests();
        const base = await read();
        setFault(V2, "slow");
        await sendToPod(v2, 2);
        clearFault(V2);
        await sendToPod(v2, 10);
        // 2 slow (3 s: above 2.5, below 5) and 10 fast.
        const want = { count: base.count + 12, under2_5: base.under2_5 + 10, under5: base.under5 + 12 };
        await waitForPrometheus(`the histogram ${JSON.stringify(want)}`, read, same(want));
    });

    it("through Envoy, per subset: live requests, mirrored copies (counted on the shadow's cluster as internal), their errors", async () => {
        apply([virtualService(ns, { v1: 100, v2: 0, mirror: true })]);
        await waitForRoute(ns, (r) => r.route.mirror?.version === "v2" && r.route.weights.v1 === 100);
        await waitFor(
            "v1 and v2 to answer through the mesh",
            async () =>
                (await sendThroughMesh(ns, 1)).byVersion.v1 === 1 &&
                (await sendThroughMesh(ns, 1, { headers: JASON })).byVersion.v2 === 1,
        );
        let base = await settledEnvoyCounts();
        const plain = await sendThroughMesh(ns, 200);
        const tester = await sendThroughMesh(ns, 20, { headers: JASON });
        assert.deepEqual([plain.byVersion, plain.failures, tester.byVersion], [{ v1: 200 }, [], { v2: 20 }]);
        let want = plus(base, {
            "v1 total": 200,
            "v1 2xx": 200,
            "v1 live": 200,
            "v2 total": 220,
            "v2 2xx": 220,
            "v2 mirrored": 200,
            "v2 live": 20,
        });
        let started = Date.now();
        await waitForPrometheus(`Envoy's counts ${JSON.stringify(want)}`, settledEnvoyCounts, same(want), 30_000);
        timings["Envoy subset counts"] = Date.now() - started;

        // A candidate that fails only its mirrored copies: users see none of it, the shadow's cluster does.
        base = want;
        setFault(V2, "http-500");
        const hidden = await sendThroughMesh(ns, 100);
        assert.deepEqual([hidden.byVersion, hidden.errors], [{ v1: 100 }, 0]);
        want = plus(base, {
            "v1 total": 100,
            "v1 2xx": 100,
            "v1 live": 100,
            "v2 total": 100,
            "v2 5xx": 100,
            "v2 mirrored": 100,
            "v2 mirrored 5xx": 100,
        });
        started = Date.now();
        await waitForPrometheus(`Envoy's counts ${JSON.stringify(want)}`, settledEnvoyCounts, same(want), 30_000);
        timings["Envoy mirrored 5xx"] = Date.now() - started;
        clearFault(V2);
        // The candidate pod's own metrics say the same (scraped on their own schedule): every copy, the last 100
        // failed.
        await waitForPrometheus(
            "v2's own count of mirrored copies",
            () =>
                queryBy(
                    "code",
                    `sum by (code) (http_requests_total{namespace="${ns}", pod="${v2.name}", mirrored="true"})`,
                ),
            same({ "2xx": base["v2 mirrored"] - base["v2 mirrored 5xx"], "5xx": 100 + base["v2 mirrored 5xx"] }),
        );
    });

    it("through Envoy: the mirrored copies' latency is recorded on the shadow's cluster (p99 of a slow candidate)", async () => {
        apply([virtualService(ns, { v1: 100, v2: 0, mirror: true })]);
        const p99 = (stat: string, subset: string) =>
            `histogram_quantile(0.99, sum by (le) (rate(${envoyClusterMetric(`${stat}_bucket`)}{${envoySubsetLabel(ns, "reviews", subset)}}[1m])))`;
        const internalCount = () => promEnvoy("v2", "internal_upstream_rq_time_count");
        // Envoy folds latencies into its histograms every 5 s (stats_flush_interval): a settled base is one where the
        // histogram has every copy its counter has.
        const settled = async () => {
            const { value } = await waitForPrometheus(
                "v2's mirrored latencies to match its mirrored count",
                async () => [await internalCount(), await envoyCounter("v2", "internal.upstream_rq_completed")],
                ([h, c]) => h === c,
                30_000,
            );
            return value[0];
        };
        const base = await settled();
        setFault(V2, "slow");
        const sample = await sendThroughMesh(ns, 16);
        assert.deepEqual(sample.byVersion, { v1: 16 });
        // The copies take 3 s each, then up to 5 s to reach the histogram.
        const started = Date.now();
        await waitForPrometheus("16 more mirrored latencies on v2", internalCount, (n) => n >= base + 16, 30_000);
        timings["Envoy mirrored latency"] = Date.now() - started;
        clearFault(V2);
        const [live, mirrored] = [
            (await query(p99("upstream_rq_time", "v1")))[0]?.value,
            (await query(p99("internal_upstream_rq_time", "v2")))[0]?.value,
        ];
        assert.ok(live < 1000, `v1 p99 ${live} ms`);
        assert.ok(mirrored >= 2500, `v2's mirrored p99 ${mirrored} ms`);
        console.log(
            `      p99: v1 (live) ${live.toFixed(1)} ms, v2 (mirrored copies, slow fault) ${mirrored.toFixed(1)} ms`,
        );
        // Exactly the copies were counted: 16 more, no more.
        assert.equal(await settled(), base + 16);
    });

    it("the product's query sets (analysis/queries.ts), filled in and sent as the analysis sends them, read these counts", async () => {
        // 50 more errors of the candidate's copies, on a 5xx series that exists already (the burst above began it).
        apply([virtualService(ns, { v1: 100, v2: 0, mirror: true })]);
        setFault(V2, "http-500");
        assert.equal((await sendThroughMesh(ns, 50)).errors, 0);
        clearFault(V2);
        const pods = await settledPodRequests();
        const envoy = await settledEnvoyCounts();
        const sum = (pick: (key: string) => boolean) =>
            Object.entries(pods)
                .filter(([k]) => pick(k))
                .reduce((n, [, v]) => n + v, 0);
        // Every request since the namespace was made is inside the window: increase() then reads the counts, give or
        // take its extrapolation at the window's ends.
        const target = {
            namespace: ns,
            service: "reviews",
            port: 9080,
            stable: "v1",
            candidate: "v2",
            elapsedSeconds: (Date.now() - specStart) / 1000 + 5,
        };
        const read = async (set: keyof typeof QUERY_SETS) => {
            const q = lookQueries(QUERY_SETS[set], DEFAULT_ANALYSIS, target);
            const n = (promql: string) => queryNumber(PROMETHEUS_URL, promql);
            return {
                v1: await n(q.stable.requests),
                v2: await n(q.candidate.requests),
                v2errors: await n(q.candidate.errors),
                v1errors: await n(q.stable.errors),
            };
        };
        const near = (got: number | undefined, want: number, what: string) =>
            assert.ok(
                got !== undefined && got >= 0.9 * want && got <= 1.2 * want + 2,
                `${what}: read ${got}, counted ${want}`,
            );
        const byPods = await read("pods");
        near(
            byPods.v1,
            sum((k) => k.startsWith("v1 ")),
            "pods v1 requests",
        );
        near(
            byPods.v2,
            sum((k) => k.startsWith("v2 ")),
            "pods v2 requests",
        );
        near(
            byPods.v2errors,
            sum((k) => k.startsWith("v2 5xx")),
            "pods v2 errors",
        );
        assert.equal(byPods.v1errors, 0, "pods v1 errors: 0, not empty (every status class is exposed from the start)");
        const byEnvoy = await read("envoy");
        near(byEnvoy.v1, envoy["v1 total"], "envoy v1 requests");
        near(byEnvoy.v2, envoy["v2 total"], "envoy v2 requests (live and mirrored)");
        // increase() never counts what a series began with: Envoy makes its 5xx series at the first 5xx, and the
        // burst of 100 that began it is not in the window's increase; the 50 after it are (local/cluster.md).
        near(byEnvoy.v2errors, envoy["v2 5xx"] - 100, "envoy v2 errors after the series began");
        // v1 never answered 5xx: Envoy has no such series, so the query is empty (the analysis reads no errors).
        assert.equal(byEnvoy.v1errors, undefined);
    });
});
