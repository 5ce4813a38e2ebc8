// Flagger's default analysis as the bench models it: hand-computed windows against Flagger's documented rule
// (success rate >= 99 %, p99 <= 500 ms, "no values found" a failed check, threshold failed checks roll back).
// Run: npx mocha local/bench/flagger-rule.spec.ts
import * as assert from "assert";
import { FLAGGER_DEFAULT_RULE, flaggerAnalysis, flaggerCheck } from "./flagger-rule";

describe("Flagger's default rule: one window", () => {
    it("has the defaults of the issue: interval 60 s, threshold 1, >= 99 %, <= 500 ms", () => {
        assert.deepStrictEqual(FLAGGER_DEFAULT_RULE, {
            intervalSeconds: 60,
            threshold: 1,
            minSuccessRatePercent: 99,
            maxDurationMs: 500,
        });
    });

    it("0 requests in a window is a failed check: no values found (0/0)", () => {
        const c = flaggerCheck({ requests: 0, errors: 0 });
        assert.strictEqual(c.ok, false);
        assert.ok(!c.ok && c.noValues, c.reason);
        assert.match(c.reason, /no values found/);
    });

    it("99/100 successes is exactly 99 %: passes (Flagger fails only below the minimum)", () => {
        const c = flaggerCheck({ requests: 100, errors: 1 });
        assert.strictEqual(c.ok, true, c.reason);
        assert.strictEqual(c.successRatePercent, 99);
    });

    it("98/100 successes is 98 %: fails", () => {
        const c = flaggerCheck({ requests: 100, errors: 2 });
        assert.strictEqual(c.ok, false);
        assert.ok(!c.ok && !c.noValues);
        assert.match(c.reason, /98\.00% < 99%/);
    });

    it("one error in 30 requests (weight 1 % of 50 req/s for a minute) is 96.7 %: fails", () => {
        assert.strictEqual(flaggerCheck({ requests: 30, errors: 1 }).ok, false);
    });

    it("0 errors in 1 request is 100 %: passes, however little traffic", () => {
        assert.strictEqual(flaggerCheck({ requests: 1, errors: 0 }).ok, true);
    });

    it("p99 500 ms passes, 500.1 ms fails; NaN (empty histogram) is no values found; absent is not judged", () => {
        assert.strictEqual(flaggerCheck({ requests: 100, errors: 0, durationMs: 500 }).ok, true);
        const slow = flaggerCheck({ requests: 100, errors: 0, durationMs: 500.1 });
        assert.ok(!slow.ok && !slow.noValues, slow.reason);
        const none = flaggerCheck({ requests: 100, errors: 0, durationMs: NaN });
        assert.ok(!none.ok && none.noValues, none.reason);
        assert.strictEqual(flaggerCheck({ requests: 100, errors: 0 }).ok, true);
    });

    it("+150 ms on 5 % of requests (p99 about 220 ms) passes the 500 ms bound", () => {
        assert.strictEqual(flaggerCheck({ requests: 3000, errors: 0, durationMs: 220 }).ok, true);
    });

    it("success rate is checked first: a window failing both reports the success rate", () => {
        const c = flaggerCheck({ requests: 100, errors: 5, durationMs: 900 });
        assert.match(c.reason, /success rate 95\.00%/);
    });
});

describe("Flagger's default rule: threshold over windows", () => {
    const good = { requests: 100, errors: 0 };
    const bad = { requests: 100, errors: 5 };

    it("threshold 1: the first failed window rolls back", () => {
        const a = flaggerAnalysis([good, good, bad, good]);
        assert.strictEqual(a.rolledBackAt, 2);
        assert.strictEqual(a.failedChecks, 1);
        assert.strictEqual(a.checks.length, 3, "stops at the rollback");
    });

    it("a window with no traffic rolls back at threshold 1, even with no errors at all", () => {
        assert.strictEqual(flaggerAnalysis([good, { requests: 0, errors: 0 }]).rolledBackAt, 1);
    });

    it("passing windows never roll back", () => {
        const a = flaggerAnalysis([good, good, good]);
        assert.strictEqual(a.rolledBackAt, undefined);
        assert.strictEqual(a.failedChecks, 0);
    });

    it("threshold 2: failed checks add up, not reset by a passing one (bad, good, bad rolls back at the third)", () => {
        const rule = { ...FLAGGER_DEFAULT_RULE, threshold: 2 };
        assert.strictEqual(flaggerAnalysis([bad, good, good], rule).rolledBackAt, undefined);
        const a = flaggerAnalysis([bad, good, bad, good], rule);
        assert.strictEqual(a.rolledBackAt, 2);
        assert.strictEqual(a.failedChecks, 2);
    });

    it("refuses a threshold below 1", () => {
        assert.throws(() => flaggerAnalysis([good], { ...FLAGGER_DEFAULT_RULE, threshold: 0 }), /threshold/);
    });
});
