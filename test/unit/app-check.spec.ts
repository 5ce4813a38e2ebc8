// The app check (the tutorial's "check the application still works"): who may answer in each stage, as the plan
// derives it, against hand-written expectations; the judgement of hand-written answers (pass, or a message naming
// what should not have answered and how often); and the script (io/app-check.ts) against a stand-in kubectl.
import { REVIEWS } from "../../rollout/service";
import * as assert from "assert";
import { CURL_FROM_SLEEP, runWithFakeKubectl } from "./fake-kubectl-run";
import { APP_CHECK_ENV } from "../../io/gate-env";
import { AnsweredBatch, answeredBy, AppExpectation, judgeBatch, tally } from "../../rollout/app-check";
import { parseRolloutConfig } from "../../rollout/config";
import { planOf } from "../../rollout/plan";
import { Answer } from "../../rollout/smoke-check";
import { STAGE_NAMES } from "../../rollout/stages";
import { MESH_STAGES, MESH_TRAFFIC, RELEASES } from "./shapes";

/** Reviews' app check as the plan gives it, written out: productpage's call of reviews, 10 requests per pod. */
const APP_TEST = { kind: "app", requests: 10, port: 9080, path: "/api/v1/products/0/reviews" };
const planFor = (values: Record<string, unknown>) => planOf(parseRolloutConfig(values, "bookinfo-rollout"), REVIEWS);

/** Hand-written: which role's pods may answer productpage under `pods` (undefined: no app check in the stage). */
const PODS_MAY_ANSWER: Record<string, ("stable" | "candidate")[] | undefined> = {
    stable: undefined,
    dark: ["stable"],
    canary: ["stable", "candidate"],
    half: ["stable", "candidate"],
    promoted: ["candidate"],
};

/** Hand-written, under `istio` (release v1 -> v2): plain users' versions and the tester's. */
const MESH_MAY_ANSWER: Record<string, { plain: string[]; testers: string[] } | undefined> = {
    stable: undefined,
    dark: { plain: ["v1"], testers: ["v2"] },
    mirror: { plain: ["v1"], testers: ["v2"] },
    "weight-1": { plain: ["v1", "v2"], testers: ["v2"] },
    "weight-5": { plain: ["v1", "v2"], testers: ["v2"] },
    "weight-10": { plain: ["v1", "v2"], testers: ["v2"] },
    "weight-25": { plain: ["v1", "v2"], testers: ["v2"] },
    "weight-50": { plain: ["v1", "v2"], testers: ["v2"] },
    "weight-100": { plain: ["v2"], testers: ["v2"] },
    promoted: { plain: ["v2"], testers: ["v2"] },
};

describe("app check: who may answer, from the plan", () => {
    for (const [name, release] of Object.entries(RELEASES)) {
        for (const stage of STAGE_NAMES) {
            const roles = PODS_MAY_ANSWER[stage];
            it(`pods ${name} ${stage}: ${roles ? `only ${roles.join(" and ")} may answer, no tester requests` : "no app check"}`, () => {
                const plan = planFor({ stage, release });
                if (!roles) return assert.strictEqual(plan.appCheck, undefined);
                const versions = roles.map((r) =>
                    r === "stable" ? release.stable.version : release.candidate!.version,
                );
                assert.deepStrictEqual(plan.appCheck, {
                    gate: APP_TEST,
                    expected: { plain: { versions, by: `stage ${stage} serves` } },
                });
            });
        }
    }

    for (const stage of MESH_STAGES) {
        const want = MESH_MAY_ANSWER[stage];
        it(`istio v1->v2 ${stage}: ${want ? `plain ${want.plain.join(", ")}, testers ${want.testers.join(", ")}` : "no app check"}`, () => {
            const plan = planFor({ stage, release: RELEASES["v1->v2"], traffic: MESH_TRAFFIC });
            if (!want) return assert.strictEqual(plan.appCheck, undefined);
            const expected = plan.appCheck!.expected;
            assert.deepStrictEqual(
                [
                    expected.plain.versions,
                    expected.testers?.versions,
                    expected.testers?.header,
                    expected.testers?.value,
                ],
                [want.plain, want.testers, "end-user", "jason"],
            );
        });
    }
});

