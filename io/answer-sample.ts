// The mirror stage's answer comparison, its I/O: the same requests sent from the sleep pod to a candidate pod, a
// stable pod and a second stable pod (the noise baseline), by pod IP as the tutorial's smoke test does; their
// answers are then compared field by field (analysis/answer-diff.ts). A wrong answer caught here never reached a
// user: in the mirror stage every answer users get is still the stable's.
import { Answer, AnswerDiff, compareAnswers, MirroredRequest } from "../analysis/answer-diff";
import { APP_LABEL, VERSION_LABEL, WORKLOAD_LABEL } from "../rollout/labels";
import { curlFromSleep, Kubectl, labelled, Pod, readyPods } from "./kubectl";

export interface AnswerSampleTarget {
    namespace: string;
    /** The rolled-out service: its workload label's value. */
    service: string;
    stable: string;
    candidate: string;
    port: number;
    /** Request paths, each sent once to each of the three pods, e.g. /reviews/0 .. /reviews/29. */
    paths: string[];
    /** Fields the candidate changes by design (release.candidate.changes). */
    ignore: string[];
    minRequests: number;
}

const bodyOf = (text: string): unknown => {
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
};

function ask(kubectl: Kubectl, namespace: string, sleep: string, pod: Pod, port: number, paths: string[]): Answer[] {
    const urls = paths.map((p) => `http://${pod.status.podIP}:${port}${p}`);
    return curlFromSleep(kubectl, { namespace, sleepPod: sleep, urls }).map(({ httpCode, body }) => ({
        status: Number(httpCode) || 0,
        body: bodyOf(body),
    }));
}

export function sampleAnswers(kubectl: Kubectl, t: AnswerSampleTarget): AnswerDiff {
    const ready = readyPods(kubectl, t.namespace);
    const sleep = ready.find(labelled({ [APP_LABEL]: "sleep" }));
    if (!sleep) throw new Error(`no ready pod with ${APP_LABEL}=sleep in namespace ${t.namespace}`);
    const of = (version: string) => ready.filter(labelled({ [WORKLOAD_LABEL]: t.service, [VERSION_LABEL]: version }));
    const [candidate] = of(t.candidate);
    const [primary, secondary] = of(t.stable);
    if (!candidate || !secondary)
        throw new Error(
            `answers need 1 ready ${t.candidate} pod and 2 ready ${t.stable} pods in ${t.namespace}; found ${of(t.candidate).length} and ${of(t.stable).length}`,
        );
    const [c, p, s] = [candidate, primary, secondary].map((pod) =>
        ask(kubectl, t.namespace, sleep.metadata.name, pod, t.port, t.paths),
    );
    const requests: MirroredRequest[] = t.paths.map((path, i) => ({
        path,
        candidate: c[i],
        primary: p[i],
        secondary: s[i],
    }));
    return compareAnswers(requests, { ignore: t.ignore, minRequests: t.minRequests });
}
