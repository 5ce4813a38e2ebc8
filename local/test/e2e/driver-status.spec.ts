// End-to-end: `rollout status --json` at every stage of the pods table, walked by hand (`pulumi up` with the policy
// pack) on the local cluster with Prometheus, against an expectation written out per stage from the tutorial and
// docs/driver.md: the stages, the pods per version, the moves the guard allows and those it refuses (a restore
// without a gate pass), and whether the stage is analysed. Also a stack file that asks for another stage than runs.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import { clusterKubeconfig } from "../../lib/env";
import { waitForRoute } from "../../lib/mesh";
import { DriverRig, image, show } from "../../lib/driver-rig";

const id = crypto.randomBytes(3).toString("hex");
const V1 = { version: "v1", image: image("v1"), replicas: 3 };
const V2 = { version: "v2", image: image("v2"), replicas: 3 };

const pods = (...p: [string, number, boolean][]) =>
    p.map(([version, n, serving]) => ({ version, image: image(version), ready: n, desired: n, serving }));
const NOT_ANALYSED = (stage: string) => ({
    stage,
    notAnalysed: `stage ${stage} gives the candidate no requests beside the stable's: nothing to compare`,
});

/** Per stage, by hand: the pods, the moves offered and refused, and whether the analysis looks. */
const EXPECTED = {
    dark: {
        pods: pods(["v1", 3, true], ["v2", 1, false]),
        next: [
            { to: "stable", kind: "rollback" },
            { to: "canary", kind: "forward" },
        ],
        refused: [],
        analysis: NOT_ANALYSED("dark"),
    },
    canary: {
        pods: pods(["v1", 3, true], ["v2", 1, true]),
        next: [
            { to: "stable", kind: "rollback" },
            { to: "half", kind: "forward" },
        ],
        refused: [],
        analysis: "looks",
    },
    half: {
        pods: pods(["v1", 3, true], ["v2", 3, true]),
        next: [
            { to: "stable", kind: "rollback" },
            { to: "promoted", kind: "forward" },
        ],
        refused: [],
        analysis: "looks",
    },
    promoted: { pods: pods(["v2", 3, true]), next: [], refused: [], analysis: NOT_ANALYSED("promoted") },
};

describe("e2e: rollout status --json at every stage", function () {
    this.timeout(15 * 60_000);
    const stack = `status-${id}`;
    let rig: DriverRig;

    const status = (): any => rig.status();
    const walkTo = (stage: string) => {
        rig.writeStack({ stage, release: { stable: V1, candidate: V2 } });
        rig.repo.commitAll(`stage: ${stage}`);
        const up = rig.up();
        assert.equal(up.status, 0, show(up));
    };

    before(() => {
        assert.ok(fs.existsSync(clusterKubeconfig), `no local cluster (${clusterKubeconfig}): run npm run cluster:up`);
        rig = DriverRig.deployed(stack, stack, { release: { stable: V1 } });
    });

    after(() => rig?.cleanUp());

    it("stable with a new candidate configured: dark is offered; the restore is refused, the image has no gate pass", () => {
        rig.writeStack({ stage: "stable", release: { stable: V1, candidate: V2 } });
        rig.repo.commitAll("release: v2 as the candidate");
        const s = status();
        assert.deepEqual(
            {
                release: s.release,
                stage: [s.stage.live, s.stage.configured, s.stage.differs],
                pods: s.pods,
                next: s.next,
            },
            {
                release: { stable: V1 },
                stage: ["stable", "stable", false],
                pods: pods(["v1", 3, true]),
                next: [{ to: "dark", kind: "forward" }],
            },
            "the release shown is the deployed one; the moves are the new release's",
        );
        assert.deepEqual(s.refused, [
            {
                to: "canary",
                kind: "restore",
                why: `image ${V2.image} has no gate pass (gate record absent): its gate runs in dark first`,
            },
        ]);
    });

    for (const stage of ["dark", "canary", "half", "promoted"] as const) {
        it(`${stage}: stages, pods, the moves offered and refused, the analysis`, () => {
            walkTo(stage);
            const s = status();
            const want = EXPECTED[stage];
            assert.deepEqual(
                {
                    release: s.release,
                    stage: [s.stage.live, s.stage.recorded?.stage, s.stage.configured, s.stage.differs],
                    pods: s.pods,
                    next: s.next,
                    refused: s.refused,
                },
                {
                    release: { stable: V1, candidate: { ...V2, stars: "black" } },
                    stage: [stage, stage, stage, false],
                    pods: want.pods,
                    next: want.next,
                    refused: want.refused,
                },
            );
            assert.equal(s.record.trust, "trusted");
            assert.equal(s.gate.trust, "trusted");
            assert.deepEqual(
                s.gate.passes.map((p: { version: string; image: string }) => [p.version, p.image]),
                [["v2", V2.image]],
            );
            if (want.analysis === "looks") {
                // No load: whatever the checks sent is too little to judge, and the look says how much more it needs.
                assert.equal(s.analysis.stage, stage);
                assert.equal(s.analysis.judgement.outcome, "inconclusive", JSON.stringify(s.analysis.judgement));
                assert.ok(s.analysis.judgement.needs.candidateRequests > 0, JSON.stringify(s.analysis.judgement));
            } else {
                assert.deepEqual(s.analysis, want.analysis);
            }
        });
    }

    it("a stack file that asks for another stage than runs: differs, and the moves are still the live stage's", () => {
        rig.writeStack({ stage: "half", release: { stable: V1, candidate: V2 } });
        rig.repo.commitAll("stage: half, not applied");
        const s = status();
        assert.deepEqual([s.stage.live, s.stage.configured, s.stage.differs], ["promoted", "half", true]);
        assert.deepEqual(s.next, []);
    });
});