// Hand-written answers of productpage's /api/v1/products/0/reviews (the reviews answer passed through).
const VERSION_OF = new Map([
    ["reviews-v1-aaaaa", "v1"],
    ["reviews-v1-bbbbb", "v1"],
    ["reviews-v2-ccccc", "v2"],
]);
const from = (podname: string): Answer => ({
    httpCode: "200",
    body: JSON.stringify({ id: "0", podname, clustername: "null", reviews: [{ reviewer: "Reviewer1" }] }),
});
const batch = (answers: Answer[], requests = 10): AnsweredBatch => ({
    page: "productpage-v1-xyz",
    who: "plain users",
    requests,
    answers,
});
const times = (n: number, a: Answer) => Array<Answer>(n).fill(a);
const DARK = { versions: ["v1"], by: "stage dark serves" };
const CANARY = { versions: ["v1", "v2"], by: "stage canary serves" };
const PROMOTED = { versions: ["v2"], by: "stage promoted serves" };

describe("app check: the judgement of one batch of answers", () => {
    it("passes 10 answers from the stable's pods at dark", () => {
        assert.strictEqual(
            judgeBatch(
                batch([...times(6, from("reviews-v1-aaaaa")), ...times(4, from("reviews-v1-bbbbb"))]),
                DARK,
                VERSION_OF,
            ),
            undefined,
        );
    });

    it("fails the dark candidate answering at dark, naming it and how often", () => {
        const answers = [...times(7, from("reviews-v1-aaaaa")), ...times(3, from("reviews-v2-ccccc"))];
        assert.strictEqual(
            judgeBatch(batch(answers), DARK, VERSION_OF),
            "plain users got v2 (3 of 10) on pod productpage-v1-xyz; stage dark serves only v1",
        );
    });

    it("passes either version at canary (neither has to answer)", () => {
        assert.strictEqual(
            judgeBatch(batch([...times(9, from("reviews-v1-aaaaa")), from("reviews-v2-ccccc")]), CANARY, VERSION_OF),
            undefined,
        );
        assert.strictEqual(judgeBatch(batch(times(10, from("reviews-v1-bbbbb"))), CANARY, VERSION_OF), undefined);
    });

    it("fails the deleted stable still answering at promoted", () => {
        const answers = [...times(9, from("reviews-v2-ccccc")), from("reviews-v1-bbbbb")];
        assert.strictEqual(
            judgeBatch(batch(answers), PROMOTED, VERSION_OF),
            "plain users got v1 (1 of 10) on pod productpage-v1-xyz; stage promoted serves only v2",
        );
    });

    it("fails any answer but 200, with the count and the first such body", () => {
        const answers = [
            ...times(8, from("reviews-v1-aaaaa")),
            ...times(2, { httpCode: "503", body: '{"error": "reviews answered 503"}' }),
        ];
        assert.strictEqual(
            judgeBatch(batch(answers), DARK, VERSION_OF),
            'plain users got HTTP 503 (2 of 10) on pod productpage-v1-xyz; stage dark serves only v1; first HTTP 503 answer: "{\\"error\\": \\"reviews answered 503\\"}"',
        );
        assert.match(
            judgeBatch(batch(times(10, { httpCode: "000", body: "" })), CANARY, VERSION_OF)!,
            /^plain users got HTTP 000 \(10 of 10\) on pod productpage-v1-xyz; stage canary serves only v1, v2; first HTTP 000 answer: ""$/,
        );
    });

    it("fails answers that name no known reviews pod: not JSON, no podname, a pod of no reviews Deployment", () => {
        const answers = [
            ...times(7, from("reviews-v1-aaaaa")),
            { httpCode: "200", body: "<html>" },
            { httpCode: "200", body: "{}" },
            from("ratings-v1-zzz"),
        ];
        assert.strictEqual(
            judgeBatch(batch(answers), DARK, VERSION_OF),
            'plain users got no JSON (1 of 10), no podname (1 of 10), unknown pod ratings-v1-zzz (1 of 10) on pod productpage-v1-xyz; stage dark serves only v1; first no JSON answer: "<html>"',
        );
    });

    it("fails when productpage does not answer every request (or at all)", () => {
        assert.strictEqual(
            judgeBatch(batch(times(4, from("reviews-v1-aaaaa"))), DARK, VERSION_OF),
            "plain users got 4 answers to 10 requests on pod productpage-v1-xyz",
        );
        assert.strictEqual(
            judgeBatch(batch([]), DARK, VERSION_OF),
            "plain users got 0 answers to 10 requests on pod productpage-v1-xyz",
        );
    });

    it("names the tester's requests under istio", () => {
        const tester = { ...batch(times(10, from("reviews-v1-aaaaa"))), who: "the tester (end-user: jason)" };
        assert.strictEqual(
            judgeBatch(tester, { versions: ["v2"], by: "the route sends testers to" }, VERSION_OF),
            "the tester (end-user: jason) got v1 (10 of 10) on pod productpage-v1-xyz; the route sends testers to only v2",
        );
    });

    it("reads each answer as the version that gave it, and tallies them", () => {
        assert.deepStrictEqual(
            [
                from("reviews-v2-ccccc"),
                { httpCode: "500", body: "x" },
                { httpCode: "200", body: "[1" },
                { httpCode: "200", body: "null" },
                from("reviews-v9-q"),
            ].map((a) => answeredBy(a, VERSION_OF)),
            ["v2", "HTTP 500", "no JSON", "no podname", "unknown pod reviews-v9-q"],
        );
        assert.strictEqual(tally(["v1", "v2", "v1", "HTTP 503"]), "v1 2, v2 1, HTTP 503 1");
    });
});

