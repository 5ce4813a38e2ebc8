// The gate rule: on the baseline (live half -> goal promoted), on canary -> half, and on a dark -> canary move
// (where the candidate newly serves), one change each. Expected messages written out.
import * as assert from "assert";
import { IMG, meshScenario, pass, RELEASE_NAMES, scenario, VERSIONS, workload } from "../testing/fixtures";
import { baseline, NOTHING, verdictsOf } from "../testing/pack";

const RULE = "reviews-serves-only-gate-passed-images";
const THEN = "run the candidate through dark first, where its gate (the smoke test) runs and records a pass.";

describe(RULE, () => {
    for (const release of RELEASE_NAMES) {
        const { candidate } = VERSIONS[release];
        const newImage = `docker.io/istio/examples-bookinfo-reviews-${candidate}:1.21.0`;

        describe(`release ${release}`, () => {
            it("baseline: half -> promoted passes every rule", async () => {
                assert.deepStrictEqual(await verdictsOf(baseline(release)), NOTHING);
            });

            it("a new candidate image in promoted (no gate pass for it): refused in the stack check and at the candidate's step", async () => {
                const s = baseline(release);
                s.config.release.candidate!.image = newImage;
                workload(s.goal, candidate).image = newImage;
                const message = `reviews-${candidate} would serve image ${newImage} in this stage, but the gate record has no pass for exactly this version and image: ${THEN}`;
                assert.deepStrictEqual(await verdictsOf(s), {
                    stack: { [RULE]: [message] },
                    resources: { [RULE]: [message] },
                });
            });

            it("an untrusted gate record on the baseline: a forward move needs the candidate's pass even though it already serves", async () => {
                const s = baseline(release);
                const why =
                    "its data was written by kubectl-edit (Update at 2026-11-21T09:00:00Z), not only by the gate (bookinfo-rollout-gate)";
                s.live.gate = { trust: "untrusted", why };
                const message = `reviews-${candidate} would serve image ${IMG[candidate]} in this stage, but the gate record reviews-gate-record is not trusted: ${why} (delete it; the gate writes a new one): ${THEN}`;
                // No reviews Deployment step: the candidate keeps its shape (3 serving pods), the stable is deleted.
                assert.deepStrictEqual(await verdictsOf(s), { stack: { [RULE]: [message] }, resources: {} });
            });

            it("canary -> half without the candidate's pass in the record: refused at the candidate's step too", async () => {
                const s = scenario(release, "canary", "half");
                s.live.gate = { trust: "trusted", passes: [] };
                const message = `reviews-${candidate} would serve image ${IMG[candidate]} in this stage, but the gate record has no pass for exactly this version and image: ${THEN}`;
                assert.deepStrictEqual(await verdictsOf(s), {
                    stack: { [RULE]: [message] },
                    resources: { [RULE]: [message] },
                });
            });

            it("dark -> canary with a trusted pass for the candidate's image passes every rule", async () => {
                assert.deepStrictEqual(await verdictsOf(scenario(release, "dark", "canary")), NOTHING);
            });

            it("dark -> canary with an untrusted gate record (written by someone else than the gate) is refused", async () => {
                const s = scenario(release, "dark", "canary");
                const why =
                    "its data was written by kubectl-edit (Update at 2026-11-21T09:00:00Z), not only by the gate (bookinfo-rollout-gate)";
                s.live.gate = { trust: "untrusted", why };
                const message = `reviews-${candidate} would serve image ${IMG[candidate]} in this stage, but the gate record reviews-gate-record is not trusted: ${why} (delete it; the gate writes a new one): ${THEN}`;
                assert.deepStrictEqual(await verdictsOf(s), {
                    stack: { [RULE]: [message] },
                    resources: { [RULE]: [message] },
                });
            });

            it("dark -> canary without a gate record is refused", async () => {
                const s = scenario(release, "dark", "canary");
                s.live.gate = { trust: "absent" };
                const message = `reviews-${candidate} would serve image ${IMG[candidate]} in this stage, but there is no gate record (reviews-gate-record in namespace bookinfo): ${THEN}`;
                assert.deepStrictEqual(await verdictsOf(s), {
                    stack: { [RULE]: [message] },
                    resources: { [RULE]: [message] },
                });
            });

            it("dark -> canary when the record's pass is for another image of the candidate is refused", async () => {
                const s = scenario(release, "dark", "canary");
                s.live.gate = {
                    trust: "trusted",
                    passes: [pass(candidate, `docker.io/istio/examples-bookinfo-reviews-${candidate}:1.20.2`)],
                };
                const message = `reviews-${candidate} would serve image ${IMG[candidate]} in this stage, but the gate record has no pass for exactly this version and image: ${THEN}`;
                assert.deepStrictEqual((await verdictsOf(s)).stack, { [RULE]: [message] });
            });

            it("stable -> canary (restore) passes with the pass already in the record, and is refused without it", async () => {
                assert.deepStrictEqual(await verdictsOf(scenario(release, "stable", "canary")), NOTHING);
                const s = scenario(release, "stable", "canary");
                s.live.gate = { trust: "trusted", passes: [] };
                const message = `reviews-${candidate} would serve image ${IMG[candidate]} in this stage, but the gate record has no pass for exactly this version and image: ${THEN}`;
                assert.deepStrictEqual(await verdictsOf(s), {
                    stack: { [RULE]: [message] },
                    resources: { [RULE]: [message] },
                });
            });
        });
    }

    it("a first deployment of the stable version needs no gate record: nothing served before it", async () => {
        assert.deepStrictEqual(await verdictsOf(scenario("v1->v2", "none", "stable")), NOTHING);
        assert.deepStrictEqual(await verdictsOf(scenario("v1->v2", "none", "dark")), NOTHING);
    });

    it("a first deployment that would serve the candidate names the candidate alone: the stable is the baseline", async () => {
        const gate = (await verdictsOf(scenario("v1->v2", "none", "canary"))).stack[RULE];
        assert.deepStrictEqual(gate, [
            `reviews-v2 would serve image ${IMG.v2} in this stage, but there is no gate record (reviews-gate-record in namespace bookinfo): ${THEN}`,
        ]);
    });

    it("istio: mirror -> weight-1 (the route's step alone) without the candidate's pass: refused at the VirtualService's step", async () => {
        const s = meshScenario("mirror", "weight-1");
        s.live.gate = { trust: "trusted", passes: [] };
        const message = `reviews-v2 would serve image ${IMG.v2} in this stage, but the gate record has no pass for exactly this version and image: run the candidate through dark first, where its gate (the smoke test) runs and records a pass.`;
        assert.deepStrictEqual(await verdictsOf(s), { stack: { [RULE]: [message] }, resources: { [RULE]: [message] } });
    });
});
