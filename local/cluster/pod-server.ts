// The "containers" of the local cluster. Runs inside the pod network namespace (cluster/up.ts starts it with
// `ip netns exec`), listens on 0.0.0.0:9080 there and answers as the pod that owns the connection's local
// address, according to the pod table the agent writes. Faults are applied here: a pod whose image is in the fault
// table (cluster/faults.ts) misbehaves. Both files are re-read as soon as they change.
import fs from "node:fs";
import http from "node:http";
import { answer, Reply, SLOW_FAULT_MS, Upstream } from "./bookinfo-api";
import { Fault, FaultTable, readFaultTable } from "./faults";
import { faultTablePath, POD_PORT, podTablePath } from "./paths";
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

const EMPTY_TABLE: PodTable = { updatedAt: "", pods: {}, endpoints: {} };
const currentTable = watchedFile(podTablePath,
    (path) => fs.existsSync(path) ? JSON.parse(fs.readFileSync(path, "utf8")) as PodTable : EMPTY_TABLE, EMPTY_TABLE);

let reportedInvalid = "";
const currentFaults = watchedFile(faultTablePath, (path): FaultTable => {
    const { faults, invalid } = readFaultTable(path);
    const report = invalid.join("; ");
    if (report && report !== reportedInvalid) log(`fault table ${path}: ignoring unknown faults (${report})`);
    reportedInvalid = report;
    return faults;
}, {});

/** The fault of a pod: the fault table's entry for the image it runs. */
const faultOf = (pod: PodEntry): Fault | undefined => (pod.image ? currentFaults()[pod.image] : undefined);

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

async function reply(pod: PodEntry, path: string, fault: Fault | undefined): Promise<Reply> {
    if (fault === "http-500") return { status: 500, body: JSON.stringify({ error: "fault injected: http-500" }), contentType: "application/json" };
    if (fault === "slow") await sleep(SLOW_FAULT_MS);
    return answer(pod, path, upstreamFor(pod), fault);
}

const server = http.createServer(async (req, res) => {
    const local = req.socket.localAddress ?? "";
    const pod = currentTable().pods[local];
    // An address no running pod owns any more: refuse like a stopped container would.
    if (!pod) return void req.socket.destroy();
    const path = (req.url ?? "/").split("?")[0];
    const fault = faultOf(pod);
    let out: Reply;
    try {
        out = req.method === "GET" || req.method === "HEAD"
            ? await reply(pod, path, fault)
            : { status: 405, body: JSON.stringify({ error: `${req.method} is not supported; use GET` }), contentType: "application/json" };
    } catch (err) {
        out = { status: 500, body: JSON.stringify({ error: (err as Error).message }), contentType: "application/json" };
    }
    res.writeHead(out.status, { "content-type": out.contentType ?? "text/plain", "x-bookinfo-pod": pod.name, ...out.headers });
    res.end(req.method === "HEAD" ? undefined : out.body);
    log(`${pod.namespace}/${pod.name} (${pod.app} ${pod.version}${fault ? `, fault ${fault}` : ""}) ${req.method} ${path} -> ${out.status}`);
});

server.on("error", (err) => {
    log(`pod server failed: ${err.message}`);
    process.exit(1);
});
server.listen(POD_PORT, "0.0.0.0", () => log(`pod server listening on 0.0.0.0:${POD_PORT}; pod table ${podTablePath()}, fault table ${faultTablePath()}`));
for (const sig of ["SIGTERM", "SIGINT"] as const) process.on(sig, () => process.exit(0));
