// The pod table: which Bookinfo app answers on which pod IP, and the ready endpoints of every Service.
// The agent builds it from the apiserver and writes it to a file; the pod server (inside the pod network
// namespace, where the apiserver's loopback address is out of reach) reads it.
import type { V1EndpointSlice, V1Pod } from "@kubernetes/client-node";
import {
    APP_LABEL, FAULT_ANNOTATION, FAULTS, Fault, REVIEWS_DARK_APP, REVIEWS_WORKLOAD, VERSION_LABEL, WORKLOAD_LABEL,
} from "../../rollout/labels";
import { POD_PORT, ROUTED_CIDR } from "./paths.mjs";

export const BOOKINFO_APPS = ["productpage", "details", "reviews", "ratings"] as const;
export type BookinfoApp = (typeof BOOKINFO_APPS)[number];

export interface PodEntry {
    name: string;
    namespace: string;
    ip: string;
    app: BookinfoApp;
    version: string;
    fault?: Fault;
}

export interface Endpoint {
    ip: string;
    port: number;
}

export interface PodTable {
    updatedAt: string;
    /** Keyed by pod IP. */
    pods: Record<string, PodEntry>;
    /** Ready endpoints keyed by `<namespace>/<service>`. */
    endpoints: Record<string, Endpoint[]>;
}

const toInt = (addr: string) => addr.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
const [routedBase, routedBits] = ROUTED_CIDR.split("/");
const routedSize = 2 ** (32 - Number(routedBits));
/** Only addresses of the routed pod network may ever be put in the namespace (never loopback or host IPs). */
export const inPodNetwork = (ip: string) =>
    /^\d+\.\d+\.\d+\.\d+$/.test(ip) && Math.floor(toInt(ip) / routedSize) === toInt(routedBase) / routedSize;

/** The app a pod answers as: a dark reviews pod (`app=reviews_test`) still is reviews. */
export function bookinfoApp(labels: Record<string, string>): BookinfoApp | undefined {
    const app = labels[APP_LABEL];
    if (app === REVIEWS_DARK_APP || labels[WORKLOAD_LABEL] === REVIEWS_WORKLOAD) return "reviews";
    return (BOOKINFO_APPS as readonly string[]).includes(app) ? (app as BookinfoApp) : undefined;
}

/** Returns the pod's entry, or a reason it gets none (not Bookinfo, not running yet, bad fault value). */
export function podEntry(pod: V1Pod): { entry?: PodEntry; warning?: string } {
    const labels = pod.metadata?.labels ?? {};
    const app = bookinfoApp(labels);
    const ip = pod.status?.podIP;
    if (!app || pod.status?.phase !== "Running" || !ip) return {};
    const ref = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
    if (!inPodNetwork(ip)) return { warning: `pod ${ref} has IP ${ip} outside the pod network ${ROUTED_CIDR}; not served` };
    const entry: PodEntry = {
        name: pod.metadata!.name!, namespace: pod.metadata!.namespace!, ip, app, version: labels[VERSION_LABEL] ?? "v1",
    };
    const fault = pod.metadata?.annotations?.[FAULT_ANNOTATION];
    if (fault === undefined || fault === "") return { entry };
    if ((FAULTS as readonly string[]).includes(fault)) return { entry: { ...entry, fault: fault as Fault } };
    return {
        entry,
        warning: `pod ${ref} has ${FAULT_ANNOTATION}=${JSON.stringify(fault)}; allowed values: ${FAULTS.join(", ")}; ` +
            `serving it without a fault`,
    };
}

/** Ready endpoints of every Service, merged over its EndpointSlices (a missing `ready` condition means ready). */
export function readyEndpoints(slices: readonly V1EndpointSlice[]): Record<string, Endpoint[]> {
    const out: Record<string, Endpoint[]> = {};
    for (const slice of slices) {
        const service = slice.metadata?.labels?.["kubernetes.io/service-name"];
        if (!service || slice.addressType !== "IPv4") continue;
        const port = slice.ports?.find((p) => (p.protocol ?? "TCP") === "TCP")?.port ?? POD_PORT;
        const key = `${slice.metadata!.namespace}/${service}`;
        const ready = (slice.endpoints ?? [])
            .filter((e) => e.conditions?.ready !== false)
            .flatMap((e) => e.addresses.map((ip) => ({ ip, port })));
        out[key] = [...(out[key] ?? []), ...ready].sort((a, b) => a.ip.localeCompare(b.ip));
    }
    return out;
}
