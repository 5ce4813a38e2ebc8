// What the cluster really does, read from the API server and measured over HTTP: the reviews pods, the reviews
// Service's ready endpoints, and the share of requests v2 answers. Used by the demo, the e2e suite and the bench.
import http from "node:http";
import * as k8s from "@kubernetes/client-node";
import type { Fleet } from "../../rollout/fleet";
import { APP_LABEL, VERSION_LABEL, WORKLOAD_LABEL } from "../../rollout/labels";
import { POD_PORT } from "../cluster/paths";
import { isReady, readyEndpoints, SERVICE_NAME_LABEL } from "../cluster/kube";

export interface ReviewsPod {
    name: string;
    ip: string;
    version: string;
    app: string;
    ready: boolean;
}
export interface Endpoint {
    ip: string;
    pod: string;
}
export interface ShareSample {
    requests: number;
    byVersion: Record<string, number>;
    errors: number;
}

/** Share of the sample's requests `version` answered, in percent with one decimal (0 when no version is named). */
export const percentOf = (sample: ShareSample, version: string | undefined): number =>
    Math.round((1000 * (version ? (sample.byVersion[version] ?? 0) : 0)) / sample.requests) / 10;

/** Exactly the fleet's pods, every one ready: a stage's pods have settled (pods terminate after `up` returns). */
export function podsSettled(pods: ReviewsPod[], fleet: Fleet): boolean {
    const count = (v: string) => pods.filter((p) => p.version === v).length;
    return (
        fleet.every((w) => count(w.version) === w.replicas) &&
        pods.length === fleet.reduce((n, w) => n + w.replicas, 0) &&
        pods.every((p) => p.ready)
    );
}

export class ClusterView {
    private readonly core: k8s.CoreV1Api;
    private readonly discovery: k8s.DiscoveryV1Api;
    private readonly apps: k8s.AppsV1Api;
    private readonly custom: k8s.CustomObjectsApi;

    constructor(
        kubeconfigPath: string,
        readonly namespace: string,
    ) {
        const kc = new k8s.KubeConfig();
        kc.loadFromFile(kubeconfigPath);
        this.core = kc.makeApiClient(k8s.CoreV1Api);
        this.discovery = kc.makeApiClient(k8s.DiscoveryV1Api);
        this.apps = kc.makeApiClient(k8s.AppsV1Api);
        this.custom = kc.makeApiClient(k8s.CustomObjectsApi);
    }

    /** The namespace's Istio objects of `plural` (none where Istio's CRDs are not installed). */
    private async meshObjects(plural: string): Promise<k8s.KubernetesObject[]> {
        try {
            const list = await this.custom.listNamespacedCustomObject({
                group: "networking.istio.io",
                version: "v1",
                namespace: this.namespace,
                plural,
            });
            return (list as { items: k8s.KubernetesObject[] }).items;
        } catch (e) {
            if (e instanceof k8s.ApiException && e.code === 404) return [];
            throw e;
        }
    }

    async reviewsPods(): Promise<ReviewsPod[]> {
        const list = await this.core.listNamespacedPod({
            namespace: this.namespace,
            labelSelector: `${WORKLOAD_LABEL}=reviews`,
        });
        return list.items
            .filter((p) => !p.metadata?.deletionTimestamp)
            .map((p) => ({
                name: p.metadata!.name!,
                ip: p.status?.podIP ?? "",
                version: p.metadata?.labels?.[VERSION_LABEL] ?? "?",
                app: p.metadata?.labels?.[APP_LABEL] ?? "?",
                ready: isReady(p),
            }))
            .sort((a, b) => a.version.localeCompare(b.version) || a.name.localeCompare(b.name));
    }

    /** Ready endpoints of a Service, as kube-proxy would pick them (EndpointSlice conditions.ready). */
    async readyEndpoints(service = "reviews"): Promise<Endpoint[]> {
        const slices = await this.discovery.listNamespacedEndpointSlice({
            namespace: this.namespace,
            labelSelector: `${SERVICE_NAME_LABEL}=${service}`,
        });
        return readyEndpoints(slices.items).map((e) => ({ ip: e.ip, pod: e.pod ?? "" }));
    }

