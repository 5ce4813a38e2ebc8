// The "containers" of the local cluster. Runs inside the pod network namespace (cluster/up.ts starts it with
// `ip netns exec`), listens on 0.0.0.0:9080 there and answers as the pod that owns the connection's local
// address, according to the pod table the agent writes. Faults (FAULT_ANNOTATION) are applied here.
import fs from "node:fs";
import http from "node:http";
import { answer, Reply, SLOW_FAULT_MS, Upstream } from "./bookinfo-api";
import { POD_PORT, podTablePath } from "./paths";
import type { PodEntry, PodTable } from "./pod-table";
import { sleep } from "./processes";

const UPSTREAM_TIMEOUT_MS = 10_000;

let table: PodTable = { updatedAt: "", pods: {}, endpoints: {} };
let tableMtime = 0;
function currentTable(): PodTable {
    try {
        const mtime = fs.statSync(podTablePath()).mtimeMs;
        if (mtime !== tableMtime) {
            table = JSON.parse(fs.readFileSync(podTablePath(), "utf8"));
            tableMtime = mtime;
        }
    } catch (err) {
        log(`cannot read the pod table ${podTablePath()}: ${(err as Error).message}`);
    }
    return table;
}

const log = (msg: string) => console.log(`${new Date().toISOString()} ${msg}`);

/** Round-robin over the ready endpoints of a Service in the caller's namespace, like kube-proxy would spread. */
const cursors = new Map<string, number>();
const upstreamFor = (pod: PodEntry): Upstream => (service, path) => {
    const key = `${pod.namespace}/${service}`;
    const endpoints = currentTable().endpoints[key] ?? [];
    if (!endpoints.length) return Promise.reject(new Error(`service ${key} has no ready endpoints`));
    const n = cursors.get(key) ?? 0;
    cursors.set(key, n + 1);
    const ep = endpoints[n % endpoints.length];
    return new Promise((resolve, reject) => {
        const req = http.get({ host: ep.ip, port: ep.port, path, timeout: UPSTREAM_TIMEOUT_MS }, (res) => {
            let body = "";
            res.setEncoding("utf8");
            res.on("data", (c) => (body += c));
            res.on("end", () => {
                try {
                    resolve({ status: res.statusCode ?? 0, json: JSON.parse(body), pod: res.headers["x-bookinfo-pod"] as string });
                } catch {
                    reject(new Error(`${key} at ${ep.ip} answered ${res.statusCode} with a non-JSON body`));
                }
            });
        });
        req.on("timeout", () => req.destroy(new Error(`${key} at ${ep.ip} timed out`)));
        req.on("error", reject);
    });
};

async function reply(pod: PodEntry, path: string): Promise<Reply> {
    if (pod.fault === "http-500") return { status: 500, body: JSON.stringify({ error: "fault injected: http-500" }), contentType: "application/json" };
    if (pod.fault === "slow") await sleep(SLOW_FAULT_MS);
    return answer(pod, path, upstreamFor(pod));
}

const server = http.createServer(async (req, res) => {
    const local = req.socket.localAddress ?? "";
    const pod = currentTable().pods[local];
    // An address no running pod owns any more: refuse like a stopped container would.
    if (!pod) return void req.socket.destroy();
    const path = (req.url ?? "/").split("?")[0];
    let out: Reply;
    try {
        out = req.method === "GET" || req.method === "HEAD"
            ? await reply(pod, path)
            : { status: 405, body: JSON.stringify({ error: `${req.method} is not supported; use GET` }), contentType: "application/json" };
    } catch (err) {
        out = { status: 500, body: JSON.stringify({ error: (err as Error).message }), contentType: "application/json" };
    }
    res.writeHead(out.status, { "content-type": out.contentType ?? "text/plain", "x-bookinfo-pod": pod.name, ...out.headers });
    res.end(req.method === "HEAD" ? undefined : out.body);
    log(`${pod.namespace}/${pod.name} (${pod.app} ${pod.version}${pod.fault ? `, fault ${pod.fault}` : ""}) ${req.method} ${path} -> ${out.status}`);
});

server.on("error", (err) => {
    log(`pod server failed: ${err.message}`);
    process.exit(1);
});
server.listen(POD_PORT, "0.0.0.0", () => log(`pod server listening on 0.0.0.0:${POD_PORT}; pod table ${podTablePath()}`));
for (const sig of ["SIGTERM", "SIGINT"] as const) process.on(sig, () => process.exit(0));
