// The comparison of mirrored answers: real-shaped reviews answers of v1 (no ratings), v2 (black stars) and v3 (red
// stars) from a candidate pod and two stable pods, hand-checked verdicts, then simulations against known truth: noise
// at known rates on all three pods (how often a good candidate is reported, against Diffy's own rule on the same
// counts) and a candidate wrong on a known fraction of requests (how often it is caught). Expected values are worked
// out from the construction in the comments.
import * as assert from "assert";
import {
    Answer,
    AnswerDiff,
    compareAnswers,
    flatten,
    MirroredRequest,
    validateIgnorePatterns,
} from "../../analysis/answer-diff";
import { mulberry32 } from "./seeded-random";

const TEXT = [
    "An extremely entertaining play by Shakespeare. The slapstick humour is refreshing!",
    "Absolutely fun and entertaining. The play lacks thematic depth when compared to other plays by Shakespeare.",
];
const STARS = [5, 4];

/** `GET /reviews/<id>` as the version answers it from pod `pod` (upstream's LibertyRestEndpoint shape). */
function reviews(version: "v1" | "v2" | "v3", id: number, pod: string): Answer {
    const color = version === "v3" ? "red" : "black";
    const body = {
        id: String(id),
        podname: pod,
        clustername: "null",
        reviews: TEXT.map((text, i) => ({
            reviewer: `Reviewer${i + 1}`,
            text,
            ...(version === "v1" ? {} : { rating: { stars: STARS[i], color } }),
        })),
    };
    return { status: 200, body };
}

type Edit = (a: Answer, i: number) => Answer;
const same: Edit = (a) => a;

/** `count` requests /reviews/0.. : the candidate runs `cand`, both stables `stable`, each pod its own name. */
function batch(
    cand: "v1" | "v2" | "v3",
    stable: "v1" | "v2" | "v3",
    count: number,
    edit: Edit = same,
): MirroredRequest[] {
    return Array.from({ length: count }, (_, i) => ({
        path: `/reviews/${i}`,
        candidate: edit(reviews(cand, i, `reviews-${cand}-7d9f8c-x1qz`), i),
        primary: reviews(stable, i, `reviews-${stable}-5b6d4f-a1b2`),
        secondary: reviews(stable, i, `reviews-${stable}-5b6d4f-c3d4`),
    }));
}

const verdicts = (d: AnswerDiff) => Object.fromEntries(d.fields.map((f) => [f.path, f.verdict]));
const field = (d: AnswerDiff, path: string) => {
    const f = d.fields.find((x) => x.path === path);
    assert.ok(f, `no field ${path} in ${d.fields.map((x) => x.path).join(", ")}`);
    return f;
};
const RATINGS = [
    "reviews[0].rating.stars",
    "reviews[0].rating.color",
    "reviews[1].rating.stars",
    "reviews[1].rating.color",
];
const wrongText: Edit = (a) => {
    const body = a.body as { reviews: { text: string }[] };
    body.reviews[0].text = "A dull play.";
    return a;
};

describe("answer diff: fields", () => {
    it("flattens a v2 answer to @status and its leaves, arrays by index", () => {
        assert.deepStrictEqual(Object.fromEntries(flatten(reviews("v2", 7, "p"))), {
            "@status": "200",
            id: '"7"',
            podname: '"p"',
            clustername: '"null"',
            "reviews[0].reviewer": '"Reviewer1"',
            "reviews[0].text": JSON.stringify(TEXT[0]),
            "reviews[0].rating.stars": "5",
            "reviews[0].rating.color": '"black"',
            "reviews[1].reviewer": '"Reviewer2"',
            "reviews[1].text": JSON.stringify(TEXT[1]),
            "reviews[1].rating.stars": "4",
            "reviews[1].rating.color": '"black"',
        });
    });

    it("a text body is @body, empty containers are leaves, odd keys are quoted", () => {
        assert.deepStrictEqual(Object.fromEntries(flatten({ status: 503, body: "no healthy upstream" })), {
            "@status": "503",
            "@body": '"no healthy upstream"',
        });
        assert.deepStrictEqual(Object.fromEntries(flatten({ status: 200, body: { reviews: [], "a.b": { c: 1 } } })), {
            "@status": "200",
            reviews: "[]",
            '["a.b"].c': "1",
        });
    });
});

