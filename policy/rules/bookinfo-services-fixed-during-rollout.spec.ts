// The other services' rule on the baseline (live half -> goal promoted) and one change each. Expected messages
// written out.
import * as assert from "assert";
import { checkResource } from "../testing/harness";
import { contextOf, pick, RELEASE_NAMES, resourcesOf, scenario, sourceOf } from "../testing/fixtures";
import { baseline, NOTHING, verdictsOf } from "../testing/pack";
import { bookinfoServicesFixedDuringRollout } from "./bookinfo-services-fixed-during-rollout";

const RULE = "bookinfo-services-fixed-during-rollout";
const OLD = "docker.io/istio/examples-bookinfo-details-v1:1.20.3";
const NEW = "docker.io/istio/examples-bookinfo-details-v1:1.21.0";

describe(RULE, () => {
    for (const release of RELEASE_NAMES) {
        describe(`release ${release}`, () => {
            it("baseline: half -> promoted passes every rule", async () => {
                assert.deepStrictEqual(await verdictsOf(baseline(release)), NOTHING);
            });

            it("details image changed mid-rollout: refused in the stack check and at the details Deployment's step", async () => {
                const s = baseline(release);
                s.services["details-v1"] = NEW;
                const message = `details-v1 would change image (${OLD} -> ${NEW}) while the reviews rollout is under way (half): the other services stay fixed until the release is closed or rolled back, so a failure is the candidate's alone.`;
                assert.deepStrictEqual(await verdictsOf(s), {
                    stack: { [RULE]: [message] },
                    resources: { [RULE]: [message] },
                });
                const policy = bookinfoServicesFixedDuringRollout(sourceOf(contextOf(s)));
                assert.deepStrictEqual(
                    await checkResource(policy, pick(resourcesOf(s), "bookinfo-details-deployment")),
                    [message],
                );
            });

            it("details image changed between releases (live stable, no candidate running) is allowed", async () => {
                const s = scenario(release, "stable", "stable");
                s.services["details-v1"] = NEW;
                assert.deepStrictEqual(await verdictsOf(s), NOTHING);
            });
        });
    }
});
