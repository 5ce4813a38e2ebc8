// Render mode (config renderYamlTo): the Provider writes YAML instead of applying, no smoke test is declared, and
// every stage renders as it is once reached, as if its v2 image had passed the smoke test.
import * as assert from "assert";
import { build, DEFAULT_V2_IMAGE } from "./program";
import { FROM_STAGE_ANNOTATION, SMOKE_PASSED_IMAGE_ANNOTATION } from "../../rollout/labels";
import { STAGE_NAMES } from "../../rollout/stages";

const DIR = "/tmp/bookinfo-render";

describe("render mode (renderYamlTo)", () => {
    it("points the Provider at the directory and gives it no cluster", async () => {
        const { resources } = await build({ stage: "v1-only", renderYamlTo: DIR });
        const provider = resources.find((r) => r.type === "pulumi:providers:kubernetes")!;
        assert.strictEqual(provider.inputs.renderYamlToDirectory, DIR);
        assert.strictEqual(provider.inputs.kubeconfig, "", "empty, or the SDK fills in $KUBECONFIG");
        assert.strictEqual(provider.inputs.clusterIdentifier, undefined);
    });

    it("applies to the cluster when unset", async () => {
        const { resources } = await build({ stage: "v1-only" });
        const provider = resources.find((r) => r.type === "pulumi:providers:kubernetes")!;
        assert.strictEqual(provider.inputs.renderYamlToDirectory, undefined);
        assert.strictEqual(provider.inputs.clusterIdentifier, "unit-cluster");
    });

    for (const stage of STAGE_NAMES) {
        it(`renders ${stage} on a never-deployed stack, without a smoke test`, async () => {
            const { resources, plan } = await build({ stage, renderYamlTo: DIR });
            assert.ok(!resources.some((r) => r.type === "command:local:Command"), "no smoke test in render mode");
            const state = resources.find((r) => r.inputs.metadata?.name === "reviews-rollout-state")!;
            assert.strictEqual(state.inputs.metadata.annotations[FROM_STAGE_ANNOTATION], "none");
            assert.strictEqual(state.inputs.data.smokePassedImage, DEFAULT_V2_IMAGE);
            const v2 = resources.find((r) => r.inputs.metadata?.name === "reviews-v2");
            assert.strictEqual(v2?.inputs.spec.replicas, plan.v2Replicas || undefined);
            if (v2) assert.strictEqual(v2.inputs.metadata.annotations[SMOKE_PASSED_IMAGE_ANNOTATION], DEFAULT_V2_IMAGE);
        });
    }
});
