// The pack against the real program: the Bookinfo program (program.ts under Pulumi mocks, test/unit/program.ts)
// runs with the same live facts the pack reads, for every pair of the move tables. Where the table allows the move,
// the program declares its goal and every mandatory rule of the pack passes it, resource checks and stack checks;
// where it refuses, the program refuses before it declares anything (it runs the same verdict first). This keeps
// the program's goal state (names, labels, selectors, images) and the pack's reading of it in step.
import * as assert from "assert";
import { parseRolloutConfig } from "../../rollout/config";
import { StageName } from "../../rollout/stages";
import { DEPLOYED, run } from "./program";
import { DEPLOYMENT } from "../../policy/lib/kubernetes";
import { policies } from "../../policy/policies";
import { BACKEND, meshScenario, PodStage, Scenario, scenario } from "../../policy/testing/fixtures";
import { resourceViolationsByRule, stackViolationsByRule, TestResource } from "../../policy/testing/harness";
import {
    COLUMNS,
    FIRST,
    MATRICES,
    MESH_COLUMNS,
    MESH_FIRST,
    MESH_MATRICES,
    Row,
} from "../../policy/testing/move-tables";

/** The mocks run the program as stack "unit" of organization "organization". */
const UNIT_STACK_LABEL = "organization.bookinfo-rollout.unit";

async function contract(s: Scenario, allowed: boolean) {
    const { stars: _stars, ...candidate } = s.config.release.candidate!;
    const traffic = s.config.traffic.strategy === "istio" ? { traffic: s.config.traffic } : {};
    const values = { stage: s.config.stage, ...traffic, release: { stable: s.config.release.stable, candidate } };
    const namespace = s.namespace && { ...s.namespace, labels: { "rollout.bookinfo.dev/stack": UNIT_STACK_LABEL } };
    const facts = { namespace, live: s.live };
    const previous = s.live.fleet.length === 0 ? undefined : DEPLOYED;
    if (!allowed) {
        await assert.rejects(run(values, facts, previous), /refused; nothing was changed/);
        return;
    }
    const { resources } = await run(values, facts, previous);
    // The pack parses the same config text itself.
    const text = Object.fromEntries(
        Object.entries(values).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
    );
    const config = parseRolloutConfig(text, "bookinfo-rollout");
    const pack = policies(async () => ({
        mode: "cluster",
        config,
        live: s.live,
        namespace,
        stackLabel: UNIT_STACK_LABEL,
        backend: BACKEND,
    })).filter((p) => p.enforcementLevel === "mandatory");
    const goalState: TestResource[] = resources.map((r) => ({ type: r.type, name: r.name, props: r.inputs }));
    const reviews = goalState
        .filter((r) => r.type === DEPLOYMENT && r.props.metadata.name.startsWith("reviews-"))
        .map((r) => r.props.metadata.name);
    assert.deepStrictEqual(
        reviews,
        s.goal.map((w) => `reviews-${w.version}`),
        "the program declares the stage's reviews Deployments",
    );
    assert.deepStrictEqual(await stackViolationsByRule(pack, goalState), {});
    assert.deepStrictEqual(await resourceViolationsByRule(pack, goalState), {});
}

describe("the pack against the program's goal states", function () {
    this.timeout(20_000);

    for (const [release, matrix] of MATRICES) {
        describe(`release ${release}`, () => {
            for (const [live, row] of [["none", FIRST], ...Object.entries(matrix)] as [PodStage | "none", Row][]) {
                row.forEach((expected, column) => {
                    const goal = COLUMNS[column] as PodStage;
                    const allowed = expected === "Y";
                    it(`${live} -> ${goal}: ${allowed ? "the program's goal passes every mandatory rule" : "the program refuses before declaring anything"}`, () =>
                        contract(scenario(release, live, goal), allowed));
                });
            }
        });
    }
});

describe("the pack against the program's goal states (istio)", function () {
    this.timeout(20_000);

    for (const [release, matrix] of MESH_MATRICES) {
        describe(`release ${release}`, () => {
            for (const [live, row] of [["none", MESH_FIRST], ...Object.entries(matrix)] as [
                StageName | "none",
                string[],
            ][]) {
                row.forEach((expected, column) => {
                    const goal = MESH_COLUMNS[column];
                    const allowed = expected === "Y";
                    it(`${live} -> ${goal}: ${allowed ? "the program's goal passes every mandatory rule" : "the program refuses before declaring anything"}`, () =>
                        contract(meshScenario(live, goal, release), allowed));
                });
            }
        });
    }
});