    async deploymentNames(): Promise<string[]> {
        const list = await this.apps.listNamespacedDeployment({ namespace: this.namespace });
        return list.items.map((d) => d.metadata!.name!).sort();
    }

    /**
     * Kind, name, uid and resourceVersion of every object of the namespace a change could touch, the program's own
     * (with the Istio route) and what Kubernetes derives from them (ReplicaSets, pods, EndpointSlices): equal
     * snapshots mean nothing changed.
     */
    async snapshot(): Promise<string[]> {
        const ns = { namespace: this.namespace };
        const lists = await Promise.all([
            this.apps.listNamespacedDeployment(ns).then((l) => l.items.map((o) => ["Deployment", o] as const)),
            this.apps.listNamespacedReplicaSet(ns).then((l) => l.items.map((o) => ["ReplicaSet", o] as const)),
            this.core.listNamespacedPod(ns).then((l) => l.items.map((o) => ["Pod", o] as const)),
            this.core.listNamespacedService(ns).then((l) => l.items.map((o) => ["Service", o] as const)),
            this.discovery
                .listNamespacedEndpointSlice(ns)
                .then((l) => l.items.map((o) => ["EndpointSlice", o] as const)),
            this.core.listNamespacedConfigMap(ns).then((l) => l.items.map((o) => ["ConfigMap", o] as const)),
            this.core.listNamespacedServiceAccount(ns).then((l) => l.items.map((o) => ["ServiceAccount", o] as const)),
            this.meshObjects("virtualservices").then((l) => l.map((o) => ["VirtualService", o] as const)),
            this.meshObjects("destinationrules").then((l) => l.map((o) => ["DestinationRule", o] as const)),
        ]);
        return lists
            .flat()
            .map(([kind, o]) => `${kind}/${o.metadata!.name}@${o.metadata!.uid}:${o.metadata!.resourceVersion}`)
            .sort();
    }

    /** Waits until the namespace has settled (pods ready, EndpointSlices updated): two equal snapshots 2 s apart. */
    async settled(timeoutMs = 60_000): Promise<string[]> {
        const deadline = Date.now() + timeoutMs;
        let previous = await this.snapshot();
        for (;;) {
            await new Promise((r) => setTimeout(r, 2000));
            const now = await this.snapshot();
            if (JSON.stringify(now) === JSON.stringify(previous)) return now;
            if (Date.now() > deadline)
                throw new Error(`namespace ${this.namespace} did not settle within ${timeoutMs / 1000} s`);
            previous = now;
        }
    }

    /**
     * Sends `requests` GET /reviews/7, each to a ready endpoint of the reviews Service chosen at random (what
     * kube-proxy does), and counts which version answered by the `podname` in the answer.
     */
    async measureShare(requests = 400): Promise<ShareSample> {
        const [endpoints, pods] = await Promise.all([this.readyEndpoints(), this.reviewsPods()]);
        const versionOf = new Map(pods.map((p) => [p.name, p.version]));
        const byVersion: Record<string, number> = {};
        let errors = 0;
        for (let i = 0; i < requests; i++) {
            if (endpoints.length === 0) {
                errors++;
                continue;
            }
            const ep = endpoints[Math.floor(Math.random() * endpoints.length)];
            try {
                const answer = JSON.parse(await httpGet(`http://${ep.ip}:${POD_PORT}/reviews/7`));
                const version = versionOf.get(answer.podname) ?? "unknown";
                byVersion[version] = (byVersion[version] ?? 0) + 1;
            } catch {
                errors++;
            }
        }
        return { requests, byVersion, errors };
    }
}

export function httpGet(url: string, timeoutMs = 5000): Promise<string> {
    return new Promise((resolve, reject) => {
        const req = http.get(url, { timeout: timeoutMs }, (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c) => chunks.push(c));
            res.on("end", () =>
                res.statusCode === 200
                    ? resolve(Buffer.concat(chunks).toString())
                    : reject(new Error(`${url}: HTTP ${res.statusCode}`)),
            );
        });
        req.on("timeout", () => req.destroy(new Error(`${url}: timed out after ${timeoutMs} ms`)));
        req.on("error", reject);
    });
}
