// The moves `status` offers, against the guard: a quarantined candidate image (failed since its last gate pass) is
// refused every stage that gives it live requests, a restore included, and status lists those moves apart with
// the reason instead of offering them. Expectations are written out by hand.
import * as assert from "assert";
import { renderStatus } from "../../driver/render";
import { movesFrom, Status } from "../../driver/status";
import type { GateView } from "../../rollout/gate-record";
import type { Release } from "../../rollout/release";
import { POD_TABLE, stageTableOf } from "../../rollout/stages";

const V1 = "docker.io/istio/examples-bookinfo-reviews-v1:1.20.3";
const V3 = "docker.io/istio/examples-bookinfo-reviews-v3:1.20.3";
const RELEASE: Release = {
    stable: { version: "v1", image: V1, replicas: 3 },
    candidate: { version: "v3", image: V3, replicas: 3 },
};
const FAILED_AT = "2026-12-03T11:58:00.000Z";
const QUARANTINED: GateView = {
    trust: "trusted",
    passes: [{ image: V1, version: "v1", passedAt: "2026-12-01T09:00:00.000Z", pods: 1, requestsPerPod: 11 }],
    failures: [
        {
            image: V3,
            version: "v3",
            failedAt: FAILED_AT,
            failure: "analysis failed at canary: error-rate: candidate 9/300 errors",
        },
    ],
};
const PASSED: GateView = {
    trust: "trusted",
    passes: [{ image: V3, version: "v3", passedAt: "2026-12-03T12:05:00.000Z", pods: 1, requestsPerPod: 11 }],
    failures: [],
};
const WHY =
    "image docker.io/istio/examples-bookinfo-reviews-v3:1.20.3 failed at 2026-12-03T11:58:00.000Z " +
    "(analysis failed at canary: error-rate: candidate 9/300 errors): quarantined until its gate passes again, in dark";

/** A status at stable with nothing offered, but for `over`. */
const statusOf = (over: Partial<Status>): Status => ({
    stack: "dev",
    stackFile: "/repo/Pulumi.dev.yaml",
    namespace: "bookinfo",
    release: RELEASE,
    stage: { live: "stable", configured: "stable", differs: false },
    next: [],
    refused: [],
    pods: [],
    gate: { trust: "trusted", passes: [], failures: [] },
    record: { trust: "trusted" },
    decisions: [],
    ...over,
});

