// The stack's config, validated with zod before any resource is declared: a bad value fails the program with one
// message that names the key, the bad value and what is allowed, and nothing reaches the cluster.
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { FAULTS } from "./labels";
import { STAGE_NAMES, STAGES } from "./stages";

/** The tutorial's v1 pod count, from the stage table (the default of `v1Replicas`). */
export const TABLE_V1_REPLICAS = Math.max(...STAGES.map((s) => s.v1.replicas));

/** Bookinfo's image naming: `<registry>/examples-bookinfo-<name>:<tag>`, e.g. name `reviews-v1`. */
export function bookinfoImage(registry: string, tag: string, name: string): string {
    return `${registry}/examples-bookinfo-${name}:${tag}`;
}

const V2_FAULTS = ["none", ...FAULTS] as const;

// Raw config values arrive as text (PULUMI_CONFIG); `pulumi config set --path` values arrive as JSON text.
function isStructured(value: string): boolean {
    const t = value.trim();
    if (!t.startsWith("{") && !t.startsWith("[")) return false;
    try {
        return typeof JSON.parse(t) === "object";
    } catch {
        return false;
    }
}

const text = () =>
    z
        .string({ invalid_type_error: "wrong type, expected text" })
        .refine((v) => !isStructured(v), "wrong type, expected text, got a structured (object or list) value");

const wholeNumberText = (v: unknown) => (typeof v === "string" && /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : v);
const replicaCount = () =>
    z.preprocess(
        wholeNumberText,
        z
            .number({ invalid_type_error: "wrong type, expected a number" })
            .int("not a whole number")
            .nonnegative("negative")
            .min(1, "zero (remove a version by choosing a stage without it)"),
    );

/** One entry per key declared in Pulumi.yaml: its schema (with the default) and what it allows, for messages. */
const KEYS = {
    stage: {
        schema: z.enum(STAGE_NAMES, { errorMap: () => ({ message: "unknown stage" }) }).default("v1-only"),
        allowed: STAGE_NAMES.join(" | "),
    },
    namespace: {
        schema: text()
            .pipe(z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, "not a valid namespace name"))
            .default("bookinfo"),
        allowed: "a DNS-1123 label: lowercase letters, digits and '-', at most 63 characters",
    },
    kubeconfig: { schema: text().default(""), allowed: "a kubeconfig file path, or empty for $KUBECONFIG / ~/.kube/config" },
    context: { schema: text().default(""), allowed: "a context of the kubeconfig, or empty for its current context" },
    v1Replicas: {
        schema: replicaCount().default(TABLE_V1_REPLICAS),
        allowed: `a whole number >= 1 (default ${TABLE_V1_REPLICAS})`,
    },
    v2Replicas: {
        schema: replicaCount().optional(),
        allowed: "a whole number >= 1, or unset for the stage table's count",
    },
    imageRegistry: {
        schema: text()
            .pipe(z.string().regex(/^[^\s/]+(\/[^\s/]+)*$/, "not a registry path"))
            .default("docker.io/istio"),
        allowed: "a registry and path prefix without spaces or trailing '/', e.g. docker.io/istio",
    },
    imageTag: {
        schema: text()
            .pipe(z.string().regex(/^\w[\w.-]{0,127}$/, "not an image tag"))
            .default("1.20.3"),
        allowed: "an image tag: letters, digits, '_', '.', '-' (at most 128), e.g. 1.20.3",
    },
    v2Image: {
        schema: text()
            .pipe(z.string().regex(/^\S*$/, "not an image reference"))
            .default(""),
        allowed: "a full image reference without spaces, or empty for <imageRegistry>/examples-bookinfo-reviews-v2:<imageTag>",
    },
    v2Fault: {
        schema: z.enum(V2_FAULTS, { errorMap: () => ({ message: "unknown fault" }) }).default("none"),
        allowed: V2_FAULTS.join(" | "),
    },
    renderYamlTo: {
        schema: text().default(""),
        allowed: "a directory path to write the stage's manifests to instead of applying them, or empty to deploy",
    },
} as const;
type Key = keyof typeof KEYS;

/** The keys of the project's config namespace, as declared in Pulumi.yaml. */
export const CONFIG_KEYS = Object.keys(KEYS) as Key[];

const schema = z
    .object(Object.fromEntries(CONFIG_KEYS.map((k) => [k, KEYS[k].schema])) as { [K in Key]: (typeof KEYS)[K]["schema"] })
    .strict();

export type RolloutConfig = Omit<z.infer<typeof schema>, "v2Image"> & {
    /** Resolved v2 image: the `v2Image` key, or the Bookinfo image from registry and tag. */
    v2Image: string;
};

function describe(value: unknown): string {
    return typeof value === "string" ? JSON.stringify(value) : `${JSON.stringify(value)} (${typeof value})`;
}

/**
 * Validates the raw values of the project's config namespace (keys without the `<project>:` prefix). Throws one
 * `RunError` listing every bad key with its value and what is allowed.
 */
export function parseRolloutConfig(raw: Record<string, unknown>, project: string): RolloutConfig {
    const result = schema.safeParse(raw);
    if (!result.success) {
        // The first issue of each key is enough to say what is wrong with it.
        const seen = new Set<string>();
        const firstPerKey = result.error.issues.filter((issue) => {
            if (issue.code === "unrecognized_keys") return true;
            const key = String(issue.path[0]);
            if (seen.has(key)) return false;
            seen.add(key);
            return true;
        });
        const problems = firstPerKey.flatMap((issue) => {
            if (issue.code === "unrecognized_keys") {
                return issue.keys.map(
                    (k) => `${project}:${k} = ${describe(raw[k])}: unknown key; allowed keys: ${CONFIG_KEYS.join(", ")}`,
                );
            }
            const key = String(issue.path[0]) as Key;
            return [`${project}:${key} = ${describe(raw[key])}: ${issue.message}; allowed: ${KEYS[key].allowed}`];
        });
        throw new pulumi.RunError(
            `invalid stack config, nothing was sent to the cluster:\n  - ${problems.join("\n  - ")}\n` +
                `fix it with \`pulumi config set <key> <value>\` (or \`pulumi config rm <key>\` for an unknown key)`,
        );
    }
    const c = result.data;
    return { ...c, v2Image: c.v2Image || bookinfoImage(c.imageRegistry, c.imageTag, "reviews-v2") };
}

/** Reads every `<project>:*` key of the stack's config (unknown keys included) and validates it. */
export function readRolloutConfig(project: string = pulumi.getProject()): RolloutConfig {
    const prefix = `${project}:`;
    const raw = Object.fromEntries(
        Object.entries(pulumi.runtime.allConfig())
            .filter(([k]) => k.startsWith(prefix))
            .map(([k, v]) => [k.slice(prefix.length), v]),
    );
    return parseRolloutConfig(raw, project);
}
