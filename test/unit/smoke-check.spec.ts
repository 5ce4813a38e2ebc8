// The gate's answer checker with good and bad answers of a reviews candidate (`GET /reviews/7`) and of a ratings
// candidate (`GET /ratings/7`).
import * as assert from "assert";
import { checkAnswer, parseCurlOutput, RATINGS_ERROR } from "../../rollout/smoke-check";

const POD = "reviews-v2-5b64f47978-abcde";
const answer = (body: unknown, httpCode = "200") => ({
    httpCode,
    body: typeof body === "string" ? body : JSON.stringify(body),
});
const healthy = (overrides: Record<string, unknown> = {}) => ({
    id: "7",
    podname: POD,
    clustername: "null",
    reviews: [
        {
            reviewer: "Reviewer1",
            text: "An extremely entertaining play by Shakespeare.",
            rating: { stars: 5, color: "black" },
        },
        { reviewer: "Reviewer2", text: "Absolutely fun and entertaining.", rating: { stars: 4, color: "black" } },
    ],
    ...overrides,
});
const checkReviewsAnswer = (a: { httpCode: string; body: string }, pod: string, color: "black" | "red") =>
    checkAnswer("reviews", a, pod, color);
const checks = (a: { httpCode: string; body: string }) => checkReviewsAnswer(a, POD, "black").map((f) => f.check);
const ratingsChecks = (body: unknown, httpCode = "200") =>
    checkAnswer("ratings", answer(body, httpCode), "ratings-v2-abc", "black");

describe("gate answer checker", () => {
    it("passes a healthy v2 answer", () => {
        assert.deepStrictEqual(checkReviewsAnswer(answer(healthy()), POD, "black"), []);
    });
    it("fails a non-200 answer", () => {
        assert.deepStrictEqual(checks(answer("upstream error", "500")), ["http-200"]);
        assert.match(checkReviewsAnswer(answer("upstream error", "500"), POD, "black")[0].detail, /HTTP 500/);
    });
    it("fails a body that is not JSON", () => {
        assert.deepStrictEqual(checks(answer("<html>oops</html>")), ["json"]);
        assert.deepStrictEqual(checks(answer("42")), ["json"]);
    });
    it("fails an answer from another pod", () => {
        const failed = checkReviewsAnswer(answer(healthy({ podname: "reviews-v1-abc" })), POD, "black");
        assert.deepStrictEqual(
            failed.map((f) => f.check),
            ["podname"],
        );
        assert.match(failed[0].detail, /answered by "reviews-v1-abc", expected reviews-v2-5b64f47978-abcde/);
    });
    it("fails a ratings error (v2 cannot reach ratings)", () => {
        const body = healthy({
            reviews: [
                { reviewer: "Reviewer1", rating: { error: RATINGS_ERROR } },
                { reviewer: "Reviewer2", rating: { error: RATINGS_ERROR } },
            ],
        });
        const failed = checkReviewsAnswer(answer(body), POD, "black");
        assert.deepStrictEqual(
            failed.map((f) => f.check),
            ["ratings", "ratings"],
        );
        assert.match(failed[0].detail, /Reviewer1: ratings error "Ratings service is currently unavailable"/);
    });
    it("fails stars of another colour (red stars when black are expected) and missing stars (v1)", () => {
        const red = healthy({ reviews: [{ reviewer: "Reviewer1", rating: { stars: 5, color: "red" } }] });
        assert.deepStrictEqual(checks(answer(red)), ["stars"]);
        assert.deepStrictEqual(checkReviewsAnswer(answer(red), POD, "red"), [], "a v3 candidate answers red stars");
        const none = healthy({ reviews: [{ reviewer: "Reviewer1", text: "no rating" }] });
        assert.deepStrictEqual(checks(answer(none)), ["stars"]);
        assert.deepStrictEqual(checks(answer(healthy({ reviews: [] }))), ["stars"]);
    });
    it("passes a healthy ratings answer, and fails a missing or out-of-range rating", () => {
        assert.deepStrictEqual(ratingsChecks({ id: 7, ratings: { Reviewer1: 5, Reviewer2: 4 } }), []);
        assert.deepStrictEqual(
            ratingsChecks("busy", "503").map((f) => f.check),
            ["http-200"],
        );
        assert.deepStrictEqual(
            ratingsChecks({ id: 7 }).map((f) => f.check),
            ["ratings"],
        );
        assert.deepStrictEqual(
            ratingsChecks({ id: 7, ratings: {} }).map((f) => f.check),
            ["ratings"],
        );
        const bad = ratingsChecks({ id: 7, ratings: { Reviewer1: 5, Reviewer2: 0, Reviewer3: "4" } });
        assert.deepStrictEqual(
            bad.map((f) => f.detail),
            ["Reviewer2: rating 0, expected 1 to 5 stars", 'Reviewer3: rating "4", expected 1 to 5 stars'],
        );
    });
    it("splits curl output into body and status code", () => {
        assert.deepStrictEqual(parseCurlOutput('{"a":1}\n200'), { body: '{"a":1}', httpCode: "200" });
        assert.deepStrictEqual(parseCurlOutput("line1\nline2\n503"), { body: "line1\nline2", httpCode: "503" });
        assert.deepStrictEqual(parseCurlOutput("000"), { body: "", httpCode: "000" });
    });
});
