// A bounded load generator, in the role of Flagger's load tester (`hey -z 1m -q 10 -c 2 <service URL>`): steady GETs
// of productpage's reviews API (and/or the page) at a fixed rate, to a ready endpoint of the productpage Service
// (round-robin over the pod table the agent writes, as kube-proxy would spread) or through the mesh's Envoy as a
// meshed client would. Every bound is capped (rate, count, duration, concurrency), and traffic only goes to pod
// IPs or Envoy's listener in the rig's network. From mocha:
//   const load = startLoad({ namespace, rate: 50, seconds: 60 }); ...; const summary = await load.stop();
// From a shell: npx ts-node --transpile-only local/lib/load.ts --namespace bookinfo --rate 20 --seconds 30
import fs from "node:fs";
import http from "node:http";
import { parseArgs } from "node:util";
import { serviceHost } from "../cluster/mesh-clusters";
import { MESH_LISTENER, podTablePath, POD_PORT } from "../cluster/paths";
import type { PodTable } from "../cluster/pod-table";
import type { ReadyEndpoint } from "../cluster/kube";

export const MAX_RATE = 200;
export const MAX_SECONDS = 600;
export const MAX_COUNT = 100_000;
export const MAX_CONCURRENCY = 64;

export interface LoadOptions {
    namespace: string;
    /** Requests per second (default 10, at most MAX_RATE). */
    rate?: number;
    /** Stop after this many seconds (at most MAX_SECONDS). At least one of seconds and count is needed. */
    seconds?: number;
    /** Stop after this many requests (at most MAX_COUNT). */
    count?: number;
    /** Requests in flight at most (default 16, at most MAX_CONCURRENCY); a full pool delays the next send. */
    concurrency?: number;
    /**
     * Product ids whose `/api/v1/products/<id>/reviews` is requested, in turn (default [0]; [] with productpage: the
     * page only).
     */
    products?: number[];
    /**
     * Also request `/productpage`, in turn with the API paths. Note it answers 200 even when reviews fails, as
     * upstream.
     */
    productpage?: boolean;
    /** Sent with every request, e.g. `{ "end-user": "jason" }` (productpage passes end-user and cookie on). */
    headers?: Record<string, string>;
    /**
     * `endpoints` (default): a ready productpage endpoint's pod IP; `mesh`: Envoy's listener, Host productpage.<ns>.
     */
    via?: "endpoints" | "mesh";
    /** Per request (default 5000 ms); a request without an answer by then counts as `error`. */
    timeoutMs?: number;
    /** Called every progressMs (default 5000) while running. */
    onProgress?: (p: LoadProgress) => void;
    progressMs?: number;
}

export interface LoadProgress {
    seconds: number;
    sent: number;
    inFlight: number;
    /** Answers by HTTP status; `error` for requests that got none (refused, timed out, no ready endpoint). */
    byStatus: Record<string, number>;
}

export interface LatencyMs {
    p50: number;
    p90: number;
    p99: number;
    max: number;
}

export interface LoadSummary extends LoadProgress {
    /** What ended it: the count, the duration, or stop(). */
    stoppedBy: "count" | "seconds" | "stop";
    /** Requests sent per second over the run (from the first send until the last answer or the end of the duration). */
    rate: number;
    byPath: Record<string, Record<string, number>>;
    /** Answers by the productpage pod that gave them (`x-bookinfo-pod`). */
    byPod: Record<string, number>;
    /** Of the requests that got an answer (any status), milliseconds from send to the answer's end; null if none. */
    latencyMs: LatencyMs | null;
    /** Sends that had to wait for a free slot (the pool was full): the pods answer slower than rate allows. */
    delayed: number;
    maxInFlight: number;
    /** The first few requests that got no answer or not 200: when (ISO time) and why. */
    failures: string[];
}

export interface Load {
    /** Resolves with the summary when a bound ends the run. */
    done: Promise<LoadSummary>;
    /** Stops sending, waits for the requests in flight, and resolves with the summary. */
    stop(): Promise<LoadSummary>;
    progress(): LoadProgress;
}

const FAILURES_KEPT = 10;

const DEFAULTS = {
    rate: 10,
    concurrency: 16,
    products: [0],
    productpage: false,
    headers: {},
    via: "endpoints",
    timeoutMs: 5000,
    progressMs: 5000,
} satisfies Partial<LoadOptions>;
type Checked = LoadOptions & Required<Pick<LoadOptions, keyof typeof DEFAULTS>>;

/**
 * The options with defaults filled in (an option given as undefined gets its default), or an error naming the broken
 * bound.
 */
