// Transition guard: only the moves of the stage table's graph (MOVES), judged against the DEPLOYED stage that the
// program carries into the inputs (from-stage annotation), so `pulumi preview` refuses a jump before anything runs.
import { PolicyConfigSchema } from "@pulumi/policy";
import {
    FROM_STAGE_ANNOTATION,
    SMOKE_PASSED_IMAGE_ANNOTATION,
    TO_STAGE_ANNOTATION,
    V2_IMAGE_ANNOTATION,
} from "../../rollout/labels";
import { STAGE_NAMES, StageName } from "../../rollout/stages";
import { DeployedStage, judgeMove } from "../../rollout/transitions";
import { configWithDefaults } from "../lib/config";
import { annotationsOf, isStateConfigMap, reviewsVersion } from "../lib/kubernetes";
import { allowedText, darkStages, list, moveName, whyRefused } from "../lib/move-reasons";
import { RolloutPolicy } from "../lib/policy";

export interface StageMoveConfig {
    /** Allow v1-only -> canary for a v2 image that already passed the smoke test. */
    allowRestoreCanary: boolean;
}

const configSchema: PolicyConfigSchema = {
    properties: {
        allowRestoreCanary: {
            type: "boolean",
            default: true,
            description: "Allow v1-only -> canary (restore) for a v2 image that already passed the smoke test",
        },
    },
};

/** What the guard needs to know about the images of a restore move; undefined where the resource has none. */
export interface RestoreImages {
    v2Image: string;
    smokePassedImage: string;
}

const isStage = (value: string): value is StageName => (STAGE_NAMES as readonly string[]).includes(value);

/** The refusal message for from -> to, or undefined when the move is allowed. */
export function judgeStageMove(
    from: string | undefined,
    to: string | undefined,
    images: RestoreImages | undefined,
    config: StageMoveConfig,
): string | undefined {
    const stages = `allowed stages: ${STAGE_NAMES.join(", ")}`;
    if (to === undefined || !isStage(to)) return `annotation ${TO_STAGE_ANNOTATION} is "${to ?? ""}": not a stage; ${stages}.`;
    if (from === undefined || (from !== "none" && !isStage(from))) {
        return `annotation ${FROM_STAGE_ANNOTATION} is "${from ?? ""}": not a deployed stage; ${stages}, or "none" for a never-deployed stack.`;
    }
    const deployed = from as DeployedStage;
    const verdict = judgeMove(deployed, to);
    const move = moveName(deployed, to);
    if (!verdict.allowed) return `${move} is refused: ${whyRefused(deployed, to)}. ${allowedText(deployed)}`;
    if (verdict.move?.kind !== "restore") return undefined;
    if (!config.allowRestoreCanary) {
        return `${move} (restore) is refused: policy config allowRestoreCanary is false, so v2 must pass the smoke test again on the way up. ${allowedText(deployed, ["restore"])}`;
    }
    if (images && (images.smokePassedImage === "" || images.smokePassedImage !== images.v2Image)) {
        const passed = images.smokePassedImage === "" ? "no image has passed it yet" : `the last image that passed it is ${images.smokePassedImage}`;
        return `${move} (restore) is refused: it would put ${images.v2Image || "a v2 image"} in service without a smoke test, and only an image that already passed one may skip ${list(darkStages())}; ${passed}. ${allowedText(deployed, ["restore"])}`;
    }
    return undefined;
}

export const reviewsStageMoveAllowed: RolloutPolicy = {
    name: "reviews-stage-move-allowed",
    description: "A stage change follows the stage table's transition graph, judged against the deployed stage.",
    enforcementLevel: "mandatory",
    configSchema,
    validateResource: (args, reportViolation) => {
        const config = configWithDefaults<StageMoveConfig>(configSchema, args.getConfig());
        const annotations = annotationsOf(args.props);
        const from = annotations[FROM_STAGE_ANNOTATION];
        const to = annotations[TO_STAGE_ANNOTATION];
        let images: RestoreImages | undefined;
        if (isStateConfigMap(args.type, args.props)) {
            images = { v2Image: annotations[V2_IMAGE_ANNOTATION] ?? "", smokePassedImage: annotations[SMOKE_PASSED_IMAGE_ANNOTATION] ?? "" };
        } else {
            const version = reviewsVersion(args.type, args.props);
            if (version === undefined) return;
            if (to === undefined) {
                reportViolation(`reviews Deployment ${args.props.metadata?.name ?? args.name} has no ${TO_STAGE_ANNOTATION} annotation: the program must carry the requested and the deployed stage (${FROM_STAGE_ANNOTATION}) on every reviews Deployment so this guard can judge the move.`);
                return;
            }
            const image = args.props.spec?.template?.spec?.containers?.[0]?.image;
            if (version === "v2" && annotations[SMOKE_PASSED_IMAGE_ANNOTATION] !== undefined && image !== undefined) {
                images = { v2Image: image, smokePassedImage: annotations[SMOKE_PASSED_IMAGE_ANNOTATION] };
            }
        }
        const refusal = judgeStageMove(from, to, images, config);
        if (refusal) reportViolation(refusal);
    },
    validateStack: (args, reportViolation) => {
        if (args.resources.some((r) => isStateConfigMap(r.type, r.props))) return;
        for (const r of args.resources) {
            if (reviewsVersion(r.type, r.props) === undefined) continue;
            reportViolation(`the stack declares reviews Deployment ${r.props.metadata?.name ?? r.name} but no rollout state ConfigMap (a ConfigMap annotated ${TO_STAGE_ANNOTATION}): the deployed stage is not recorded, so the next stage change cannot be judged.`, r.urn);
        }
    },
};