describe("answer diff: verdicts worked out by hand", () => {
    it("v1 against v1 passes: podname differs between any two pods, so it is noise (concordant, never counted)", () => {
        const d = compareAnswers(batch("v1", "v1", 40));
        assert.strictEqual(d.outcome, "pass", d.reason);
        assert.deepStrictEqual(verdicts(d), {
            "@status": "same",
            id: "same",
            podname: "noise",
            clustername: "same",
            "reviews[0].reviewer": "same",
            "reviews[0].text": "same",
            "reviews[1].reviewer": "same",
            "reviews[1].text": "same",
        });
        assert.deepStrictEqual([field(d, "podname").candidateDiffs, field(d, "podname").noiseDiffs], [40, 40]);
        assert.match(d.reason, /noise: podname/);
    });

    it("v2 against v1 fails on the four rating fields, each with an example", () => {
        // Each rating field is present in the candidate and absent in both stables: b = 40, d = 0, p = 2^-40.
        const d = compareAnswers(batch("v2", "v1", 40));
        assert.strictEqual(d.outcome, "fail");
        assert.deepStrictEqual(
            d.fields.filter((f) => f.verdict === "differs").map((f) => f.path),
            RATINGS,
        );
        assert.deepStrictEqual(field(d, "reviews[0].rating.stars").example, {
            request: "/reviews/0",
            candidate: "5",
            primary: "absent",
        });
        assert.match(d.reason, /reviews\[0\]\.rating\.stars \(40 vs noise 0 of 40; e\.g\. \/reviews\/0: 5 vs absent\)/);
        assert.strictEqual(d.fieldAlpha, 0.01 / 4);
    });

    it("v2 against v1 passes with reviews[*].rating declared, and says what the pattern ignored", () => {
        const d = compareAnswers(batch("v2", "v1", 40), { ignore: ["reviews[*].rating"] });
        assert.strictEqual(d.outcome, "pass", d.reason);
        assert.deepStrictEqual(d.patterns, [{ pattern: "reviews[*].rating", fields: RATINGS }]);
        for (const path of RATINGS)
            assert.deepStrictEqual([field(d, path).verdict, field(d, path).candidateDiffs], ["ignored", 40]);
        assert.match(d.reason, /ignored as declared: reviews\[0\]\.rating\.stars/);
    });

    it("a wrong review text fails even with ratings declared", () => {
        const d = compareAnswers(batch("v2", "v1", 40, wrongText), { ignore: ["reviews[*].rating"] });
        assert.strictEqual(d.outcome, "fail");
        assert.deepStrictEqual(
            d.fields.filter((f) => f.verdict === "differs").map((f) => f.path),
            ["reviews[0].text"],
        );
        assert.match(
            d.reason,
            /reviews\[0\]\.text .*e\.g\. \/reviews\/0: "A dull play\." vs "An extremely entertaining/,
        );
    });

    it("v3 against v2 differs only in the colour: declaring it passes, and the stars stay judged", () => {
        const bare = compareAnswers(batch("v3", "v2", 40));
        assert.deepStrictEqual(
            bare.fields.filter((f) => f.verdict === "differs").map((f) => f.path),
            [RATINGS[1], RATINGS[3]],
        );
        const d = compareAnswers(batch("v3", "v2", 40), { ignore: ["reviews[*].rating.color"] });
        assert.strictEqual(d.outcome, "pass", d.reason);
        assert.strictEqual(field(d, "reviews[0].rating.stars").verdict, "same");
    });

    it("a 500 on every third request fails on @status and every field it lacks", () => {
        // 20 of 60 answers are a 500 with a text body: @status, @body, id, clustername and the four review fields
        // differ there and not in the noise (b = 20, d = 0); podname is absent vs a name, but the stables' names
        // differ too (concordant).
        const broken: Edit = (a, i) => (i % 3 === 0 ? { status: 500, body: "upstream connect error" } : a);
        const d = compareAnswers(batch("v1", "v1", 60, broken));
        assert.strictEqual(d.outcome, "fail");
        const differs = d.fields
            .filter((f) => f.verdict === "differs")
            .map((f) => f.path)
            .sort();
        assert.deepStrictEqual(differs, [
            "@body",
            "@status",
            "clustername",
            "id",
            "reviews[0].reviewer",
            "reviews[0].text",
            "reviews[1].reviewer",
            "reviews[1].text",
        ]);
        assert.match(d.reason, /@status \(20 vs noise 0 of 60; e\.g\. \/reviews\/0: 500 vs 200\)/);
        assert.strictEqual(field(d, "podname").verdict, "noise");
    });

    it("the threshold by hand: with 8 discordant fields a difference seen on 10 requests and no noise is real, on 9 not", () => {
        // m = 8 fields as above, alpha / 8 = 0.00125: 2^-10 = 0.00098 is below it, 2^-9 = 0.00195 is not.
        const on =
            (k: number): Edit =>
            (a, i) =>
                i < k ? { status: 500, body: "upstream connect error" } : a;
        const ten = compareAnswers(batch("v1", "v1", 60, on(10)));
        assert.strictEqual(ten.outcome, "fail");
        assert.strictEqual(ten.fieldAlpha, 0.01 / 8);
        const nine = compareAnswers(batch("v1", "v1", 60, on(9)));
        assert.strictEqual(nine.outcome, "pass", nine.reason);
        assert.deepStrictEqual([field(nine, "@status").verdict, field(nine, "@status").candidateDiffs], ["noise", 9]);
    });

    it("a field missing under noise too is noise: clustername absent on the candidate 5 times, on the secondary 5", () => {
        // b = 5, d = 5: P(X >= 5 | 10, 1/2) = 638/1024.
        const drop = (a: Answer) => {
            delete (a.body as { clustername?: string }).clustername;
            return a;
        };
        const reqs = batch("v1", "v1", 40).map((r, i) => ({
            ...r,
            candidate: i < 5 ? drop(r.candidate) : r.candidate,
            secondary: i >= 5 && i < 10 ? drop(r.secondary) : r.secondary,
        }));
        const d = compareAnswers(reqs);
        assert.strictEqual(d.outcome, "pass", d.reason);
        const f = field(d, "clustername");
        assert.deepStrictEqual([f.verdict, f.candidateDiffs, f.noiseDiffs], ["noise", 5, 5]);
        assert.ok(Math.abs(f.pValue - 638 / 1024) < 1e-12, `${f.pValue}`);
    });

    it("reports a declared pattern that matched nothing", () => {
        const d = compareAnswers(batch("v2", "v1", 40), { ignore: ["reviews[*].rating", "reviews[*].ratings"] });
        assert.strictEqual(d.outcome, "pass", d.reason);
        assert.deepStrictEqual(d.patterns[1], { pattern: "reviews[*].ratings", fields: [] });
        assert.match(d.reason, /ignore pattern "reviews\[\*\]\.ratings" matched nothing/);
    });

    it("below the minimum of 30 requests is inconclusive, with the number needed, even when fields differ", () => {
        const d = compareAnswers(batch("v2", "v1", 12));
        assert.strictEqual(d.outcome, "inconclusive");
        assert.strictEqual(d.needs, 18);
        assert.match(
            d.reason,
            /12 requests compared, below the minimum of 30: needs 18 more; so far reviews\[0\]\.rating\.stars/,
        );
        assert.strictEqual(compareAnswers([]).needs, 30);
    });

    it("a minimum too small to show anything is raised: 8 fields at alpha 0.01 need 10 requests (2^-10 <= 0.01/8)", () => {
        const d = compareAnswers(batch("v1", "v1", 6), { minRequests: 5 });
        assert.deepStrictEqual([d.outcome, d.needs], ["inconclusive", 4]);
        assert.strictEqual(compareAnswers(batch("v1", "v1", 10), { minRequests: 5 }).outcome, "pass");
    });
});