function checked(o: LoadOptions): Checked {
    const given = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
    const opts = { ...DEFAULTS, ...given } as Checked;
    const within = (name: string, value: number | undefined, min: number, max: number) => {
        if (value !== undefined && !(Number.isFinite(value) && value >= min && value <= max)) {
            throw new Error(`load: ${name} ${value} is out of bounds: ${min}..${max}`);
        }
    };
    if (!opts.namespace) throw new Error("load: namespace is required");
    within("rate", opts.rate, 0.1, MAX_RATE);
    within("seconds", opts.seconds, 0.1, MAX_SECONDS);
    within("count", opts.count, 1, MAX_COUNT);
    within("concurrency", opts.concurrency, 1, MAX_CONCURRENCY);
    within("timeoutMs", opts.timeoutMs, 1, 60_000);
    if (opts.seconds === undefined && opts.count === undefined)
        throw new Error("load: give seconds or count (or both)");
    if (opts.via !== "endpoints" && opts.via !== "mesh")
        throw new Error(`load: via ${opts.via}; allowed: endpoints, mesh`);
    if (opts.products.some((id) => !Number.isInteger(id) || id < 0))
        throw new Error(`load: products must be ids >= 0, got ${opts.products.join(",")}`);
    if (!opts.products.length && !opts.productpage)
        throw new Error("load: nothing to request: give products or productpage");
    return opts;
}

/** The ready productpage endpoints of `namespace` from the agent's pod table, re-read at most every 500 ms. */
function endpointSource(namespace: string): () => ReadyEndpoint[] {
    let readAt = 0;
    let endpoints: ReadyEndpoint[] = [];
    return () => {
        if (Date.now() - readAt >= 500) {
            readAt = Date.now();
            try {
                endpoints =
                    (JSON.parse(fs.readFileSync(podTablePath(), "utf8")) as PodTable).endpoints[
                        `${namespace}/productpage`
                    ] ?? [];
            } catch {
                /* mid-rename or no cluster: keep the last list */
            }
        }
        return endpoints;
    };
}

/** Nearest-rank percentile of sorted values. */
const rank = (sorted: number[], q: number) => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];
const round = (ms: number) => Math.round(ms * 10) / 10;

export function startLoad(options: LoadOptions): Load {
    const opts = checked(options);
    const paths = [
        ...opts.products.map((id) => `/api/v1/products/${id}/reviews`),
        ...(opts.productpage ? ["/productpage"] : []),
    ];
    const endpoints = endpointSource(opts.namespace);
    const started = performance.now();
    const elapsed = () => (performance.now() - started) / 1000;
    const s = { sent: 0, inFlight: 0, maxInFlight: 0, delayed: 0, byStatus: {} as Record<string, number> };
    const byPath: Record<string, Record<string, number>> = {};
    const byPod: Record<string, number> = {};
    const latencies: number[] = [];
    const failures: string[] = [];
    let stopped = false;
    let stoppedBy: LoadSummary["stoppedBy"] = "stop";
    let cursor = 0;
    // Wakes the send loop: when a slot frees or stop() is called.
    let wake: () => void = () => undefined;
    const pause = (ms: number) =>
        new Promise<void>((r) => {
            const t = setTimeout(r, ms);
            wake = () => {
                clearTimeout(t);
                r();
            };
        });

    const record = (path: string, status: string, ms: number | undefined, pod: string | undefined, why?: string) => {
        s.byStatus[status] = (s.byStatus[status] ?? 0) + 1;
        const p = (byPath[path] ??= {});
        p[status] = (p[status] ?? 0) + 1;
        if (pod) byPod[pod] = (byPod[pod] ?? 0) + 1;
        if (ms !== undefined) latencies.push(ms);
        if (why && failures.length < FAILURES_KEPT) failures.push(`${new Date().toISOString()} ${path}: ${why}`);
    };

    const send = (path: string): Promise<void> =>
        new Promise((resolve) => {
            const t0 = performance.now();
            const finish = () => {
                s.inFlight--;
                wake();
                resolve();
            };
            let target: { host: string; port: number; hostHeader?: string };
            if (opts.via === "mesh") {
                target = {
                    host: MESH_LISTENER.ip,
                    port: MESH_LISTENER.port,
                    hostHeader: `${serviceHost("productpage", opts.namespace)}:${POD_PORT}`,
                };
            } else {
                const eps = endpoints();
                if (!eps.length) {
                    record(
                        path,
                        "error",
                        undefined,
                        undefined,
                        `no ready endpoint of productpage in ${opts.namespace}`,
                    );
                    return finish();
                }
                const ep = eps[cursor++ % eps.length];
                target = { host: ep.ip, port: ep.port };
            }
            const headers = { ...opts.headers, ...(target.hostHeader ? { host: target.hostHeader } : {}) };
            const req = http.get(
                { host: target.host, port: target.port, path, headers, timeout: opts.timeoutMs, agent: false },
                (res) => {
                    let body = "";
                    res.setEncoding("utf8");
                    res.on("data", (c) => {
                        if (body.length < 200) body += c;
                    });
                    res.on("end", () => {
                        const status = String(res.statusCode ?? 0);
                        record(
                            path,
                            status,
                            performance.now() - t0,
                            res.headers["x-bookinfo-pod"] as string | undefined,
                            status === "200" ? undefined : `${status} ${body.slice(0, 120)}`,
                        );
                        finish();
                    });
                    res.on("error", (err) => {
                        record(path, "error", undefined, undefined, err.message);
                        finish();
                    });
                },
            );
            req.on("timeout", () => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)));
            req.on("error", (err) => {
                record(path, "error", undefined, undefined, `${target.host}: ${err.message}`);
                finish();
            });
        });

    const progress = (): LoadProgress => ({
        seconds: round(elapsed()),
        sent: s.sent,
        inFlight: s.inFlight,
        byStatus: { ...s.byStatus },
    });
    const ticker = opts.onProgress ? setInterval(() => opts.onProgress!(progress()), opts.progressMs) : undefined;

    const run = async (): Promise<LoadSummary> => {
        const interval = 1000 / opts.rate;
        const endMs = opts.seconds !== undefined ? opts.seconds * 1000 : Infinity;
        const pending = new Set<Promise<void>>();
        let due = 0;
        for (;;) {
            if (stopped) break;
            if (opts.count !== undefined && s.sent >= opts.count) {
                stoppedBy = "count";
                break;
            }
            if (performance.now() - started >= endMs) {
                stoppedBy = "seconds";
                break;
            }
            if (s.inFlight >= opts.concurrency) {
                s.delayed++;
                while (s.inFlight >= opts.concurrency && !stopped) await pause(interval);
                continue;
            }
            const now = performance.now() - started;
            if (due > now) {
                await pause(Math.min(due - now, endMs - now));
                continue;
            }
            s.sent++;
            s.inFlight++;
            s.maxInFlight = Math.max(s.maxInFlight, s.inFlight);
            const p = send(paths[(s.sent - 1) % paths.length]);
            pending.add(p);
            void p.then(() => pending.delete(p));
            // Steady pace, no burst to catch up: after a wait for a slot, the schedule restarts from now.
            due = Math.max(due + interval, now);
        }
        await Promise.all(pending);
        if (ticker) clearInterval(ticker);
        const sorted = [...latencies].sort((a, b) => a - b);
        const seconds = elapsed();
        return {
            ...progress(),
            stoppedBy,
            rate: Math.round((s.sent / Math.max(seconds, 0.001)) * 10) / 10,
            byPath,
            byPod,
            latencyMs: sorted.length
                ? {
                      p50: round(rank(sorted, 0.5)),
                      p90: round(rank(sorted, 0.9)),
                      p99: round(rank(sorted, 0.99)),
                      max: round(sorted[sorted.length - 1]),
                  }
                : null,
            delayed: s.delayed,
            maxInFlight: s.maxInFlight,
            failures,
            seconds: round(seconds),
        };
    };

    const done = run();
    return {
        done,
        progress,
        stop: () => {
            stopped = true;
            wake();
            return done;
        },
    };
}

