// The fault table of the local cluster: container image -> fault. Every pod whose app container (the reviews
// container of a reviews pod) runs a listed image misbehaves, so tests can roll out a broken v2 by giving it an
// image of its own. Lives in the cluster state directory (faults.json); the pod server re-reads it whenever it
// changes, so a change reaches running pods at once, without restarting anything. Real clusters know nothing of it.
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { faultTablePath } from "./paths";

/**
 * The shorthand faults, as strings (every request, always):
 * - `http-500`: every request, `/health` included, answers 500;
 * - `slow`: every answer is delayed by SLOW_FAULT_MS (cluster/bookinfo-api.ts);
 * - `ratings-error`: a reviews pod renders every rating as unavailable, a ratings pod answers 503.
 */
export const FAULTS = ["http-500", "slow", "ratings-error"] as const;
export type FaultName = (typeof FAULTS)[number];

/** The faults real candidates have, as objects. None touches `/health`: a partly broken app passes its probe. */
export const FAULT_KINDS = ["error-rate", "latency", "wrong-answer", "product"] as const;

// `rate`: the fraction of requests hit, drawn per request (1 = every request).
const rate = z.number().min(0).max(1);

/** A fraction of requests answers `status` (default 500). */
const errorRate = z
    .object({ kind: z.literal("error-rate"), rate, status: z.number().int().min(500).max(599).optional() })
    .strict();
/** A fraction of requests (default all) is delayed by `ms` before it is answered. */
const latency = z
    .object({ kind: z.literal("latency"), ms: z.number().int().min(1).max(30_000), rate: rate.optional() })
    .strict();
/**
 * A reviews pod answers 200 with the first review's text changed (to `text`, or a default); other apps are unaffected.
 */
const wrongAnswer = z
    .object({ kind: z.literal("wrong-answer"), text: z.string().min(1).optional(), rate: rate.optional() })
    .strict();

export type SimpleFault = FaultName | z.infer<typeof errorRate> | z.infer<typeof latency> | z.infer<typeof wrongAnswer>;
/**
 * Only requests for product `id` (`/reviews/<id>`, `/api/v1/products/<id>/...`; `/productpage` is product 0) get
 * `fault`.
 */
const productFault = z
    .object({
        kind: z.literal("product"),
        id: z.number().int().min(0),
        fault: z.custom<SimpleFault>().superRefine((v, ctx) => {
            const problem = faultProblem(v, false);
            if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
        }),
    })
    .strict();
const objectFault = z.discriminatedUnion("kind", [errorRate, latency, wrongAnswer, productFault]);

export type Fault = FaultName | z.infer<typeof objectFault>;
/** Image -> fault, as stored in faults.json. */
export type FaultTable = Record<string, Fault>;

/** What setFault accepts, for messages. */
export const ALLOWED_FAULTS =
    `${FAULTS.join(", ")}, ` +
    `{"kind": "error-rate", "rate": 0..1, "status"?: 500..599}, {"kind": "latency", "ms": 1..30000, "rate"?: 0..1}, ` +
    `{"kind": "wrong-answer", "text"?: "...", "rate"?: 0..1}, {"kind": "product", "id": <product id>, "fault": <any of the others>}`;

/** Why `value` is not a fault (`product`: may it be a product fault), or undefined when it is one. */
export function faultProblem(value: unknown, product = true): string | undefined {
    if (typeof value === "string") {
        return (FAULTS as readonly string[]).includes(value)
            ? undefined
            : `${JSON.stringify(value)} is not one of ${FAULTS.join(", ")}`;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value))
        return "expected a fault name or an object with a kind";
    if (!product && (value as { kind?: unknown }).kind === "product")
        return "a product fault cannot hold another product fault";
    const parsed = objectFault.safeParse(value);
    if (parsed.success) return undefined;
    const issue = parsed.error.issues[0];
    return `${issue.path.length ? `${issue.path.join(".")}: ` : ""}${issue.message}`;
}

export const isFault = (value: unknown): value is Fault => faultProblem(value) === undefined;

/** Short text for logs: the string form as is, an object as compact JSON. */
export const describeFault = (fault: Fault): string => (typeof fault === "string" ? fault : JSON.stringify(fault));

/** The file's JSON object as stored (values unchecked); a missing file is an empty object. */
function readStored(file: string): Record<string, unknown> {
    let raw: unknown;
    try {
        raw = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return {};
        throw new Error(`cannot read the fault table ${file}: ${(err as Error).message}`, { cause: err });
    }
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
        throw new Error(`the fault table ${file} is not a JSON object of image -> fault`);
    }
    return raw as Record<string, unknown>;
}

/**
 * The fault table in `file` (default: the cluster's faults.json). A missing file is an empty table; entries whose
 * value is not a valid fault are left out and named in `invalid` (the pod server logs them).
 */
export function readFaultTable(file = faultTablePath()): { faults: FaultTable; invalid: string[] } {
    const faults: FaultTable = {};
    const invalid: string[] = [];
    for (const [image, fault] of Object.entries(readStored(file))) {
        const problem = faultProblem(fault);
        if (problem === undefined) faults[image] = fault as Fault;
        else invalid.push(`${image}: ${JSON.stringify(fault)} (${problem})`);
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
    const problem = faultProblem(fault);
    if (problem !== undefined)
        throw new Error(`unknown fault ${JSON.stringify(fault)} (${problem}); allowed: ${ALLOWED_FAULTS}`);
    writeStored({ ...readStored(file), [image]: fault }, file);
}

/** Pods running `image` behave again (its entry goes, whatever its value). Harmless when the image has none. */
export function clearFault(image: string, file = faultTablePath()): void {
    const table = readStored(file);
    if (!(image in table)) return;
    delete table[image];
    writeStored(table, file);
}
