// The stack's config as data, validated with zod: a bad value is refused with one message that names the key, the
// bad value and what is allowed, before anything is read from or sent to a cluster. Reading the values from
// Pulumi is io/config.ts's job; this file is pure.
import { z } from "zod";
import { Release } from "./release";
import { STAR_COLORS, StarColor } from "./smoke-check";
import { StageName, stageIn, stageNameIn, stageNames, stageTableOf } from "./stages";
import { DEFAULT_STEPS, DEFAULT_TESTERS, DEFAULT_TRAFFIC, Traffic, TRAFFIC_STRATEGIES } from "./traffic";
import { Bounds } from "./bounds";
import { Schedule, SCHEDULE_ALLOWED, scheduleOf, scheduleSchema } from "./schedule";
import { validateIgnorePatterns } from "../analysis/answer-diff";
import { ANALYSIS_ALLOWED, AnalysisConfig, analysisOf, analysisSchema } from "../analysis/config";

/** Bookinfo's image naming: `<registry>/examples-bookinfo-<name>:<tag>`, e.g. name `reviews-v1`. */
export function bookinfoImage(registry: string, tag: string, name: string): string {
    return `${registry}/examples-bookinfo-${name}:${tag}`;
}

const DEFAULT_REGISTRY = "docker.io/istio";
const DEFAULT_TAG = "1.20.3";
/** The tutorial's starting point: reviews v1, 3 pods. */
export const DEFAULT_RELEASE: Release = {
    stable: { version: "v1", image: bookinfoImage(DEFAULT_REGISTRY, DEFAULT_TAG, "reviews-v1"), replicas: 3 },
};
export const DEFAULT_BOUNDS: Bounds = { maxReplicas: 10, maxReplicaChange: 5, minServingPods: 3 };

/** A refused config or input: the program turns it into a Pulumi RunError (no stack trace, just the message). */
export class RolloutInputError extends Error {}

// Raw config values arrive as text (PULUMI_CONFIG); `pulumi config set --path` values arrive as JSON text.
function parseStructured(value: unknown): unknown {
    if (typeof value !== "string") return value;
    const t = value.trim();
    if (!t.startsWith("{") && !t.startsWith("[")) return value;
    try {
        return JSON.parse(t);
    } catch {
        return value;
    }
}

/** Text, optionally matching `pattern`; a structured value (object or list) is named as such. */
const text = (pattern?: RegExp, mismatch = "") =>
    z.string({ invalid_type_error: "wrong type, expected text" }).superRefine((v, ctx) => {
        if (typeof parseStructured(v) !== "string") {
            ctx.addIssue({
                code: z.ZodIssueCode.custom,
                message: "wrong type, expected text, got a structured (object or list) value",
            });
        } else if (pattern && !pattern.test(v)) {
            ctx.addIssue({ code: z.ZodIssueCode.custom, message: mismatch });
        }
    });

const wholeNumber = (v: unknown) => (typeof v === "string" && /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : v);
const count = (min: number) =>
    z.preprocess(
        wholeNumber,
        z
            .number({ invalid_type_error: "wrong type, expected a number" })
            .int("not a whole number")
            .min(min, `less than ${min}`),
    );

const versionLabel = text(
    /^[a-z0-9]([-a-z0-9]{0,18}[a-z0-9])?$/,
    "not a version label (e.g. v2: lowercase letters, digits, '-', at most 20)",
);
const imageRef = text(
    /^[^\s:/]+(\/[^\s:/]+)*(:[\w][\w.-]{0,127}|@sha256:[0-9a-f]{64})$/,
    "not an image reference with a tag or digest",
).refine(
    (v) => !/:latest$/.test(v),
    "`latest` is a moving tag: a gate can vouch only for a fixed image; name a version tag (e.g. :1.20.3) or a digest (@sha256:...)",
);

const versionSchema = z.object({ version: versionLabel, image: imageRef, replicas: count(1).default(3) }).strict();
const candidateSchema = z
    .object({
        version: versionLabel,
        image: imageRef,
        replicas: count(1).optional(),
        stars: z
            .enum(STAR_COLORS, {
                errorMap: () => ({ message: `unknown star colour; allowed: ${STAR_COLORS.join(", ")}` }),
            })
            .default("black"),
        // The answer fields this version changes by design: reviewed as data, ignored by the mirror stage's comparison.
        changes: z
            .array(z.string({ invalid_type_error: "wrong type, expected a field pattern" }))
            .superRefine((ps, ctx) => {
                for (const p of validateIgnorePatterns(ps)) ctx.addIssue({ code: z.ZodIssueCode.custom, message: p });
            })
            .optional(),
    })
    .strict();

