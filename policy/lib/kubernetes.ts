// Reading Kubernetes resource inputs as the policy engine hands them over (plain objects keyed like the
// manifests). The pack deliberately does not depend on @pulumi/kubernetes: type tokens are compared as strings.
import { ROLLED_OUT } from "../../rollout/service";
import { APP_LABEL } from "../../rollout/labels";

export const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
export const SERVICE = "kubernetes:core/v1:Service";
export const NAMESPACE = "kubernetes:core/v1:Namespace";
/** Istio's objects, as @pulumi/kubernetes types a CustomResource of networking.istio.io/v1. */
export const VIRTUAL_SERVICE = "kubernetes:networking.istio.io/v1:VirtualService";
export const DESTINATION_RULE = "kubernetes:networking.istio.io/v1:DestinationRule";

export type Labels = Record<string, string>;

/**
 * A resource's inputs as the engine hands them to the pack: a manifest, typed here by the fields the pack reads
 * (a Deployment's or a Service's); a rule that judges another kind reads its `spec` as that kind's shape.
 */
export interface Props {
    metadata?: { name?: string; labels?: Labels };
    spec?: {
        selector?: Labels & { matchLabels?: Labels };
        replicas?: number;
        template?: { metadata?: { labels?: Labels }; spec?: PodSpec };
        [field: string]: unknown;
    };
}

export interface Container {
    name?: string;
    image?: string;
    resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
}

export interface PodSpec {
    serviceAccountName?: string;
    serviceAccount?: string;
    containers?: Container[];
    initContainers?: Container[];
}

/** Where each workload type keeps its pod spec. */
const POD_SPEC_PATHS: Record<string, string[]> = {
    "kubernetes:core/v1:Pod": ["spec"],
    "kubernetes:apps/v1:Deployment": ["spec", "template", "spec"],
    "kubernetes:apps/v1:StatefulSet": ["spec", "template", "spec"],
    "kubernetes:apps/v1:DaemonSet": ["spec", "template", "spec"],
    "kubernetes:apps/v1:ReplicaSet": ["spec", "template", "spec"],
    "kubernetes:batch/v1:Job": ["spec", "template", "spec"],
    "kubernetes:batch/v1:CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
};

/** The pod spec of a workload resource, or undefined for any other type. */
export function podSpecOf(type: string, props: Props): PodSpec | undefined {
    const path = POD_SPEC_PATHS[type];
    if (!path) return undefined;
    let node: unknown = props;
    for (const key of path) node = (node as Record<string, unknown> | undefined)?.[key];
    return (node as PodSpec | undefined) ?? {};
}

export function allContainers(spec: PodSpec): Container[] {
    return [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
}

/** The Kubernetes name of a resource: metadata.name, else the Pulumi resource name. */
export function objectName(name: string, props: Props): string {
    return props.metadata?.name ?? name;
}

/** "what kind/name": how messages name a resource. */
export function describe(type: string, name: string, props: Props): string {
    const kind = type.split(":").pop();
    return `${kind} ${objectName(name, props)}`;
}

export function podLabelsOf(props: Props): Labels {
    return props.spec?.template?.metadata?.labels ?? {};
}

/** The image of a Deployment's first container ("" when it has none): how other Bookinfo services are compared. */
export function firstImage(props: Props): string {
    return props.spec?.template?.spec?.containers?.[0]?.image ?? "";
}

/** The guarded service's Service: named like the app it selects and labelled with it (Bookinfo convention). */
export function isGuardedService(type: string, name: string, props: Props): boolean {
    if (type !== SERVICE) return false;
    return objectName(name, props) === ROLLED_OUT.name || props.metadata?.labels?.[APP_LABEL] === ROLLED_OUT.name;
}

/** Kubernetes label-selector semantics for matchLabels-style selectors: an empty selector matches nothing here. */
export function selectorMatches(selector: Labels | undefined, labels: Labels): boolean {
    const entries = Object.entries(selector ?? {});
    return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

export function sameLabels(a: Labels | undefined, b: Labels): boolean {
    const ka = Object.keys(a ?? {});
    return ka.length === Object.keys(b).length && ka.every((k) => a![k] === b[k]);
}

export function formatLabels(labels: Labels | undefined): string {
    return JSON.stringify(labels ?? {});
}
