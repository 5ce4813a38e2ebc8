// The "containers" of the local cluster. Runs inside the pod network namespace (cluster/up.ts starts it with
// `ip netns exec`), listens on 0.0.0.0:9080 there and answers as the pod that owns the connection's local
// address, according to the pod table the agent writes. Faults are applied here: a pod whose image is in the fault
// table (cluster/faults.ts) misbehaves. Both files are re-read as soon as they change. A pod of a meshed namespace
// (pod table `meshed`) calls other Services through the mesh's Envoy, as its sidecar would; every pod's requests
// are counted, served and mirrored apart, and the counts answered on COUNTERS_URL. Each pod also answers
// GET /metrics as an instrumented app would (cluster/pod-metrics.ts), for Prometheus (cluster/prometheus.ts).
import fs from "node:fs";
import http from "node:http";
import { answer, Reply, SLOW_FAULT_MS, Upstream } from "./bookinfo-api";
import { Fault, FaultTable, readFaultTable } from "./faults";
import { serviceHost, UPSTREAM_IDLE_MS } from "./mesh-clusters";
import { COUNTERS_URL, faultTablePath, MESH_LISTENER, NS_LINK_IP, POD_PORT, podTablePath } from "./paths";
import { CONTENT_TYPE as METRICS_CONTENT_TYPE, exposition, observe } from "./pod-metrics";
import type { PodEntry, PodTable } from "./pod-table";
import { sleep } from "./processes";

const UPSTREAM_TIMEOUT_MS = 10_000;

const log = (msg: string) => console.log(`${new Date().toISOString()} ${msg}`);

/**
 * A file's parsed content, re-read only when the file changed (another inode after an atomic rename, another
 * mtime or size); on a read error the last good content stays and the error is logged once.
 */
function watchedFile<T>(file: () => string, parse: (path: string) => T, initial: T): () => T {
    let value = initial;
    let seen = "";
    let lastError = "";
    return () => {
        const path = file();
        try {
            let key = "missing";
            try {
                const st = fs.statSync(path);
                key = `${st.ino}:${st.mtimeMs}:${st.size}`;
            } catch (err) {
                if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
            }
            if (key !== seen) {
                value = parse(path);
                seen = key;
            }
            lastError = "";
        } catch (err) {
            const msg = `cannot read ${path}: ${(err as Error).message}`;
            if (msg !== lastError) log(msg);
            lastError = msg;
        }
        return value;
    };
}

const EMPTY_TABLE: PodTable = { updatedAt: "", pods: {}, endpoints: {}, meshed: [] };
const currentTable = watchedFile(
    podTablePath,
    (path) => (fs.existsSync(path) ? (JSON.parse(fs.readFileSync(path, "utf8")) as PodTable) : EMPTY_TABLE),
    EMPTY_TABLE,
);

let reportedInvalid = "";
const currentFaults = watchedFile(
    faultTablePath,
    (path): FaultTable => {
        const { faults, invalid } = readFaultTable(path);
        const report = invalid.join("; ");
        if (report && report !== reportedInvalid) log(`fault table ${path}: ignoring unknown faults (${report})`);
        reportedInvalid = report;
        return faults;
    },
    {},
);

/** The fault of a pod: the fault table's entry for the image it runs. */
const faultOf = (pod: PodEntry): Fault | undefined => (pod.image ? currentFaults()[pod.image] : undefined);

/** Headers a Bookinfo app passes on to the Services it calls (upstream productpage forwards the signed-in user). */
const FORWARDED_HEADERS = ["end-user", "cookie"];

/**
 * Where a call of `pod` to `service` goes: in a meshed namespace to Envoy's listener with the Service's host name
 * (Envoy's routes, from istiod, pick the endpoint), else to a ready endpoint of the Service in the caller's
 * namespace chosen at random, as kube-proxy's default (iptables) mode does. Not round-robin: a caller cycling
 * through N endpoints with a client that cycles through M paths would send each endpoint only some paths (a
 * candidate failing one product could then never see it).
 */
function target(pod: PodEntry, service: string): { ip: string; port: number; host?: string } | Error {
    const table = currentTable();
    if (table.meshed.includes(pod.namespace)) {
        return { ...MESH_LISTENER, host: `${serviceHost(service, pod.namespace)}:${POD_PORT}` };
    }
    const key = `${pod.namespace}/${service}`;
    const endpoints = table.endpoints[key] ?? [];
    if (!endpoints.length) return new Error(`service ${key} has no ready endpoints`);
    return endpoints[Math.floor(Math.random() * endpoints.length)];
}

