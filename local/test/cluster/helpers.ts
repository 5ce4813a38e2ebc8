// Helpers for the local cluster specs: kubectl against the cluster's kubeconfig, plain HTTP, wait loops, and
// Bookinfo-like Deployments (the images never run: kwok has no containers, the pod server answers instead).
import { execFileSync, spawnSync } from "node:child_process";
import http from "node:http";
import path from "node:path";
import { APP_LABEL, REVIEWS_WORKLOAD, VERSION_LABEL, WORKLOAD_LABEL } from "../../../rollout/labels";
import { bin, kubeconfigPath } from "../../cluster/paths.mjs";
import { waitFor as waitUntil } from "../../cluster/processes.mjs";

export const repoRoot = path.resolve(__dirname, "..", "..", "..");

export function kubectl(args: string[], input?: string): string {
    const r = spawnSync(bin("kubectl"), ["--kubeconfig", kubeconfigPath(), ...args], { input, encoding: "utf8", timeout: 60_000 });
    if (r.status !== 0) throw new Error(`kubectl ${args.join(" ")} failed: ${(r.stderr || r.error?.message || "").trim()}`);
    return r.stdout;
}

/** Runs a repository script (cluster/up.mjs, cluster/down.mjs) and returns its output; throws with it on failure. */
export function runScript(script: string, timeoutMs = 180_000): string {
    try {
        return execFileSync(process.execPath, [path.join(repoRoot, script)], { cwd: repoRoot, encoding: "utf8", timeout: timeoutMs, stdio: "pipe" });
    } catch (err: any) {
        throw new Error(`${script} failed: ${err.stdout ?? ""}${err.stderr ?? err.message}`);
    }
}

export interface HttpReply { status: number; headers: http.IncomingHttpHeaders; body: string; ms: number }

export function get(url: string, timeoutMs = 10_000): Promise<HttpReply> {
    const started = Date.now();
    return new Promise((resolve, reject) => {
        const req = http.get(url, { timeout: timeoutMs, agent: false }, (res) => {
            let body = "";
            res.setEncoding("utf8");
            res.on("data", (c) => (body += c));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, ms: Date.now() - started }));
        });
        req.on("timeout", () => req.destroy(new Error(`GET ${url} timed out after ${timeoutMs}ms`)));
        req.on("error", reject);
    });
}

/** The cluster scripts' wait loop, with the specs' tighter bound. */
export const waitFor = <T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 30_000): Promise<T> =>
    waitUntil(what, check, { timeoutMs, intervalMs: 200 });

/** A Deployment shaped like Bookinfo's: pod labels app + version (+ the workload label for reviews). */
export function deployment(ns: string, name: string, app: string, version: string, replicas = 1, workload?: string) {
    const container = workload ?? app;
    const labels: Record<string, string> = { [APP_LABEL]: app, [VERSION_LABEL]: version, ...(workload ? { [WORKLOAD_LABEL]: workload } : {}) };
    const selector = workload ? { [WORKLOAD_LABEL]: workload, [VERSION_LABEL]: version } : { [APP_LABEL]: app, [VERSION_LABEL]: version };
    return {
        apiVersion: "apps/v1", kind: "Deployment", metadata: { name, namespace: ns, labels },
        spec: {
            replicas, selector: { matchLabels: selector },
            template: {
                metadata: { labels },
                spec: { containers: [{ name: container, image: `docker.io/istio/examples-bookinfo-${container}-${version}:1.20.3`, ports: [{ containerPort: 9080 }] }] },
            },
        },
    };
}

export const reviewsDeployment = (ns: string, version: string, app = "reviews") =>
    deployment(ns, `reviews-${version}`, app, version, 1, REVIEWS_WORKLOAD);

export const service = (ns: string, app: string) => ({
    apiVersion: "v1", kind: "Service", metadata: { name: app, namespace: ns, labels: { app, service: app } },
    spec: { selector: { [APP_LABEL]: app }, ports: [{ name: "http", port: 9080, targetPort: 9080 }] },
});

export function apply(objects: object[]) {
    kubectl(["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }));
}

export interface PodInfo { name: string; ip: string; ready: boolean; labels: Record<string, string> }

export function pods(ns: string, selector: string): PodInfo[] {
    const list = JSON.parse(kubectl(["get", "pods", "-n", ns, "-l", selector, "-o", "json"])).items;
    return list
        .filter((p: any) => !p.metadata.deletionTimestamp)
        .map((p: any) => ({
            name: p.metadata.name, ip: p.status?.podIP ?? "", labels: p.metadata.labels ?? {},
            ready: (p.status?.conditions ?? []).some((c: any) => c.type === "Ready" && c.status === "True"),
        }));
}

/** Waits until `count` pods match and every one of them answers /health on its IP. */
export async function answeringPods(ns: string, selector: string, count: number): Promise<PodInfo[]> {
    return waitFor(`${count} answering pod(s) ${selector} in ${ns}`, async () => {
        const found = pods(ns, selector).filter((p) => p.ready && p.ip);
        if (found.length !== count) return false;
        for (const p of found) if ((await get(`http://${p.ip}:9080/health`, 2000)).status !== 200) return false;
        return found;
    }, 60_000);
}

/** Ready endpoint IPs of a Service, from its EndpointSlices. */
export function readyEndpointIps(ns: string, svc: string): string[] {
    const slices = JSON.parse(kubectl(["get", "endpointslices", "-n", ns, "-l", `kubernetes.io/service-name=${svc}`, "-o", "json"])).items;
    return slices.flatMap((s: any) => (s.endpoints ?? []).filter((e: any) => e.conditions?.ready !== false).flatMap((e: any) => e.addresses)).sort();
}