const releaseSchema = z.preprocess(
    parseStructured,
    z
        .object(
            { stable: versionSchema.default(DEFAULT_RELEASE.stable), candidate: candidateSchema.optional() },
            { invalid_type_error: "wrong type, expected an object {stable, candidate}" },
        )
        .strict(),
);
const boundsSchema = z.preprocess(
    parseStructured,
    z
        .object({ maxReplicas: count(1), maxReplicaChange: count(1), minServingPods: count(1) })
        .partial()
        .strict(),
);

const percent = (min: number, max: number) =>
    z.preprocess(
        wholeNumber,
        z
            .number({ invalid_type_error: "wrong type, expected a number" })
            .int("not a whole number")
            .min(min, `less than ${min}`)
            .max(max, `more than ${max}`),
    );
const headerName = text(/^[a-z0-9-]{1,63}$/, "not a lowercase header or cookie name");
const trafficSchema = z.preprocess(
    parseStructured,
    z.discriminatedUnion(
        "strategy",
        [
            z.object({ strategy: z.literal("pods") }).strict(),
            z
                .object({
                    strategy: z.literal("istio"),
                    steps: z
                        .array(percent(1, 99))
                        .min(1, "needs at least one step")
                        .refine((s) => s.every((w, i) => i === 0 || w > s[i - 1]), "not ascending without repeats")
                        .default(DEFAULT_STEPS),
                    mirrorPercent: percent(1, 100).default(100),
                    testers: z
                        .object({
                            header: headerName,
                            cookie: headerName,
                            value: text(/^[\w.@-]{1,64}$/, "not a plain user name"),
                        })
                        .strict()
                        .default(DEFAULT_TESTERS),
                })
                .strict(),
        ],
        {
            errorMap: (issue, ctx) => ({
                message:
                    issue.code === "invalid_union_discriminator"
                        ? `unknown strategy; allowed: ${TRAFFIC_STRATEGIES.join(", ")}`
                        : ctx.defaultError,
            }),
        },
    ),
);

