// Reading Kubernetes resource inputs as the policy engine hands them over (plain objects keyed like the
// manifests). The pack deliberately does not depend on @pulumi/kubernetes: type tokens are compared as strings.
import { APP_LABEL, REVIEWS_APP, REVIEWS_WORKLOAD, TO_STAGE_ANNOTATION, VERSION_LABEL, WORKLOAD_LABEL } from "../../rollout/labels";

export const CONFIG_MAP = "kubernetes:core/v1:ConfigMap";
export const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
export const SERVICE = "kubernetes:core/v1:Service";
export const LOCAL_COMMAND = "command:local:Command";

type Props = Record<string, any>;
export type Labels = Record<string, string>;

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
    let node: any = props;
    for (const key of path) node = node?.[key];
    return node ?? {};
}

export function allContainers(spec: PodSpec): Container[] {
    return [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
}

/** "what kind/name": how messages name a resource. */
export function describe(type: string, name: string, props: Props): string {
    const kind = type.split(":").pop();
    return `${kind} ${props.metadata?.name ?? name}`;
}

export function annotationsOf(props: Props): Labels {
    return props.metadata?.annotations ?? {};
}

export function podLabelsOf(props: Props): Labels {
    return props.spec?.template?.metadata?.labels ?? {};
}

export function replicasOf(props: Props): number {
    return props.spec?.replicas ?? 1;
}

/** The rollout state ConfigMap: the one object that carries the requested stage. */
export function isStateConfigMap(type: string, props: Props): boolean {
    return type === CONFIG_MAP && annotationsOf(props)[TO_STAGE_ANNOTATION] !== undefined;
}

/**
 * The version ("v1", "v2") of a reviews Deployment, or undefined for any other resource. Read from the pod
 * template, falling back to the Deployment's own labels, so a broken selector cannot hide the Deployment.
 */
export function reviewsVersion(type: string, props: Props): string | undefined {
    if (type !== DEPLOYMENT) return undefined;
    const pod = podLabelsOf(props);
    const own: Labels = props.metadata?.labels ?? {};
    if (pod[WORKLOAD_LABEL] !== REVIEWS_WORKLOAD && own[WORKLOAD_LABEL] !== REVIEWS_WORKLOAD) return undefined;
    return pod[VERSION_LABEL] ?? own[VERSION_LABEL];
}

/** The reviews Service: named like the app it selects and labelled with it (Bookinfo convention). */
export function isReviewsService(type: string, name: string, props: Props): boolean {
    if (type !== SERVICE) return false;
    return (props.metadata?.name ?? name) === REVIEWS_APP || props.metadata?.labels?.[APP_LABEL] === REVIEWS_APP;
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
