// kubectl as the gate and the app check run it inside `pulumi up`: against the stack's kubeconfig and context, with
// a request timeout, and the namespace's ready pods read in one call (callers pick theirs by label).
import { execFileSync } from "child_process";

export type Kubectl = (args: string[], input?: string) => string;

/** kubectl on PATH with the configured kubeconfig path and context ("" = kubectl's defaults). */
export function kubectlFor(kubeconfig: string, context: string): Kubectl {
    const cluster = [...(kubeconfig ? ["--kubeconfig", kubeconfig] : []), ...(context ? ["--context", context] : [])];
    return (args, input) =>
        execFileSync("kubectl", [...cluster, "--request-timeout=30s", ...args], {
            encoding: "utf8",
            input,
            stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
            timeout: 60_000,
        });
}

export interface Pod {
    metadata: { name: string; labels?: Record<string, string>; deletionTimestamp?: string };
    spec: { containers: { name: string; image: string }[] };
    status: { phase?: string; podIP?: string; conditions?: { type: string; status: string }[] };
}

/** The namespace's pods, every one, in one call. */
export function listPods(kubectl: Kubectl, namespace: string): Pod[] {
    return (JSON.parse(kubectl(["get", "pods", "-n", namespace, "-o", "json"])) as { items: Pod[] }).items;
}

/** Running, Ready and not on its way out: what a Deployment counts as available. */
export const isReady = (p: Pod): boolean =>
    !p.metadata.deletionTimestamp &&
    p.status.phase === "Running" &&
    !!p.status.podIP &&
    (p.status.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");

/** The namespace's ready pods (isReady). */
export function readyPods(kubectl: Kubectl, namespace: string): Pod[] {
    return listPods(kubectl, namespace).filter(isReady);
}

/** Does the pod carry every one of these labels? */
export const labelled = (labels: Record<string, string>) => (p: Pod) =>
    Object.entries(labels).every(([k, v]) => p.metadata.labels?.[k] === v);
