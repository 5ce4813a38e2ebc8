import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { bookinfoImage, RolloutConfig } from "../rollout/config";
import { RolloutGoal, ROLLOUT_COMPONENT_NAME } from "../rollout/deployed";
import { BookinfoService, BookinfoServiceArgs } from "./bookinfo-service";
import { ReviewsRollout } from "./reviews-rollout";

/** Test client of Istio's samples (samples/sleep/sleep.yaml): curls pods from inside the cluster. */
const SLEEP_IMAGE = "curlimages/curl:8.11.1";

export interface BookinfoArgs {
    /** The validated stack config (rollout/config.ts). */
    config: RolloutConfig;
    /** This `up`'s goal for reviews, derived from config and live state (rollout/deployed.ts). */
    goal: RolloutGoal;
    /**
     * Text of the configured kubeconfig file (undefined: the Provider uses $KUBECONFIG / ~/.kube/config), and a
     * stable name of the cluster so a changed kubeconfig text (new certificates, new port) updates the Provider
     * instead of replacing it and everything it manages. Undefined in render mode (config `renderYamlTo`).
     */
    cluster?: { kubeconfigText?: string; clusterIdentifier: string };
}

/**
 * Istio's Bookinfo in one namespace, through one explicit kubernetes Provider: productpage, details, ratings, the
 * `sleep` test client, and reviews as a staged rollout of v2 (ReviewsRollout). Kubernetes object names are fixed
 * like upstream's (reviews-v1, productpage, ...), so one stack holds one Bookinfo.
 */
export class Bookinfo extends pulumi.ComponentResource {
    public readonly provider: k8s.Provider;
    public readonly namespace: k8s.core.v1.Namespace;
    public readonly details: BookinfoService;
    public readonly ratings: BookinfoService;
    public readonly productpage: BookinfoService;
    public readonly sleep: BookinfoService;
    public readonly reviews: ReviewsRollout;

    constructor(name: string, args: BookinfoArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("bookinfo:index:Bookinfo", name, {}, opts);
        const { config, goal, cluster } = args;
        const image = (app: string) => bookinfoImage(config.imageRegistry, config.imageTag, app);

        this.provider = new k8s.Provider(
            `${name}-k8s`,
            {
                // Render mode: the Provider writes each object's YAML under that directory and applies nothing. The
                // empty kubeconfig keeps the SDK from filling in $KUBECONFIG, which the Provider refuses next to it.
                ...(cluster
                    ? {
                          kubeconfig: cluster.kubeconfigText === undefined ? undefined : pulumi.secret(cluster.kubeconfigText),
                          context: config.context || undefined,
                          clusterIdentifier: cluster.clusterIdentifier,
                      }
                    : { renderYamlToDirectory: config.renderYamlTo, kubeconfig: "" }),
                namespace: config.namespace,
                // The state ConfigMap changes every stage: update it in place. The default replaces a changed
                // ConfigMap, and a fixed-name replacement deletes first, so a killed up could lose the record.
                enableConfigMapMutable: true,
            },
            { parent: this },
        );
        const childOpts = { parent: this, provider: this.provider };

        this.namespace = new k8s.core.v1.Namespace(`${name}-ns`, { metadata: { name: config.namespace } }, childOpts);
        const namespace = this.namespace.metadata.name;

        const app = (appName: string, more: Partial<BookinfoServiceArgs> = {}) =>
            new BookinfoService(
                `${name}-${appName}`,
                {
                    namespace,
                    app: appName,
                    version: "v1",
                    image: image(`${appName}-v1`),
                    serviceAccountName: `bookinfo-${appName}`,
                    containerPort: 9080,
                    servicePort: 9080,
                    ...more,
                },
                childOpts,
            );
        this.details = app("details");
        this.ratings = app("ratings");
        this.productpage = app("productpage", {
            emptyDirs: { tmp: "/tmp" },
            podAnnotations: { "prometheus.io/scrape": "true", "prometheus.io/port": "9080", "prometheus.io/path": "/metrics" },
        });
        this.sleep = app("sleep", {
            version: undefined,
            image: SLEEP_IMAGE,
            serviceAccountName: "sleep",
            containerPort: undefined,
            servicePort: 80,
            command: ["/bin/sleep", "infinity"],
        });

        this.reviews = new ReviewsRollout(
            ROLLOUT_COMPONENT_NAME,
            {
                namespace,
                goal,
                v1Image: image("reviews-v1"),
                v2Fault: config.v2Fault,
                client: this.sleep.deployment,
                // Rendered pods do not exist: there is nothing to smoke-test.
                smokeTest: !config.renderYamlTo,
                kubeconfig: config.kubeconfig,
                context: config.context,
            },
            childOpts,
        );
        this.registerOutputs({});
    }
}