/** The route of each istio stage with steps [5, 25], by hand from the README's table (mirror 100 %). */
const TESTERS = { testers: "v2" };
const ISTIO = {
    dark: { route: { weights: { v1: 100 }, ...TESTERS }, pods: pods(["v1", 3, true], ["v2", 1, true]), next: "mirror" },
    mirror: {
        route: { weights: { v1: 100 }, mirror: { version: "v2", percent: 100 }, ...TESTERS },
        pods: pods(["v1", 3, true], ["v2", 3, true]),
        next: "weight-5",
    },
    "weight-5": {
        route: { weights: { v1: 95, v2: 5 }, ...TESTERS },
        pods: pods(["v1", 3, true], ["v2", 3, true]),
        next: "weight-25",
    },
    "weight-25": {
        route: { weights: { v1: 75, v2: 25 }, ...TESTERS },
        pods: pods(["v1", 3, true], ["v2", 3, true]),
        next: "weight-100",
    },
    "weight-100": {
        route: { weights: { v2: 100 }, ...TESTERS },
        pods: pods(["v1", 3, true], ["v2", 3, true]),
        next: "promoted",
    },
    promoted: { route: { weights: { v2: 100 } }, pods: pods(["v2", 3, true]), next: undefined },
};
const ANALYSED = ["mirror", "weight-5", "weight-25"];
/** v2 adds ratings to every review by design: declared, so the mirror's answer comparison takes it as intended. */
const V2_RATED = { ...V2, changes: ["reviews[*].rating"] };

describe("e2e: rollout status --json at every istio stage, the route as Envoy serves it", function () {
    this.timeout(15 * 60_000);
    const stack = `status-istio-${id}`;
    const traffic = { strategy: "istio", steps: [5, 25] };
    let rig: DriverRig;
    const sameRoute = (want: object) => (r: { route: object }) => JSON.stringify(r.route) === JSON.stringify(want);

    before(() => {
        assert.ok(fs.existsSync(clusterKubeconfig), `no local cluster (${clusterKubeconfig}): run npm run cluster:up`);
        rig = DriverRig.deployed(stack, stack, { release: { stable: V1 }, traffic });
    });

    after(() => rig?.cleanUp());

    it("stable: Envoy serves the stable alone, as declared", async () => {
        await waitForRoute(stack, sameRoute({ weights: { v1: 100 } }));
        const s: any = rig.status();
        assert.deepEqual(s.route, { weights: { v1: 100 } });
        assert.deepEqual(
            [s.served.route, s.served.headerMatches, s.served.differences],
            [{ weights: { v1: 100 } }, [], []],
        );
    });

    for (const [stage, want] of Object.entries(ISTIO)) {
        it(`${stage}: the declared route, the route Envoy serves (the testers' header and cookie), pods, moves, analysis`, async () => {
            rig.writeStack({ stage, release: { stable: V1, candidate: V2_RATED }, traffic });
            rig.repo.commitAll(`stage: ${stage}`);
            const up = rig.up();
            assert.equal(up.status, 0, show(up));
            await waitForRoute(stack, sameRoute(want.route));
            const s: any = rig.status();
            assert.deepEqual(
                {
                    stage: [s.stage.live, s.stage.configured, s.stage.differs],
                    pods: s.pods,
                    next: s.next,
                    route: s.route,
                    served: s.served.route,
                    differences: s.served.differences,
                },
                {
                    stage: [stage, stage, false],
                    pods: want.pods,
                    next: want.next
                        ? [
                              { to: "stable", kind: "rollback" },
                              { to: want.next, kind: "forward" },
                          ]
                        : [],
                    route: want.route,
                    served: want.route,
                    differences: [],
                },
            );
            assert.deepEqual(
                s.served.headerMatches.map((m: { header: string; match: string; version: string }) => [
                    m.header,
                    m.match,
                    m.version,
                ]),
                "testers" in want.route
                    ? [
                          ["end-user", "exact", "v2"],
                          ["cookie", "regex", "v2"],
                      ]
                    : [],
            );
            if (ANALYSED.includes(stage)) {
                assert.equal(s.analysis.stage, stage);
                assert.equal(s.analysis.overall.outcome, "inconclusive", JSON.stringify(s.analysis.overall));
            } else {
                assert.deepEqual(s.analysis, NOT_ANALYSED(stage));
            }
        });
    }

    it("the text output says Envoy serves the declared route", () => {
        const r = rig.cli(["status", stack]);
        assert.equal(r.status, 0, show(r));
        assert.match(r.output, /^envoy {7}serves v2 100%, as declared$/m, r.output);
    });
});