/** One entry per key: its schema (with the default) and what it allows, for messages. */
const KEYS = {
    stage: {
        schema: text(/^[a-z0-9-]{1,40}$/, "not a stage name").default("stable"),
        allowed: "a stage of the traffic strategy's table (`npm run docs:stages`)",
    },
    traffic: {
        schema: trafficSchema.default(DEFAULT_TRAFFIC),
        allowed: `{strategy: pods} (default), or {strategy: istio, steps (candidate weights in percent, ascending, 1-99; default ${JSON.stringify(DEFAULT_STEPS)}), mirrorPercent (1-100, default 100), testers {header, cookie, value} (default ${JSON.stringify(DEFAULT_TESTERS)})}, set with \`pulumi config set --path traffic.strategy istio\``,
    },
    release: {
        schema: releaseSchema.default(DEFAULT_RELEASE),
        allowed:
            '{stable: {version, image, replicas (default 3)}, candidate?: {version, image, replicas (default: the stable\'s), stars (black | red, default black), changes (answer fields it changes by design, e.g. ["reviews[*].rating"])}}, set with `pulumi config set --path release.stable.version v1` etc.',
    },
    namespace: {
        schema: text(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, "not a valid namespace name").default("bookinfo"),
        allowed: "a DNS-1123 label: lowercase letters, digits and '-', at most 63 characters",
    },
    kubeconfig: {
        schema: text().default(""),
        allowed: "a kubeconfig file path, or empty for $KUBECONFIG / ~/.kube/config",
    },
    context: { schema: text().default(""), allowed: "a context of the kubeconfig, or empty for its current context" },
    imageRegistry: {
        schema: text(/^[^\s/]+(\/[^\s/]+)*$/, "not a registry path").default(DEFAULT_REGISTRY),
        allowed: "a registry and path prefix of productpage, details and ratings, e.g. docker.io/istio",
    },
    imageTag: {
        schema: text(/^\w[\w.-]{0,127}$/, "not an image tag")
            .refine((v) => v !== "latest", "`latest` is a moving tag: name a version tag")
            .default(DEFAULT_TAG),
        allowed: "the image tag of productpage, details and ratings, e.g. 1.20.3",
    },
    bounds: {
        schema: boundsSchema.default({}),
        allowed: `{maxReplicas, maxReplicaChange, minServingPods}: whole numbers >= 1 (defaults ${JSON.stringify(DEFAULT_BOUNDS)})`,
    },
    extraServices: {
        schema: z
            .preprocess(
                wholeNumber,
                z
                    .number({ invalid_type_error: "wrong type, expected a number" })
                    .int("not a whole number")
                    .min(0, "less than 0")
                    .max(50, "more than 50"),
            )
            .default(0),
        allowed:
            "a whole number 0-50: extra Bookinfo-sized services (ServiceAccount, one-pod Deployment, Service each, named extra-<n>) beside Bookinfo, for measuring how a run grows with the stack (`npm run bench -- --extra-services 10`); default 0",
    },
    protect: {
        schema: z
            .preprocess(
                (v) => (v === "true" ? true : v === "false" ? false : v),
                z.boolean({ invalid_type_error: "wrong type, expected true or false" }),
            )
            .default(true),
        allowed:
            "true (default: the Namespace refuses `pulumi destroy` and `--replace`, and no run deletes a serving object but the settle step) or false (to destroy the stack: set it, `pulumi up`, then `pulumi destroy`)",
    },
    analysis: {
        schema: z.preprocess(parseStructured, analysisSchema).default({}),
        allowed: ANALYSIS_ALLOWED,
    },
    schedule: {
        schema: z.preprocess(parseStructured, scheduleSchema).default({}),
        allowed: SCHEDULE_ALLOWED,
    },
    pause: {
        schema: text().default(""),
        allowed:
            "empty (default), or why the rollout driver holds (`npm run rollout -- pause <stack> --reason ...` commits it)",
    },
    approved: {
        schema: text(/^([a-z0-9-]{1,40})?$/, "not a stage name").default(""),
        allowed:
            "empty (default), or the stage a person approved the driver to enter (`npm run rollout -- approve <stack> <stage>` commits it)",
    },
    renderYamlTo: {
        schema: text().default(""),
        allowed:
            "a directory to write the stage's manifests to instead of applying them (never-deployed stacks only), or empty to deploy",
    },
} as const;
type Key = keyof typeof KEYS;

/** Keys of an earlier version of this program, and what replaced them. */
const RETIRED: Record<string, string> = {
    v1Replicas: "release.stable.replicas",
    v2Replicas: "release.candidate.replicas (used where the candidate serves alone; the stage table sets the others)",
    v2Image: "release.candidate.image (with release.candidate.version v2)",
    v2Fault: "nothing: faults belong to the local test cluster (local/cluster/faults.ts), not to the product",
};
const RENAMED_STAGES: Record<string, string> = { "v1-only": "stable", "v2-dark": "dark" };

/** The keys of the project's config namespace. */
export const CONFIG_KEYS = Object.keys(KEYS) as Key[];

const schema = z.object(
    Object.fromEntries(CONFIG_KEYS.map((k) => [k, KEYS[k].schema])) as { [K in Key]: (typeof KEYS)[K]["schema"] },
);

type Parsed = z.infer<typeof schema>;
export type StageConfig = Omit<
    Parsed,
    "bounds" | "release" | "traffic" | "extraServices" | "analysis" | "schedule" | "pause" | "approved" | "stage"
> & {
    /** One of the traffic strategy's table: parsing checks it. */
    stage: StageName;
    traffic: Traffic;
    /** Parsed, always set (default 0); optional for configs written by hand (the pack's fixtures). */
    extraServices?: number;
    release: Release & { candidate?: Release["candidate"] & { stars: StarColor; changes?: string[] } };
    bounds: Bounds;
    /** Parsed, always set (defaults filled in); optional for configs written by hand (the pack's fixtures). */
    analysis?: AnalysisConfig;
    /** Parsed, always set; optional for configs written by hand. */
    schedule?: Schedule;
    pause?: string;
    approved?: string;
};

function describe(value: unknown): string {
    return typeof value === "string" ? JSON.stringify(value) : `${JSON.stringify(value)} (${typeof value})`;
}

