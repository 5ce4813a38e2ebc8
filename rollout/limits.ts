// The limits a stack's own yardstick (bounds, traffic steps, testers) must keep: trusted policy, not stack config.
// They come from the policy pack's config (policy/config.json, the base branch's in review) with these defaults,
// so the change under review can tighten its bounds but never loosen them past what the platform team allows.
import { Bounds } from "./bounds";
import { Traffic } from "./traffic";

export interface Limits {
    /** The most pods a stack may allow a version (bounds.maxReplicas at most this). */
    maxReplicas: number;
    /** The largest one-`up` change a stack may allow (bounds.maxReplicaChange at most this). */
    maxReplicaChange: number;
    /** The serving floor a stack may not go below (bounds.minServingPods at least this). */
    minServingPods: number;
    /** The first weight step (traffic.steps[0]) in percent at most this: the first exposure stays small. */
    maxFirstStep: number;
    /** Each weight (the steps, then 100) at most this many times the one before: no step jumps. */
    maxStepFactor: number;
    /**
     * Header names and cookie names a tester match may use: a named identity, never something every request carries.
     */
    testerHeaders: string[];
    testerCookies: string[];
}

export const DEFAULT_LIMITS: Limits = {
    maxReplicas: 10,
    maxReplicaChange: 5,
    minServingPods: 3,
    maxFirstStep: 5,
    maxStepFactor: 5,
    testerHeaders: ["end-user"],
    testerCookies: ["user"],
};

/** Name of the pack config entry (policy/config.json) that sets limits: the rule that enforces them. */
export const LIMITS_RULE = "reviews-yardstick-within-limits";

/** Limits from a pack config entry: known keys of the right type override the defaults; anything else is refused. */
export function limitsOf(entry: unknown): Limits {
    const given = (entry ?? {}) as Record<string, unknown>;
    const out: Limits = { ...DEFAULT_LIMITS };
    for (const [k, v] of Object.entries(given)) {
        if (k === "enforcementLevel") continue;
        const d = (DEFAULT_LIMITS as unknown as Record<string, unknown>)[k];
        const ok = Array.isArray(d)
            ? Array.isArray(v) && v.every((x) => typeof x === "string")
            : Number.isInteger(v) && (v as number) >= 1;
        if (d === undefined || !ok) {
            throw new Error(
                `policy config ${LIMITS_RULE}.${k} = ${JSON.stringify(v)}: ${d === undefined ? "unknown limit" : "wrong type"}; allowed: ${Object.keys(DEFAULT_LIMITS).join(", ")} (whole numbers >= 1, or lists of names)`,
            );
        }
        (out as unknown as Record<string, unknown>)[k] = v;
    }
    return out;
}

/** Where the stack's bounds and traffic leave the limits: one sentence each, naming the key and what would pass. */
export function limitProblems(bounds: Bounds, traffic: Traffic, limits: Limits): string[] {
    const out: string[] = [];
    const source = `(policy limit ${LIMITS_RULE}.`;
    if (bounds.maxReplicas > limits.maxReplicas)
        out.push(
            `bounds.maxReplicas = ${bounds.maxReplicas} is above the limit ${limits.maxReplicas} ${source}maxReplicas): set ${limits.maxReplicas} or less.`,
        );
    if (bounds.maxReplicaChange > limits.maxReplicaChange)
        out.push(
            `bounds.maxReplicaChange = ${bounds.maxReplicaChange} is above the limit ${limits.maxReplicaChange} ${source}maxReplicaChange): set ${limits.maxReplicaChange} or less.`,
        );
    if (bounds.minServingPods < limits.minServingPods)
        out.push(
            `bounds.minServingPods = ${bounds.minServingPods} is below the floor ${limits.minServingPods} ${source}minServingPods): set ${limits.minServingPods} or more.`,
        );
    if (traffic.strategy !== "istio") return out;
    const { steps, testers } = traffic;
    if (steps[0] > limits.maxFirstStep)
        out.push(
            `traffic.steps = ${JSON.stringify(steps)} starts at ${steps[0]}%, above the limit ${limits.maxFirstStep}% ${source}maxFirstStep): start at ${limits.maxFirstStep}% or less.`,
        );
    const weights = [...steps, 100];
    for (let i = 1; i < weights.length; i++) {
        if (weights[i] > weights[i - 1] * limits.maxStepFactor) {
            out.push(
                `traffic.steps = ${JSON.stringify(steps)} jumps from ${weights[i - 1]}% to ${weights[i]}%, more than ${limits.maxStepFactor} times ${source}maxStepFactor): add steps of at most ${weights[i - 1] * limits.maxStepFactor}%.`,
            );
        }
    }
    if (!limits.testerHeaders.includes(testers.header))
        out.push(
            `traffic.testers.header = "${testers.header}" is not a tester header the policy allows (${limits.testerHeaders.join(", ")}) ${source}testerHeaders): a header every request carries would send all users to the candidate.`,
        );
    if (!limits.testerCookies.includes(testers.cookie))
        out.push(
            `traffic.testers.cookie = "${testers.cookie}" is not a tester cookie the policy allows (${limits.testerCookies.join(", ")}) ${source}testerCookies).`,
        );
    return out;
}
