// Whether a record ConfigMap was written only by its own writer: Kubernetes' managedFields name every manager that
// wrote its data, so a kubectl edit, a Pulumi resource or a copied manifest shows. Shared by the gate record and
// the rollout record.

/** The parts of a ConfigMap read here, as the API server returns it. */
export interface RawConfigMap {
    metadata?: {
        managedFields?: { manager?: string; operation?: string; fieldsV1?: unknown; time?: string }[];
    };
    data?: Record<string, string>;
}

/** Why the record's data is not only `manager`'s (server-side apply), or undefined when it is. */
export function foreignWriters(cm: RawConfigMap, manager: string): string | undefined {
    const writers = (cm.metadata?.managedFields ?? []).filter((f) =>
        JSON.stringify(f.fieldsV1 ?? {}).includes('"f:data"'),
    );
    const foreign = writers.filter((f) => f.manager !== manager || f.operation !== "Apply");
    if (foreign.length > 0) {
        const who = foreign.map(
            (f) => `${f.manager ?? "unknown"} (${f.operation ?? "?"}${f.time ? ` at ${f.time}` : ""})`,
        );
        return `its data was written by ${who.join(", ")}, not only by ${manager}`;
    }
    return writers.length === 0 ? `no data written by ${manager}` : undefined;
}

/** The record's data key as JSON, or why it is not. */
export function jsonData(cm: RawConfigMap, key: string): { value: unknown } | { why: string } {
    try {
        return { value: JSON.parse(cm.data?.[key] ?? "") };
    } catch {
        return { why: `data.${key} is not JSON` };
    }
}
