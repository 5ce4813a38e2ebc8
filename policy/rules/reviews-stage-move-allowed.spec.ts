// The stage-move rule on the baseline (live half -> goal promoted) and one change each. The full table of moves is
// in policy/move-matrix.spec.ts. Expected messages are written out.
import * as assert from "assert";
import { checkResource, checkStack } from "../testing/harness";
import {
    contextOf,
    IMG,
    meshScenario,
    pick,
    RELEASE_NAMES,
    resourcesOf,
    scenario,
    sourceOf,
    VERSIONS,
    workload,
} from "../testing/fixtures";
import { baseline, NOTHING, verdictsOf } from "../testing/pack";
import { reviewsStageMoveAllowed } from "./reviews-stage-move-allowed";

const RULE = "reviews-stage-move-allowed";
const FROM_HALF = "Allowed from half: stable (rollback), half (stay), promoted (forward).";
const FROM_OFF_TABLE = "Allowed from off-table: stable (rollback).";

describe(RULE, () => {
    for (const release of RELEASE_NAMES) {
        const { stable, candidate } = VERSIONS[release];

        describe(`release ${release}`, () => {
            it("baseline: half -> promoted passes every rule", async () => {
                assert.deepStrictEqual(await verdictsOf(baseline(release)), NOTHING);
            });

            it("half -> canary (the goal at canary instead): refused in the stack check and at the candidate's step, with the allowed moves", async () => {
                const s = scenario(release, "half", "canary");
                const message = `half -> canary is refused: a partial step back keeps a suspect candidate in service; a rollback goes straight to stable and the rollout then moves forward one step at a time. ${FROM_HALF}`;
                assert.deepStrictEqual(await verdictsOf(s), {
                    stack: { [RULE]: [message] },
                    resources: { [RULE]: [message] },
                });
                const policy = reviewsStageMoveAllowed(sourceOf(contextOf(s)));
                assert.deepStrictEqual(
                    await checkResource(policy, pick(resourcesOf(s), `reviews-rollout-${candidate}`)),
                    [message],
                );
                assert.deepStrictEqual(
                    await checkResource(policy, pick(resourcesOf(s), `reviews-rollout-${stable}`)),
                    [],
                    "the stable does not change: no step to judge",
                );
            });

            it("a goal that fits no stage (the candidate with 2 pods in canary) is refused", async () => {
                const s = scenario(release, "canary", "canary");
                workload(s.goal, candidate).replicas = 2;
                const message =
                    `the requested reviews workloads (reviews-${stable}: 3 pods serving (${IMG[stable]}); reviews-${candidate}: 2 pods serving (${IMG[candidate]})) fit no stage of release ${stable} -> ${candidate} for traffic strategy pods: ` +
                    "every stage has a fixed shape (rollout/stages.ts), and a candidate count, a dark or serving label, a route or a version outside the release that differs from it is not a stage. " +
                    "Allowed from canary: stable (rollback), canary (stay), half (forward).";
                assert.deepStrictEqual(await verdictsOf(s), {
                    stack: { [RULE]: [message] },
                    resources: { [RULE]: [message] },
                });
            });

            it("live workloads that fit no stage: only the rollback to stable is allowed, and it passes every rule", async () => {
                const offTable = scenario(release, "half", "half");
                workload(offTable.live.fleet, candidate).replicas = 2;
                workload(offTable.live.fleet, candidate).ready = 2;
                const message = `off-table -> half is refused: the live workloads fit no stage of release ${stable} -> ${candidate}, and from there only a rollback to stable (keeping what serves, adding nothing) leads back onto the table. ${FROM_OFF_TABLE}`;
                assert.deepStrictEqual((await verdictsOf(offTable)).stack, { [RULE]: [message] });

                const rollback = scenario(release, "half", "stable");
                rollback.live = offTable.live;
                assert.deepStrictEqual(await verdictsOf(rollback), NOTHING);
            });

            it("ignores every resource but Deployments in its resource check", async () => {
                const s = scenario(release, "half", "canary");
                const policy = reviewsStageMoveAllowed(sourceOf(contextOf(s)));
                for (const name of ["bookinfo-ns", "reviews-rollout-service"])
                    assert.deepStrictEqual(await checkResource(policy, pick(resourcesOf(s), name)), []);
                assert.strictEqual((await checkStack(policy, resourcesOf(s))).length, 1);
            });
        });
    }

    describe("istio strategy, release v1 -> v2", () => {
        const VS = "reviews-rollout-mesh-virtual-service";

        it("baseline: weight-50 -> weight-100 (the VirtualService's step alone) passes every rule", async () => {
            assert.deepStrictEqual(await verdictsOf(meshScenario("weight-50", "weight-100")), NOTHING);
        });

        it("dark -> weight-5: refused in the stack check, at the candidate's step and at the VirtualService's step", async () => {
            const s = meshScenario("dark", "weight-5");
            const message =
                "dark -> weight-5 is refused: it puts the candidate in service at 5% of requests at once, skipping mirror and weight-1. " +
                "Allowed from dark: stable (rollback), dark (stay), mirror (forward).";
            assert.deepStrictEqual(await verdictsOf(s), {
                stack: { [RULE]: [message] },
                resources: { [RULE]: [message, message] },
            });
            const policy = reviewsStageMoveAllowed(sourceOf(contextOf(s)));
            assert.deepStrictEqual(await checkResource(policy, pick(resourcesOf(s), VS)), [message]);
        });

        it("a goal route the guard cannot read (a prefix match before the primary route) is refused with the reason", async () => {
            const s = meshScenario("weight-50", "weight-50");
            const resources = resourcesOf(s);
            const spec = pick(resources, VS).props.spec;
            spec.http.splice(1, 0, {
                name: "everyone",
                match: [{ uri: { prefix: "/" } }],
                route: [{ destination: { host: "reviews.bookinfo.svc.cluster.local", subset: "v2" } }],
            });
            const message =
                `the requested reviews workloads (reviews-v1: 3 pods serving (${IMG.v1}); reviews-v2: 3 pods serving (${IMG.v2})) with route unreadable ` +
                "(route everyone is neither the tester route (the testers' matches, one destination) nor the last one) fit no stage of release v1 -> v2 for traffic strategy istio: " +
                "every stage has a fixed shape (rollout/stages.ts), and a candidate count, a dark or serving label, a route or a version outside the release that differs from it is not a stage. " +
                "Allowed from weight-50: stable (rollback), weight-50 (stay), weight-100 (forward).";
            const policy = reviewsStageMoveAllowed(sourceOf(contextOf(s)));
            assert.deepStrictEqual(await checkStack(policy, resources), [message]);
            assert.deepStrictEqual(await checkResource(policy, pick(resources, VS)), [message]);
        });

        it("a never-deployed stack starts at stable: none -> dark is refused, the candidate's pod would be in the Service before its route", async () => {
            const message =
                "none -> dark (first deployment) is refused: dark is not a first stage: a never-deployed stack has no route until the VirtualService, " +
                "which waits for the candidate's gate, so the candidate's pods in the Service would get plain requests before their gate ran. Allowed first stages: stable.";
            // The stack check: a first deployment's steps alone are partial fleets, which the resource checks leave to
            // it.
            assert.deepStrictEqual((await verdictsOf(meshScenario("none", "dark"))).stack, { [RULE]: [message] });
            assert.deepStrictEqual(await verdictsOf(meshScenario("none", "stable")), NOTHING);
        });

        it("a goal under istio without the VirtualService is refused: every istio stage routes", async () => {
            const s = meshScenario("weight-50", "weight-50");
            const resources = resourcesOf(s).filter((r) => r.name !== VS);
            const policy = reviewsStageMoveAllowed(sourceOf(contextOf(s)));
            assert.match(
                (await checkStack(policy, resources))[0],
                /with route unreadable \(no VirtualService\) fit no stage/,
            );
        });
    });
});