const upstreamFor =
    (pod: PodEntry, incoming: http.IncomingHttpHeaders): Upstream =>
    (service, path) => {
        const key = `${pod.namespace}/${service}`;
        const ep = target(pod, service);
        if (ep instanceof Error) return Promise.reject(ep);
        const headers: Record<string, string> = ep.host ? { host: ep.host } : {};
        for (const h of FORWARDED_HEADERS) if (typeof incoming[h] === "string") headers[h] = incoming[h] as string;
        return new Promise((resolve, reject) => {
            const req = http.get({ host: ep.ip, port: ep.port, path, headers, timeout: UPSTREAM_TIMEOUT_MS }, (res) => {
                let body = "";
                res.setEncoding("utf8");
                res.on("data", (c) => (body += c));
                res.on("end", () => {
                    try {
                        resolve({
                            status: res.statusCode ?? 0,
                            json: JSON.parse(body),
                            pod: res.headers["x-bookinfo-pod"] as string,
                        });
                    } catch {
                        reject(new Error(`${key} at ${ep.ip} answered ${res.statusCode} with a non-JSON body`));
                    }
                });
            });
            req.on("timeout", () => req.destroy(new Error(`${key} at ${ep.ip} timed out`)));
            req.on("error", reject);
        });
    };

async function reply(
    pod: PodEntry,
    path: string,
    fault: Fault | undefined,
    incoming: http.IncomingHttpHeaders,
): Promise<Reply> {
    if (fault === "http-500")
        return {
            status: 500,
            body: JSON.stringify({ error: "fault injected: http-500" }),
            contentType: "application/json",
        };
    if (fault === "slow") await sleep(SLOW_FAULT_MS);
    return answer(pod, path, upstreamFor(pod, incoming), fault);
}

/**
 * A copy Envoy mirrored: its shadow client marks it `x-envoy-internal: true` (our listener never sets that on a
 * request it routes, cluster/mesh.ts), and appends `-shadow` to the Host unless the route disables that (Istio does).
 */
const isMirrored = (req: http.IncomingMessage) =>
    req.headers["x-envoy-internal"] === "true" || /-shadow(:\d+)?$/.test(req.headers.host ?? "");

/** Requests per pod (`<namespace>/<pod>`) since the pod server started: served (answered) and mirrored copies. */
const counters: Record<string, { served: number; mirrored: number }> = {};

const server = http.createServer(async (req, res) => {
    const local = req.socket.localAddress ?? "";
    const path = (req.url ?? "/").split("?")[0];
    if (local === NS_LINK_IP && path === new URL(COUNTERS_URL).pathname) {
        res.writeHead(200, { "content-type": "application/json" });
        return void res.end(JSON.stringify(counters));
    }
    const pod = currentTable().pods[local];
    // An address no running pod owns any more: refuse like a stopped container would.
    if (!pod) return void req.socket.destroy();
    const key = `${pod.namespace}/${pod.name}`;
    // Scrapes (every second) are neither counted nor logged, and no fault touches them: a broken release still
    // reports its errors, and the counts tests take differences of stay the requests they sent.
    if (path === "/metrics" && req.method === "GET") {
        res.writeHead(200, { "content-type": METRICS_CONTENT_TYPE });
        return void res.end(exposition(key));
    }
    const started = process.hrtime.bigint();
    const mirrored = isMirrored(req);
    const count = (counters[key] ??= { served: 0, mirrored: 0 });
    if (mirrored) count.mirrored++;
    else count.served++;
    const fault = faultOf(pod);
    let out: Reply;
    try {
        out =
            req.method === "GET" || req.method === "HEAD"
                ? await reply(pod, path, fault, req.headers)
                : {
                      status: 405,
                      body: JSON.stringify({ error: `${req.method} is not supported; use GET` }),
                      contentType: "application/json",
                  };
    } catch (err) {
        out = { status: 500, body: JSON.stringify({ error: (err as Error).message }), contentType: "application/json" };
    }
    res.writeHead(out.status, {
        "content-type": out.contentType ?? "text/plain",
        "x-bookinfo-pod": pod.name,
        ...out.headers,
    });
    res.end(req.method === "HEAD" ? undefined : out.body);
    observe(key, out.status, mirrored, Number(process.hrtime.bigint() - started) / 1e9);
    log(
        `${pod.namespace}/${pod.name} (${pod.app} ${pod.version}${fault ? `, fault ${fault}` : ""}) ${req.method} ${path}` +
            `${mirrored ? " (mirrored)" : ""} -> ${out.status}`,
    );
});

// Node closes idle keep-alive connections after 5 s by default, before Envoy would: a request Envoy sends on one
// as it closes gets a 503 "connection termination". Envoy closes first (mesh-clusters.ts).
server.keepAliveTimeout = 2 * UPSTREAM_IDLE_MS;

server.on("error", (err) => {
    log(`pod server failed: ${err.message}`);
    process.exit(1);
});
server.listen(POD_PORT, "0.0.0.0", () =>
    log(`pod server listening on 0.0.0.0:${POD_PORT}; pod table ${podTablePath()}, fault table ${faultTablePath()}`),
);
for (const sig of ["SIGTERM", "SIGINT"] as const) process.on(sig, () => process.exit(0));
