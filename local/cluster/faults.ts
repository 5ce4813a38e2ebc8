// The fault table of the local cluster: container image -> fault. Every pod whose app container (the reviews
// container of a reviews pod) runs a listed image misbehaves, so tests can roll out a broken v2 by giving it an
// image of its own. Lives in the cluster state directory (faults.json); the pod server re-reads it whenever it
// changes, so a change reaches running pods at once, without restarting anything. Real clusters know nothing of it.
import fs from "node:fs";
import path from "node:path";
import { faultTablePath } from "./paths";

/**
 * - `http-500`: every request, `/health` included, answers 500;
 * - `slow`: every answer is delayed by SLOW_FAULT_MS (cluster/bookinfo-api.ts);
 * - `ratings-error`: a reviews pod renders every rating as unavailable, a ratings pod answers 503.
 */
export const FAULTS = ["http-500", "slow", "ratings-error"] as const;
export type Fault = (typeof FAULTS)[number];
/** Image -> fault, as stored in faults.json. */
export type FaultTable = Record<string, Fault>;

export const isFault = (value: unknown): value is Fault => (FAULTS as readonly unknown[]).includes(value);

/** The file's JSON object as stored (values unchecked); a missing file is an empty object. */
function readStored(file: string): Record<string, unknown> {
    let raw: unknown;
    try {
        raw = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return {};
        throw new Error(`cannot read the fault table ${file}: ${(err as Error).message}`);
    }
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
        throw new Error(`the fault table ${file} is not a JSON object of image -> fault`);
    }
    return raw as Record<string, unknown>;
}

/**
 * The fault table in `file` (default: the cluster's faults.json). A missing file is an empty table; entries whose
 * value is not a known fault are left out and named in `invalid` (the pod server logs them).
 */
export function readFaultTable(file = faultTablePath()): { faults: FaultTable; invalid: string[] } {
    const faults: FaultTable = {};
    const invalid: string[] = [];
    for (const [image, fault] of Object.entries(readStored(file))) {
        if (isFault(fault)) faults[image] = fault;
        else invalid.push(`${image}: ${JSON.stringify(fault)}`);
    }
    return { faults, invalid };
}

/** Writes the table atomically (a reader sees the old or the new file, never half of one). */
function writeStored(table: Record<string, unknown>, file: string) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(table, null, 1) + "\n");
    fs.renameSync(tmp, file);
}

/** Makes every pod running `image` misbehave with `fault` (replaces the image's previous entry, if any). */
export function setFault(image: string, fault: Fault, file = faultTablePath()): void {
    if (!image) throw new Error("setFault: the image must not be empty");
    if (!isFault(fault)) throw new Error(`unknown fault ${JSON.stringify(fault)}; allowed: ${FAULTS.join(", ")}`);
    writeStored({ ...readStored(file), [image]: fault }, file);
}

/** Pods running `image` behave again (its entry goes, whatever its value). Harmless when the image has none. */
export function clearFault(image: string, file = faultTablePath()): void {
    const table = readStored(file);
    if (!(image in table)) return;
    delete table[image];
    writeStored(table, file);
}
