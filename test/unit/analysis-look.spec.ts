// Which stages the analysis looks at: where the stable and the candidate both get requests. Written out by hand
// from the stage tables (README "Stages").
import * as assert from "assert";
import { analysed } from "../../analysis/look";
import { POD_TABLE, stageTableOf } from "../../rollout/stages";
import { DEFAULT_STEPS, DEFAULT_TESTERS } from "../../rollout/traffic";

const looked = (table: typeof POD_TABLE) => table.stages.filter(analysed).map((s) => s.name);

describe("analysis: the stages it looks at", () => {
    it("pods: canary and half (the stable's pods and the candidate's both serve)", () => {
        assert.deepStrictEqual(looked(POD_TABLE), ["canary", "half"]);
    });

    it("istio: mirror and each weight below 100; not dark (testers only) nor weight-100 (the stable answers nothing)", () => {
        const mesh = stageTableOf({
            strategy: "istio",
            steps: DEFAULT_STEPS,
            mirrorPercent: 100,
            testers: DEFAULT_TESTERS,
        });
        assert.deepStrictEqual(looked(mesh), ["mirror", "weight-1", "weight-5", "weight-10", "weight-25", "weight-50"]);
    });
});
