// The bounds rule on the baseline (live half -> goal promoted) and one change each. Expected messages written out.
import * as assert from "assert";
import { RELEASE_NAMES, VERSIONS, workload } from "../testing/fixtures";
import { baseline, NOTHING, verdictsOf } from "../testing/pack";

const RULE = "reviews-replicas-within-bounds";

describe(RULE, () => {
    for (const release of RELEASE_NAMES) {
        const { candidate } = VERSIONS[release];

        describe(`release ${release}`, () => {
            it("baseline: half -> promoted passes every rule", async () => {
                assert.deepStrictEqual(await verdictsOf(baseline(release)), NOTHING);
            });

            it("release.candidate.replicas 100 (bounds.maxReplicas 10): refused in the stack check and at the candidate's step", async () => {
                const s = baseline(release);
                s.config.release.candidate!.replicas = 100;
                workload(s.goal, candidate).replicas = 100;
                const message = `reviews-${candidate} asks for 100 pods, more than bounds.maxReplicas 10: set release.candidate.replicas to 10 or fewer.`;
                assert.deepStrictEqual(await verdictsOf(s), {
                    stack: { [RULE]: [message] },
                    resources: { [RULE]: [message] },
                });
            });

            it("release.candidate.replicas 9 (3 -> 9, bounds.maxReplicaChange 5): refused", async () => {
                const s = baseline(release);
                s.config.release.candidate!.replicas = 9;
                workload(s.goal, candidate).replicas = 9;
                const message = `reviews-${candidate} would go from 3 to 9 pods in one up, a change larger than bounds.maxReplicaChange 5: set release.candidate.replicas to 8 first.`;
                assert.deepStrictEqual(await verdictsOf(s), {
                    stack: { [RULE]: [message] },
                    resources: { [RULE]: [message] },
                });
            });

            it("release.candidate.replicas 8 (a change of 5, 8 <= 10) is within bounds", async () => {
                const s = baseline(release);
                s.config.release.candidate!.replicas = 8;
                workload(s.goal, candidate).replicas = 8;
                assert.deepStrictEqual(await verdictsOf(s), NOTHING);
            });
        });
    }
});
