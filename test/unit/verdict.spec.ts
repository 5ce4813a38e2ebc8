// The guard's verdict (rollout/verdict.ts) on live fleets and requests: the 25 moves of each release against a
// hand-written table, then each known way around the guard, at the level of what serves.
import * as assert from "assert";
import { Fleet, Workload } from "../../rollout/fleet";
import { Release } from "../../rollout/release";
import { GateView } from "../../rollout/gate-record";
import { POD_TABLE, STAGE_NAMES, StageName } from "../../rollout/stages";
import { DEFAULT_LIMITS } from "../../rollout/limits";
import { REVIEWS } from "../../rollout/service";
import { judge, LiveView, RULES } from "../../rollout/verdict";
import { BOUNDS, IMG, passed, RELEASES, SERVICES, SHAPES, V1_TO_V2, V2_TO_V3 } from "./shapes";

const ready = (fleet: Fleet): Workload[] => fleet.map((w) => ({ ...w, ready: w.replicas }));
const live = (fleet: Fleet, gate: GateView = passed(["v2", IMG.v2], ["v3", IMG.v3])): LiveView => ({
    fleet: ready(fleet),
    services: SERVICES,
    gate,
});
const request = (release: Release, fleet: Fleet, services = SERVICES) => ({
    service: REVIEWS,
    table: POD_TABLE,
    traffic: { strategy: "pods" as const },
    release,
    fleet,
    services,
});
const rulesOf = (v: { violations: { rule: string }[] }) => [...new Set(v.violations.map((x) => x.rule))];

/** Allowed requested stages from each live stage, written out from the tutorial. */
const ALLOWED: Record<(typeof STAGE_NAMES)[number], StageName[]> = {
    stable: ["stable", "dark", "canary"],
    dark: ["stable", "dark", "canary"],
    canary: ["stable", "canary", "half"],
    half: ["stable", "half", "promoted"],
    promoted: ["promoted"],
};

