// A stage resolved with the stack's replica overrides: the concrete shape of the reviews workloads.
import { REVIEWS_APP } from "./labels";
import { Stage, StageName, STAGES } from "./stages";

export interface ReplicaOverrides {
    /** v1 pods in every stage that has v1 (the tutorial's 3). */
    v1Replicas?: number;
    /** v2 pods for the selected stage, when it has v2. */
    v2Replicas?: number;
}

export interface StagePlan {
    stage: Stage;
    v1Replicas: number;
    v2Replicas: number;
    v2App: string;
    v2InService: boolean;
    /** Pods the reviews Service selects. */
    servingPods: { v1: number; v2: number };
    /** Expected share of reviews requests answered by v2, in percent (pod ratio behind the Service). */
    v2SharePercent: number;
}

export function stageByName(name: StageName): Stage {
    const stage = STAGES.find((s) => s.name === name);
    if (!stage) throw new Error(`unknown stage "${name}"; allowed: ${STAGES.map((s) => s.name).join(", ")}`);
    return stage;
}

export function planStage(name: StageName, overrides: ReplicaOverrides = {}): StagePlan {
    const stage = stageByName(name);
    const v1Replicas = stage.v1.present ? overrides.v1Replicas ?? stage.v1.replicas : 0;
    const v2Replicas = stage.v2.replicas > 0 ? overrides.v2Replicas ?? stage.v2.replicas : 0;
    const v2InService = v2Replicas > 0 && stage.v2.app === REVIEWS_APP;
    const servingPods = { v1: v1Replicas, v2: v2InService ? v2Replicas : 0 };
    const total = servingPods.v1 + servingPods.v2;
    const v2SharePercent = total === 0 ? 0 : Math.round((1000 * servingPods.v2) / total) / 10;
    return { stage, v1Replicas, v2Replicas, v2App: stage.v2.app, v2InService, servingPods, v2SharePercent };
}
