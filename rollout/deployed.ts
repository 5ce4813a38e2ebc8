// What the program writes into the new inputs about what is deployed: the policy pack only sees new inputs, so
// the live state (read before any resource is declared) is carried into annotations and the state ConfigMap.
import * as pulumi from "@pulumi/pulumi";
import {
    FROM_STAGE_ANNOTATION,
    REVIEWS_DARK_APP,
    SMOKE_PASSED_IMAGE_ANNOTATION,
    TO_STAGE_ANNOTATION,
    V1_REPLICAS_ANNOTATION,
    V2_IMAGE_ANNOTATION,
} from "./labels";
import { StagePlan } from "./plan";
import { StageName, STAGE_NAMES, STAGES } from "./stages";
import { DeployedStage } from "./transitions";

/**
 * Name of the ReviewsRollout component. Its state ConfigMap is `<component name>-state`; the program reads it
 * before any resource exists, so the name is fixed rather than derived from the top-level component.
 */
export const ROLLOUT_COMPONENT_NAME = "reviews-rollout";
export const STATE_CONFIGMAP_NAME = `${ROLLOUT_COMPONENT_NAME}-state`;

/** The rollout state as read from the cluster's state ConfigMap. */
export interface LiveState {
    /** The stage the last successful `up` reached; "none" on a never-deployed stack. */
    stage: DeployedStage;
    /** The stage that one was entered from. */
    fromStage: DeployedStage;
    /** The v2 image of that stage ("" when it has no v2). */
    v2Image: string;
    /** The last v2 image that passed the smoke test ("" if none). */
    smokePassedImage: string;
}

export const NEVER_DEPLOYED: LiveState = { stage: "none", fromStage: "none", v2Image: "", smokePassedImage: "" };

/**
 * What render mode (config `renderYamlTo`) assumes instead of reading the cluster: nothing deployed, and the
 * configured v2 image already smoke-tested. So any stage renders as it IS once reached, never refused.
 */
export function renderedLiveState(v2Image: string): LiveState {
    return { ...NEVER_DEPLOYED, smokePassedImage: v2Image };
}

/** The stage where a new v2 image is smoke-tested before it may serve: from the table, the first dark v2 stage. */
export const SMOKE_TEST_STAGE: StageName = STAGES.find((s) => s.v2.replicas > 0 && s.v2.app === REVIEWS_DARK_APP)!.name;

/** The goal of this `up`: the stage plan plus what the state ConfigMap and the reviews Deployments carry. */
export interface RolloutGoal {
    plan: StagePlan;
    /** v2 image of this goal, "" when the stage has no v2. */
    v2Image: string;
    /** Annotations of the state ConfigMap; the reviews Deployments carry the stage ones (see below). */
    annotations: Record<string, string>;
    /** data of the state ConfigMap: what is deployed once this `up` succeeded. */
    data: { stage: StageName; v2Image: string; smokePassedImage: string };
}

/** Stage annotations of both reviews Deployments (the same values as on the state ConfigMap). */
export function stageAnnotations(goal: RolloutGoal): Record<string, string> {
    return {
        [TO_STAGE_ANNOTATION]: goal.annotations[TO_STAGE_ANNOTATION],
        [FROM_STAGE_ANNOTATION]: goal.annotations[FROM_STAGE_ANNOTATION],
    };
}

/** Annotations of the reviews-v2 Deployment: the stage ones plus the image that passed the smoke test. */
export function v2Annotations(goal: RolloutGoal): Record<string, string> {
    return { ...stageAnnotations(goal), [SMOKE_PASSED_IMAGE_ANNOTATION]: goal.annotations[SMOKE_PASSED_IMAGE_ANNOTATION] };
}

/**
 * Derives this `up`'s goal from the live state and the plan. Throws (before any resource is declared) when the
 * plan puts a v2 image in service that has not passed the smoke test.
 */
export function rolloutGoal(live: LiveState, plan: StagePlan, configuredV2Image: string, v1Replicas: number): RolloutGoal {
    const to = plan.stage.name;
    const hasV2 = plan.v2Replicas > 0;
    const v2Image = hasV2 ? configuredV2Image : "";
    if (plan.v2InService && live.smokePassedImage !== v2Image) {
        const passed = live.smokePassedImage ? `"${live.smokePassedImage}"` : "none yet";
        throw new pulumi.RunError(
            `stage "${to}" puts reviews v2 image "${v2Image}" in service, but that image has not passed the smoke ` +
                `test (last image that passed: ${passed}). Run stage ${SMOKE_TEST_STAGE} with this image first ` +
                `(\`pulumi config set stage ${SMOKE_TEST_STAGE}\`, \`pulumi up\`), then move on to "${to}".`,
        );
    }
    // A repeated `up` of the deployed stage keeps its from-stage, so staying put is a no-op.
    const from: DeployedStage = live.stage !== to ? live.stage : live.fromStage;
    return {
        plan,
        v2Image,
        annotations: {
            [TO_STAGE_ANNOTATION]: to,
            [FROM_STAGE_ANNOTATION]: from,
            [V2_IMAGE_ANNOTATION]: v2Image,
            // What live state says: on the up that first smoke-tests an image this is not yet that image.
            [SMOKE_PASSED_IMAGE_ANNOTATION]: live.smokePassedImage,
            [V1_REPLICAS_ANNOTATION]: String(v1Replicas),
        },
        // Written after the smoke test passed (the ConfigMap depends on it), so a stage with v2 has passed it with
        // this image; a stage without v2 carries the last passed image forward for a later restore.
        data: { stage: to, v2Image, smokePassedImage: hasV2 ? v2Image : live.smokePassedImage },
    };
}

function stageOrNone(value: string | undefined, what: string): DeployedStage {
    if (value === "none" || (STAGE_NAMES as readonly string[]).includes(value ?? "")) return value as DeployedStage;
    throw new pulumi.RunError(`${what} is ${JSON.stringify(value)}; expected one of: none, ${STAGE_NAMES.join(", ")}`);
}

/** Reads the live state out of the state ConfigMap's annotations and data; `where` names it in errors. */
export function liveStateFromConfigMap(
    cm: { metadata?: { annotations?: Record<string, string> }; data?: Record<string, string> },
    where: string,
): LiveState {
    const data = cm.data ?? {};
    return {
        stage: stageOrNone(data.stage, `data.stage of the live state ConfigMap ${where}`),
        fromStage: stageOrNone(
            cm.metadata?.annotations?.[FROM_STAGE_ANNOTATION],
            `annotation ${FROM_STAGE_ANNOTATION} of the live state ConfigMap ${where}`,
        ),
        v2Image: data.v2Image ?? "",
        smokePassedImage: data.smokePassedImage ?? "",
    };
}
