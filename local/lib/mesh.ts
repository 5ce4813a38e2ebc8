// The local mesh as tests and scripts see it (cluster/mesh.ts runs it): requests through Envoy's listener to a
// Service of a meshed namespace, counted by the version that answered; the pod server's per-pod counters (served
// and mirrored); and the reviews route Envoy really serves (its admin config_dump), waited for and timed.
import http from "node:http";
import { VERSION_LABEL, WORKLOAD_LABEL } from "../../rollout/labels";
import { ServedRoute, servedRouteOf } from "../../rollout/served-route";
import { serviceHost } from "../cluster/mesh-clusters";
import { COUNTERS_URL, ENVOY_ADMIN_PORT, MESH_LISTENER, POD_PORT } from "../cluster/paths";
import { sleep } from "../cluster/processes";

export type { ServedRoute };
import { kubectl } from "../cluster/kube";
import { httpGet } from "./observe";

export interface MeshReply {
    status: number;
    headers: http.IncomingHttpHeaders;
    body: string;
}

/**
 * GET `path` of `service` in `namespace` through Envoy's listener (Host
 * `<service>.<namespace>.svc.cluster.local:9080`).
 */
export function meshGet(
    namespace: string,
    service: string,
    path: string,
    headers: Record<string, string> = {},
    timeoutMs = 10_000,
): Promise<MeshReply> {
    return new Promise((resolve, reject) => {
        const req = http.get(
            {
                host: MESH_LISTENER.ip,
                port: MESH_LISTENER.port,
                path,
                timeout: timeoutMs,
                agent: false,
                headers: { ...headers, host: `${serviceHost(service, namespace)}:${POD_PORT}` },
            },
            (res) => {
                let body = "";
                res.setEncoding("utf8");
                res.on("data", (c) => (body += c));
                res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
            },
        );
        req.on("timeout", () =>
            req.destroy(
                new Error(`GET ${service}.${namespace}${path} through the mesh timed out after ${timeoutMs} ms`),
            ),
        );
        req.on("error", reject);
    });
}

/** Reviews pods, whatever their app label (dark or serving), as local/lib/observe.ts finds them. */
export const REVIEWS_PODS = `${WORKLOAD_LABEL}=reviews`;

/** Pod name -> `version` label of the namespace's pods (those matching `selector`, if given). */
export function podVersions(namespace: string, selector?: string): Map<string, string> {
    const pods = JSON.parse(
        kubectl(["get", "pods", "-n", namespace, ...(selector ? ["-l", selector] : []), "-o", "json"]),
    ).items;
    return new Map(pods.map((p: any) => [p.metadata.name, p.metadata.labels?.[VERSION_LABEL] ?? "?"]));
}

export interface MeshSample {
    requests: number;
    /** Answers (HTTP 200) by the version of the pod that answered (`x-bookinfo-pod`). */
    byVersion: Record<string, number>;
    byPod: Record<string, number>;
    /** Answers other than 200, and requests that failed. */
    errors: number;
    /** Why, for the first few of them: the status and the start of the body, or the client's error. */
    failures: string[];
}

const FAILURES_KEPT = 5;

/**
 * Sends `requests` GETs of `path` (default /reviews/7) to `service` (default reviews) of `namespace` through the
 * mesh, `concurrency` at a time, each with `headers` (e.g. `{ "end-user": "jason" }`), and counts who answered.
 */
