// Reads and validates the stack config, reads what is deployed, declares Bookinfo, exports what the stage means.
import { Bookinfo } from "./components/bookinfo";
import { readRolloutConfig } from "./rollout/config";
import { renderedLiveState, rolloutGoal } from "./rollout/deployed";
import { FROM_STAGE_ANNOTATION } from "./rollout/labels";
import { connect, readLiveState } from "./rollout/live-state";
import { planStage } from "./rollout/plan";

export = async () => {
    // Everything that can refuse the run (config, cluster access, an untested image) runs before any resource.
    const config = readRolloutConfig();
    const plan = planStage(config.stage, config);
    // Render mode (config renderYamlTo) writes manifests and touches no cluster: it reads no live state and shows
    // what the stage IS, as if its v2 image had passed the smoke test.
    const access = config.renderYamlTo ? undefined : await connect(config.kubeconfig, config.context);
    const live = access ? await readLiveState(access, config.namespace) : renderedLiveState(config.v2Image);
    const goal = rolloutGoal(live, plan, config.v2Image, config.v1Replicas);

    const bookinfo = new Bookinfo("bookinfo", {
        config,
        goal,
        cluster: access && { kubeconfigText: access.kubeconfigText, clusterIdentifier: access.context },
    });

    const smokeTest = bookinfo.reviews.smokeTest;
    return {
        stage: plan.stage.name,
        fromStage: goal.annotations[FROM_STAGE_ANNOTATION],
        namespace: bookinfo.namespace.metadata.name,
        podsPerVersion: { v1: plan.v1Replicas, v2: plan.v2Replicas },
        servingPods: plan.servingPods,
        v2SharePercent: plan.v2SharePercent,
        v2Image: goal.v2Image,
        smokeTest: smokeTest
            ? smokeTest.stdout.apply((out) => out.trim().split("\n").pop() ?? "")
            : `not run: ${config.renderYamlTo ? "render mode" : "no v2 in this stage"}`,
    };
};
