// Judges one answer of reviews v2 to `GET /reviews/<id>` (the reviews API in ../shared/notes/bookinfo.md): a
// healthy v2 answers 200 with JSON whose ratings are black stars, and names the pod that answered.

/** Text reviews sends in place of a rating when it cannot reach the ratings service. */
export const RATINGS_ERROR = "Ratings service is currently unavailable";

export interface Answer {
    /** HTTP status code as curl's `%{http_code}` prints it. */
    httpCode: string;
    body: string;
}

/** The checks of one answer, in the order they are made. */
export const ANSWER_CHECKS = ["http-200", "json", "podname", "ratings", "black-stars"] as const;
export type AnswerCheck = (typeof ANSWER_CHECKS)[number];

export interface FailedCheck {
    check: AnswerCheck;
    detail: string;
}

const clip = (s: string) => (s.length > 200 ? `${s.slice(0, 200)}...` : s);

/** Returns the checks the answer fails (empty: a healthy v2 answer from `podName`). */
export function checkReviewsAnswer(answer: Answer, podName: string): FailedCheck[] {
    if (answer.httpCode !== "200") {
        return [{ check: "http-200", detail: `HTTP ${answer.httpCode || "(no status)"}, body ${JSON.stringify(clip(answer.body))}` }];
    }
    let json: unknown;
    try {
        json = JSON.parse(answer.body);
    } catch {
        return [{ check: "json", detail: `body is not JSON: ${JSON.stringify(clip(answer.body))}` }];
    }
    if (typeof json !== "object" || json === null) {
        return [{ check: "json", detail: `body is not a JSON object: ${JSON.stringify(clip(answer.body))}` }];
    }
    const doc = json as { podname?: unknown; reviews?: unknown };
    const failed: FailedCheck[] = [];
    if (doc.podname !== podName) {
        failed.push({ check: "podname", detail: `answered by ${JSON.stringify(doc.podname)}, expected ${podName}` });
    }
    const reviews = Array.isArray(doc.reviews) ? (doc.reviews as { reviewer?: unknown; rating?: unknown }[]) : [];
    if (reviews.length === 0) {
        failed.push({ check: "black-stars", detail: "no reviews in the answer" });
    }
    reviews.forEach((review, i) => {
        const who = typeof review?.reviewer === "string" ? review.reviewer : `review ${i + 1}`;
        const rating = review?.rating as { stars?: unknown; color?: unknown; error?: unknown } | undefined;
        if (rating?.error !== undefined) {
            failed.push({ check: "ratings", detail: `${who}: ratings error ${JSON.stringify(rating.error)}` });
        } else if (typeof rating?.stars !== "number" || rating.color !== "black") {
            failed.push({ check: "black-stars", detail: `${who}: rating ${JSON.stringify(rating ?? null)}, expected black stars` });
        }
    });
    return failed;
}

/** Splits curl's output for `-w '\n%{http_code}'`: the body, then the status code on the last line. */
export function parseCurlOutput(output: string): Answer {
    const cut = output.lastIndexOf("\n");
    return cut < 0 ? { httpCode: output.trim(), body: "" } : { httpCode: output.slice(cut + 1).trim(), body: output.slice(0, cut) };
}