describe("driver: status's next moves and the guard", () => {
    it("a candidate whose gate passed is offered the forward move and the restore", () => {
        assert.deepStrictEqual(movesFrom(POD_TABLE, "stable", RELEASE, PASSED), {
            next: [
                { to: "dark", kind: "forward" },
                { to: "canary", kind: "restore" },
            ],
            refused: [],
        });
    });

    it("a new candidate with no gate pass yet is offered dark, and refused the restore with the reason", () => {
        const fresh: GateView = {
            trust: "trusted",
            passes: PASSED.passes.map((p) => ({ ...p, image: V1, version: "v1" })),
            failures: [],
        };
        const noPass = `image ${V3} has no gate pass (none recorded for it): its gate runs in dark first`;
        assert.deepStrictEqual(movesFrom(POD_TABLE, "stable", RELEASE, fresh), {
            next: [{ to: "dark", kind: "forward" }],
            refused: [{ to: "canary", kind: "restore", why: noPass }],
        });
        const absent = `image ${V3} has no gate pass (gate record absent): its gate runs in dark first`;
        assert.deepStrictEqual(movesFrom(POD_TABLE, "stable", RELEASE, { trust: "absent" }).refused, [
            { to: "canary", kind: "restore", why: absent },
        ]);
    });

    it("a quarantined image is refused the restore, with the reason; the way back through dark stays open", () => {
        assert.deepStrictEqual(movesFrom(POD_TABLE, "stable", RELEASE, QUARANTINED), {
            next: [{ to: "dark", kind: "forward" }],
            refused: [{ to: "canary", kind: "restore", why: WHY }],
        });
    });

    it("at a serving stage (the rollback committed, its up not yet run) only the rollback is offered", () => {
        assert.deepStrictEqual(movesFrom(POD_TABLE, "canary", RELEASE, QUARANTINED), {
            next: [{ to: "stable", kind: "rollback" }],
            refused: [{ to: "half", kind: "forward", why: WHY }],
        });
    });

    it("istio: the restore to the first weight is refused, dark (testers only) is not", () => {
        const table = stageTableOf({
            strategy: "istio",
            steps: [1, 5, 10, 25, 50],
            mirrorPercent: 100,
            testers: { header: "end-user", cookie: "user", value: "jason" },
        });
        assert.deepStrictEqual(movesFrom(table, "stable", RELEASE, QUARANTINED), {
            next: [{ to: "dark", kind: "forward" }],
            refused: [{ to: "weight-1", kind: "restore", why: WHY }],
        });
    });

    it("only that exact image of that version is quarantined; without a candidate nothing is offered", () => {
        const rebuilt: Release = {
            ...RELEASE,
            candidate: { version: "v3", image: "docker.io/istio/examples-bookinfo-reviews-v3:1.20.4", replicas: 3 },
        };
        // Not quarantined: refused the restore only because it has no pass of its own yet.
        assert.deepStrictEqual(movesFrom(POD_TABLE, "stable", rebuilt, QUARANTINED).refused, [
            {
                to: "canary",
                kind: "restore",
                why: "image docker.io/istio/examples-bookinfo-reviews-v3:1.20.4 has no gate pass (none recorded for it): its gate runs in dark first",
            },
        ]);
        assert.deepStrictEqual(movesFrom(POD_TABLE, "stable", { stable: RELEASE.stable }, QUARANTINED), {
            next: [],
            refused: [],
        });
    });

    it("the human output names the refused restore and why", () => {
        const s = statusOf({
            ...movesFrom(POD_TABLE, "stable", RELEASE, QUARANTINED),
            pods: [{ version: "v1", image: V1, ready: 3, desired: 3, serving: true }],
        });
        const line = renderStatus(s)
            .split("\n")
            .find((l) => l.startsWith("next"));
        assert.strictEqual(
            line,
            "next        dark (forward), canary (restore, refused: image docker.io/istio/examples-bookinfo-reviews-v3:1.20.3 failed at " +
                "2026-12-03T11:58:00.000Z (analysis failed at canary: error-rate: candidate 9/300 errors): quarantined until its gate passes again, in dark)",
        );
    });

    it("the human output shows the route Envoy serves beside the declared one, and where they differ", () => {
        const declared = { weights: { v1: 75, v2: 25 }, testers: "v2" };
        const base = statusOf({
            stage: { live: "weight-25", configured: "weight-25", differs: false },
            route: declared,
        });
        const lines = (s: Status) =>
            renderStatus(s)
                .split("\n")
                .filter((l) => /^(route|envoy) /.test(l));
        const served = { headerMatches: [], lastUpdated: "2026-12-07T07:00:00Z" };
        assert.deepStrictEqual(lines({ ...base, served: { ...served, route: declared, differences: [] } }), [
            "route       v1 75%, v2 25%; testers to v2",
            "envoy       serves v1 75%, v2 25%; testers to v2, as declared",
        ]);
        assert.deepStrictEqual(
            lines({
                ...base,
                served: {
                    ...served,
                    route: { weights: { v1: 95, v2: 5 }, testers: "v2" },
                    differences: ["v1 weight 95% served, 75% declared", "v2 weight 5% served, 25% declared"],
                },
            })[1],
            "envoy       serves v1 95%, v2 5%; testers to v2  << differs from the declared route: v1 weight 95% served, 75% declared; v2 weight 5% served, 25% declared",
        );
        assert.deepStrictEqual(
            lines({ ...base, served: { problem: "cannot reach Envoy admin at http://127.0.0.1:15000" } })[1],
            "envoy       unreadable: cannot reach Envoy admin at http://127.0.0.1:15000",
        );
    });
});
