// Adds one result to the gate record, by server-side apply with the gate's field manager: the gate's passes and
// failures, and the driver's failed analyses (a failed image serves no more until its gate passes again). A record
// someone else wrote is not built upon: it is replaced.
import {
    GateFailure,
    GatePass,
    gateRecordManifest,
    gateRecordRef,
    gateViewOf,
    withResult,
} from "../rollout/gate-record";
import { GATE_FIELD_MANAGER, GATE_RECORD_NAME } from "../rollout/labels";
import { Kubectl } from "./kubectl";

export function recordGateResult(kubectl: Kubectl, namespace: string, result: GatePass | GateFailure): void {
    let current;
    try {
        current = JSON.parse(
            kubectl(["get", "configmap", GATE_RECORD_NAME, "-n", namespace, "-o", "json", "--show-managed-fields"]),
        );
    } catch (e) {
        if (!String((e as { stderr?: string }).stderr ?? "").includes("NotFound")) throw e;
    }
    const view = gateViewOf(current);
    if (view.trust === "untrusted")
        console.log(`note ${gateRecordRef(namespace)} is not trusted (${view.why}): starting a new record`);
    if (view.trust === "untrusted")
        kubectl(["delete", "configmap", GATE_RECORD_NAME, "-n", namespace, "--ignore-not-found"]);
    const manifest = gateRecordManifest(namespace, withResult(view, result));
    kubectl(
        ["apply", "--server-side", "--force-conflicts", `--field-manager=${GATE_FIELD_MANAGER}`, "-f", "-"],
        JSON.stringify(manifest),
    );
}