describe("verdict", () => {
    for (const [name, release] of Object.entries(RELEASES) as [keyof typeof SHAPES, Release][]) {
        describe(`the 25 moves of release ${name}`, () => {
            for (const from of STAGE_NAMES) {
                for (const to of STAGE_NAMES) {
                    const allowed = ALLOWED[from].includes(to);
                    it(`${from} -> ${to}: ${allowed ? "allowed" : "refused by the stage table"}`, () => {
                        const v = judge(live(SHAPES[name][from]), request(release, SHAPES[name][to]), BOUNDS);
                        if (allowed) assert.deepStrictEqual(v.violations, []);
                        else assert.ok(rulesOf(v).includes(RULES.move), JSON.stringify(v.violations));
                    });
                }
            }
        });
    }

    it("allows a never-deployed stack to start at stable or dark only, with no gate record", () => {
        const none = live([], { trust: "absent" });
        assert.deepStrictEqual(judge(none, request(V1_TO_V2, SHAPES["v1->v2"].stable), BOUNDS).violations, []);
        assert.deepStrictEqual(judge(none, request(V1_TO_V2, SHAPES["v1->v2"].dark), BOUNDS).violations, []);
        for (const to of ["canary", "half", "promoted"] as const) {
            assert.ok(rulesOf(judge(none, request(V1_TO_V2, SHAPES["v1->v2"][to]), BOUNDS)).includes(RULES.move), to);
        }
    });

    it("refuses a candidate count that fits no stage (100 pods in canary serve 97%)", () => {
        const [stable, candidate] = SHAPES["v1->v2"].canary;
        const v = judge(
            live(SHAPES["v1->v2"].canary),
            request(V1_TO_V2, [stable, { ...candidate, replicas: 100 }]),
            { ...BOUNDS, maxReplicas: 1000, maxReplicaChange: 1000 },
            "",
            { ...DEFAULT_LIMITS, maxReplicas: 1000, maxReplicaChange: 1000 },
        );
        assert.deepStrictEqual(rulesOf(v), [RULES.move]);
        assert.match(v.violations[0].message, /fit no stage of release v1 -> v2/);
    });

    it("refuses deleting the stable when the candidate would serve fewer pods than the stable did", () => {
        const v = judge(
            live(SHAPES["v1->v2"].half),
            request(V1_TO_V2, [{ version: "v2", image: IMG.v2, replicas: 2, serving: true }]),
            BOUNDS,
        );
        assert.deepStrictEqual(rulesOf(v), [RULES.capacity]);
        assert.match(v.violations.map((x) => x.message).join(), /leaves 2 serving reviews pods/);
    });

    it("refuses deleting a 5-pod stable for a 4-pod candidate, though 4 is above minServingPods", () => {
        const stable5 = {
            ...V1_TO_V2,
            stable: { ...V1_TO_V2.stable, replicas: 5 },
            candidate: { ...V1_TO_V2.candidate!, replicas: 4 },
        };
        const half = [
            { version: "v1", image: IMG.v1, replicas: 5, serving: true },
            { version: "v2", image: IMG.v2, replicas: 5, serving: true },
        ];
        const v = judge(
            live(half),
            request(stable5, [{ version: "v2", image: IMG.v2, replicas: 4, serving: true }]),
            BOUNDS,
        );
        assert.deepStrictEqual(rulesOf(v), [RULES.capacity]);
        assert.match(
            v.violations[0].message,
            /removing the stable version reviews-v1 \(5 serving pods\) leaves 4 serving pods/,
        );
    });

    it("refuses dropping the stable's pod count while a candidate runs", () => {
        const [stable, candidate] = SHAPES["v1->v2"].canary;
        const fewer = { ...V1_TO_V2, stable: { ...V1_TO_V2.stable, replicas: 2 } };
        const v = judge(live(SHAPES["v1->v2"].canary), request(fewer, [{ ...stable, replicas: 2 }, candidate]), BOUNDS);
        assert.deepStrictEqual(rulesOf(v), [RULES.stable]);
        assert.match(v.violations[0].message, /would drop from 3 to 2 pods while a rollout is under way \(canary\)/);
    });

    it("refuses a stable image change mid-rollout, and a new image that never passed its gate", () => {
        const [stable, candidate] = SHAPES["v1->v2"].canary;
        const v = judge(
            live(SHAPES["v1->v2"].canary),
            request(V1_TO_V2, [{ ...stable, image: `${IMG.v1}-patched` }, candidate]),
            BOUNDS,
        );
        assert.deepStrictEqual(rulesOf(v), [RULES.gate, RULES.stable]);
    });

    it("refuses a stable image change in place even with no rollout under way", () => {
        const gate = passed(["v1", `${IMG.v1}-patched`]);
        const v = judge(
            live(SHAPES["v1->v2"].stable, gate),
            request({ stable: { ...V1_TO_V2.stable, image: `${IMG.v1}-patched` } }, [
                { ...SHAPES["v1->v2"].stable[0], image: `${IMG.v1}-patched` },
            ]),
            BOUNDS,
        );
        assert.deepStrictEqual(rulesOf(v), [RULES.stable]);
    });

    it("refuses other services' image changes mid-rollout, allows them with no candidate", () => {
        const services = { ...SERVICES, "details-v1": "docker.io/istio/examples-bookinfo-details-v1:1.21.0" };
        const mid = judge(live(SHAPES["v1->v2"].dark), request(V1_TO_V2, SHAPES["v1->v2"].dark, services), BOUNDS);
        assert.deepStrictEqual(rulesOf(mid), [RULES.services]);
        const calm = judge(live(SHAPES["v1->v2"].stable), request(V1_TO_V2, SHAPES["v1->v2"].stable, services), BOUNDS);
        assert.deepStrictEqual(calm.violations, []);
    });

    it("refuses a new candidate image in a serving stage, and a restore of an image that never passed", () => {
        const [stable, candidate] = SHAPES["v1->v2"].canary;
        const newImage = judge(
            live(SHAPES["v1->v2"].canary),
            request(V1_TO_V2, [stable, { ...candidate, image: `${IMG.v2}-rc2` }]),
            BOUNDS,
        );
        assert.deepStrictEqual(rulesOf(newImage), [RULES.gate]);
        const restore = judge(
            live(SHAPES["v1->v2"].stable, passed(["v2", "other:1"])),
            request(V1_TO_V2, SHAPES["v1->v2"].canary),
            BOUNDS,
        );
        assert.deepStrictEqual(rulesOf(restore), [RULES.gate]);
        assert.match(restore.violations[0].message, /no pass for exactly this version and image/);
    });

    it("names a missing or untrusted gate record", () => {
        const absent = judge(
            live(SHAPES["v1->v2"].dark, { trust: "absent" }),
            request(V1_TO_V2, SHAPES["v1->v2"].canary),
            BOUNDS,
            "bookinfo",
        );
        assert.match(
            absent.violations[0].message,
            /there is no gate record \(reviews-gate-record in namespace bookinfo\)/,
        );
        const untrusted = judge(
            live(SHAPES["v1->v2"].dark, { trust: "untrusted", why: "its data was written by kubectl-edit (Update)" }),
            request(V1_TO_V2, SHAPES["v1->v2"].canary),
            BOUNDS,
        );
        assert.match(untrusted.violations[0].message, /not trusted: its data was written by kubectl-edit/);
    });

    it("moves forward only with a gate pass for the candidate, even one that already serves; stays and rollbacks need none", () => {
        const noRecord = live(SHAPES["v1->v2"].canary, { trust: "absent" });
        assert.deepStrictEqual(rulesOf(judge(noRecord, request(V1_TO_V2, SHAPES["v1->v2"].half), BOUNDS)), [
            RULES.gate,
        ]);
        assert.deepStrictEqual(judge(noRecord, request(V1_TO_V2, SHAPES["v1->v2"].canary), BOUNDS).violations, []);
        assert.deepStrictEqual(judge(noRecord, request(V1_TO_V2, SHAPES["v1->v2"].stable), BOUNDS).violations, []);
    });

    it("moves on only from ready pods, but always lets a rollback through", () => {
        const unready = {
            ...live(SHAPES["v1->v2"].dark),
            fleet: [...ready(SHAPES["v1->v2"].dark.slice(0, 1)), { ...SHAPES["v1->v2"].dark[1], ready: 0 }],
        };
        assert.deepStrictEqual(rulesOf(judge(unready, request(V1_TO_V2, SHAPES["v1->v2"].canary), BOUNDS)), [
            RULES.ready,
        ]);
        assert.deepStrictEqual(judge(unready, request(V1_TO_V2, SHAPES["v1->v2"].stable), BOUNDS).violations, []);
    });

    it("keeps replica counts within bounds", () => {
        const big = [{ ...SHAPES["v1->v2"].stable[0], replicas: 12 }];
        assert.deepStrictEqual(
            rulesOf(
                judge(
                    live(SHAPES["v1->v2"].stable),
                    request({ stable: { ...V1_TO_V2.stable, replicas: 12 } }, big),
                    BOUNDS,
                ),
            ),
            [RULES.bounds],
        );
        const jump = [{ ...SHAPES["v1->v2"].stable[0], replicas: 9 }];
        assert.deepStrictEqual(
            rulesOf(
                judge(
                    live(SHAPES["v1->v2"].stable),
                    request({ stable: { ...V1_TO_V2.stable, replicas: 9 } }, jump),
                    BOUNDS,
                ),
            ),
            [RULES.bounds],
        );
    });

    it("from a hand-edited (off-table) fleet allows only the rollback, and a rollback adds nothing", () => {
        const [stable, candidate] = SHAPES["v1->v2"].canary;
        const edited = live([stable, { ...candidate, replicas: 8 }]);
        const big = { ...BOUNDS, maxReplicaChange: 10 };
        const limits = { ...DEFAULT_LIMITS, maxReplicaChange: 10 };
        assert.deepStrictEqual(
            judge(edited, request(V1_TO_V2, SHAPES["v1->v2"].canary), big, "", limits).from,
            "off-table",
        );
        assert.deepStrictEqual(rulesOf(judge(edited, request(V1_TO_V2, SHAPES["v1->v2"].canary), big, "", limits)), [
            RULES.move,
        ]);
        assert.deepStrictEqual(
            judge(edited, request(V1_TO_V2, SHAPES["v1->v2"].stable), big, "", limits).violations,
            [],
        );
        // Live v1 + v2; a "rollback" to a stable v3 would put v3 in service at once.
        const v3 = { stable: { version: "v3", image: IMG.v3, replicas: 3 } };
        const sneaky = judge(
            live(SHAPES["v1->v2"].dark),
            request(v3, [{ version: "v3", image: IMG.v3, replicas: 3, serving: true }]),
            BOUNDS,
        );
        assert.ok(rulesOf(sneaky).includes(RULES.move));
        assert.match(sneaky.violations[0].message, /a rollback only removes/);
    });

    it("closes a release with the candidate's own image and no pod changed, not with another image", () => {
        const closed = { stable: V2_TO_V3.stable };
        assert.deepStrictEqual(
            judge(live(SHAPES["v1->v2"].promoted), request(closed, SHAPES["v2->v3"].stable), BOUNDS).violations,
            [],
        );
        const other = { stable: { ...V2_TO_V3.stable, image: `${IMG.v2}-other` } };
        const v = judge(
            live(SHAPES["v1->v2"].promoted),
            request(other, [{ ...SHAPES["v2->v3"].stable[0], image: `${IMG.v2}-other` }]),
            BOUNDS,
        );
        assert.ok(rulesOf(v).includes(RULES.stable));
    });

    it("tells how to close a release when promoted -> stable would rebuild the old stable", () => {
        const v = judge(live(SHAPES["v1->v2"].promoted), request(V1_TO_V2, SHAPES["v1->v2"].stable), BOUNDS);
        assert.match(
            v.violations[0].message,
            /nothing to roll back to .* to close the release instead, make the candidate the stable/,
        );
    });

    it("refuses swapping the candidate mid-rollout; a rollback first", () => {
        const swap = { ...V1_TO_V2, candidate: { version: "v3", image: IMG.v3, replicas: 3 } };
        const v = judge(
            live(SHAPES["v1->v2"].dark),
            request(swap, [SHAPES["v1->v2"].dark[0], { version: "v3", image: IMG.v3, replicas: 1, serving: false }]),
            BOUNDS,
        );
        assert.strictEqual(v.from, "off-table");
        assert.deepStrictEqual(rulesOf(v), [RULES.move]);
    });
});
