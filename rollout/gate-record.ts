// The gate record, read and written as data: which images passed their gate in this namespace, and which failed
// it since their last pass (a failed image serves no more until it passes again). Only the gate
// writes it, by server-side apply with its own field manager, so Kubernetes' managedFields tell whether anyone
// else (kubectl edit, a Pulumi resource, a copied manifest) has written its data since: then it is not trusted.
import { GATE_FAILED_KEY, GATE_FIELD_MANAGER, GATE_RECORD_KEY, GATE_RECORD_NAME } from "./labels";
import { foreignWriters, jsonData, RawConfigMap } from "./record-trust";

export type { RawConfigMap };

/** One passed gate: the candidate's image and version, when, and what was tested. */
export interface GatePass {
    image: string;
    version: string;
    passedAt: string;
    pods: number;
    requestsPerPod: number;
}

/** One failed gate: the image, when, and the gate's failure line. */
export interface GateFailure {
    image: string;
    version: string;
    failedAt: string;
    failure: string;
}

export type GateView =
    | { trust: "absent" }
    /** `failures`: images that failed since their last pass (absent in records written before failures were kept). */
    | { trust: "trusted"; passes: GatePass[]; failures?: GateFailure[] }
    | { trust: "untrusted"; why: string };

/** The most recent passes kept in the record (a rollback and restore needs only the last few). */
export const GATE_RECORD_KEEP = 20;

function isFailure(p: unknown): p is GateFailure {
    const x = p as GateFailure;
    return (
        typeof x?.image === "string" &&
        typeof x.version === "string" &&
        typeof x.failedAt === "string" &&
        typeof x.failure === "string"
    );
}

function isPass(p: unknown): p is GatePass {
    const x = p as GatePass;
    return (
        typeof x?.image === "string" &&
        typeof x.version === "string" &&
        typeof x.passedAt === "string" &&
        Number.isInteger(x.pods) &&
        Number.isInteger(x.requestsPerPod)
    );
}

/** What the guard may believe of the record: absent, trusted (with its passes) or untrusted (and why). */
export function gateViewOf(cm: RawConfigMap | undefined): GateView {
    if (!cm) return { trust: "absent" };
    const foreign = foreignWriters(cm, GATE_FIELD_MANAGER);
    if (foreign)
        return { trust: "untrusted", why: foreign.replace(GATE_FIELD_MANAGER, `the gate (${GATE_FIELD_MANAGER})`) };
    const data = jsonData(cm, GATE_RECORD_KEY);
    if ("why" in data) return { trust: "untrusted", why: data.why };
    const passes = data.value;
    if (!Array.isArray(passes) || !passes.every(isPass)) {
        return { trust: "untrusted", why: `data.${GATE_RECORD_KEY} is not a list of passed gates` };
    }
    if (cm.data?.[GATE_FAILED_KEY] === undefined) return { trust: "trusted", passes };
    const failed = jsonData(cm, GATE_FAILED_KEY);
    if ("why" in failed) return { trust: "untrusted", why: failed.why };
    if (!Array.isArray(failed.value) || !failed.value.every(isFailure)) {
        return { trust: "untrusted", why: `data.${GATE_FAILED_KEY} is not a list of failed gates` };
    }
    return { trust: "trusted", passes, failures: failed.value };
}

/** The pass recorded for exactly this image of this version, if any. */
export function passOf(view: GateView, version: string, image: string): GatePass | undefined {
    return view.trust === "trusted" ? view.passes.find((p) => p.image === image && p.version === version) : undefined;
}

/** The failure recorded for exactly this image of this version since its last pass, if any. */
export function failureOf(view: GateView, version: string, image: string): GateFailure | undefined {
    return view.trust === "trusted"
        ? view.failures?.find((f) => f.image === image && f.version === version)
        : undefined;
}

const other = (a: { image: string; version: string }) => (b: { image: string; version: string }) =>
    a.image !== b.image || a.version !== b.version;

/** The record's lists after a new result: latest first, one entry per version and image, at most GATE_RECORD_KEEP. */
export function withResult(
    view: GateView,
    result: GatePass | GateFailure,
): { passes: GatePass[]; failures: GateFailure[] } {
    const passes = view.trust === "trusted" ? view.passes.filter(other(result)) : [];
    const failures = view.trust === "trusted" ? (view.failures ?? []).filter(other(result)) : [];
    return isFailure(result)
        ? { passes, failures: [result, ...failures].slice(0, GATE_RECORD_KEEP) }
        : { passes: [result, ...passes].slice(0, GATE_RECORD_KEEP), failures };
}

/** The manifest the gate applies (server-side, field manager GATE_FIELD_MANAGER). */
export function gateRecordManifest(namespace: string, lists: { passes: GatePass[]; failures: GateFailure[] }) {
    return {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: GATE_RECORD_NAME, namespace },
        data: {
            [GATE_RECORD_KEY]: JSON.stringify(lists.passes, null, 1),
            [GATE_FAILED_KEY]: JSON.stringify(lists.failures, null, 1),
        },
    };
}

/** Where the record lives, for messages. */
export const gateRecordRef = (namespace: string) => `ConfigMap ${namespace}/${GATE_RECORD_NAME}`;
