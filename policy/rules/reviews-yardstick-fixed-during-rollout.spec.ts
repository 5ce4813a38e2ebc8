// The yardstick rule on the baseline (live half -> goal promoted, the deployed yardstick recorded at half) and one
// change each: the roles swapped, a bound changed mid-rollout, no trusted record mid-rollout. Messages written out.
import * as assert from "assert";
import { IMG, recordedAt, RELEASE_NAMES, scenario, VERSIONS } from "../testing/fixtures";
import { baseline, NOTHING, verdictsOf } from "../testing/pack";

const RULE = "reviews-yardstick-fixed-during-rollout";

describe(RULE, () => {
    for (const release of RELEASE_NAMES) {
        const { stable, candidate } = VERSIONS[release];
        const recorded = () => recordedAt(baseline(release), "half");

        describe(`release ${release}`, () => {
            it("baseline: half -> promoted with the yardstick the record holds passes every rule", async () => {
                assert.deepStrictEqual(await verdictsOf(recorded()), NOTHING);
            });

            it("the roles swapped at half, asking for stable (the old candidate alone): refused, named by the deployed stable", async () => {
                const s = recorded();
                const r = s.config.release;
                s.config.release = {
                    stable: { ...r.candidate!, replicas: 3 },
                    candidate: { ...r.stable, stars: "black" },
                };
                s.config.stage = "stable";
                const message = `release.stable.version = ${candidate}, but the deployed stable is ${stable} (rollout record) (half -> stable): the stable changes only by closing a release, at promoted, where the candidate ${candidate} (${IMG[candidate as keyof typeof IMG]}) becomes release.stable; set release.stable back to ${stable} (${IMG[stable as keyof typeof IMG]}).`;
                const swapped = `release.candidate.version = ${stable}, but ${candidate} is the deployed candidate and runs (half): a new candidate starts only where none runs; roll back to stable first, or set release.candidate.version back to ${candidate}.`;
                // Only the stable's deletion changes anything, and the pack sees no deletion step: the stack check
                // (in preview) and the program's verdict refuse it.
                assert.deepStrictEqual((await verdictsOf(s)).stack[RULE], [message, swapped]);
            });

            it("bounds.minServingPods raised mid-rollout: refused; the new floor judges from the next up at stable", async () => {
                const s = recorded();
                s.config.bounds.minServingPods = 4;
                const message =
                    "bounds.minServingPods = 4 (deployed: 3) while a rollout is under way (half -> promoted): the stage table, the bounds and the analysis change only in an up from stable to stable (no candidate), and the new values judge from the next up on; set them back to the deployed values.";
                assert.deepStrictEqual((await verdictsOf(s)).stack, { [RULE]: [message] });
            });

            it("the same bound changed at stable -> stable is allowed", async () => {
                const s = recordedAt(scenario(release, "stable", "stable"), "stable");
                s.config.bounds.minServingPods = 4;
                assert.deepStrictEqual(await verdictsOf(s), NOTHING);
            });

            it("no trusted rollout record while a candidate runs: every change refused", async () => {
                const s = baseline(release);
                s.live.record = { trust: "untrusted", why: "its data was written by kubectl-edit (Update)" };
                s.live.deployed = true;
                const message =
                    "the rollout record is not trusted: its data was written by kubectl-edit (Update), and the live reviews workloads are not at stable: without it the guard cannot tell which version is the stable or which stage table the rollout walks, so it refuses every change. Return to stable by hand (delete the candidate's Deployment with kubectl), then pulumi up writes a new record.";
                assert.deepStrictEqual((await verdictsOf(s)).stack, { [RULE]: [message] });
            });
        });
    }
});
