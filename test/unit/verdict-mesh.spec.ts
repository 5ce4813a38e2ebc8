// The verdict under the istio strategy (v1 -> v2, default steps): moves judged by the live route as well as the
// Deployments, gate passes before the candidate gets copies or weight, rollbacks in one move, a change of strategy
// only where no candidate runs, and hand-edited routes. Shapes and routes are the pack's hand-written fixtures.
import { REVIEWS } from "../../rollout/service";
import * as assert from "assert";
import { Fleet, Workload } from "../../rollout/fleet";
import { GateView } from "../../rollout/gate-record";
import { Route } from "../../rollout/route";
import { POD_TABLE, stageTableOf } from "../../rollout/stages";
import { judge, LiveView, Requested, RULES } from "../../rollout/verdict";
import { BOUNDS, IMG, MESH_ROUTES, MESH_SHAPES, MESH_TRAFFIC, passed, SERVICES, SHAPES, V1_TO_V2 } from "./shapes";

const MESH = stageTableOf(MESH_TRAFFIC);
const PASSED = passed(["v2", IMG.v2]);
const ready = (fleet: Fleet): Workload[] => fleet.map((w) => ({ ...w, ready: w.replicas }));
/** Live at an istio stage: its Deployments and the route its VirtualService makes. */
const liveAt = (stage: string, gate: GateView = PASSED, route: Route = MESH_ROUTES[stage]): LiveView => ({
    fleet: ready(MESH_SHAPES[stage]),
    services: SERVICES,
    gate,
    route: { route },
});
/** Asks for an istio stage: its Deployments and its route. */
const ask = (stage: string, route: Route = MESH_ROUTES[stage]): Requested => ({
    service: REVIEWS,
    table: MESH,
    traffic: MESH_TRAFFIC,
    release: V1_TO_V2,
    fleet: MESH_SHAPES[stage],
    route: { route },
    services: SERVICES,
});
const rulesOf = (v: { violations: { rule: string }[] }) => [...new Set(v.violations.map((x) => x.rule))];

