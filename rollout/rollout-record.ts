// The rollout record, read and written as data: what the last `up` deployed (release, traffic, bounds), the
// yardstick the guard measures the next change with. Only the settle step writes it (io/settle.ts, server-side
// apply with its own field manager) after everything else of the `up` converged, so a change under review never
// sets the yardstick it is judged by; managedFields show any other writer, and then it is not trusted.
import { AnalysisConfig } from "../analysis/config";
import { Bounds } from "./bounds";
import { parseRolloutConfig } from "./config";
import { Release } from "./release";
import { ROLLOUT_RECORD_FIELD_MANAGER, ROLLOUT_RECORD_KEY, ROLLOUT_RECORD_NAME } from "./labels";
import { foreignWriters, jsonData, RawConfigMap } from "./record-trust";
import { StageName } from "./stages";
import { Traffic } from "./traffic";

/** What the guard measures with: which version is stable and which the candidate, the stage table, the bounds,
 *  and the analysis that judges the candidate. */
export interface Yardstick {
    release: Release;
    traffic: Traffic;
    bounds: Bounds;
    /** Absent in records written before the analysis existed, and in hand-built fixtures: the defaults. */
    analysis?: AnalysisConfig;
}

/** What an `up` deployed: its yardstick and stage. */
export interface RolloutRecord extends Yardstick {
    stage: StageName;
    recordedAt: string;
}

export type RecordView =
    { trust: "absent" } | { trust: "trusted"; record: RolloutRecord } | { trust: "untrusted"; why: string };

export const yardstickOf = (c: Yardstick): Yardstick => ({
    release: c.release,
    traffic: c.traffic,
    bounds: c.bounds,
    analysis: c.analysis,
});

/** What the guard may believe of the record. Its content is validated like stack config. */
export function recordViewOf(cm: RawConfigMap | undefined): RecordView {
    if (!cm) return { trust: "absent" };
    const foreign = foreignWriters(cm, ROLLOUT_RECORD_FIELD_MANAGER);
    if (foreign)
        return {
            trust: "untrusted",
            why: foreign.replace(ROLLOUT_RECORD_FIELD_MANAGER, `the settle step (${ROLLOUT_RECORD_FIELD_MANAGER})`),
        };
    const data = jsonData(cm, ROLLOUT_RECORD_KEY);
    if ("why" in data) return { trust: "untrusted", why: data.why };
    const r = data.value as Partial<RolloutRecord>;
    try {
        const c = parseRolloutConfig(
            { release: r?.release, traffic: r?.traffic, bounds: r?.bounds, analysis: r?.analysis, stage: r?.stage },
            "record",
        );
        if (typeof r.recordedAt !== "string") throw new Error("no recordedAt");
        return { trust: "trusted", record: { ...yardstickOf(c), stage: c.stage, recordedAt: r.recordedAt } };
    } catch (e) {
        return {
            trust: "untrusted",
            why: `data.${ROLLOUT_RECORD_KEY} is not a valid record: ${(e as Error).message.split("\n").slice(1, 3).join(" ").trim() || (e as Error).message}`,
        };
    }
}

/** The manifest the settle step applies (server-side, field manager ROLLOUT_RECORD_FIELD_MANAGER). */
export function rolloutRecordManifest(namespace: string, record: RolloutRecord) {
    return {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: ROLLOUT_RECORD_NAME, namespace },
        data: { [ROLLOUT_RECORD_KEY]: JSON.stringify(record, null, 1) },
    };
}

/** Where the record lives, for messages. */
export const rolloutRecordRef = (namespace: string) => `ConfigMap ${namespace}/${ROLLOUT_RECORD_NAME}`;
