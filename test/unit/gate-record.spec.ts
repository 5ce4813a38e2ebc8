// What the guard believes of the gate record, from the record as the API server returns it (managedFields shown).
import * as assert from "assert";
import { gateViewOf, passOf, withResult, GATE_RECORD_KEEP } from "../../rollout/gate-record";

const pass = (image: string, version = "v2") => ({
    image,
    version,
    passedAt: "2026-11-26T10:00:00Z",
    pods: 1,
    requestsPerPod: 11,
});
const record = (managedFields: object[], passes: unknown = [pass("r/reviews:2")]) => ({
    metadata: { managedFields },
    data: { "passed.json": typeof passes === "string" ? passes : JSON.stringify(passes) },
});
const gateApply = {
    manager: "bookinfo-rollout-gate",
    operation: "Apply",
    fieldsV1: { "f:data": { "f:passed.json": {} } },
};

describe("gate record", () => {
    it("is absent when there is no ConfigMap", () => {
        assert.deepStrictEqual(gateViewOf(undefined), { trust: "absent" });
    });

    it("is trusted when only the gate applied its data", () => {
        const labeller = {
            manager: "kubectl-label",
            operation: "Update",
            fieldsV1: { "f:metadata": { "f:labels": {} } },
        };
        assert.deepStrictEqual(gateViewOf(record([gateApply, labeller])), {
            trust: "trusted",
            passes: [pass("r/reviews:2")],
        });
    });

    it("is not trusted when anyone else wrote its data: kubectl edit, a Pulumi resource, a copied manifest", () => {
        const edit = {
            manager: "kubectl-edit",
            operation: "Update",
            time: "2026-11-26T11:00:00Z",
            fieldsV1: { "f:data": { "f:passed.json": {} } },
        };
        assert.deepStrictEqual(gateViewOf(record([gateApply, edit])), {
            trust: "untrusted",
            why: "its data was written by kubectl-edit (Update at 2026-11-26T11:00:00Z), not only by the gate (bookinfo-rollout-gate)",
        });
        const pulumiApply = { manager: "pulumi-kubernetes-1234", operation: "Apply", fieldsV1: { "f:data": {} } };
        assert.strictEqual(gateViewOf(record([pulumiApply])).trust, "untrusted");
        const gateUpdate = { manager: "bookinfo-rollout-gate", operation: "Update", fieldsV1: { "f:data": {} } };
        assert.strictEqual(gateViewOf(record([gateUpdate])).trust, "untrusted", "the gate only ever applies");
        assert.deepStrictEqual(gateViewOf(record([])), {
            trust: "untrusted",
            why: "no data written by the gate (bookinfo-rollout-gate)",
        });
    });

    it("is not trusted when its data is not a list of passes", () => {
        assert.deepStrictEqual(gateViewOf(record([gateApply], "{oops")), {
            trust: "untrusted",
            why: "data.passed.json is not JSON",
        });
        assert.deepStrictEqual(gateViewOf(record([gateApply], [{ image: "x" }])), {
            trust: "untrusted",
            why: "data.passed.json is not a list of passed gates",
        });
    });

    it("finds a pass only for exactly the version and image", () => {
        const view = gateViewOf(record([gateApply], [pass("r/reviews:2")]));
        assert.ok(passOf(view, "v2", "r/reviews:2"));
        assert.strictEqual(passOf(view, "v2", "r/reviews:2.1"), undefined);
        assert.strictEqual(passOf(view, "v3", "r/reviews:2"), undefined);
        assert.strictEqual(passOf({ trust: "untrusted", why: "x" }, "v2", "r/reviews:2"), undefined);
    });

    it("keeps the latest pass first, once per version and image, at most the last 20", () => {
        const many = Array.from({ length: 25 }, (_, i) => pass(`r/reviews:${i}`));
        const next = withResult({ trust: "trusted", passes: many }, pass("r/reviews:3")).passes;
        assert.strictEqual(GATE_RECORD_KEEP, 20);
        assert.strictEqual(next.length, 20);
        assert.deepStrictEqual(
            next.slice(0, 3).map((p) => p.image),
            ["r/reviews:3", "r/reviews:0", "r/reviews:1"],
        );
        assert.deepStrictEqual(
            withResult({ trust: "untrusted", why: "x" }, pass("a:1")).passes.map((p) => p.image),
            ["a:1"],
        );
    });
});
