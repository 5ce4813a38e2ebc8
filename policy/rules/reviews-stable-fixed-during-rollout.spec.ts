// The stable rule on a canary -> half move (the goal keeps the stable) and one change each. Expected messages
// written out.
import * as assert from "assert";
import { IMG, RELEASE_NAMES, scenario, VERSIONS, workload } from "../testing/fixtures";
import { baseline, NOTHING, verdictsOf } from "../testing/pack";

const RULE = "reviews-stable-fixed-during-rollout";

describe(RULE, () => {
    for (const release of RELEASE_NAMES) {
        const { stable } = VERSIONS[release];
        const newImage = `docker.io/istio/examples-bookinfo-reviews-${stable}:1.21.0`;

        describe(`release ${release}`, () => {
            it("baselines: half -> promoted and canary -> half pass every rule", async () => {
                assert.deepStrictEqual(await verdictsOf(baseline(release)), NOTHING);
                assert.deepStrictEqual(await verdictsOf(scenario(release, "canary", "half")), NOTHING);
            });

            it("the goal's stable drops to 2 pods in canary (whatever the config says): refused in the stack check and at its step", async () => {
                const s = scenario(release, "canary", "canary");
                workload(s.goal, stable).replicas = 2;
                const message = `the stable version reviews-${stable} would drop from 3 to 2 pods while a rollout is under way (canary): the stable keeps its capacity until the release is closed or rolled back.`;
                assert.deepStrictEqual(await verdictsOf(s), {
                    stack: { [RULE]: [message] },
                    resources: { [RULE]: [message] },
                });
            });

            it("a new stable image mid-rollout (canary -> half): refused, and the gate rule refuses the untested image too", async () => {
                const s = scenario(release, "canary", "half");
                s.config.release.stable.image = newImage;
                workload(s.goal, stable).image = newImage;
                const message = `the stable version reviews-${stable} would change image in place (${IMG[stable]} -> ${newImage}), serving every user at once: a new image comes as the candidate of a release (release.candidate) and walks the stages.`;
                const gate = `reviews-${stable} would serve image ${newImage} in this stage, but the gate record has no pass for exactly this version and image: run the candidate through dark first, where its gate (the smoke test) runs and records a pass.`;
                const expected = { [RULE]: [message], "reviews-serves-only-gate-passed-images": [gate] };
                assert.deepStrictEqual(await verdictsOf(s), { stack: expected, resources: expected });
            });

            it("more stable pods mid-rollout are allowed (canary, the stable 3 -> 4)", async () => {
                const s = scenario(release, "canary", "canary");
                workload(s.goal, stable).replicas = 4;
                assert.deepStrictEqual(await verdictsOf(s), NOTHING);
            });
        });
    }
});
