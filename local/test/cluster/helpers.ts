// Helpers for the local cluster specs: running the cluster scripts, plain HTTP, wait loops, and Bookinfo-like
// Deployments (the images never run: kwok has no containers, the pod server answers instead). kubectl, readiness
// and ready endpoints are the rig's own (local/cluster/kube.ts).
import { execFileSync, spawnSync } from "node:child_process";
import http from "node:http";
import path from "node:path";
import { APP_LABEL, VERSION_LABEL, WORKLOAD_LABEL } from "../../../rollout/labels";
import { REVIEWS } from "../../../rollout/service";
import { bin, POD_PORT } from "../../cluster/paths";
import { waitFor as waitUntil } from "../../cluster/processes";
import { isReady, kubectl, serviceReadyEndpoints } from "../../cluster/kube";

export { kubectl };

export const repoRoot = path.resolve(__dirname, "..", "..", "..");

/**
 * Runs a cluster script (local/cluster/up.ts, down.ts) as npm does and returns its output; throws with it on failure.
 */
export function runScript(script: string, timeoutMs = 180_000): string {
    try {
        return execFileSync(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(repoRoot, script)], {
            cwd: repoRoot,
            encoding: "utf8",
            timeout: timeoutMs,
            stdio: "pipe",
        });
    } catch (err: any) {
        throw new Error(`${script} failed: ${err.stdout ?? ""}${err.stderr ?? err.message}`, { cause: err });
    }
}

/** URL of `path` on a pod IP's Bookinfo port. */
export const podUrl = (ip: string, path: string) => `http://${ip}:${POD_PORT}${path}`;

export interface HttpReply {
    status: number;
    headers: http.IncomingHttpHeaders;
    body: string;
    ms: number;
}

export function get(url: string, timeoutMs = 10_000): Promise<HttpReply> {
    const started = Date.now();
    return new Promise((resolve, reject) => {
        const req = http.get(url, { timeout: timeoutMs, agent: false }, (res) => {
            let body = "";
            res.setEncoding("utf8");
            res.on("data", (c) => (body += c));
            res.on("end", () =>
                resolve({ status: res.statusCode ?? 0, headers: res.headers, body, ms: Date.now() - started }),
            );
        });
        req.on("timeout", () => req.destroy(new Error(`GET ${url} timed out after ${timeoutMs}ms`)));
        req.on("error", reject);
    });
}

/** The cluster scripts' wait loop, with the specs' tighter bound. */
export const waitFor = <T>(
    what: string,
    check: () => Promise<T | undefined | false> | T | undefined | false,
    timeoutMs = 30_000,
): Promise<T> => waitUntil(what, check, { timeoutMs, intervalMs: 200 });

/** A Deployment shaped like Bookinfo's: pod labels app + version (+ the workload label for reviews). */
export function deployment(
    ns: string,
    name: string,
    app: string,
    version: string,
    replicas = 1,
    workload?: string,
    image?: string,
) {
    const container = workload ?? app;
    const labels: Record<string, string> = {
        [APP_LABEL]: app,
        [VERSION_LABEL]: version,
        ...(workload ? { [WORKLOAD_LABEL]: workload } : {}),
    };
    const selector = workload
        ? { [WORKLOAD_LABEL]: workload, [VERSION_LABEL]: version }
        : { [APP_LABEL]: app, [VERSION_LABEL]: version };
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name, namespace: ns, labels },
        spec: {
            replicas,
            selector: { matchLabels: selector },
            template: {
                metadata: { labels },
                spec: {
                    containers: [
                        {
                            name: container,
                            image: image ?? `docker.io/istio/examples-bookinfo-${container}-${version}:1.20.3`,
                            ports: [{ containerPort: POD_PORT }],
                        },
                    ],
                },
            },
        },
    };
}

/** A reviews Deployment `reviews-<name>` (name defaults to the version), optionally with its own image. */
export const reviewsDeployment = (
    ns: string,
    version: string,
    { app = "reviews", image, name = version }: { app?: string; image?: string; name?: string } = {},
) => deployment(ns, `reviews-${name}`, app, version, 1, REVIEWS.name, image);

export const service = (ns: string, app: string) => ({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: app, namespace: ns, labels: { app, service: app } },
    spec: { selector: { [APP_LABEL]: app }, ports: [{ name: "http", port: POD_PORT, targetPort: POD_PORT }] },
});

export function apply(objects: object[]) {
    kubectl(["apply", "-f", "-"], { input: JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }) });
}

export interface PodInfo {
    name: string;
    ip: string;
    ready: boolean;
    labels: Record<string, string>;
}

export function pods(ns: string, selector: string): PodInfo[] {
    const list = JSON.parse(kubectl(["get", "pods", "-n", ns, "-l", selector, "-o", "json"])).items;
    return list
        .filter((p: any) => !p.metadata.deletionTimestamp)
        .map((p: any) => ({
            name: p.metadata.name,
            ip: p.status?.podIP ?? "",
            labels: p.metadata.labels ?? {},
            ready: isReady(p),
        }));
}

/** Waits until `count` pods match and every one of them answers /health on its IP. */
export async function answeringPods(ns: string, selector: string, count: number): Promise<PodInfo[]> {
    return waitFor(
        `${count} answering pod(s) ${selector} in ${ns}`,
        async () => {
            const found = pods(ns, selector).filter((p) => p.ready && p.ip);
            if (found.length !== count) return false;
            for (const p of found) if ((await get(podUrl(p.ip, "/health"), 2000)).status !== 200) return false;
            return found;
        },
        60_000,
    );
}

/** Ready endpoint IPs of a Service, from its EndpointSlices. */
export const readyEndpointIps = (ns: string, svc: string): string[] => serviceReadyEndpoints(ns, svc).map((e) => e.ip);

/** The toolchain's istioctl: its exit code (non-zero on findings) and its output. */
export function istioctl(args: string[]): { code: number; out: string } {
    const r = spawnSync(bin("istioctl"), args, { encoding: "utf8", timeout: 60_000 });
    return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}
