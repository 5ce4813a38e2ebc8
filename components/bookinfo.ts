import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { bookinfoImage } from "../rollout/config";
import { BACKEND_ANNOTATION, STACK_LABEL } from "../rollout/labels";
import { LiveStage } from "../rollout/moves";
import { Plan } from "../rollout/plan";
import { MESH_NAMESPACE_LABEL } from "../rollout/mesh-objects";
import { RATINGS, REVIEWS, RolledService } from "../rollout/service";
import { BookinfoService, BookinfoServiceArgs } from "./bookinfo-service";
import { BOOKINFO_PORT } from "./pod-template";
import { ServiceRollout } from "./service-rollout";

/** Test client of Istio's samples (samples/sleep/sleep.yaml): curls pods from inside the cluster. */
const SLEEP_IMAGE = "curlimages/curl:8.11.1";

/**
 * Bookinfo's apps with what their pods need beyond the image: one of them (not productpage, the app check's
 * client) is rolled out, the others run their v1 as upstream.
 */
const APPS: Record<string, Partial<BookinfoServiceArgs>> = {
    details: {},
    ratings: { ...RATINGS.pod },
    reviews: { ...REVIEWS.pod },
    productpage: {
        emptyDirs: { tmp: "/tmp" },
        podAnnotations: {
            "prometheus.io/scrape": "true",
            "prometheus.io/port": `${BOOKINFO_PORT}`,
            "prometheus.io/path": "/metrics",
        },
    },
};

/** The apps that run their v1 beside the rolled-out service. */
const fixedApps = (rolled: RolledService) => Object.keys(APPS).filter((app) => app !== rolled.name);

/**
 * The other Bookinfo workloads, Deployment name -> image, as Bookinfo declares them: the guard compares this with
 * the live images, so it is the one place that names them.
 */
export function serviceImages(imageRegistry: string, imageTag: string, rolled: RolledService): Record<string, string> {
    const v1 = (app: string) => [`${app}-v1`, bookinfoImage(imageRegistry, imageTag, `${app}-v1`)];
    return { ...Object.fromEntries(fixedApps(rolled).map(v1)), sleep: SLEEP_IMAGE };
}

/** Name of the rollout child: fixed per service, so its Deployments keep their URNs from release to release. */
export const rolloutComponentName = (service: RolledService) => `${service.name}-rollout`;

/** Where the program deploys: a cluster through its kubeconfig, or a directory of rendered manifests. */
export type Destination =
    | {
          /** Text of the configured kubeconfig file; undefined: the Provider uses $KUBECONFIG / ~/.kube/config. */
          kubeconfigText?: string;
          /** kubeconfig path and context as configured, for kubectl in the gate ("" = kubectl's defaults). */
          kubeconfigPath: string;
          context: string;
      }
    | { renderYamlTo: string };

export interface BookinfoArgs {
    /** Namespace created for Bookinfo (plain: the Provider's default namespace too). */
    namespace: string;
    /** Value of the namespace's STACK_LABEL: which stack created it. */
    stackLabel: string;
    /** Value of the namespace's BACKEND_ANNOTATION: which backend holds that stack's state. */
    backend: string;
    /** Registry and tag of the apps that run their v1 (`<registry>/examples-bookinfo-<app>-v1:<tag>`). */
    imageRegistry: string;
    imageTag: string;
    /**
     * The configured stage's plan (rollout/plan.ts), judged before: the service rolled out, what it renders, its
     * traffic.
     */
    plan: Plan;
    /** The stage the live workloads were in, as the guard judged it before this `up`. */
    from: LiveStage;
    /** Extra Bookinfo-sized services `extra-<n>` (details' image), for measuring how a run grows; default none. */
    extraServices?: number;
    /**
     * The app is protected: the Namespace refuses deletion (`pulumi destroy`, `--replace`, a targeted destroy) and
     * the engine leaves every Bookinfo object in the cluster when it deletes one from the state.
     */
    protect: boolean;
    destination: Destination;
}

/**
 * Istio's Bookinfo in one namespace, through one explicit kubernetes Provider: productpage, details, ratings,
 * reviews and the `sleep` test client, one of them (the plan's service: reviews) as a staged rollout of a release
 * (ServiceRollout). Kubernetes object names are fixed like upstream's (productpage-v1, reviews-v2, ...), so one
 * stack holds one Bookinfo.
 */
