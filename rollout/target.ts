// Where a stack deploys, and the program's check that it never moves or adopts: the namespace uid the last `up`
// recorded in the stack's outputs (the engine's state, which a change cannot rewrite) must be the one the
// configured kubeconfig, context and namespace now reach, and a namespace the stack did not create is never taken.
import { BACKEND_ANNOTATION, STACK_LABEL } from "./labels";

/** Recorded as the stack output `target` by every `up` that deploys. */
export interface Target {
    namespace: string;
    namespaceUid: string;
    server: string;
    context: string;
}

export const TARGET_RULES = {
    fixed: "stack-target-fixed",
    owned: "namespace-owned-by-stack",
} as const;

/** A label value naming the stack: `<org>.<project>.<stack>`, cut to a valid label value. */
export function stackLabelValue(organization: string, project: string, stack: string): string {
    return `${organization}.${project}.${stack}`
        .replace(/[^A-Za-z0-9_.-]/g, "_")
        .slice(0, 63)
        .replace(/[^A-Za-z0-9]+$/, "");
}

export interface TargetFacts {
    /** The target of the last `up` that deployed, from the stack's own outputs; undefined when it never deployed. */
    previous?: Target;
    /** Configured namespace; undefined in render mode (no cluster). */
    namespace?: string;
    /** The configured namespace as it is in the cluster now (undefined: absent, or render mode). */
    live?: { uid: string; labels: Record<string, string>; annotations?: Record<string, string> };
    /** Where the configured kubeconfig and context point. */
    server?: string;
    context?: string;
    stackLabel: string;
    /** The backend that holds this stack's state (io/backend.ts): part of the stack's identity. */
    backend: string;
}

/** Refusals of a change of where the stack deploys, each with its rule and what to do instead. */
export function judgeTarget(f: TargetFacts): { rule: string; message: string }[] {
    const out: { rule: string; message: string }[] = [];
    const p = f.previous;
    if (p && f.namespace === undefined) {
        out.push({
            rule: TARGET_RULES.fixed,
            message: `render mode (renderYamlTo) on a stack deployed to namespace ${p.namespace} at ${p.server}: it would drop every deployed resource from the stack's state while the app keeps running. Render from a new stack (\`pulumi stack init render\`) instead.`,
        });
        return out;
    }
    if (f.namespace === undefined) return out;
    if (p && p.namespace !== f.namespace) {
        out.push({
            rule: TARGET_RULES.fixed,
            message: `namespace ${f.namespace} (config key namespace), but this stack is deployed in namespace ${p.namespace}: changing it would delete the running app there and start from nothing. Set it back (\`pulumi config set namespace ${p.namespace}\`), or destroy this stack first.`,
        });
    } else if (p && f.live?.uid !== p.namespaceUid) {
        const found = f.live ? `a namespace ${f.namespace} with uid ${f.live.uid}` : `no namespace ${f.namespace}`;
        out.push({
            rule: TARGET_RULES.fixed,
            message: `the configured cluster (${f.server}, context "${f.context}") has ${found}, but this stack deployed namespace ${p.namespace} with uid ${p.namespaceUid} at ${p.server} (context "${p.context}"): the kubeconfig or context points at another cluster, or the namespace was deleted outside Pulumi. Point kubeconfig/context back at that cluster; if the namespace is really gone, \`pulumi refresh\` the stack first.`,
        });
    }
    const owner = f.live?.labels[STACK_LABEL];
    const ownerBackend = f.live?.annotations?.[BACKEND_ANNOTATION];
    // The namespace this stack recorded (same uid) is its own, whatever marks it carries.
    const recorded = p !== undefined && f.live?.uid === p.namespaceUid;
    if (f.live && !recorded && (owner !== f.stackLabel || ownerBackend !== f.backend)) {
        const whose =
            owner !== f.stackLabel
                ? owner
                    ? `it belongs to stack ${owner}`
                    : "this stack did not create it"
                : `it carries this stack's name but was created from ${ownerBackend ? `backend ${ownerBackend}` : "an unknown backend"}, not ${f.backend || "this one"} (annotation ${BACKEND_ANNOTATION}): a stack of the same name elsewhere`;
        out.push({
            rule: TARGET_RULES.owned,
            message: `namespace ${f.namespace} already exists and ${whose} (label ${STACK_LABEL}): the program never adopts a namespace, since the stack would then own it for a later destroy. Choose a namespace that does not exist yet; if this stack did create it, say so with \`kubectl label namespace ${f.namespace} ${STACK_LABEL}=${f.stackLabel}\` and \`kubectl annotate namespace ${f.namespace} ${BACKEND_ANNOTATION}=${f.backend}\`.`,
        });
    }
    return out;
}
