// Capacity invariant: v2 pods in service (app=reviews) run only the image that passed the smoke test, and the
// smoke test stays part of the deployment as a post-check.
import { APP_LABEL, REVIEWS_APP, SMOKE_PASSED_IMAGE_ANNOTATION } from "../../rollout/labels";
import { annotationsOf, LOCAL_COMMAND, podLabelsOf, podSpecOf, reviewsVersion } from "../lib/kubernetes";
import { darkStages, list } from "../lib/move-reasons";
import { RolloutPolicy } from "../lib/policy";

const inService = (type: string, props: Record<string, any>) =>
    reviewsVersion(type, props) === "v2" && podLabelsOf(props)[APP_LABEL] === REVIEWS_APP;

/** Images of the app containers (init containers do not serve). */
const imagesOf = (type: string, props: Record<string, any>) => (podSpecOf(type, props)?.containers ?? []).map((c) => c.image ?? "");

export const reviewsV2ServesOnlySmokePassedImage: RolloutPolicy = {
    name: "reviews-v2-serves-only-smoke-passed-image",
    description: "reviews v2 pods in service run the image that passed the smoke test, and the smoke test is part of the deployment.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (!inService(args.type, args.props)) return;
        const passed = annotationsOf(args.props)[SMOKE_PASSED_IMAGE_ANNOTATION] ?? "";
        for (const image of imagesOf(args.type, args.props)) {
            if (image === passed) continue;
            const last = passed === "" ? "no image has passed the smoke test yet" : `the image that passed the smoke test is ${passed}`;
            reportViolation(`reviews-v2 would put image ${image} in service (${APP_LABEL}=${REVIEWS_APP}), but ${last}: run ${list(darkStages())} with this image first, so the smoke test checks it before it takes traffic.`);
        }
    },
    validateStack: (args, reportViolation) => {
        const commands = args.resources.filter((r) => r.type === LOCAL_COMMAND);
        for (const r of args.resources) {
            if (!inService(r.type, r.props)) continue;
            for (const image of imagesOf(r.type, r.props)) {
                if (commands.some((c) => (c.props.triggers ?? []).includes(image))) continue;
                reportViolation(`reviews-v2 serves image ${image} but the stack has no smoke test for it (a ${LOCAL_COMMAND} triggered by that image): the smoke test must stay part of every goal state with v2 in service.`, r.urn);
            }
        }
    },
};