/** io/app-check.ts against the stand-in kubectl (test/unit/fixtures/fake-kubectl.js): answers name FAKE_PODNAME. */
function runAppCheck(expected: AppExpectation, podname: string) {
    return runWithFakeKubectl("io/app-check.ts", {
        FAKE_MODE: "healthy",
        FAKE_PODNAME: podname,
        [APP_CHECK_ENV.namespace]: "bookinfo",
        [APP_CHECK_ENV.kubeconfig]: "/tmp/kc.yaml",
        [APP_CHECK_ENV.context]: "kwok-bookinfo",
        [APP_CHECK_ENV.service]: "reviews",
        [APP_CHECK_ENV.spec]: JSON.stringify(APP_TEST),
        [APP_CHECK_ENV.expected]: JSON.stringify(expected),
    });
}

describe("app check script", function () {
    this.timeout(60_000);
    const url = "http://10.0.0.3:9080/api/v1/products/0/reviews";

    it("pods: 10 plain requests to each productpage pod by IP from the sleep pod, in one exec, no tester header", () => {
        const r = runAppCheck({ plain: { versions: ["v1"], by: "stage dark serves" } }, "reviews-v1-a");
        assert.strictEqual(r.status, 0, r.stderr);
        assert.match(r.stdout, /ok +productpage-v1-a: plain users v1 10\n/);
        assert.match(
            r.stdout,
            /app check passed: 1 productpage pod\(s\), 10 requests each, every answer 200 from reviews v1 \([\d.]+ s\)\n$/,
        );
        const execs = r.calls.filter((c) => c.includes("exec"));
        assert.strictEqual(execs.length, 1);
        assert.deepStrictEqual(execs[0].slice(execs[0].indexOf("exec"), execs[0].indexOf(url)), CURL_FROM_SLEEP);
        assert.strictEqual(execs[0].filter((a) => a === url).length, 10);
        assert.deepStrictEqual(
            r.calls.map((c) => c[5]),
            ["get", "exec"],
            "one pod read, one exec",
        );
        for (const call of r.calls)
            assert.deepStrictEqual(call.slice(0, 4), ["--kubeconfig", "/tmp/kc.yaml", "--context", "kwok-bookinfo"]);
    });

    it("istio: the same requests, then as many as the tester", () => {
        const expected: AppExpectation = {
            plain: { versions: ["v1", "v2"], by: "the route weighs" },
            testers: { header: "end-user", value: "jason", versions: ["v2"], by: "the route sends testers to" },
        };
        const r = runAppCheck(expected, "reviews-v2-a");
        assert.strictEqual(r.status, 0, r.stderr);
        assert.match(r.stdout, /ok +productpage-v1-a: plain users v2 10; the tester \(end-user: jason\) v2 10\n/);
        const execs = r.calls.filter((c) => c.includes("exec"));
        assert.deepStrictEqual(
            execs.map((c) => [c.filter((a) => a === url).length, c.includes("-H") ? c[c.indexOf("-H") + 1] : "-"]),
            [
                [10, "-"],
                [10, "end-user: jason"],
            ],
        );
    });

    it("refuses to run without its inputs", () => {
        const r = runAppCheck(null as unknown as AppExpectation, "reviews-v1-a");
        assert.strictEqual(r.status, 1);
        assert.match(r.stderr, /app check failed: inputs: set APP_CHECK_NAMESPACE, .*APP_CHECK_EXPECTED/);
    });
});