const statusText = (by: Record<string, number>) =>
    Object.entries(by)
        .map(([k, v]) => `${k}: ${v}`)
        .join(", ") || "none yet";

/** The CLI: flags as LoadOptions (`--products 0,7`, `--header "end-user: jason"` repeatable); Ctrl-C stops early. */
async function main() {
    const { values } = parseArgs({
        options: {
            namespace: { type: "string", short: "n" },
            rate: { type: "string" },
            seconds: { type: "string" },
            count: { type: "string" },
            concurrency: { type: "string" },
            products: { type: "string" },
            productpage: { type: "boolean" },
            header: { type: "string", multiple: true },
            via: { type: "string" },
            "timeout-ms": { type: "string" },
        },
    });
    const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
    const headers: Record<string, string> = {};
    for (const h of values.header ?? []) {
        const cut = h.indexOf(":");
        if (cut < 1) throw new Error(`load: --header ${JSON.stringify(h)}: expected "name: value"`);
        headers[h.slice(0, cut).trim().toLowerCase()] = h.slice(cut + 1).trim();
    }
    const load = startLoad({
        namespace: values.namespace ?? "",
        rate: num(values.rate),
        seconds: num(values.seconds),
        count: num(values.count),
        concurrency: num(values.concurrency),
        products: values.products?.split(",").filter(Boolean).map(Number),
        productpage: values.productpage,
        headers,
        via: values.via as LoadOptions["via"],
        timeoutMs: num(values["timeout-ms"]),
        onProgress: (p) =>
            console.log(
                `[load] ${p.seconds.toFixed(1)} s: sent ${p.sent} (${(p.sent / Math.max(p.seconds, 0.001)).toFixed(1)}/s), in flight ${p.inFlight}; ${statusText(p.byStatus)}`,
            ),
    });
    process.once("SIGINT", () => void load.stop());
    const s = await load.done;
    const l = s.latencyMs;
    console.log(
        `[load] done (${s.stoppedBy}): ${s.sent} requests in ${s.seconds} s (${s.rate}/s); ${statusText(s.byStatus)}`,
    );
    console.log(
        `[load] latency ms: ${l ? `p50 ${l.p50}, p90 ${l.p90}, p99 ${l.p99}, max ${l.max}` : "no answers"}; delayed sends ${s.delayed}, max in flight ${s.maxInFlight}`,
    );
    for (const [path, by] of Object.entries(s.byPath)) console.log(`[load]   ${path}: ${statusText(by)}`);
    for (const f of s.failures) console.log(`[load]   e.g. ${f}`);
}

if (require.main === module) {
    main().catch((err: Error) => {
        console.error(err.message);
        process.exit(2);
    });
}
