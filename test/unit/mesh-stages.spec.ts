// The istio stage table (default steps) against hand-written expectations: its moves, each stage's Deployments and
// route for v1 -> v2, and the stage a fleet plus a live route is read back as, including routes no stage gives.
import * as assert from "assert";
import { fleetOf, stageOf } from "../../rollout/fleet";
import { allowedNext, movesOf } from "../../rollout/moves";
import { routeOf } from "../../rollout/route";
import { POD_TABLE, stageIn, stageNames, stageTableOf } from "../../rollout/stages";
import { MESH_ROUTES, MESH_SHAPES, MESH_STAGES, MESH_TRAFFIC, SHAPES, V1_TO_V2 } from "./shapes";

const MESH = stageTableOf(MESH_TRAFFIC);
const reading = (route: object) => ({ route: route as (typeof MESH_ROUTES)[string] });

describe("stage table (istio)", () => {
    it("has the stages dark, mirror, one per step, weight-100 and promoted", () => {
        assert.deepStrictEqual(stageNames(MESH), MESH_STAGES);
        const steps = stageTableOf({ ...MESH_TRAFFIC, steps: [10, 50] });
        assert.deepStrictEqual(stageNames(steps), [
            "stable",
            "dark",
            "mirror",
            "weight-10",
            "weight-50",
            "weight-100",
            "promoted",
        ]);
    });

    it("derives exactly these moves: a first deployment at stable only, one forward chain, a rollback to stable from every stage with a stable, restore to weight-1", () => {
        const written = [
            "none -> stable (first)",
            "stable -> dark (forward)",
            "dark -> mirror (forward)",
            "mirror -> weight-1 (forward)",
            "weight-1 -> weight-5 (forward)",
            "weight-5 -> weight-10 (forward)",
            "weight-10 -> weight-25 (forward)",
            "weight-25 -> weight-50 (forward)",
            "weight-50 -> weight-100 (forward)",
            "weight-100 -> promoted (forward)",
            "dark -> stable (rollback)",
            "mirror -> stable (rollback)",
            "weight-1 -> stable (rollback)",
            "weight-5 -> stable (rollback)",
            "weight-10 -> stable (rollback)",
            "weight-25 -> stable (rollback)",
            "weight-50 -> stable (rollback)",
            "weight-100 -> stable (rollback)",
            "stable -> weight-1 (restore)",
        ];
        assert.deepStrictEqual(
            movesOf(MESH).map((m) => `${m.from} -> ${m.to} (${m.kind})`),
            written,
        );
        assert.deepStrictEqual(allowedNext(MESH, "off-table"), [{ to: "stable", kind: "rollback" }]);
    });

    for (const stage of MESH_STAGES) {
        it(`${stage}: the Deployments and the route for v1 -> v2, read back as ${stage}`, () => {
            assert.deepStrictEqual(fleetOf(V1_TO_V2, stage, MESH), MESH_SHAPES[stage]);
            assert.deepStrictEqual(routeOf(stageIn(MESH, stage), V1_TO_V2, 100), MESH_ROUTES[stage]);
            assert.strictEqual(stageOf(MESH_SHAPES[stage], V1_TO_V2, MESH, reading(MESH_ROUTES[stage])), stage);
        });
    }

    it("takes the mirror percentage from the config", () => {
        assert.deepStrictEqual(routeOf(stageIn(MESH, "mirror"), V1_TO_V2, 20).mirror, { version: "v2", percent: 20 });
    });

    it("reads a route no stage gives as no stage: weight 7, testers missing, a mirror in a weight stage, an unreadable one", () => {
        const both = MESH_SHAPES["weight-5"];
        assert.strictEqual(
            stageOf(both, V1_TO_V2, MESH, reading({ weights: { v1: 93, v2: 7 }, testers: "v2" })),
            undefined,
        );
        assert.strictEqual(stageOf(both, V1_TO_V2, MESH, reading({ weights: { v1: 95, v2: 5 } })), undefined);
        assert.strictEqual(
            stageOf(
                both,
                V1_TO_V2,
                MESH,
                reading({ weights: { v1: 95, v2: 5 }, mirror: { version: "v2", percent: 100 }, testers: "v2" }),
            ),
            undefined,
        );
        assert.strictEqual(stageOf(MESH_SHAPES.stable, V1_TO_V2, MESH, { problem: "no VirtualService" }), undefined);
    });

    it("without any route fits only the stages without a candidate", () => {
        assert.strictEqual(stageOf(MESH_SHAPES.stable, V1_TO_V2, MESH), "stable");
        assert.strictEqual(stageOf(MESH_SHAPES.dark, V1_TO_V2, MESH), undefined);
        assert.strictEqual(stageOf(MESH_SHAPES.promoted, V1_TO_V2, MESH), undefined);
    });

    it("under the pods table, a live route fits only the stages without a candidate (the strategy changes only there)", () => {
        const route = reading({ weights: { v1: 100 } });
        assert.strictEqual(stageOf(SHAPES["v1->v2"].stable, V1_TO_V2, POD_TABLE, route), "stable");
        assert.strictEqual(stageOf(SHAPES["v1->v2"].canary, V1_TO_V2, POD_TABLE, route), undefined);
    });
});
