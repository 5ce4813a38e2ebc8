// The capacity rule on the baseline (live half -> goal promoted) and one change each. Expected messages written out.
import * as assert from "assert";
import { RELEASE_NAMES, VERSIONS, workload } from "../testing/fixtures";
import { baseline, NOTHING, verdictsOf } from "../testing/pack";

const RULE = "reviews-capacity-floor-kept";

describe(RULE, () => {
    for (const release of RELEASE_NAMES) {
        const { stable, candidate } = VERSIONS[release];

        describe(`release ${release}`, () => {
            it("baseline: half -> promoted passes every rule", async () => {
                assert.deepStrictEqual(await verdictsOf(baseline(release)), NOTHING);
            });

            it("stable deleted while release.candidate.replicas is 2 (< 3): refused in the stack check and at the candidate's step", async () => {
                const s = baseline(release);
                s.config.release.candidate!.replicas = 2;
                workload(s.goal, candidate).replicas = 2;
                const messages = [
                    "the change leaves 2 serving reviews pods, fewer than minServingPods 3 (bounds.minServingPods): keep at least that many pods in service.",
                    `removing the stable version reviews-${stable} (3 serving pods) leaves 2 serving pods: the candidate must serve with at least the stable's count (release.candidate.replicas).`,
                ];
                assert.deepStrictEqual(await verdictsOf(s), {
                    stack: { [RULE]: messages },
                    resources: { [RULE]: messages },
                });
            });

            it("a dip while the engine changes one Deployment at a time (minServingPods 4, the candidate scaled to 5 as the stable goes)", async () => {
                const s = baseline(release);
                s.config.bounds.minServingPods = 4;
                s.config.release.candidate!.replicas = 5;
                workload(s.goal, candidate).replicas = 5;
                const message =
                    "while the change is applied, serving reviews pods drop to 3, below minServingPods 4: change one Deployment at a time, or scale up before removing.";
                assert.deepStrictEqual((await verdictsOf(s)).stack, { [RULE]: [message] });
            });
        });
    }
});
