// The verdict measures with the deployed yardstick (the rollout record), never the change's own: each case from the
// issue's bypass list with the requested steps, testers, roles or floor differing from the deployed ones, plus the
// moves that change roles by design (a close, a new candidate where none runs), an emptied namespace of a deployed
// stack, and a failed gate. Expected rules and messages are written out.
import { REVIEWS } from "../../rollout/service";
import * as assert from "assert";
import { DEFAULT_ANALYSIS } from "../../analysis/config";
import { Fleet, Workload } from "../../rollout/fleet";
import { Release } from "../../rollout/release";
import { GateView } from "../../rollout/gate-record";
import { Route } from "../../rollout/route";
import { RolloutRecord } from "../../rollout/rollout-record";
import { POD_TABLE, StageName, stageTableOf } from "../../rollout/stages";
import { MeshTraffic, Traffic } from "../../rollout/traffic";
import { judge, LiveView, Requested, RULES } from "../../rollout/verdict";
import { BOUNDS, IMG, MESH_ROUTES, MESH_SHAPES, MESH_TRAFFIC, passed, SERVICES, SHAPES, V1_TO_V2 } from "./shapes";

const ready = (fleet: Fleet): Workload[] => fleet.map((w) => ({ ...w, ready: w.replicas }));
const PODS: Traffic = { strategy: "pods" };
const record = (stage: StageName, traffic: Traffic, release: Release = V1_TO_V2): RolloutRecord => ({
    release,
    traffic,
    bounds: BOUNDS,
    stage,
    recordedAt: "2026-12-01T00:00:00Z",
});
const liveAt = (
    fleet: Fleet,
    rec: RolloutRecord,
    route?: Route,
    gate: GateView = passed(["v2", IMG.v2]),
): LiveView => ({
    fleet: ready(fleet),
    services: SERVICES,
    gate,
    deployed: true,
    record: { trust: "trusted", record: rec },
    ...(route ? { route: { route } } : {}),
});
const ask = (traffic: Traffic, release: Release, fleet: Fleet, route?: Route): Requested => ({
    service: REVIEWS,
    table: stageTableOf(traffic),
    traffic,
    release,
    fleet,
    services: SERVICES,
    ...(route ? { route: { route } } : {}),
});
const rulesOf = (v: { violations: { rule: string }[] }) => [...new Set(v.violations.map((x) => x.rule))];
const meshAt = (stage: StageName) => liveAt(MESH_SHAPES[stage], record(stage, MESH_TRAFFIC), MESH_ROUTES[stage]);
const withSteps = (steps: number[]): MeshTraffic => ({ ...MESH_TRAFFIC, steps });

