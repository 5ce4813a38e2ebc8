// Every (live stage, requested stage) pair of two releases through the pack's stack checks: live facts and goal
// from the stage table's shapes (testing/fixtures.ts, written out), the gate record as the gate leaves it, against
// the expected outcomes written out BY HAND in testing/move-tables.ts. A change to the stage table, the moves or
// the verdict shows up there as a diff.
import * as assert from "assert";
import { STAGE_NAMES, StageName } from "../rollout/stages";
import { MESH_STAGES, meshScenario, PodStage, resourcesOf, scenario, Scenario } from "./testing/fixtures";
import { COLUMNS, FIRST, MATRICES, MESH_COLUMNS, MESH_FIRST, MESH_MATRICES, Row, RULES } from "./testing/move-tables";
import { packFor } from "./testing/pack";
import { stackViolationsByRule } from "./testing/harness";

async function refusedBy(s: Scenario): Promise<string> {
    const found = await stackViolationsByRule(packFor(s), resourcesOf(s));
    const names = Object.keys(found).map((rule) => Object.keys(RULES).find((k) => RULES[k] === rule) ?? rule);
    return names.length === 0 ? "Y" : names.join(" ");
}

describe("the move matrix through the pack's stack checks", () => {
    it("covers exactly the stages of the stage table", () => {
        assert.deepStrictEqual(COLUMNS, [...STAGE_NAMES]);
        for (const [, matrix] of MATRICES) assert.deepStrictEqual(Object.keys(matrix), [...STAGE_NAMES]);
    });

    for (const [release, matrix] of MATRICES) {
        describe(`release ${release}`, () => {
            for (const [live, row] of [["none", FIRST], ...Object.entries(matrix)] as [PodStage | "none", Row][]) {
                row.forEach((expected, column) => {
                    const goal = COLUMNS[column] as PodStage;
                    it(`${live} -> ${goal}: ${expected === "Y" ? "allowed" : `refused by ${expected}`}`, async () => {
                        assert.strictEqual(await refusedBy(scenario(release, live, goal)), expected);
                    });
                });
            }
        });
    }
});

describe("the istio move matrix through the pack's stack checks", () => {
    it("covers exactly the stages of the istio table", () => {
        assert.deepStrictEqual(MESH_COLUMNS, MESH_STAGES);
        for (const [, matrix] of MESH_MATRICES) assert.deepStrictEqual(Object.keys(matrix), MESH_STAGES);
    });

    for (const [release, matrix] of MESH_MATRICES) {
        describe(`release ${release}`, () => {
            for (const [live, row] of [["none", MESH_FIRST], ...Object.entries(matrix)] as [
                StageName | "none",
                string[],
            ][]) {
                row.forEach((expected, column) => {
                    const goal = MESH_COLUMNS[column];
                    it(`${live} -> ${goal}: ${expected === "Y" ? "allowed" : `refused by ${expected}`}`, async () => {
                        assert.strictEqual(await refusedBy(meshScenario(live, goal, release)), expected);
                    });
                });
            }
        });
    }
});
