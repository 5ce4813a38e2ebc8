// Builds the program for one config and live state, as index.ts does but without the cluster: the harness import
// comes first so the mocks are in place before any component module loads.
import { declaredResources, reset, settle } from "./harness";
import { Bookinfo } from "../../components/bookinfo";
import { readRolloutConfig } from "../../rollout/config";
import { LiveState, NEVER_DEPLOYED, renderedLiveState, rolloutGoal } from "../../rollout/deployed";
import { planStage } from "../../rollout/plan";
import { StageName } from "../../rollout/stages";

export const DEFAULT_V2_IMAGE = "docker.io/istio/examples-bookinfo-reviews-v2:1.20.3";

/** Live state of a stack that reached `stage` (entered from `from`) and whose v2 image passed the smoke test. */
export function liveAt(stage: StageName, options: Partial<LiveState> = {}): LiveState {
    return { stage, fromStage: "none", v2Image: DEFAULT_V2_IMAGE, smokePassedImage: DEFAULT_V2_IMAGE, ...options };
}

export async function build(config: Record<string, string>, live: LiveState = NEVER_DEPLOYED) {
    reset(config);
    const cfg = readRolloutConfig();
    const plan = planStage(cfg.stage, cfg);
    // As index.ts: render mode reads no live state and talks to no cluster.
    const rendering = cfg.renderYamlTo !== "";
    const goal = rolloutGoal(rendering ? renderedLiveState(cfg.v2Image) : live, plan, cfg.v2Image, cfg.v1Replicas);
    const cluster = rendering ? undefined : { clusterIdentifier: "unit-cluster" };
    const bookinfo = new Bookinfo("bookinfo", { config: cfg, goal, cluster });
    await settle(bookinfo);
    return { bookinfo, goal, plan, resources: declaredResources() };
}
