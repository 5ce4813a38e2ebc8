// The rig's Kubernetes helpers, one copy each: kubectl against the local cluster, "is this pod (or node) ready",
// and the ready endpoints of a Service from its EndpointSlices. Used by the cluster scripts, the pod agent, the
// cluster specs and the demo/e2e/bench observers. (The product has its own kubectl call in io/gate.ts:
// it runs inside `pulumi up` against whatever cluster the stack points at.)
import type { V1EndpointSlice } from "@kubernetes/client-node";
import { bin, kubeconfigPath, POD_PORT } from "../cluster/paths";
import { run, RunOptions, tryRun } from "../cluster/processes";

/** Runs the toolchain's kubectl against the local cluster's kubeconfig; returns stdout, throws with stderr. */
export const kubectl = (args: string[], opts: RunOptions = {}): string =>
    run(bin("kubectl"), ["--kubeconfig", kubeconfigPath(), ...args], { timeoutMs: 60_000, ...opts });

/** Like kubectl, but null instead of throwing: for probes whose failure is an answer. */
export const tryKubectl = (args: string[], opts: RunOptions = {}): string | null =>
    tryRun(bin("kubectl"), ["--kubeconfig", kubeconfigPath(), ...args], { timeoutMs: 60_000, ...opts });

/** Anything with status conditions: a Pod or a Node, typed (client-node) or parsed from `kubectl -o json`. */
export interface WithConditions {
    status?: { conditions?: readonly { type: string; status: string }[] };
}

/** The object's `Ready` condition is `True` (a pod that is running but failing readiness is not ready). */
export const isReady = (obj: WithConditions): boolean =>
    (obj.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");

/** Label the EndpointSlice controller puts on every slice of a Service. */
export const SERVICE_NAME_LABEL = "kubernetes.io/service-name";

export interface ReadyEndpoint {
    ip: string;
    port: number;
    /** The pod behind the endpoint (targetRef), when the slice names it. */
    pod?: string;
}

/**
 * Ready endpoints of the given EndpointSlices (pass the slices of one Service), as kube-proxy would pick them: an
 * endpoint counts unless its `ready` condition is false (absent means ready). IPv4 slices only, sorted by address;
 * the port is the slice's TCP port (POD_PORT if it names none).
 */
export function readyEndpoints(slices: readonly V1EndpointSlice[]): ReadyEndpoint[] {
    return slices
        .filter((slice) => slice.addressType === "IPv4")
        .flatMap((slice) => {
            const port = slice.ports?.find((p) => (p.protocol ?? "TCP") === "TCP")?.port ?? POD_PORT;
            return (slice.endpoints ?? [])
                .filter((e) => e.conditions?.ready !== false)
                .flatMap((e) =>
                    e.addresses.map((ip) => ({ ip, port, ...(e.targetRef?.name ? { pod: e.targetRef.name } : {}) })),
                );
        })
        .sort((a, b) => a.ip.localeCompare(b.ip));
}

/** readyEndpoints of every Service in `slices`, keyed by `<namespace>/<service>` (slices of no Service are skipped). */
export function readyEndpointsByService(slices: readonly V1EndpointSlice[]): Record<string, ReadyEndpoint[]> {
    const byService: Record<string, V1EndpointSlice[]> = {};
    for (const slice of slices) {
        const service = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
        if (!service) continue;
        (byService[`${slice.metadata?.namespace}/${service}`] ??= []).push(slice);
    }
    return Object.fromEntries(Object.entries(byService).map(([key, list]) => [key, readyEndpoints(list)]));
}

/** Ready endpoints of Service `service` in `namespace`, read with kubectl. */
export function serviceReadyEndpoints(namespace: string, service: string): ReadyEndpoint[] {
    const list = JSON.parse(
        kubectl(["get", "endpointslices", "-n", namespace, "-l", `${SERVICE_NAME_LABEL}=${service}`, "-o", "json"]),
    );
    return readyEndpoints(list.items);
}
