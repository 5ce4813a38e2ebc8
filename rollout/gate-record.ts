// The gate record, read and written as data: which images passed their gate in this namespace. Only the gate
// writes it, by server-side apply with its own field manager, so Kubernetes' managedFields tell whether anyone
// else (kubectl edit, a Pulumi resource, a copied manifest) has written its data since: then it is not trusted.
import { GATE_FIELD_MANAGER, GATE_RECORD_KEY, GATE_RECORD_NAME } from "./labels";

/** One passed gate: the candidate's image and version, when, and what was tested. */
export interface GatePass {
    image: string;
    version: string;
    passedAt: string;
    pods: number;
    requestsPerPod: number;
}

export type GateView =
    | { trust: "absent" }
    | { trust: "trusted"; passes: GatePass[] }
    | { trust: "untrusted"; why: string };

/** The most recent passes kept in the record (a rollback and restore needs only the last few). */
export const GATE_RECORD_KEEP = 20;

/** The parts of a ConfigMap read here, as the API server returns it. */
export interface RawConfigMap {
    metadata?: {
        managedFields?: { manager?: string; operation?: string; fieldsV1?: unknown; time?: string }[];
    };
    data?: Record<string, string>;
}

function isPass(p: unknown): p is GatePass {
    const x = p as GatePass;
    return typeof x?.image === "string" && typeof x.version === "string" && typeof x.passedAt === "string" &&
        Number.isInteger(x.pods) && Number.isInteger(x.requestsPerPod);
}

/** What the guard may believe of the record: absent, trusted (with its passes) or untrusted (and why). */
export function gateViewOf(cm: RawConfigMap | undefined): GateView {
    if (!cm) return { trust: "absent" };
    const writers = (cm.metadata?.managedFields ?? []).filter((f) => JSON.stringify(f.fieldsV1 ?? {}).includes('"f:data"'));
    const foreign = writers.filter((f) => f.manager !== GATE_FIELD_MANAGER || f.operation !== "Apply");
    if (foreign.length > 0) {
        const who = foreign.map((f) => `${f.manager ?? "unknown"} (${f.operation ?? "?"}${f.time ? ` at ${f.time}` : ""})`);
        return { trust: "untrusted", why: `its data was written by ${who.join(", ")}, not only by the gate (${GATE_FIELD_MANAGER})` };
    }
    if (writers.length === 0) return { trust: "untrusted", why: `no data written by the gate (${GATE_FIELD_MANAGER})` };
    let passes: unknown;
    try {
        passes = JSON.parse(cm.data?.[GATE_RECORD_KEY] ?? "");
    } catch {
        return { trust: "untrusted", why: `data.${GATE_RECORD_KEY} is not JSON` };
    }
    if (!Array.isArray(passes) || !passes.every(isPass)) {
        return { trust: "untrusted", why: `data.${GATE_RECORD_KEY} is not a list of passed gates` };
    }
    return { trust: "trusted", passes };
}

/** The pass recorded for exactly this image of this version, if any. */
export function passOf(view: GateView, version: string, image: string): GatePass | undefined {
    return view.trust === "trusted" ? view.passes.find((p) => p.image === image && p.version === version) : undefined;
}

/** The record's passes after a new one (latest first, one per version and image, at most GATE_RECORD_KEEP). */
export function withPass(view: GateView, pass: GatePass): GatePass[] {
    const earlier = view.trust === "trusted" ? view.passes : [];
    return [pass, ...earlier.filter((p) => p.image !== pass.image || p.version !== pass.version)].slice(0, GATE_RECORD_KEEP);
}

/** The manifest the gate applies (server-side, field manager GATE_FIELD_MANAGER). */
export function gateRecordManifest(namespace: string, passes: GatePass[]) {
    return {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: GATE_RECORD_NAME, namespace },
        data: { [GATE_RECORD_KEY]: JSON.stringify(passes, null, 1) },
    };
}

/** Where the record lives, for messages. */
export const gateRecordRef = (namespace: string) => `ConfigMap ${namespace}/${GATE_RECORD_NAME}`;
