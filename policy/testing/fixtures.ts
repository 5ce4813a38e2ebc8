// A valid goal state for any stage, built to the program/policy contract: each spec changes one field of it and
// asserts the exact violation.
import {
    APP_LABEL,
    FROM_STAGE_ANNOTATION,
    REVIEWS_APP,
    REVIEWS_WORKLOAD,
    SMOKE_PASSED_IMAGE_ANNOTATION,
    TO_STAGE_ANNOTATION,
    V1_REPLICAS_ANNOTATION,
    V2_IMAGE_ANNOTATION,
    VERSION_LABEL,
    WORKLOAD_LABEL,
} from "../../rollout/labels";
import { StageName } from "../../rollout/stages";
import { DeployedStage } from "../../rollout/transitions";
import { planStage } from "../../rollout/plan";
import { CONFIG_MAP, DEPLOYMENT, LOCAL_COMMAND, SERVICE } from "../lib/kubernetes";
import { TestResource } from "./harness";

export const V1_IMAGE = "docker.io/istio/examples-bookinfo-reviews-v1:1.20.3";
export const V2_IMAGE = "docker.io/istio/examples-bookinfo-reviews-v2:1.20.3";

export interface GoalOptions {
    /** Deployed stage; defaults to the goal stage (a repeated `up`). */
    from?: DeployedStage;
    v2Image?: string;
    /** Image that passed the smoke test per live state; defaults to the goal's v2 image. */
    smokePassed?: string;
    v1Replicas?: number;
    v2Replicas?: number;
}

function reviewsDeployment(version: "v1" | "v2", app: string, replicas: number, image: string, annotations: Record<string, string>): TestResource {
    const labels = { [APP_LABEL]: app, [VERSION_LABEL]: version, [WORKLOAD_LABEL]: REVIEWS_WORKLOAD };
    return {
        type: DEPLOYMENT,
        name: `reviews-${version}`,
        props: {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: `reviews-${version}`, labels, annotations },
            spec: {
                replicas,
                selector: { matchLabels: { [WORKLOAD_LABEL]: REVIEWS_WORKLOAD, [VERSION_LABEL]: version } },
                template: {
                    metadata: { labels },
                    spec: {
                        serviceAccountName: "bookinfo-reviews",
                        containers: [
                            {
                                name: "reviews",
                                image,
                                ports: [{ containerPort: 9080 }],
                                resources: { requests: { cpu: "10m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
                            },
                        ],
                    },
                },
            },
        },
    };
}

/** Every reviews resource the program declares for `stage`. */
export function goal(stage: StageName, options: GoalOptions = {}): TestResource[] {
    const plan = planStage(stage, { v1Replicas: options.v1Replicas, v2Replicas: options.v2Replicas });
    const v2Image = plan.v2Replicas > 0 ? options.v2Image ?? V2_IMAGE : "";
    const smokePassed = options.smokePassed ?? options.v2Image ?? V2_IMAGE;
    const v1Replicas = options.v1Replicas ?? 3;
    const moveAnnotations = { [FROM_STAGE_ANNOTATION]: options.from ?? stage, [TO_STAGE_ANNOTATION]: stage };
    const resources: TestResource[] = [
        {
            type: CONFIG_MAP,
            name: "reviews-rollout-state",
            props: {
                apiVersion: "v1",
                kind: "ConfigMap",
                metadata: {
                    name: "reviews-rollout-state",
                    labels: { [WORKLOAD_LABEL]: REVIEWS_WORKLOAD },
                    annotations: {
                        ...moveAnnotations,
                        [V2_IMAGE_ANNOTATION]: v2Image,
                        [SMOKE_PASSED_IMAGE_ANNOTATION]: smokePassed,
                        [V1_REPLICAS_ANNOTATION]: String(v1Replicas),
                    },
                },
                data: { stage, v2Image, smokePassedImage: smokePassed },
            },
        },
        {
            type: SERVICE,
            name: "reviews",
            props: {
                apiVersion: "v1",
                kind: "Service",
                metadata: { name: "reviews", labels: { [APP_LABEL]: REVIEWS_APP, service: "reviews" } },
                spec: { selector: { [APP_LABEL]: REVIEWS_APP }, ports: [{ name: "http", port: 9080 }] },
            },
        },
    ];
    if (plan.v1Replicas > 0) resources.push(reviewsDeployment("v1", REVIEWS_APP, plan.v1Replicas, V1_IMAGE, moveAnnotations));
    if (plan.v2Replicas > 0) {
        resources.push(
            reviewsDeployment("v2", plan.v2App, plan.v2Replicas, v2Image, { ...moveAnnotations, [SMOKE_PASSED_IMAGE_ANNOTATION]: smokePassed }),
            {
                type: LOCAL_COMMAND,
                name: "reviews-rollout-v2-smoke-test",
                props: { create: "node scripts/smoke-test.mjs", triggers: [v2Image, stage] },
            },
        );
    }
    return resources;
}

/** A deep copy of the named resource of a goal state, ready to have one field changed. */
export function pick(resources: TestResource[], name: string): TestResource {
    const found = resources.find((r) => r.name === name);
    if (!found) throw new Error(`fixture has no resource ${name}; it has ${resources.map((r) => r.name).join(", ")}`);
    return structuredClone(found);
}

/** The goal state with one resource replaced or removed. */
export function withResource(resources: TestResource[], name: string, replacement?: TestResource): TestResource[] {
    return resources.flatMap((r) => (r.name !== name ? [r] : replacement ? [replacement] : []));
}
