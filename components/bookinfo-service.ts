import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { APP_LABEL, VERSION_LABEL } from "../rollout/labels";
import { DEPLOYMENT_TIMEOUTS, podTemplate, SERVICE_ANNOTATIONS, WORKLOAD_ANNOTATIONS } from "./pod-template";

export interface BookinfoServiceArgs {
    /** Namespace of every object (an Output of the Namespace resource, so it is created first). */
    namespace: pulumi.Input<string>;
    /** The engine leaves the objects in the cluster when it deletes them (a replacing or targeted destroy run). */
    retainOnDelete?: boolean;
    /** The `app` label: also the name of the Service and the stem of the Deployment's name. */
    app: string;
    /** The `version` label (Deployment `<app>-<version>`); unset for a client without versions (sleep). */
    version?: string;
    image: pulumi.Input<string>;
    /** ServiceAccount created for the pods, named like upstream (`bookinfo-<app>`, `sleep`). */
    serviceAccountName: string;
    /** Port the container listens on and the Service's target port. */
    containerPort?: number;
    /** Port of the Service; defaults to the container port. */
    servicePort: number;
    command?: string[];
    /** emptyDir volumes by name, with their mount paths. */
    emptyDirs?: Record<string, string>;
    podAnnotations?: Record<string, string>;
}

/**
 * One Bookinfo app: ServiceAccount, a one-pod Deployment and a Service whose selector is derived from the pod
 * labels, so the two cannot drift apart (kubernetes-ts-guestbook's ServiceDeployment).
 */
export class BookinfoService extends pulumi.ComponentResource {
    public readonly serviceAccount: k8s.core.v1.ServiceAccount;
    public readonly deployment: k8s.apps.v1.Deployment;
    public readonly service: k8s.core.v1.Service;

    constructor(name: string, args: BookinfoServiceArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("bookinfo:index:BookinfoService", name, {}, opts);
        const childOpts = { parent: this, provider: opts.provider, retainOnDelete: args.retainOnDelete };
        const podLabels: Record<string, string> = { [APP_LABEL]: args.app };
        if (args.version) podLabels[VERSION_LABEL] = args.version;

        this.serviceAccount = new k8s.core.v1.ServiceAccount(
            `${name}-sa`,
            { metadata: { name: args.serviceAccountName, namespace: args.namespace, labels: { account: args.app } } },
            childOpts,
        );
        this.deployment = new k8s.apps.v1.Deployment(
            `${name}-deployment`,
            {
                metadata: {
                    name: args.version ? `${args.app}-${args.version}` : args.app,
                    namespace: args.namespace,
                    labels: podLabels,
                    annotations: WORKLOAD_ANNOTATIONS,
                },
                spec: {
                    replicas: 1,
                    selector: { matchLabels: podLabels },
                    template: podTemplate({
                        labels: podLabels,
                        annotations: args.podAnnotations,
                        serviceAccountName: this.serviceAccount.metadata.name,
                        name: args.app,
                        image: args.image,
                        port: args.containerPort,
                        command: args.command,
                        emptyDirs: args.emptyDirs,
                    }),
                },
            },
            { ...childOpts, customTimeouts: DEPLOYMENT_TIMEOUTS },
        );
        this.service = new k8s.core.v1.Service(
            `${name}-service`,
            {
                metadata: {
                    name: args.app,
                    namespace: args.namespace,
                    labels: { [APP_LABEL]: args.app, service: args.app },
                    annotations: SERVICE_ANNOTATIONS,
                },
                spec: {
                    ports: [
                        { name: "http", port: args.servicePort, targetPort: args.containerPort ?? args.servicePort },
                    ],
                    selector: { [APP_LABEL]: podLabels[APP_LABEL] },
                },
            },
            childOpts,
        );
        this.registerOutputs({ deploymentName: this.deployment.metadata.name });
    }
}
