// kubectl as the gate and the app check run it inside `pulumi up`: against the stack's kubeconfig and context, with
// a request timeout, and the namespace's ready pods read in one call (callers pick theirs by label); requests sent
// from the sleep pod by curl, many in one exec.
import { execFileSync } from "child_process";
import { Answer, parseCurlOutput } from "../rollout/smoke-check";

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

/** Ends each answer in curl's output, so one `kubectl exec` can carry several requests. */
const ANSWER_END = "--answer-end--";

export interface CurlFromSleep {
    namespace: string;
    /** The sleep pod's name: curl runs in its `sleep` container. */
    sleepPod: string;
    /** Fetched in turn, one request each. */
    urls: string[];
    /** Request headers, each `Name: value`. */
    headers?: string[];
    /**
     * A failed exec still gives the answers curl printed, if it printed any: curl exits non-zero when a request
     * fails, and still prints every answer (status 000 for a failed one). Otherwise kubectl's error is thrown.
     */
    answersDespiteFailure?: boolean;
}

/**
 * From the sleep pod, every URL in one `kubectl exec` (each kubectl call costs about 0.1 s): the answers as curl
 * printed them, in URL order. A failed exec throws kubectl's error (but see answersDespiteFailure).
 */
export function curlFromSleep(kubectl: Kubectl, req: CurlFromSleep): Answer[] {
    const headers = (req.headers ?? []).flatMap((h) => ["-H", h]);
    const curl = ["curl", "-sS", "-m", "5", ...headers, "-w", `\\n%{http_code}\\n${ANSWER_END}\\n`, ...req.urls];
    let out: string;
    try {
        out = kubectl(["exec", req.sleepPod, "-n", req.namespace, "-c", "sleep", "--", ...curl]);
    } catch (e) {
        const stdout = (e as { stdout?: string }).stdout;
        if (!req.answersDespiteFailure || !stdout) throw e;
        out = stdout;
    }
    // Every answer ends with the marker: what follows the last one is no answer.
    return out.split(`\n${ANSWER_END}\n`).slice(0, -1).map(parseCurlOutput);
}