describe("verdict (istio)", () => {
    it("refuses dark -> weight-5: it skips mirror and weight-1", () => {
        const v = judge(liveAt("dark"), ask("weight-5"), BOUNDS);
        assert.deepStrictEqual(rulesOf(v), [RULES.move]);
        assert.strictEqual(
            v.violations[0].message,
            "dark -> weight-5 is refused: it puts the candidate in service at 5% of requests at once, skipping mirror and weight-1.",
        );
    });

    it("allows stable -> dark without any gate pass: the route gives the candidate only the testers' requests", () => {
        const none: GateView = { trust: "absent" };
        assert.deepStrictEqual(judge(liveAt("stable", none), ask("dark"), BOUNDS), {
            from: "stable",
            to: "dark",
            kind: "forward",
            table: MESH,
            violations: [],
        });
    });

    it("allows dark -> mirror with the candidate's gate pass, refuses it without: mirrored copies are exposure too", () => {
        assert.deepStrictEqual(judge(liveAt("dark"), ask("mirror"), BOUNDS).violations, []);
        const v = judge(liveAt("dark", { trust: "trusted", passes: [] }), ask("mirror"), BOUNDS);
        assert.deepStrictEqual(rulesOf(v), [RULES.gate]);
        assert.match(
            v.violations[0].message,
            /^reviews-v2 would serve image .* no pass for exactly this version and image: run the candidate through dark first/,
        );
    });

    it("allows weight-50 -> weight-100, refuses weight-25 -> weight-100 (it skips weight-50)", () => {
        assert.deepStrictEqual(judge(liveAt("weight-50"), ask("weight-100"), BOUNDS).violations, []);
        const v = judge(liveAt("weight-25"), ask("weight-100"), BOUNDS);
        assert.deepStrictEqual(rulesOf(v), [RULES.move]);
        assert.strictEqual(
            v.violations[0].message,
            "weight-25 -> weight-100 is refused: it raises the candidate from 25% to 100% of requests at once, skipping weight-50.",
        );
    });

    for (const from of [
        "dark",
        "mirror",
        "weight-1",
        "weight-5",
        "weight-10",
        "weight-25",
        "weight-50",
        "weight-100",
    ]) {
        it(`rolls back ${from} -> stable in one move: the route gives v1 100% again`, () => {
            const v = judge(liveAt(from), { ...ask("stable"), route: { route: { weights: { v1: 100 } } } }, BOUNDS);
            assert.deepStrictEqual(v, { from, to: "stable", kind: "rollback", table: MESH, violations: [] });
        });
    }

    it("refuses a rollback that keeps mirroring to the candidate: that route is no stage", () => {
        const v = judge(
            liveAt("weight-50"),
            ask("stable", { weights: { v1: 100 }, mirror: { version: "v2", percent: 100 } }),
            BOUNDS,
        );
        assert.deepStrictEqual(rulesOf(v), [RULES.move]);
        assert.match(
            v.violations[0].message,
            /with route v1 100%; mirror 100% to v2 fit no stage of release v1 -> v2 for traffic strategy istio/,
        );
    });

    it("refuses pods -> istio mid-rollout (live pods canary), allows it at stable", () => {
        const podsCanary: LiveView = { fleet: ready(SHAPES["v1->v2"].canary), services: SERVICES, gate: PASSED };
        const mid = judge(podsCanary, ask("dark"), BOUNDS);
        assert.strictEqual(mid.from, "off-table");
        assert.deepStrictEqual(rulesOf(mid), [RULES.move]);
        const podsStable: LiveView = { fleet: ready(SHAPES["v1->v2"].stable), services: SERVICES, gate: PASSED };
        assert.deepStrictEqual(judge(podsStable, ask("stable"), BOUNDS).violations, []);
        assert.deepStrictEqual(judge(podsStable, ask("dark"), BOUNDS).violations, []);
    });

    it("refuses istio -> pods while a live route runs a candidate (weight-50 -> half)", () => {
        const v = judge(
            liveAt("weight-50"),
            {
                service: REVIEWS,
                table: POD_TABLE,
                traffic: { strategy: "pods" },
                release: V1_TO_V2,
                fleet: SHAPES["v1->v2"].half,
                services: SERVICES,
            },
            BOUNDS,
        );
        assert.strictEqual(v.from, "off-table");
        assert.deepStrictEqual(rulesOf(v), [RULES.move]);
    });

    it("reads a hand-edited live route (weight 7) as off-table: only the rollback is allowed", () => {
        const edited = liveAt("weight-5", PASSED, { weights: { v1: 93, v2: 7 }, testers: "v2" });
        const forward = judge(edited, ask("weight-10"), BOUNDS);
        assert.strictEqual(forward.from, "off-table");
        assert.deepStrictEqual(rulesOf(forward), [RULES.move]);
        assert.deepStrictEqual(judge(edited, ask("stable"), BOUNDS).violations, []);
    });

    it("refuses a requested route the guard cannot read, naming the problem", () => {
        const v = judge(
            liveAt("weight-50"),
            { ...ask("weight-50"), route: { problem: "the plain requests' weights sum to 90, not 100" } },
            BOUNDS,
        );
        assert.deepStrictEqual(rulesOf(v), [RULES.move]);
        assert.match(
            v.violations[0].message,
            /with route unreadable \(the plain requests' weights sum to 90, not 100\) fit no stage/,
        );
    });

    it("refuses moving on while the candidate's pods run a hand-set image without a pass (a --target of the route alone would expose them); staying is allowed", () => {
        const handSet = "docker.io/istio/examples-bookinfo-reviews-v2:hand-set";
        const live: LiveView = {
            ...liveAt("weight-1"),
            fleet: ready(MESH_SHAPES["weight-1"]).map((w) => (w.version === "v2" ? { ...w, image: handSet } : w)),
        };
        const forward = judge(live, ask("weight-5"), BOUNDS);
        assert.deepStrictEqual(rulesOf(forward), [RULES.gate]);
        assert.strictEqual(
            forward.violations[0].message,
            `reviews-v2 runs image ${handSet} in the cluster, not the configured ${IMG.v2}, and that image has no gate pass: moving on would send it more traffic until its Deployment is replaced; first run pulumi up --refresh on weight-1 (the refreshed Deployment gets the configured image back), or roll back.`,
        );
        assert.deepStrictEqual(judge(live, ask("weight-1"), BOUNDS).violations, []);
        const alsoPassed = { ...live, gate: passed(["v2", IMG.v2], ["v2", handSet]) };
        assert.deepStrictEqual(judge(alsoPassed, ask("weight-5"), BOUNDS).violations, []);
    });
});
