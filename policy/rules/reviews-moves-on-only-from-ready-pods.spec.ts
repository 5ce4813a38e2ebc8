// The ready rule on the baseline (live half -> goal promoted) and one change each. Expected messages written out.
import * as assert from "assert";
import { checkResource } from "../testing/harness";
import {
    contextOf,
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
import { reviewsMovesOnOnlyFromReadyPods } from "./reviews-moves-on-only-from-ready-pods";

const RULE = "reviews-moves-on-only-from-ready-pods";

describe(RULE, () => {
    for (const release of RELEASE_NAMES) {
        const { stable, candidate } = VERSIONS[release];

        describe(`release ${release}`, () => {
            it("baseline: half -> promoted passes every rule", async () => {
                assert.deepStrictEqual(await verdictsOf(baseline(release)), NOTHING);
            });

            it("live candidate with 2 of 3 pods ready, then forward to promoted: refused by the stack check (no reviews Deployment steps: the candidate keeps its shape, the stable is deleted)", async () => {
                const s = baseline(release);
                workload(s.live.fleet, candidate).ready = 2;
                const message = `reviews-${candidate} has 2 of 3 pods ready: the rollout moves on only from a stage whose pods are all ready (wait, fix it, or roll back).`;
                assert.deepStrictEqual(await verdictsOf(s), { stack: { [RULE]: [message] }, resources: {} });
            });

            it("live dark candidate not ready, then forward to canary: refused at the candidate's step too", async () => {
                const s = scenario(release, "dark", "canary");
                workload(s.live.fleet, candidate).ready = 0;
                const message = `reviews-${candidate} has 0 of 1 pods ready: the rollout moves on only from a stage whose pods are all ready (wait, fix it, or roll back).`;
                assert.deepStrictEqual(await verdictsOf(s), {
                    stack: { [RULE]: [message] },
                    resources: { [RULE]: [message] },
                });
                const policy = reviewsMovesOnOnlyFromReadyPods(sourceOf(contextOf(s)));
                assert.deepStrictEqual(
                    await checkResource(policy, pick(resourcesOf(s), `reviews-rollout-${candidate}`)),
                    [message],
                );
            });

            it("a rollback from pods that are not ready is allowed: it is how a failing stage is left", async () => {
                const s = scenario(release, "half", "stable");
                workload(s.live.fleet, candidate).ready = 0;
                workload(s.live.fleet, stable).ready = 2;
                assert.deepStrictEqual(await verdictsOf(s), NOTHING);
            });

            it("staying put with pods that are not ready is allowed: a re-run must not be blocked by a slow start", async () => {
                const s = scenario(release, "half", "half");
                workload(s.live.fleet, candidate).ready = 1;
                assert.deepStrictEqual(await verdictsOf(s), NOTHING);
            });
        });
    }

    it("istio: mirror -> weight-1 changes only the route, and its step is refused while a candidate pod is not ready", async () => {
        const s = meshScenario("mirror", "weight-1");
        workload(s.live.fleet, "v2").ready = 2;
        const message =
            "reviews-v2 has 2 of 3 pods ready: the rollout moves on only from a stage whose pods are all ready (wait, fix it, or roll back).";
        assert.deepStrictEqual(await verdictsOf(s), { stack: { [RULE]: [message] }, resources: { [RULE]: [message] } });
    });
});