/** The stage against the table of the configured strategy: judged whenever both keys are valid on their own. */
function stageProblems(raw: Record<string, unknown>, project: string): string[] {
    const stage = KEYS.stage.schema.safeParse(raw.stage);
    const traffic = KEYS.traffic.schema.safeParse(raw.traffic);
    if (!stage.success || !traffic.success) return [];
    const table = stageTableOf(traffic.data as Traffic);
    if (stageNameIn(table, stage.data)) return [];
    const names = stageNames(table);
    return [
        `${project}:stage = "${stage.data}": unknown stage; allowed: ${names.join(" | ")} (traffic strategy ${traffic.data.strategy})`,
    ];
}

/** Cross-key rules, once each key is valid on its own and the stage is one of the strategy's table. */
function crossKeyProblems(c: StageConfig, project: string): string[] {
    const out: string[] = [];
    const stage = stageIn(stageTableOf(c.traffic), c.stage);
    const { stable, candidate } = c.release;
    if (stage.candidate && !candidate) {
        out.push(
            `${project}:stage = "${c.stage}" needs a candidate: set release.candidate.version and release.candidate.image (\`pulumi config set --path release.candidate.version v2\`)`,
        );
    }
    if (candidate && candidate.version === stable.version) {
        out.push(
            `${project}:release.candidate.version = "${candidate.version}" is the stable version too: a candidate is a different version (its own Deployment reviews-<version>)`,
        );
    }
    if (stable.replicas < c.bounds.minServingPods) {
        out.push(
            `${project}:release.stable.replicas = ${stable.replicas} is below bounds.minServingPods ${c.bounds.minServingPods}: the stable version alone must serve at least that many pods`,
        );
    }
    return out;
}

/**
 * Validates the raw values of the project's config namespace (keys without the `<project>:` prefix). Throws one
 * RolloutInputError listing every bad key with its value and what is allowed.
 */
export function parseRolloutConfig(raw: Record<string, unknown>, project: string): StageConfig {
    const problems: string[] = [];
    for (const [k, v] of Object.entries(raw)) {
        if (RETIRED[k])
            problems.push(
                `${project}:${k} = ${describe(v)}: this key was retired; set ${RETIRED[k]} instead, then \`pulumi config rm ${k}\``,
            );
        else if (!(k in KEYS))
            problems.push(`${project}:${k} = ${describe(v)}: unknown key; allowed keys: ${CONFIG_KEYS.join(", ")}`);
    }
    const stageValue = raw.stage;
    if (typeof stageValue === "string" && RENAMED_STAGES[stageValue]) {
        problems.push(
            `${project}:stage = "${stageValue}": stages are named relative to the release now; "${stageValue}" is "${RENAMED_STAGES[stageValue]}" (release.stable = v1, release.candidate = v2)`,
        );
    }
    if (!problems.some((p) => p.includes(":stage ="))) problems.push(...stageProblems(raw, project));
    const known = Object.fromEntries(Object.entries(raw).filter(([k]) => k in KEYS));
    const result = schema.safeParse(known);
    if (!result.success) {
        const seen = new Set<string>();
        for (const issue of result.error.issues) {
            const path = issue.path.join(".");
            const k = String(issue.path[0]) as Key;
            if (seen.has(path) || (k === "stage" && problems.some((p) => p.includes(":stage =")))) continue;
            seen.add(path);
            // A structured key's problem names the path inside it (`release.stable.replicas`) and that value.
            const field = (v: unknown, p: PropertyKey) => (v as Record<PropertyKey, unknown> | undefined)?.[p];
            const value = issue.path
                .slice(1)
                .reduce<unknown>(field, issue.path.length > 1 ? parseStructured(raw[k]) : raw[k]);
            problems.push(`${project}:${path} = ${describe(value)}: ${issue.message}; allowed: ${KEYS[k].allowed}`);
        }
    }
    if (problems.length === 0 && result.success) {
        const c = result.data;
        const parsed = {
            ...c,
            bounds: { ...DEFAULT_BOUNDS, ...(c.bounds as Partial<Bounds>) },
            analysis: analysisOf(c.analysis as Partial<AnalysisConfig>),
            schedule: scheduleOf(c.schedule as Partial<Schedule>),
        } as StageConfig;
        const candidate = parsed.release.candidate;
        if (candidate) candidate.replicas ??= parsed.release.stable.replicas;
        problems.push(...crossKeyProblems(parsed, project));
        if (problems.length === 0) return parsed;
    }
    throw new RolloutInputError(
        `invalid stack config, nothing was read from or sent to the cluster:\n  - ${problems.join("\n  - ")}\n` +
            `fix it with \`pulumi config set [--path] <key> <value>\` (or \`pulumi config rm <key>\`)`,
    );
}