describe("answer diff: ignore patterns", () => {
    const differing = (ignore: string[]) =>
        compareAnswers(batch("v2", "v1", 40), { ignore })
            .fields.filter((f) => f.verdict === "differs")
            .map((f) => f.path);

    it("`*` is one key, `[*]` one index, `[n]` that index, `**` any depth; a pattern covers what is under it", () => {
        assert.deepStrictEqual(differing(["**.stars"]), [RATINGS[1], RATINGS[3]]);
        assert.deepStrictEqual(differing(["reviews[1].rating"]), [RATINGS[0], RATINGS[1]]);
        assert.deepStrictEqual(differing(["reviews[*].*.color"]), [RATINGS[0], RATINGS[2]]);
        assert.deepStrictEqual(differing(["reviews.*"]), RATINGS, "a key wildcard never matches an index");
        assert.deepStrictEqual(differing(["reviews[*].rating.stars", "**.color"]), []);
    });

    it("ignores candidate vs primary only: the noise of an ignored field is still counted", () => {
        const d = compareAnswers(batch("v1", "v1", 40), { ignore: ["podname"] });
        assert.deepStrictEqual([field(d, "podname").verdict, field(d, "podname").noiseDiffs], ["ignored", 40]);
    });

    it("validates: good patterns give no errors, each bad one an error naming it and the syntax", () => {
        assert.deepStrictEqual(
            validateIgnorePatterns(["reviews[*].rating", "**.stars", "reviews[0].*", "@status", "id"]),
            [],
        );
        const bad = ["reviews[].rating", "reviews..text", ".id", "**", "*.*", "", "reviews[x]", "a b"];
        const errors = validateIgnorePatterns([...bad, 3]);
        assert.strictEqual(errors.length, bad.length + 1);
        bad.forEach((p, i) => {
            assert.ok(errors[i].startsWith(`ignore pattern "${p}": `), errors[i]);
            assert.match(errors[i], /"\*" is any one key, "\[\*\]" any one index and "\*\*" any depth/);
        });
        assert.match(errors[3], /only wildcards/);
        assert.match(errors[bad.length], /ignore pattern 3: not a string/);
    });

    it("compareAnswers refuses bad settings with the same errors", () => {
        assert.throws(() => compareAnswers([], { ignore: ["reviews[]"] }), /ignore pattern "reviews\[\]"/);
        assert.throws(() => compareAnswers([], { alpha: 0 }), /alpha must be in \(0, 1\)/);
        assert.throws(() => compareAnswers([], { minRequests: 0.5 }), /minRequests/);
    });
});