export async function sendThroughMesh(
    namespace: string,
    requests: number,
    {
        service = "reviews",
        path = "/reviews/7",
        headers = {},
        concurrency = 8,
    }: { service?: string; path?: string; headers?: Record<string, string>; concurrency?: number } = {},
): Promise<MeshSample> {
    const versions = podVersions(namespace);
    const sample: MeshSample = { requests, byVersion: {}, byPod: {}, errors: 0, failures: [] };
    const failed = (why: string) => {
        sample.errors++;
        if (sample.failures.length < FAILURES_KEPT) sample.failures.push(why);
    };
    let next = 0;
    const worker = async () => {
        while (next < requests) {
            next++;
            try {
                const reply = await meshGet(namespace, service, path, headers);
                const pod = reply.headers["x-bookinfo-pod"] as string | undefined;
                if (reply.status !== 200 || !pod) {
                    failed(`${reply.status}${pod ? ` from ${pod}` : ""}: ${reply.body.slice(0, 160)}`);
                    continue;
                }
                const version = versions.get(pod) ?? "unknown";
                sample.byVersion[version] = (sample.byVersion[version] ?? 0) + 1;
                sample.byPod[pod] = (sample.byPod[pod] ?? 0) + 1;
            } catch (err) {
                failed((err as Error).message);
            }
        }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, requests) }, worker));
    return sample;
}

export interface RequestCounts {
    served: number;
    mirrored: number;
}

/** The pod server's counters since it started, by pod name, for the pods of `namespace`. */
export async function meshCounters(namespace: string): Promise<Record<string, RequestCounts>> {
    const all: Record<string, RequestCounts> = JSON.parse(await httpGet(COUNTERS_URL));
    const prefix = `${namespace}/`;
    return Object.fromEntries(
        Object.entries(all)
            .filter(([k]) => k.startsWith(prefix))
            .map(([k, v]) => [k.slice(prefix.length), v]),
    );
}

/** The counters of the pods matching `selector` (default: reviews), summed by their `version` label. */
export async function countersByVersion(
    namespace: string,
    selector = REVIEWS_PODS,
): Promise<Record<string, RequestCounts>> {
    const versions = podVersions(namespace, selector);
    const out: Record<string, RequestCounts> = {};
    for (const [pod, c] of Object.entries(await meshCounters(namespace))) {
        const version = versions.get(pod);
        if (!version) continue;
        const v = (out[version] ??= { served: 0, mirrored: 0 });
        v.served += c.served;
        v.mirrored += c.mirrored;
    }
    return out;
}

/**
 * The sum of an Envoy cluster counter (e.g. `upstream_cx_destroy_remote`) over the clusters of `namespace`'s Services.
 */
export async function envoyClusterCounter(namespace: string, counter: string): Promise<number> {
    const stats: { name: string; value?: number }[] =
        JSON.parse(
            await httpGet(
                `http://127.0.0.1:${ENVOY_ADMIN_PORT}/stats?format=json&filter=${encodeURIComponent(`\\.${counter}$`)}`,
            ),
        ).stats ?? [];
    const suffix = `.${namespace}.svc.cluster.local.${counter}`;
    return stats
        .filter((s) => s.name.startsWith("cluster.outbound|") && s.name.endsWith(suffix))
        .reduce((n, s) => n + (s.value ?? 0), 0);
}

/** The route Envoy serves for a service of `namespace` (rollout/served-route.ts reads it), or null. */
export async function servedRoute(namespace: string, service = "reviews"): Promise<ServedRoute | null> {
    const dump = JSON.parse(
        await httpGet(`http://127.0.0.1:${ENVOY_ADMIN_PORT}/config_dump?resource=dynamic_route_configs`),
    );
    return servedRouteOf(dump, serviceHost(service, namespace), String(POD_PORT));
}

/**
 * Polls Envoy (every 20 ms) until the route it serves for `service` of `namespace` satisfies `wanted`; returns the
 * route and the milliseconds from the call to the first poll that saw it (start the clock when the change is made).
 */
export async function waitForRoute(
    namespace: string,
    wanted: (route: ServedRoute) => boolean,
    { service = "reviews", timeoutMs = 30_000 }: { service?: string; timeoutMs?: number } = {},
): Promise<{ ms: number; route: ServedRoute }> {
    const started = Date.now();
    for (;;) {
        const last = await servedRoute(namespace, service);
        if (last && wanted(last)) return { ms: Date.now() - started, route: last };
        if (Date.now() - started > timeoutMs) {
            throw new Error(
                `Envoy did not serve the wanted ${service} route of ${namespace} within ${timeoutMs} ms; last: ${JSON.stringify(last)}`,
            );
        }
        await sleep(20);
    }
}
