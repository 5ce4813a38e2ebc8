// Judges one answer of a candidate to its smoke test. Reviews (`GET /reviews/<id>`, the reviews API in
// ../shared/notes/bookinfo.md): a healthy candidate answers 200 with JSON whose ratings are stars of its colour
// (v2 black, v3 red), and names the pod that answered. Ratings (`GET /ratings/<id>`): 200 with JSON whose
// `ratings` map each reviewer to 1-5 stars.

/** Text reviews sends in place of a rating when it cannot reach the ratings service. */
export const RATINGS_ERROR = "Ratings service is currently unavailable";

export interface Answer {
    /** HTTP status code as curl's `%{http_code}` prints it. */
    httpCode: string;
    body: string;
}

/** How a service's answers are judged: by the API they speak (rollout/service.ts names one per service). */
export type AnswerKind = "reviews" | "ratings";

/** The checks of one answer, per kind, in the order they are made. */
export const ANSWER_CHECKS = {
    reviews: ["http-200", "json", "podname", "ratings", "stars"],
    ratings: ["http-200", "json", "ratings"],
} as const;
export type AnswerCheck = (typeof ANSWER_CHECKS)[AnswerKind][number];

export interface FailedCheck {
    check: AnswerCheck;
    detail: string;
}

const clip = (s: string) => (s.length > 200 ? `${s.slice(0, 200)}...` : s);

/** Colours of Bookinfo's rating stars: reviews v2 shows black stars, v3 red ones. */
export const STAR_COLORS = ["black", "red"] as const;
export type StarColor = (typeof STAR_COLORS)[number];

/** The answer's JSON object, or the first check it fails (http-200, json). */
function jsonOf(answer: Answer): object | FailedCheck {
    if (answer.httpCode !== "200") {
        return {
            check: "http-200",
            detail: `HTTP ${answer.httpCode || "(no status)"}, body ${JSON.stringify(clip(answer.body))}`,
        };
    }
    let json: unknown;
    try {
        json = JSON.parse(answer.body);
    } catch {
        return { check: "json", detail: `body is not JSON: ${JSON.stringify(clip(answer.body))}` };
    }
    if (typeof json !== "object" || json === null) {
        return { check: "json", detail: `body is not a JSON object: ${JSON.stringify(clip(answer.body))}` };
    }
    return json;
}

const isFailed = (j: object | FailedCheck): j is FailedCheck => "check" in j && "detail" in j;

/**
 * Returns the checks the answer fails (empty: a healthy answer of `kind` from `podName`, `color` stars for reviews).
 */
export function checkAnswer(kind: AnswerKind, answer: Answer, podName: string, color: StarColor): FailedCheck[] {
    const json = jsonOf(answer);
    if (isFailed(json)) return [json];
    return kind === "reviews" ? checkReviews(json, podName, color) : checkRatings(json);
}

/** A ratings answer: every reviewer rated with whole stars from 1 to 5, and at least one reviewer. */
function checkRatings(json: object): FailedCheck[] {
    const ratings = (json as { ratings?: unknown }).ratings;
    if (typeof ratings !== "object" || ratings === null || Object.keys(ratings).length === 0) {
        return [
            { check: "ratings", detail: `no ratings in the answer: ${JSON.stringify(clip(JSON.stringify(json)))}` },
        ];
    }
    return Object.entries(ratings)
        .filter(([, stars]) => !(Number.isInteger(stars) && stars >= 1 && stars <= 5))
        .map(([who, stars]) => ({
            check: "ratings" as const,
            detail: `${who}: rating ${JSON.stringify(stars)}, expected 1 to 5 stars`,
        }));
}

function checkReviews(json: object, podName: string, color: StarColor): FailedCheck[] {
    const doc = json as { podname?: unknown; reviews?: unknown };
    const failed: FailedCheck[] = [];
    if (doc.podname !== podName) {
        failed.push({ check: "podname", detail: `answered by ${JSON.stringify(doc.podname)}, expected ${podName}` });
    }
    const reviews = Array.isArray(doc.reviews) ? (doc.reviews as { reviewer?: unknown; rating?: unknown }[]) : [];
    if (reviews.length === 0) {
        failed.push({ check: "stars", detail: "no reviews in the answer" });
    }
    reviews.forEach((review, i) => {
        const who = typeof review?.reviewer === "string" ? review.reviewer : `review ${i + 1}`;
        const rating = review?.rating as { stars?: unknown; color?: unknown; error?: unknown } | undefined;
        if (rating?.error !== undefined) {
            failed.push({ check: "ratings", detail: `${who}: ratings error ${JSON.stringify(rating.error)}` });
        } else if (typeof rating?.stars !== "number" || rating.color !== color) {
            failed.push({
                check: "stars",
                detail: `${who}: rating ${JSON.stringify(rating ?? null)}, expected ${color} stars`,
            });
        }
    });
    return failed;
}

/** Splits curl's output for `-w '\n%{http_code}'`: the body, then the status code on the last line. */
export function parseCurlOutput(output: string): Answer {
    const cut = output.lastIndexOf("\n");
    return cut < 0
        ? { httpCode: output.trim(), body: "" }
        : { httpCode: output.slice(cut + 1).trim(), body: output.slice(0, cut) };
}