/** P(X >= k) for X ~ Binomial(n, p), summing the probabilities built up term by term. */
function binomialTail(n: number, p: number, k: number): number {
    let pmf = Math.pow(1 - p, n);
    let tail = 0;
    for (let j = 0; j <= n; j++) {
        if (j >= k) tail += pmf;
        pmf *= ((n - j) / (j + 1)) * (p / (1 - p));
    }
    return tail;
}

describe("answer diff: simulations against known truth", function () {
    this.timeout(60_000);

    // Each pod's answer, independently per request: its own podname (always), reviews[1].text a cached variant with
    // probability 0.1, clustername missing with probability 0.05. The three pods are exchangeable: no real difference.
    const noisy = (rand: () => number, pod: string, i: number): Answer => {
        const a = reviews("v1", i, pod);
        const body = a.body as { clustername?: string; reviews: { text: string }[] };
        if (rand() < 0.1) body.reviews[1].text = "(cached) " + TEXT[1];
        if (rand() < 0.05) delete body.clustername;
        return a;
    };
    const trial = (rand: () => number, count: number, candidate: Edit = same): MirroredRequest[] =>
        Array.from({ length: count }, (_, i) => ({
            path: `/reviews/${i}`,
            candidate: candidate(noisy(rand, `cand-${i}`, i), i),
            primary: noisy(rand, `prim-${i}`, i),
            secondary: noisy(rand, `sec-${i}`, i),
        }));

    /** Diffy's filter (twitter/diffy DifferencesFilterFactory, defaults relative 20, absolute 0.03) on our counts. */
    const diffyReports = (d: AnswerDiff) =>
        d.fields.some((f) => {
            const [r, n] = [f.candidateDiffs, f.noiseDiffs];
            return r > n && (100 * Math.abs(r - n)) / (r + n) > 20 && (100 * Math.abs(r - n)) / d.requests > 0.03;
        });

    it("2,000 good candidates, 40 requests each, noise on 3 fields: at most alpha are reported; Diffy's rule reports many", () => {
        // Any field reported is a false difference; by the sign test and Bonferroni at most alpha = 1 % of trials,
        // 3 binomial sd at 2,000 trials add 0.0067.
        const rand = mulberry32(1);
        let ours = 0;
        let diffy = 0;
        for (let t = 0; t < 2000; t++) {
            const d = compareAnswers(trial(rand, 40));
            if (d.outcome === "fail") ours++;
            if (diffyReports(d)) diffy++;
        }
        const bound = 0.01 + 3 * Math.sqrt((0.01 * 0.99) / 2000);
        console.log(
            `      false differences: ours ${ours} of 2,000 (${(ours / 20).toFixed(2)} %), Diffy's rule ${diffy} (${(diffy / 20).toFixed(1)} %)`,
        );
        assert.ok(ours / 2000 <= bound, `${ours} reported`);
        assert.ok(diffy / 2000 > bound, `Diffy's rule reported ${diffy}`);
    });

    it("2,000 candidates with reviews[0].text wrong on 25 % of 60 requests: caught as often as the binomial says", () => {
        // The text field has no noise, so d = 0 and p = 2^-b, b ~ Binomial(60, 0.25). At most 3 fields can be
        // discordant (both texts, clustername): alpha / m is between 0.01/3 (needs b >= 9) and 0.01 (needs b >= 7).
        // So the power lies between P(b >= 9) = 0.98 and P(b >= 7) = 0.997 (computed below), less/plus 3 sd.
        const rand = mulberry32(2);
        const wrongSome: Edit = (a) => (rand() < 0.25 ? wrongText(a, 0) : a);
        let caught = 0;
        let other = 0;
        for (let t = 0; t < 2000; t++) {
            const d = compareAnswers(trial(rand, 60, wrongSome));
            if (field(d, "reviews[0].text").verdict === "differs") caught++;
            if (d.fields.some((f) => f.verdict === "differs" && f.path !== "reviews[0].text")) other++;
        }
        const [low, high] = [binomialTail(60, 0.25, 9), binomialTail(60, 0.25, 7)];
        const sd = Math.sqrt((low * (1 - low)) / 2000);
        console.log(
            `      power at f = 25 %, 60 requests: ${caught / 2000} (binomial ${low.toFixed(3)}-${high.toFixed(3)}); other fields reported in ${other}`,
        );
        assert.ok(caught / 2000 >= low - 3 * sd && caught / 2000 <= high + 3 * sd, `caught ${caught}`);
        assert.ok(other / 2000 <= 0.01 + 3 * Math.sqrt((0.01 * 0.99) / 2000), `${other} false on other fields`);
    });
});
