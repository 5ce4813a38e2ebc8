// The stage table's derived data against hand-written expectations: each stage's shape for two consecutive
// releases, the stage a shape is read back as, and the moves the table allows.
import * as assert from "assert";
import { fleetOf, stageOf } from "../../rollout/fleet";
import { allowedNext, movesOf } from "../../rollout/moves";
import { POD_TABLE, STAGE_NAMES } from "../../rollout/stages";
import { RELEASES, SHAPES } from "./shapes";

describe("stage table (pods)", () => {
    for (const [name, release] of Object.entries(RELEASES) as [
        keyof typeof RELEASES,
        (typeof RELEASES)[keyof typeof RELEASES],
    ][]) {
        describe(`release ${name}`, () => {
            for (const stage of STAGE_NAMES) {
                it(`${stage}: the Deployments are ${JSON.stringify(SHAPES[name][stage].map((w) => `${w.version}x${w.replicas}${w.serving ? "" : " dark"}`))}`, () => {
                    assert.deepStrictEqual(fleetOf(release, stage, POD_TABLE), SHAPES[name][stage]);
                    assert.strictEqual(stageOf(SHAPES[name][stage], release, POD_TABLE), stage);
                });
            }
            it("reads a fleet with a version outside the release, or an odd candidate count, as no stage", () => {
                const [stable, candidate] = SHAPES[name].canary;
                assert.strictEqual(stageOf([stable, { ...candidate, replicas: 100 }], release, POD_TABLE), undefined);
                assert.strictEqual(stageOf([stable, { ...candidate, version: "v9" }], release, POD_TABLE), undefined);
                assert.strictEqual(stageOf([{ ...stable, serving: false }], release, POD_TABLE), undefined);
                assert.strictEqual(stageOf([], release, POD_TABLE), "none");
            });
        });
    }

    it("reads the promoted fleet of one release as the stable stage of the next (closing changes no pod)", () => {
        assert.deepStrictEqual(SHAPES["v1->v2"].promoted, SHAPES["v2->v3"].stable);
        assert.strictEqual(stageOf(SHAPES["v1->v2"].promoted, RELEASES["v2->v3"], POD_TABLE), "stable");
    });

    it("derives exactly these moves", () => {
        const written = [
            "none -> stable (first)",
            "none -> dark (first)",
            "stable -> dark (forward)",
            "dark -> canary (forward)",
            "canary -> half (forward)",
            "half -> promoted (forward)",
            "dark -> stable (rollback)",
            "canary -> stable (rollback)",
            "half -> stable (rollback)",
            "stable -> canary (restore)",
        ];
        assert.deepStrictEqual(
            movesOf(POD_TABLE).map((m) => `${m.from} -> ${m.to} (${m.kind})`),
            written,
        );
    });

    it("allows from an off-table fleet only the rollback", () => {
        assert.deepStrictEqual(allowedNext(POD_TABLE, "off-table"), [{ to: "stable", kind: "rollback" }]);
    });
});
