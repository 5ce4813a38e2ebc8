// One pod template builder for every Bookinfo workload: the same resources, pull policy, ports and volumes shape
// for productpage, details, ratings, sleep and every reviews version.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/** Deployments of Bookinfo wait at most this long for their pods to become available. */
export const DEPLOYMENT_TIMEOUTS: pulumi.CustomTimeouts = { create: "5m", update: "5m", delete: "2m" };

/** Requests and limits of every Bookinfo container: two versions share nodes during a rollout, none may starve. */
export const CONTAINER_RESOURCES = {
    requests: { cpu: "50m", memory: "128Mi" },
    limits: { cpu: "500m", memory: "512Mi" },
};

/**
 * On every Deployment and Service: a retained object that the engine takes back (after `--replace`, a targeted
 * destroy or a state edit) is applied under a new field manager while the old one still owns its fields, and the
 * next change of them would fail with a server-side apply conflict. The guard judged the live object before this
 * `up`, so the program's apply wins.
 */
export const WORKLOAD_ANNOTATIONS = { "pulumi.com/patchForce": "true" };
/**
 * Annotations of every Bookinfo Service: the kubernetes provider's await override (`pulumi.com/waitFor`). Its
 * built-in Service await waits until the endpoints have not changed for 10 s, which made the first `up` take 10 s
 * longer than the Deployments need; a Service is in place once it has its cluster IP. Whether the pods behind it
 * are ready is the Deployments' await (and, for the candidate, the gate's) job.
 */
export const SERVICE_ANNOTATIONS = { ...WORKLOAD_ANNOTATIONS, "pulumi.com/waitFor": "jsonpath={.spec.clusterIP}" };

/** Every Bookinfo app listens here, as upstream. */
export const BOOKINFO_PORT = 9080;

export interface PodTemplateArgs {
    labels: Record<string, string>;
    annotations?: Record<string, string>;
    serviceAccountName: pulumi.Input<string>;
    /** Container name (the app's name, as upstream). */
    name: string;
    image: pulumi.Input<string>;
    /** Port the container listens on; none for a client (sleep). */
    port?: number;
    command?: string[];
    env?: Record<string, string>;
    /** emptyDir volumes by name, with their mount paths. */
    emptyDirs?: Record<string, string>;
}

export function podTemplate(args: PodTemplateArgs): k8s.types.input.core.v1.PodTemplateSpec {
    const emptyDirs = Object.entries(args.emptyDirs ?? {});
    return {
        metadata: { labels: args.labels, annotations: args.annotations },
        spec: {
            serviceAccountName: args.serviceAccountName,
            containers: [
                {
                    name: args.name,
                    image: args.image,
                    imagePullPolicy: "IfNotPresent",
                    resources: CONTAINER_RESOURCES,
                    command: args.command,
                    env: args.env && Object.entries(args.env).map(([name, value]) => ({ name, value })),
                    ports: args.port ? [{ containerPort: args.port }] : undefined,
                    volumeMounts: emptyDirs.length
                        ? emptyDirs.map(([name, mountPath]) => ({ name, mountPath }))
                        : undefined,
                },
            ],
            volumes: emptyDirs.length ? emptyDirs.map(([name]) => ({ name, emptyDir: {} })) : undefined,
        },
    };
}
