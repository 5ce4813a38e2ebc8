// The settle step, the last of every `up` that deploys (the ServiceRollout's last Command, after the Deployments,
// the gate, the route and the app check): it deletes the Deployments of the service the stage no longer runs, then
// writes the rollout record (the yardstick the next change is measured with) by server-side apply with its own
// field manager. The Deployments themselves are retained by the engine on delete, so a replacing, targeted or
// destroying run, or a state edit, never deletes or orphans a serving version: only this step, after the verdict
// allowed the stage, removes one. With SETTLE_ONLY=retire it only deletes (the `pods` strategy runs it so before its
// app check: there the Service sends requests to every serving pod, so a version the stage no longer runs must be
// gone before the check judges who answers) and records nothing. Inputs: io/gate-env.ts SETTLE_ENV; kubectl on PATH.
import { ROLLOUT_RECORD_FIELD_MANAGER, VERSION_LABEL, WORKLOAD_LABEL } from "../rollout/labels";
import { RolloutRecord, rolloutRecordManifest, rolloutRecordRef } from "../rollout/rollout-record";
import { SETTLE_ENV } from "./gate-env";
import { kubectlFor } from "./kubectl";

const env = (name: string) => process.env[name] ?? "";

function main(): void {
    const namespace = env(SETTLE_ENV.namespace);
    const service = env(SETTLE_ENV.service);
    const keep = JSON.parse(env(SETTLE_ENV.keep) || "null") as string[] | null;
    const record = JSON.parse(env(SETTLE_ENV.record) || "null") as Omit<RolloutRecord, "recordedAt"> | null;
    const retireOnly = env(SETTLE_ENV.only) === "retire";
    if (
        !namespace ||
        !service ||
        !Array.isArray(keep) ||
        keep.length === 0 ||
        !["", "retire"].includes(env(SETTLE_ENV.only)) ||
        (!retireOnly && !record)
    ) {
        throw new Error(
            `inputs: set ${Object.values(SETTLE_ENV)
                .filter((n) => n !== SETTLE_ENV.only)
                .join(", ")} (${SETTLE_ENV.only}: unset, or "retire" without ${SETTLE_ENV.record})`,
        );
    }
    const kubectl = kubectlFor(env(SETTLE_ENV.kubeconfig), env(SETTLE_ENV.context));

    const listed = JSON.parse(
        kubectl(["get", "deployments", "-n", namespace, "-l", `${WORKLOAD_LABEL}=${service}`, "-o", "json"]),
    ) as {
        items: { metadata: { name: string; labels?: Record<string, string> } }[];
    };
    const retired = listed.items
        .filter((d) => !keep.includes(d.metadata.labels?.[VERSION_LABEL] ?? ""))
        .map((d) => d.metadata.name);
    if (retired.length > 0) {
        kubectl(["delete", "deployment", "-n", namespace, "--ignore-not-found", ...retired]);
        console.log(`retired ${retired.join(", ")}: the stage runs ${keep.map((v) => `${service}-${v}`).join(", ")}`);
    }
    if (retireOnly || !record) {
        if (retired.length === 0)
            console.log(`nothing to retire: the stage runs ${keep.map((v) => `${service}-${v}`).join(", ")}`);
        return;
    }
    const manifest = rolloutRecordManifest(namespace, { ...record, recordedAt: new Date().toISOString() });
    kubectl(
        ["apply", "--server-side", "--force-conflicts", `--field-manager=${ROLLOUT_RECORD_FIELD_MANAGER}`, "-f", "-"],
        JSON.stringify(manifest),
    );
    console.log(`settled at ${record.stage}: recorded in ${rolloutRecordRef(namespace)}`);
}

try {
    main();
} catch (e) {
    const err = e as { stderr?: string; message: string };
    console.error(`settle failed: ${(err.stderr || err.message).trim()}`);
    process.exit(1);
}
