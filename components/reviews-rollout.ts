import * as command from "@pulumi/command";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { RolloutGoal, stageAnnotations, v2Annotations } from "../rollout/deployed";
import { APP_LABEL, Fault, FAULT_ANNOTATION, REVIEWS_APP, REVIEWS_WORKLOAD, VERSION_LABEL, WORKLOAD_LABEL } from "../rollout/labels";
import { SMOKE_ENV } from "../rollout/smoke-env";
import { CONTAINER_RESOURCES, DEPLOYMENT_TIMEOUTS } from "./bookinfo-service";

const REVIEWS_PORT = 9080;

/**
 * The compiled smoke test script (`npm run build`), relative to the working directory the engine gives the program
 * and its providers alike, so the command text is the same in every checkout and never re-runs the test by itself.
 */
export function smokeTestCommand(): string {
    return `node ${path.relative(process.cwd(), path.join(__dirname, "..", "rollout", "smoke-test.js"))}`;
}

export interface ReviewsRolloutArgs {
    /** Namespace of every object (an Output of the Namespace resource, so it is created first). */
    namespace: pulumi.Input<string>;
    /** This `up`'s goal: stage plan, v2 image and what the state ConfigMap records (rollout/deployed.ts). */
    goal: RolloutGoal;
    v1Image: string;
    /** Local cluster only: annotate v2 pods so the pod server misbehaves ("none" leaves them healthy). */
    v2Fault: Fault | "none";
    /** The `sleep` client Deployment: the smoke test curls each v2 pod from its pod. */
    client: k8s.apps.v1.Deployment;
    /** Declare the smoke test; false in render mode, where no pod runs. */
    smokeTest: boolean;
    /** kubeconfig path and context for kubectl in the smoke test: the stack's config values ("" = kubectl's default). */
    kubeconfig: string;
    context: string;
}

/**
 * The reviews Service, the reviews-v1 and reviews-v2 Deployments shaped by the stage plan, the v2 smoke test and
 * the state ConfigMap that records what was deployed. The Deployments select on {workload, version}, identical
 * in every stage, so a stage change is an in-place update (or a delete of a version the stage drops), never a
 * replacement: the `app` label that moves v2 in and out of service is not part of the selector.
 */
export class ReviewsRollout extends pulumi.ComponentResource {
    public readonly serviceAccount: k8s.core.v1.ServiceAccount;
    public readonly service: k8s.core.v1.Service;
    /** Absent in stages without v1 (promoted). */
    public readonly v1?: k8s.apps.v1.Deployment;
    /** Absent in stages without v2 (v1-only). */
    public readonly v2?: k8s.apps.v1.Deployment;
    /** Present whenever the stage has v2 (except in render mode); re-runs when the v2 image or the stage changes. */
    public readonly smokeTest?: command.local.Command;
    public readonly state: k8s.core.v1.ConfigMap;

    constructor(name: string, args: ReviewsRolloutArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("bookinfo:index:ReviewsRollout", name, {}, opts);
        const childOpts = { parent: this, provider: opts.provider };
        const { goal } = args;
        const { plan } = goal;

        this.serviceAccount = new k8s.core.v1.ServiceAccount(
            `${name}-sa`,
            { metadata: { name: "bookinfo-reviews", namespace: args.namespace, labels: { account: "reviews" } } },
            childOpts,
        );
        this.service = new k8s.core.v1.Service(
            `${name}-service`,
            {
                metadata: { name: "reviews", namespace: args.namespace, labels: { [APP_LABEL]: REVIEWS_APP, service: "reviews" } },
                spec: { ports: [{ name: "http", port: REVIEWS_PORT }], selector: { [APP_LABEL]: REVIEWS_APP } },
            },
            childOpts,
        );

        /** reviews-<version>: selector {workload, version} in every stage; `app` decides whether it serves. */
        const deployment = (
            version: "v1" | "v2",
            app: string,
            replicas: number,
            image: string,
            annotations: Record<string, string>,
            podAnnotations?: Record<string, string>,
        ) => {
            const selector = { [WORKLOAD_LABEL]: REVIEWS_WORKLOAD, [VERSION_LABEL]: version };
            const labels = { [APP_LABEL]: app, ...selector };
            return new k8s.apps.v1.Deployment(
                `${name}-${version}`,
                {
                    metadata: { name: `reviews-${version}`, namespace: args.namespace, labels, annotations },
                    spec: {
                        replicas,
                        selector: { matchLabels: selector },
                        template: {
                            metadata: { labels, annotations: podAnnotations },
                            spec: {
                                serviceAccountName: this.serviceAccount.metadata.name,
                                containers: [
                                    {
                                        name: "reviews",
                                        image,
                                        imagePullPolicy: "IfNotPresent",
                                        resources: CONTAINER_RESOURCES,
                                        env: [{ name: "LOG_DIR", value: "/tmp/logs" }],
                                        ports: [{ containerPort: REVIEWS_PORT }],
                                        volumeMounts: [
                                            { name: "tmp", mountPath: "/tmp" },
                                            { name: "wlp-output", mountPath: "/opt/ibm/wlp/output" },
                                        ],
                                    },
                                ],
                                volumes: [
                                    { name: "tmp", emptyDir: {} },
                                    { name: "wlp-output", emptyDir: {} },
                                ],
                            },
                        },
                    },
                },
                { ...childOpts, customTimeouts: DEPLOYMENT_TIMEOUTS },
            );
        };

        if (plan.v1Replicas > 0) {
            this.v1 = deployment("v1", REVIEWS_APP, plan.v1Replicas, args.v1Image, stageAnnotations(goal));
        }
        if (plan.v2Replicas > 0) {
            const faults = args.v2Fault === "none" ? undefined : { [FAULT_ANNOTATION]: args.v2Fault };
            this.v2 = deployment("v2", plan.v2App, plan.v2Replicas, goal.v2Image, v2Annotations(goal), faults);
        }
        if (this.v2 && args.smokeTest) {
            this.smokeTest = new command.local.Command(
                `${name}-v2-smoke-test`,
                {
                    create: smokeTestCommand(),
                    environment: {
                        [SMOKE_ENV.namespace]: args.namespace,
                        [SMOKE_ENV.kubeconfig]: args.kubeconfig,
                        [SMOKE_ENV.context]: args.context,
                        [SMOKE_ENV.image]: goal.v2Image,
                        [SMOKE_ENV.pods]: String(plan.v2Replicas),
                    },
                    triggers: [goal.v2Image, plan.stage.name],
                },
                { parent: this, dependsOn: [this.v2, args.client] },
            );
        }

        this.state = new k8s.core.v1.ConfigMap(
            `${name}-state`,
            {
                metadata: {
                    name: `${name}-state`,
                    namespace: args.namespace,
                    labels: { [WORKLOAD_LABEL]: REVIEWS_WORKLOAD },
                    annotations: goal.annotations,
                },
                data: goal.data,
            },
            // Written last: it records the stage as reached only once the Deployments and the smoke test succeeded.
            { ...childOpts, dependsOn: [this.v1, this.v2, this.smokeTest].flatMap((r) => (r ? [r] : [])) },
        );
        this.registerOutputs({});
    }
}
