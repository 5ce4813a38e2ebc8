// The pod table: which Bookinfo app answers on which pod IP (with the image it runs), and the ready endpoints of
// every Service. The agent builds it from the apiserver and writes it to a file; the pod server (inside the pod
// network namespace, where the apiserver's loopback address is out of reach) reads it.
import type { V1Pod } from "@kubernetes/client-node";
import { APP_LABEL, VERSION_LABEL, WORKLOAD_LABEL } from "../../rollout/labels";
import { REVIEWS } from "../../rollout/service";
import { cidrContains } from "./cidr";
import type { ReadyEndpoint } from "./kube";
import { ROUTED_CIDR } from "./paths";

export const BOOKINFO_APPS = ["productpage", "details", "reviews", "ratings"] as const;
export type BookinfoApp = (typeof BOOKINFO_APPS)[number];

export interface PodEntry {
    name: string;
    namespace: string;
    ip: string;
    app: BookinfoApp;
    version: string;
    /** Image of the pod's app container (the one named after the app, else the first): the fault table's key. */
    image: string;
}

export interface PodTable {
    updatedAt: string;
    /** Keyed by pod IP. */
    pods: Record<string, PodEntry>;
    /** Ready endpoints keyed by `<namespace>/<service>`. */
    endpoints: Record<string, ReadyEndpoint[]>;
    /** Namespaces labelled istio-injection=enabled: their pods call other Services through the mesh's Envoy. */
    meshed: string[];
}

/** Only addresses of the routed pod network may ever be put in the namespace (never loopback or host IPs). */
export const inPodNetwork = (ip: string) => cidrContains(ROUTED_CIDR, ip);

/** The app a pod answers as: a dark reviews pod (`app=reviews_test`) still is reviews. */
export function bookinfoApp(labels: Record<string, string>): BookinfoApp | undefined {
    const app = labels[APP_LABEL];
    if (app === REVIEWS.darkApp || labels[WORKLOAD_LABEL] === REVIEWS.name) return "reviews";
    return (BOOKINFO_APPS as readonly string[]).includes(app) ? (app as BookinfoApp) : undefined;
}

/** The image of the container that plays `app` (named after it; else the first container), "" if none. */
export function appImage(pod: V1Pod, app: BookinfoApp): string {
    const containers = pod.spec?.containers ?? [];
    return (containers.find((c) => c.name === app) ?? containers[0])?.image ?? "";
}

/** Returns the pod's entry, or a reason it gets none (not Bookinfo, not running yet, IP outside the pod network). */
export function podEntry(pod: V1Pod): { entry?: PodEntry; warning?: string } {
    const labels = pod.metadata?.labels ?? {};
    const app = bookinfoApp(labels);
    const ip = pod.status?.podIP;
    if (!app || pod.status?.phase !== "Running" || !ip) return {};
    const ref = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
    if (!inPodNetwork(ip))
        return { warning: `pod ${ref} has IP ${ip} outside the pod network ${ROUTED_CIDR}; not served` };
    return {
        entry: {
            name: pod.metadata!.name!,
            namespace: pod.metadata!.namespace!,
            ip,
            app,
            version: labels[VERSION_LABEL] ?? "v1",
            image: appImage(pod, app),
        },
    };
}
