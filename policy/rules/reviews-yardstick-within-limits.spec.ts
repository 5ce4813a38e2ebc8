// The limits rule on a baseline at stable -> stable (where the yardstick may change) and one change each, with
// the pack's default limits and with a pack config that sets them. Messages written out.
import * as assert from "assert";
import { reviewsYardstickWithinLimits } from "./reviews-yardstick-within-limits";
import { contextOf, recordedAt, RELEASE_NAMES, resourcesOf, scenario, sourceOf } from "../testing/fixtures";
import { checkStack } from "../testing/harness";
import { NOTHING, verdictsOf } from "../testing/pack";

const RULE = "reviews-yardstick-within-limits";

describe(RULE, () => {
    for (const release of RELEASE_NAMES) {
        const atStable = () => recordedAt(scenario(release, "stable", "stable"), "stable");

        describe(`release ${release}`, () => {
            it("baseline: stable -> stable within the default limits passes every rule", async () => {
                assert.deepStrictEqual(await verdictsOf(atStable()), NOTHING);
            });

            it("bounds.minServingPods 1 (floor 3): refused, naming the key, the floor and what passes", async () => {
                const s = atStable();
                s.config.bounds.minServingPods = 1;
                const message = `bounds.minServingPods = 1 is below the floor 3 (policy limit ${RULE}.minServingPods): set 3 or more.`;
                assert.deepStrictEqual((await verdictsOf(s)).stack, { [RULE]: [message] });
            });

            it("bounds.minServingPods 1 passes where the pack config lowers the floor to 1", async () => {
                const s = atStable();
                s.config.bounds.minServingPods = 1;
                const rule = reviewsYardstickWithinLimits(sourceOf(contextOf(s)));
                assert.deepStrictEqual(await checkStack(rule, resourcesOf(s), { minServingPods: 1 }), []);
            });

            it("istio steps [1, 50] (a 50x jump) and [99] (a first step of 99 %), and a tester header every request carries", async () => {
                const s = atStable();
                const testers = { header: "end-user", cookie: "user", value: "jason" };
                s.config.traffic = { strategy: "istio", steps: [1, 50], mirrorPercent: 100, testers };
                const rule = reviewsYardstickWithinLimits(sourceOf(contextOf(s)));
                assert.deepStrictEqual(await checkStack(rule, []), [
                    `traffic.steps = [1,50] jumps from 1% to 50%, more than 5 times (policy limit ${RULE}.maxStepFactor): add steps of at most 5%.`,
                ]);
                s.config.traffic = {
                    strategy: "istio",
                    steps: [99],
                    mirrorPercent: 100,
                    testers: { ...testers, header: "x-forwarded-proto" },
                };
                assert.deepStrictEqual(await checkStack(reviewsYardstickWithinLimits(sourceOf(contextOf(s))), []), [
                    `traffic.steps = [99] starts at 99%, above the limit 5% (policy limit ${RULE}.maxFirstStep): start at 5% or less.`,
                    `traffic.testers.header = "x-forwarded-proto" is not a tester header the policy allows (end-user) (policy limit ${RULE}.testerHeaders): a header every request carries would send all users to the candidate.`,
                ]);
            });
        });
    }
});
