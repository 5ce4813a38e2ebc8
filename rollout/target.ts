// Where a stack deploys, and the program's check that it never moves or adopts: the namespace uid the last `up`
// recorded in the stack's outputs (the engine's state, which a change cannot rewrite) must be the one the
// configured kubeconfig, context and namespace now reach, and a namespace the stack did not create is never taken.
import { STACK_LABEL } from "./labels";

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
    return `${organization}.${project}.${stack}`.replace(/[^A-Za-z0-9_.-]/g, "_").slice(0, 63).replace(/[^A-Za-z0-9]+$/, "");
}

export interface TargetFacts {
    /** The target of the last `up` that deployed, from the stack's own outputs; undefined when it never deployed. */
    previous?: Target;
    /** Configured namespace; undefined in render mode (no cluster). */
    namespace?: string;
    /** The configured namespace as it is in the cluster now (undefined: absent, or render mode). */
    live?: { uid: string; labels: Record<string, string> };
    /** Where the configured kubeconfig and context point. */
    server?: string;
    context?: string;
    stackLabel: string;
}

/** Refusals of a change of where the stack deploys, each with its rule and what to do instead. */
export function judgeTarget(f: TargetFacts): { rule: string; message: string }[] {
    const out: { rule: string; message: string }[] = [];
    const p = f.previous;
    if (p && f.namespace === undefined) {
        out.push({ rule: TARGET_RULES.fixed, message: `render mode (renderYamlTo) on a stack deployed to namespace ${p.namespace} at ${p.server}: it would drop every deployed resource from the stack's state while the app keeps running. Render from a new stack (\`pulumi stack init render\`) instead.` });
        return out;
    }
    if (f.namespace === undefined) return out;
    if (p && p.namespace !== f.namespace) {
        out.push({ rule: TARGET_RULES.fixed, message: `namespace ${f.namespace} (config key namespace), but this stack is deployed in namespace ${p.namespace}: changing it would delete the running app there and start from nothing. Set it back (\`pulumi config set namespace ${p.namespace}\`), or destroy this stack first.` });
    } else if (p && f.live?.uid !== p.namespaceUid) {
        const found = f.live ? `a namespace ${f.namespace} with uid ${f.live.uid}` : `no namespace ${f.namespace}`;
        out.push({ rule: TARGET_RULES.fixed, message: `the configured cluster (${f.server}, context "${f.context}") has ${found}, but this stack deployed namespace ${p.namespace} with uid ${p.namespaceUid} at ${p.server} (context "${p.context}"): the kubeconfig or context points at another cluster, or the namespace was deleted outside Pulumi. Point kubeconfig/context back at that cluster; if the namespace is really gone, \`pulumi refresh\` the stack first.` });
    }
    const owner = f.live?.labels[STACK_LABEL];
    if (f.live && owner !== f.stackLabel) {
        const whose = owner ? `it belongs to stack ${owner}` : "this stack did not create it";
        out.push({ rule: TARGET_RULES.owned, message: `namespace ${f.namespace} already exists and ${whose} (label ${STACK_LABEL}): the program never adopts a namespace, since the stack would then own it for a later destroy. Choose a namespace that does not exist yet; if this stack did create it (before namespaces were labelled), say so with \`kubectl label namespace ${f.namespace} ${STACK_LABEL}=${f.stackLabel}\`.` });
    }
    return out;
}
