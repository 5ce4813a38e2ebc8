// The settle step (io/settle.ts) against a stand-in kubectl: it deletes the reviews Deployments the stage no longer
// runs and then records the stage; with SETTLE_ONLY=retire (the pods strategy's step before its app check) it only
// deletes.
import * as assert from "assert";
import { SETTLE_ENV } from "../../io/gate-env";
import { ROLLOUT_RECORD_KEY } from "../../rollout/labels";
import { runWithFakeKubectl } from "./fake-kubectl-run";

const RECORD = { release: { stable: { version: "v2", image: "r/reviews-v2:1", replicas: 3 } }, stage: "promoted" };

const runSettle = (env: Record<string, string>) =>
    runWithFakeKubectl("io/settle.ts", { [SETTLE_ENV.namespace]: "bookinfo", [SETTLE_ENV.service]: "reviews", ...env });

const deletes = (calls: string[][]) =>
    calls.filter((c) => c.includes("delete")).map((c) => c.slice(c.indexOf("delete")));

describe("settle script", function () {
    this.timeout(60_000);

    it("retires the versions the stage does not run, then records the stage", () => {
        const r = runSettle({ [SETTLE_ENV.keep]: '["v2"]', [SETTLE_ENV.record]: JSON.stringify(RECORD) });
        assert.strictEqual(r.status, 0, r.stderr);
        assert.deepStrictEqual(deletes(r.calls), [
            ["delete", "deployment", "-n", "bookinfo", "--ignore-not-found", "reviews-v1"],
        ]);
        assert.strictEqual(JSON.parse(r.record.data[ROLLOUT_RECORD_KEY]).stage, "promoted");
        assert.match(r.stdout, /retired reviews-v1: the stage runs reviews-v2\nsettled at promoted/);
    });

    it("with SETTLE_ONLY=retire: only deletes, records nothing, and needs no record", () => {
        const r = runSettle({ [SETTLE_ENV.keep]: '["v2"]', [SETTLE_ENV.only]: "retire" });
        assert.strictEqual(r.status, 0, r.stderr);
        assert.deepStrictEqual(deletes(r.calls), [
            ["delete", "deployment", "-n", "bookinfo", "--ignore-not-found", "reviews-v1"],
        ]);
        assert.strictEqual(r.record, undefined);
        assert.ok(!r.calls.some((c) => c.includes("apply")));
        const nothing = runSettle({ [SETTLE_ENV.keep]: '["v1", "v2"]', [SETTLE_ENV.only]: "retire" });
        assert.deepStrictEqual(
            [nothing.status, deletes(nothing.calls), nothing.stdout],
            [0, [], "nothing to retire: the stage runs reviews-v1, reviews-v2\n"],
        );
    });

    it("refuses to run without a record unless told to only retire", () => {
        const envs: Record<string, string>[] = [
            { [SETTLE_ENV.keep]: '["v2"]' },
            { [SETTLE_ENV.keep]: '["v2"]', [SETTLE_ENV.only]: "record" },
        ];
        for (const env of envs) {
            const r = runSettle(env);
            assert.strictEqual(r.status, 1);
            assert.match(
                r.stderr,
                /settle failed: inputs: set SETTLE_NAMESPACE, .*SETTLE_RECORD \(SETTLE_ONLY: unset, or "retire" without SETTLE_RECORD\)/,
            );
            assert.deepStrictEqual(r.calls, [], "nothing read or changed");
        }
    });
});
