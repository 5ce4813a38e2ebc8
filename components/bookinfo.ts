import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { bookinfoImage } from "../rollout/config";
import { BACKEND_ANNOTATION, STACK_LABEL } from "../rollout/labels";
import { LiveStage } from "../rollout/moves";
import { Plan } from "../rollout/plan";
import { MESH_NAMESPACE_LABEL } from "../rollout/mesh-objects";
import { BookinfoService, BookinfoServiceArgs } from "./bookinfo-service";
import { BOOKINFO_PORT } from "./pod-template";
import { ReviewsRollout } from "./reviews-rollout";

/** Test client of Istio's samples (samples/sleep/sleep.yaml): curls pods from inside the cluster. */
const SLEEP_IMAGE = "curlimages/curl:8.11.1";

/**
 * The other Bookinfo workloads, Deployment name -> image, as Bookinfo declares them: the guard compares this with
 * the live images, so it is the one place that names them.
 */
export function serviceImages(imageRegistry: string, imageTag: string): Record<string, string> {
    const v1 = (app: string) => bookinfoImage(imageRegistry, imageTag, `${app}-v1`);
    return { "details-v1": v1("details"), "ratings-v1": v1("ratings"), "productpage-v1": v1("productpage"), sleep: SLEEP_IMAGE };
}

/** Name of the ReviewsRollout child: fixed, so its Deployments keep their URNs from release to release. */
export const ROLLOUT_COMPONENT_NAME = "reviews-rollout";

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
    /** Registry and tag of productpage, details and ratings (`<registry>/examples-bookinfo-<app>-v1:<tag>`). */
    imageRegistry: string;
    imageTag: string;
    /** The configured stage's plan (rollout/plan.ts), judged before: what reviews renders, and how it gets traffic. */
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
 * Istio's Bookinfo in one namespace, through one explicit kubernetes Provider: productpage, details, ratings, the
 * `sleep` test client, and reviews as a staged rollout of a release (ReviewsRollout). Kubernetes object names are
 * fixed like upstream's (productpage-v1, reviews-v2, ...), so one stack holds one Bookinfo.
 */
export class Bookinfo extends pulumi.ComponentResource {
    public readonly provider: k8s.Provider;
    public readonly namespace: k8s.core.v1.Namespace;
    public readonly services: Record<"details" | "ratings" | "productpage" | "sleep", BookinfoService>;
    public readonly reviews: ReviewsRollout;
    public readonly extraServices: BookinfoService[];

    constructor(name: string, args: BookinfoArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("bookinfo:index:Bookinfo", name, {}, opts);
        const dest = args.destination;
        const rendering = "renderYamlTo" in dest;

        this.provider = new k8s.Provider(
            `${name}-k8s`,
            {
                // Render mode: the Provider writes each object's YAML under that directory and applies nothing. The
                // empty kubeconfig keeps the SDK from filling in $KUBECONFIG, which the Provider refuses next to it.
                ...(rendering
                    ? { renderYamlToDirectory: dest.renderYamlTo, kubeconfig: "" }
                    : {
                          kubeconfig: dest.kubeconfigText === undefined ? undefined : pulumi.secret(dest.kubeconfigText),
                          context: dest.context || undefined,
                          // Fixed: a changed kubeconfig or context must never replace the Provider (and with it
                          // every Deployment); the program's target check makes sure it still reaches the same
                          // namespace of the same cluster.
                          clusterIdentifier: "bookinfo-rollout",
                      }),
                namespace: args.namespace,
            },
            { parent: this },
        );
        const childOpts = { parent: this, provider: this.provider };

        this.namespace = new k8s.core.v1.Namespace(
            `${name}-ns`,
            {
                metadata: {
                    name: args.namespace,
                    annotations: { [BACKEND_ANNOTATION]: args.backend },
                    // istio: every pod of the namespace in the mesh, so every client of reviews takes the route.
                    labels: { [STACK_LABEL]: args.stackLabel, ...(args.plan.mesh ? { [MESH_NAMESPACE_LABEL]: "enabled" } : {}) },
                },
            },
            { ...childOpts, protect: args.protect },
        );
        const namespace = this.namespace.metadata.name;
        const images = serviceImages(args.imageRegistry, args.imageTag);

        const app = (appName: string, more: Partial<BookinfoServiceArgs> = {}) =>
            new BookinfoService(
                `${name}-${appName}`,
                {
                    namespace,
                    app: appName,
                    version: "v1",
                    image: images[`${appName}-v1`],
                    serviceAccountName: `bookinfo-${appName}`,
                    containerPort: BOOKINFO_PORT,
                    servicePort: BOOKINFO_PORT,
                    retainOnDelete: args.protect,
                    ...more,
                },
                childOpts,
            );
        this.services = {
            details: app("details"),
            ratings: app("ratings"),
            productpage: app("productpage", {
                emptyDirs: { tmp: "/tmp" },
                podAnnotations: { "prometheus.io/scrape": "true", "prometheus.io/port": `${BOOKINFO_PORT}`, "prometheus.io/path": "/metrics" },
            }),
            sleep: app("sleep", {
                version: undefined,
                image: images.sleep,
                serviceAccountName: "sleep",
                containerPort: undefined,
                servicePort: 80,
                command: ["/bin/sleep", "infinity"],
            }),
        };

        this.extraServices = Array.from({ length: args.extraServices ?? 0 }, (_, i) =>
            app(`extra-${i + 1}`, { image: images["details-v1"], serviceAccountName: `bookinfo-extra-${i + 1}` }),
        );

        this.reviews = new ReviewsRollout(
            ROLLOUT_COMPONENT_NAME,
            {
                namespace,
                namespaceName: args.namespace,
                plan: args.plan,
                from: args.from,
                retainOnDelete: args.protect,
                // Rendered pods do not exist: there is nothing to gate.
                gate: rendering
                    ? undefined
                    : { kubeconfig: dest.kubeconfigPath, context: dest.context, client: this.services.sleep.deployment, productpage: this.services.productpage.deployment },
            },
            childOpts,
        );
        this.registerOutputs({ namespace: this.namespace.metadata.name });
    }
}
