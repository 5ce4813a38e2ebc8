// The gate script (io/gate.ts) end to end against a stand-in kubectl: the tutorial's checks, 10 requests in a row
// in one exec, "gate failed: <check> on pod <name> (<ip>): <detail>" on failure, and on success a pass recorded
// by server-side apply under the gate's own field manager.
import * as assert from "assert";
import { CURL_FROM_SLEEP, runWithFakeKubectl } from "./fake-kubectl-run";
import { GATE_ENV } from "../../io/gate-env";

/** The smoke test as the plan hands it to the gate for reviews, written out. */
const SMOKE_TEST = {
    kind: "smoke",
    requestsInARow: 10,
    port: 9080,
    path: "/reviews/7",
    answers: "reviews",
    checks: ["http-200", "json", "podname", "ratings", "stars"],
};
const IMAGE = "docker.io/istio/examples-bookinfo-reviews-v2:1.20.3";

function runGate(mode: string, env: Record<string, string> = {}) {
    return runWithFakeKubectl("io/gate.ts", {
        FAKE_MODE: mode,
        FAKE_IMAGE: IMAGE,
        [GATE_ENV.namespace]: "bookinfo",
        [GATE_ENV.service]: "reviews",
        [GATE_ENV.kubeconfig]: "/tmp/kc.yaml",
        [GATE_ENV.context]: "kwok-bookinfo",
        [GATE_ENV.version]: "v2",
        [GATE_ENV.image]: IMAGE,
        [GATE_ENV.pods]: "1",
        [GATE_ENV.stars]: "black",
        [GATE_ENV.spec]: JSON.stringify(SMOKE_TEST),
        ...env,
    });
}

const passes = (record: any) => JSON.parse(record.data["passed.json"]);

describe("gate script", function () {
    this.timeout(60_000);

    it("passes a healthy candidate pod: one request, then 10 in a row, in one exec, with config's kubeconfig and context", () => {
        const r = runGate("healthy");
        assert.strictEqual(r.status, 0, r.stderr);
        assert.match(r.stdout, /ok +http-200, json, podname, ratings, stars on pod reviews-v2-a \(10\.0\.0\.7\)/);
        assert.match(r.stdout, /ok +10 requests in a row on pod reviews-v2-a/);
        const execs = r.calls.filter((c) => c.includes("exec"));
        const url = "http://10.0.0.7:9080/reviews/7";
        assert.deepStrictEqual(
            execs.map((c) => c.filter((a) => a === url).length),
            [11],
        );
        assert.deepStrictEqual(execs[0].slice(execs[0].indexOf("exec"), execs[0].indexOf(url) + 1), [
            ...CURL_FROM_SLEEP,
            url,
        ]);
        assert.deepStrictEqual(
            r.calls.map((c) => c[5]),
            ["get", "exec", "get", "apply"],
            "one pod read, one exec, the record read and write",
        );
        for (const call of r.calls)
            assert.deepStrictEqual(call.slice(0, 4), ["--kubeconfig", "/tmp/kc.yaml", "--context", "kwok-bookinfo"]);
    });

    it("records the pass by server-side apply under its own field manager", () => {
        const r = runGate("healthy");
        const apply = r.calls.find((c) => c.includes("apply"))!;
        assert.ok(
            apply.includes("--server-side") && apply.includes("--field-manager=bookinfo-rollout-gate"),
            apply.join(" "),
        );
        assert.strictEqual(r.record.metadata.name, "reviews-gate-record");
        const [pass] = passes(r.record);
        assert.deepStrictEqual(
            { ...pass, passedAt: "t" },
            { image: IMAGE, version: "v2", passedAt: "t", pods: 1, requestsPerPod: 11 },
        );
    });

    it("adds to a trusted record, and starts over when someone else wrote it", () => {
        const earlier = {
            image: "r/reviews:1",
            version: "v2",
            passedAt: "2026-01-01T00:00:00Z",
            pods: 1,
            requestsPerPod: 11,
        };
        const record = (manager: string, operation: string) =>
            JSON.stringify({
                metadata: { managedFields: [{ manager, operation, fieldsV1: { "f:data": { "f:passed.json": {} } } }] },
                data: { "passed.json": JSON.stringify([earlier]) },
            });
        const trusted = runGate("healthy", { FAKE_RECORD: record("bookinfo-rollout-gate", "Apply") });
        assert.deepStrictEqual(
            passes(trusted.record).map((p: any) => p.image),
            [IMAGE, "r/reviews:1"],
        );
        const edited = runGate("healthy", { FAKE_RECORD: record("kubectl-edit", "Update") });
        assert.match(edited.stdout, /is not trusted \(its data was written by kubectl-edit \(Update\)/);
        assert.ok(edited.calls.some((c) => c.includes("delete")));
        assert.deepStrictEqual(
            passes(edited.record).map((p: any) => p.image),
            [IMAGE],
        );
    });

    it("checks the candidate's own star colour (v3: red)", () => {
        assert.strictEqual(runGate("healthy", { FAKE_STARS: "red", [GATE_ENV.stars]: "red" }).status, 0);
        const wrong = runGate("healthy", { FAKE_STARS: "black", [GATE_ENV.stars]: "red" });
        assert.strictEqual(wrong.status, 1);
        assert.match(
            wrong.stderr,
            /gate failed: stars on pod reviews-v2-a \(10\.0\.0\.7\): stars: Reviewer1: rating .* expected red stars/,
        );
        assert.deepStrictEqual(passes(wrong.record), [], "a failed gate records no pass");
        const [failed] = JSON.parse(wrong.record.data["failed.json"]);
        assert.deepStrictEqual(
            { ...failed, failedAt: "t" },
            { image: IMAGE, version: "v2", failedAt: "t", failure: wrong.stderr.trim().split("\n")[0] },
        );
    });

    it("fails on a ratings error, and when one of the 10 requests in a row fails", () => {
        const ratings = runGate("ratings-error");
        assert.strictEqual(ratings.status, 1);
        assert.match(
            ratings.stderr,
            /gate failed: ratings on pod reviews-v2-a \(10\.0\.0\.7\): ratings: Reviewer1: ratings error/,
        );
        const flaky = runGate("flaky");
        assert.strictEqual(flaky.status, 1);
        assert.match(
            flaky.stderr,
            /gate failed: http-200 \(request 4\/10 in a row\) on pod reviews-v2-a \(10\.0\.0\.7\): http-200: HTTP 500/,
        );
        assert.match(flaky.record.data["failed.json"], /request 4\/10 in a row/);
    });

    it("fails when the pod runs another image or the pod count is off", () => {
        const image = runGate("healthy", { [GATE_ENV.image]: "reviews:other" });
        assert.strictEqual(image.status, 1);
        assert.match(
            image.stderr,
            /gate failed: image on pod reviews-v2-a \(10\.0\.0\.7\): runs .*1\.20\.3, expected reviews:other/,
        );
        const count = runGate("healthy", { [GATE_ENV.pods]: "3" });
        assert.match(count.record.data["failed.json"], /pods-ready/);
        assert.strictEqual(count.status, 1);
        assert.match(count.stderr, /gate failed: pods-ready: expected 3 ready pods .* found 1/);
    });
});
