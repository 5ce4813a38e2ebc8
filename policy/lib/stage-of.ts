// The stage a resource belongs to, read from the to-stage annotation the program puts on it.
import { TO_STAGE_ANNOTATION } from "../../rollout/labels";
import { Stage, STAGES } from "../../rollout/stages";
import { annotationsOf } from "./kubernetes";

/** The requested stage of a resource, or undefined when it carries none or an unknown one (the guard reports that). */
export function requestedStage(props: Record<string, any>): Stage | undefined {
    const to = annotationsOf(props)[TO_STAGE_ANNOTATION];
    return STAGES.find((s) => s.name === to);
}