describe("verdict: the yardstick is the deployed one", () => {
    it("a release's first step cut short (its up killed after the dark pod, before the settle step): the same step may be applied again, nothing more", () => {
        // The record still holds the release without a candidate, at stable; v2's dark pod runs.
        const live = liveAt(SHAPES["v1->v2"].dark, record("stable", PODS, { stable: V1_TO_V2.stable }), undefined, {
            trust: "absent",
        });
        assert.deepStrictEqual(judge(live, ask(PODS, V1_TO_V2, SHAPES["v1->v2"].dark), BOUNDS).violations, []);
        // Not a way around the gate: canary still needs a pass for v2.
        assert.deepStrictEqual(rulesOf(judge(live, ask(PODS, V1_TO_V2, SHAPES["v1->v2"].canary), BOUNDS)), [
            RULES.gate,
        ]);
        // Nor around the yardstick where the candidate serves: v2 in the Service under a release without it.
        const serving = liveAt(SHAPES["v1->v2"].canary, record("stable", PODS, { stable: V1_TO_V2.stable }));
        assert.ok(
            rulesOf(judge(serving, ask(PODS, V1_TO_V2, SHAPES["v1->v2"].canary), BOUNDS)).includes(RULES.yardstick),
        );
    });

    it("steps [1, 50] at weight-1, asking weight-50: refused (the deployed table's next step is weight-5)", () => {
        const v = judge(
            meshAt("weight-1"),
            ask(withSteps([1, 50]), V1_TO_V2, MESH_SHAPES["weight-50"], MESH_ROUTES["weight-50"]),
            BOUNDS,
        );
        assert.deepStrictEqual(rulesOf(v), [RULES.move, RULES.yardstick, RULES.limits]);
        assert.strictEqual(v.from, "weight-1");
        assert.match(
            v.violations.find((x) => x.rule === RULES.yardstick)!.message,
            /^traffic\.steps = \[1,50\] \(deployed: \[1,5,10,25,50\]\) while a rollout is under way \(weight-1 -> weight-50\)/,
        );
    });

    it("steps [1] at weight-1, asking weight-100: refused by the move rule of the deployed table and the yardstick rule", () => {
        const v = judge(
            meshAt("weight-1"),
            ask(withSteps([1]), V1_TO_V2, MESH_SHAPES["weight-100"], MESH_ROUTES["weight-100"]),
            BOUNDS,
        );
        assert.deepStrictEqual(rulesOf(v), [RULES.move, RULES.yardstick, RULES.limits]);
        assert.match(
            v.violations[0].message,
            /^weight-1 -> weight-100 is refused: it raises the candidate from 1% to 100%/,
        );
    });

    it("after a rollback, steps [99] and a restore to weight-99: refused (the yardstick changes only stable -> stable)", () => {
        const live = liveAt(MESH_SHAPES.stable, record("stable", MESH_TRAFFIC), MESH_ROUTES.stable);
        const v = judge(
            live,
            ask(withSteps([99]), V1_TO_V2, MESH_SHAPES["weight-1"], { weights: { v1: 1, v2: 99 }, testers: "v2" }),
            BOUNDS,
        );
        assert.ok(
            rulesOf(v).includes(RULES.yardstick) && rulesOf(v).includes(RULES.limits),
            JSON.stringify(v.violations),
        );
    });

    it("a looser analysis while the candidate runs: refused; the same change at stable -> stable: allowed", () => {
        const deployed = { ...DEFAULT_ANALYSIS, minCandidateRequests: 500 };
        const loose = { ...DEFAULT_ANALYSIS, minCandidateRequests: 5, alpha: 0.2 };
        const atWeight1 = liveAt(
            MESH_SHAPES["weight-1"],
            { ...record("weight-1", MESH_TRAFFIC), analysis: deployed },
            MESH_ROUTES["weight-1"],
        );
        const v = judge(
            atWeight1,
            { ...ask(MESH_TRAFFIC, V1_TO_V2, MESH_SHAPES["weight-5"], MESH_ROUTES["weight-5"]), analysis: loose },
            BOUNDS,
        );
        assert.deepStrictEqual(rulesOf(v), [RULES.yardstick]);
        assert.match(
            v.violations[0].message,
            /^analysis\.alpha = 0\.2 \(deployed: 0\.01\), analysis\.minCandidateRequests = 5 \(deployed: 500\) while a rollout is under way \(weight-1 -> weight-5\)/,
        );
        // A stack without the key keeps the deployed values only if they are the defaults: an unset key is a change
        // too.
        const unset = judge(
            atWeight1,
            ask(MESH_TRAFFIC, V1_TO_V2, MESH_SHAPES["weight-5"], MESH_ROUTES["weight-5"]),
            BOUNDS,
        );
        assert.match(unset.violations[0].message, /^analysis\.minCandidateRequests = 50 \(deployed: 500\)/);
        const atStable = liveAt(
            MESH_SHAPES.stable,
            { ...record("stable", MESH_TRAFFIC), analysis: deployed },
            MESH_ROUTES.stable,
        );
        assert.deepStrictEqual(
            judge(
                atStable,
                { ...ask(MESH_TRAFFIC, V1_TO_V2, MESH_SHAPES.stable, MESH_ROUTES.stable), analysis: loose },
                BOUNDS,
            ).violations,
            [],
        );
    });

    it("roles swapped at weight-1, asking stable (v2 alone at 100 %): refused, judged with the deployed roles", () => {
        const swapped: Release = { stable: { ...V1_TO_V2.candidate!, replicas: 3 }, candidate: V1_TO_V2.stable };
        const v = judge(
            meshAt("weight-1"),
            ask(MESH_TRAFFIC, swapped, [{ ...V1_TO_V2.candidate!, replicas: 3, serving: true }], {
                weights: { v2: 100 },
            }),
            BOUNDS,
        );
        assert.strictEqual(v.to, "promoted", "under the deployed roles v2 alone is promoted");
        assert.deepStrictEqual(rulesOf(v), [RULES.move, RULES.yardstick]);
        assert.match(v.violations[0].message, /^weight-1 -> promoted is refused: it deletes the stable version/);
    });

    it("a tester header every request carries, asked at dark: refused by the yardstick and the limits rules", () => {
        const wide: MeshTraffic = {
            ...MESH_TRAFFIC,
            testers: { header: "x-forwarded-proto", cookie: "user", value: "http" },
        };
        const v = judge(meshAt("dark"), ask(wide, V1_TO_V2, MESH_SHAPES.dark, MESH_ROUTES.dark), BOUNDS);
        assert.deepStrictEqual(rulesOf(v), [RULES.yardstick, RULES.limits]);
    });

    it("floor 1 with the stable at 1 pod, at stable: the change is measured with the deployed floor 3", () => {
        const live = liveAt(SHAPES["v1->v2"].stable, record("stable", PODS, { stable: V1_TO_V2.stable }));
        const one = { stable: { ...V1_TO_V2.stable, replicas: 1 } };
        const v = judge(live, ask(PODS, one, [{ ...SHAPES["v1->v2"].stable[0], replicas: 1 }]), {
            ...BOUNDS,
            minServingPods: 1,
        });
        assert.deepStrictEqual(rulesOf(v), [RULES.capacity, RULES.limits]);
        assert.strictEqual(
            v.violations[0].message,
            "the change leaves 1 serving reviews pods, fewer than minServingPods 3 (bounds.minServingPods): keep at least that many pods in service.",
        );
    });

    it("a new candidate where none runs is allowed with its first move; a new candidate mid-rollout is refused", () => {
        const atStable = liveAt(SHAPES["v1->v2"].stable, record("stable", PODS, { stable: V1_TO_V2.stable }));
        assert.deepStrictEqual(judge(atStable, ask(PODS, V1_TO_V2, SHAPES["v1->v2"].dark), BOUNDS).violations, []);
        const v3 = { ...V1_TO_V2, candidate: { version: "v3", image: IMG.v3, replicas: 3 } };
        const canary = liveAt(SHAPES["v1->v2"].canary, record("canary", PODS));
        const v = judge(
            canary,
            ask(PODS, v3, [SHAPES["v1->v2"].canary[0], { version: "v3", image: IMG.v3, replicas: 1, serving: true }]),
            BOUNDS,
        );
        assert.ok(rulesOf(v).includes(RULES.yardstick));
        assert.match(
            v.violations.find((x) => x.rule === RULES.yardstick)!.message,
            /^release\.candidate\.version = v3, but v2 is the deployed candidate and runs \(canary\)/,
        );
    });

    it("closes a promoted release (the candidate becomes the stable, nothing changes), not with another image", () => {
        const promoted = liveAt(SHAPES["v1->v2"].promoted, record("promoted", PODS));
        const closed = { stable: { ...V1_TO_V2.candidate!, replicas: 3 } };
        const close = judge(promoted, ask(PODS, closed, SHAPES["v1->v2"].promoted), BOUNDS);
        assert.deepStrictEqual([close.from, close.to, close.violations], ["stable", "stable", []]);
        const other = { stable: { ...closed.stable, image: `${IMG.v2}-rc9` } };
        const v = judge(
            promoted,
            ask(PODS, other, [{ ...SHAPES["v1->v2"].promoted[0], image: `${IMG.v2}-rc9` }]),
            BOUNDS,
        );
        assert.ok(rulesOf(v).includes(RULES.yardstick), JSON.stringify(v.violations));
    });

    it("an emptied namespace of a deployed stack is no first deployment: only the deployed stable comes back", () => {
        const emptied: LiveView = {
            fleet: [],
            services: SERVICES,
            gate: passed(["v2", IMG.v2]),
            deployed: true,
            record: { trust: "trusted", record: record("canary", PODS) },
        };
        const dark = judge(emptied, ask(PODS, V1_TO_V2, SHAPES["v1->v2"].dark), BOUNDS);
        assert.deepStrictEqual(rulesOf(dark), [RULES.move]);
        assert.match(
            dark.violations[0].message,
            /^this stack deployed here before, but the namespace has no reviews Deployment/,
        );
        assert.deepStrictEqual(judge(emptied, ask(PODS, V1_TO_V2, SHAPES["v1->v2"].stable), BOUNDS).violations, []);
    });

    it("a failed gate holds the image back: no forward move or restore until a new pass; a rollback passes", () => {
        const failed: GateView = {
            trust: "trusted",
            passes: [],
            failures: [
                {
                    version: "v2",
                    image: IMG.v2,
                    failedAt: "2026-12-01T10:00:00Z",
                    failure: "gate failed: http-200 on pod reviews-v2-a (10.244.1.5): HTTP 500",
                },
            ],
        };
        const canary = liveAt(SHAPES["v1->v2"].canary, record("canary", PODS), undefined, failed);
        const v = judge(canary, ask(PODS, V1_TO_V2, SHAPES["v1->v2"].half), BOUNDS);
        assert.deepStrictEqual(rulesOf(v), [RULES.gate]);
        assert.match(
            v.violations[0].message,
            /^reviews-v2 would get more traffic with image .* but that image failed its gate at 2026-12-01T10:00:00Z \(gate failed: http-200 on pod reviews-v2-a/,
        );
        assert.deepStrictEqual(judge(canary, ask(PODS, V1_TO_V2, SHAPES["v1->v2"].stable), BOUNDS).violations, []);
        const stable = liveAt(SHAPES["v1->v2"].stable, record("stable", PODS), undefined, failed);
        assert.deepStrictEqual(rulesOf(judge(stable, ask(PODS, V1_TO_V2, SHAPES["v1->v2"].canary), BOUNDS)), [
            RULES.gate,
        ]);
        assert.deepStrictEqual(
            judge(stable, ask(PODS, V1_TO_V2, SHAPES["v1->v2"].dark), BOUNDS).violations,
            [],
            "dark, where the gate runs again",
        );
    });

    it("the pods table's moves are unchanged when the record holds the requested yardstick", () => {
        const v = judge(
            liveAt(SHAPES["v1->v2"].canary, record("canary", PODS)),
            ask(PODS, V1_TO_V2, SHAPES["v1->v2"].half),
            BOUNDS,
        );
        assert.deepStrictEqual(
            [v.from, v.to, v.kind, v.violations, v.table],
            ["canary", "half", "forward", [], POD_TABLE],
        );
    });
});