export class Bookinfo extends pulumi.ComponentResource {
    public readonly provider: k8s.Provider;
    public readonly namespace: k8s.core.v1.Namespace;
    /** The apps that run their v1, by app name, and `sleep`. */
    public readonly services: Record<string, BookinfoService>;
    /** The rolled-out service. */
    public readonly rollout: ServiceRollout;
    public readonly extraServices: BookinfoService[];

    constructor(name: string, args: BookinfoArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("bookinfo:index:Bookinfo", name, {}, opts);
        const dest = args.destination;
        this.provider = new k8s.Provider(`${name}-k8s`, providerArgs(dest, args.namespace), { parent: this });
        const childOpts = { parent: this, provider: this.provider };
        this.namespace = new k8s.core.v1.Namespace(`${name}-ns`, namespaceArgs(args), {
            ...childOpts,
            protect: args.protect,
        });
        const namespace = this.namespace.metadata.name;
        const images = serviceImages(args.imageRegistry, args.imageTag, args.plan.service);
        const app = (appName: string, more: Partial<BookinfoServiceArgs>) =>
            new BookinfoService(
                `${name}-${appName}`,
                { ...appArgs(appName, images, args.protect), namespace, ...more },
                childOpts,
            );

        this.services = Object.fromEntries(
            [...fixedApps(args.plan.service), "sleep"].map((a) => [a, app(a, APPS[a] ?? SLEEP)]),
        );
        this.extraServices = Array.from({ length: args.extraServices ?? 0 }, (_, i) =>
            app(`extra-${i + 1}`, { image: images["details-v1"], serviceAccountName: `bookinfo-extra-${i + 1}` }),
        );
        this.rollout = new ServiceRollout(
            rolloutComponentName(args.plan.service),
            {
                namespace,
                namespaceName: args.namespace,
                plan: args.plan,
                from: args.from,
                retainOnDelete: args.protect,
                // Rendered pods do not exist: there is nothing to gate.
                gate:
                    "renderYamlTo" in dest
                        ? undefined
                        : {
                              kubeconfig: dest.kubeconfigPath,
                              context: dest.context,
                              client: this.services.sleep.deployment,
                              productpage: this.services.productpage.deployment,
                          },
            },
            childOpts,
        );
        this.registerOutputs({ namespace: this.namespace.metadata.name });
    }
}

/** The `sleep` client: no version, no port of its own, a shell that waits. */
const SLEEP: Partial<BookinfoServiceArgs> = {
    version: undefined,
    serviceAccountName: "sleep",
    containerPort: undefined,
    servicePort: 80,
    command: ["/bin/sleep", "infinity"],
};

/** An app's v1, named like upstream. */
function appArgs(
    app: string,
    images: Record<string, string>,
    retainOnDelete: boolean,
): Omit<BookinfoServiceArgs, "namespace"> {
    return {
        app,
        version: "v1",
        image: images[app === "sleep" ? "sleep" : `${app}-v1`],
        serviceAccountName: `bookinfo-${app}`,
        containerPort: BOOKINFO_PORT,
        servicePort: BOOKINFO_PORT,
        retainOnDelete,
    };
}

/**
 * Render mode: the Provider writes each object's YAML under that directory and applies nothing. The empty kubeconfig
 * keeps the SDK from filling in $KUBECONFIG, which the Provider refuses next to it.
 */
function providerArgs(dest: Destination, namespace: string): k8s.ProviderArgs {
    if ("renderYamlTo" in dest) return { renderYamlToDirectory: dest.renderYamlTo, kubeconfig: "", namespace };
    return {
        kubeconfig: dest.kubeconfigText === undefined ? undefined : pulumi.secret(dest.kubeconfigText),
        context: dest.context || undefined,
        // Fixed: a changed kubeconfig or context must never replace the Provider (and with it every Deployment); the
        // program's target check makes sure it still reaches the same namespace of the same cluster.
        clusterIdentifier: "bookinfo-rollout",
        namespace,
    };
}

/** The stack's namespace, labelled with its stack and backend; under istio every pod of it is in the mesh. */
function namespaceArgs(args: BookinfoArgs): k8s.core.v1.NamespaceArgs {
    const mesh: Record<string, string> = args.plan.mesh ? { [MESH_NAMESPACE_LABEL]: "enabled" } : {};
    return {
        metadata: {
            name: args.namespace,
            annotations: { [BACKEND_ANNOTATION]: args.backend },
            labels: { [STACK_LABEL]: args.stackLabel, ...mesh },
        },
    };
}
