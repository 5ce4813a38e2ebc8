// What each Bookinfo app answers, as upstream's sample (../shared/notes/bookinfo.md): details, ratings, reviews
// v1 (no ratings) / v2 (black stars) / v3 (red stars), productpage. Calls to other apps go through `Upstream`,
// which picks a ready endpoint of the named Service. Faults (cluster/faults.ts) are applied here too.
import type { Fault, SimpleFault } from "./faults";
import type { PodEntry } from "./pod-table";
import { sleep } from "./processes";

export interface Reply {
    status: number;
    body: string;
    contentType?: string;
    headers?: Record<string, string>;
}

/** Calls another Service of the pod's namespace; rejects when it has no ready endpoint or the call fails. */
export type Upstream = (service: string, path: string) => Promise<{ status: number; json: any; pod?: string }>;

/**
 * Delay of a pod with the `slow` fault (applied by the pod server): long enough for a smoke test's timeout to notice.
 */
export const SLOW_FAULT_MS = 3000;

export const RATINGS_UNAVAILABLE = "Ratings service is currently unavailable";

/** The first review's text under the `wrong-answer` fault unless it names its own: plausible, and not the release's. */
export const WRONG_ANSWER_TEXT = "An extremely dull play by Shakespeare. The slapstick humour is tiresome.";

/**
 * Header naming the fault on every answer an object fault changed (e.g. `latency`; a product fault names the one it
 * holds), so rig tests can tell which answers it hit. A real app sends nothing like it: the product never reads it.
 */
export const FAULT_HEADER = "x-bookinfo-fault";

const json = (status: number, value: unknown, headers?: Record<string, string>): Reply => ({
    status,
    body: JSON.stringify(value),
    contentType: "application/json",
    headers,
});

const REVIEWS = [
    {
        reviewer: "Reviewer1",
        text: "An extremely entertaining play by Shakespeare. The slapstick humour is refreshing!",
    },
    {
        reviewer: "Reviewer2",
        text: "Absolutely fun and entertaining. The play lacks thematic depth when compared to other plays by Shakespeare.",
    },
];
const RATINGS: Record<string, number> = { Reviewer1: 5, Reviewer2: 4 };

const details = (id: number) => ({
    id,
    author: "William Shakespeare",
    year: 1595,
    type: "paperback",
    pages: 200,
    publisher: "PublisherA",
    language: "English",
    "ISBN-10": "1234567890",
    "ISBN-13": "123-1234567890",
});

const healthy = (app: string) => json(200, { status: `${app[0].toUpperCase()}${app.slice(1)} is healthy` });

/** How the app itself misbehaves (the rest of a fault is applied around it, in faultyReply). */
interface AppFault {
    ratingsError?: boolean;
    wrongText?: string;
}

async function reviews(pod: PodEntry, productId: string, upstream: Upstream, fault: AppFault): Promise<Reply> {
    const body: any = {
        id: productId,
        podname: pod.name,
        clustername: "null",
        reviews: REVIEWS.map((r) => ({ ...r })),
    };
    if (fault.wrongText !== undefined) body.reviews[0].text = fault.wrongText;
    // Upstream images: v1 has ENABLE_RATINGS off; v3 sets STAR_COLOR=red; anything else calls ratings with black.
    if (pod.version === "v1") return json(200, body);
    const color = pod.version === "v3" ? "red" : "black";
    let ratings: Record<string, number> | undefined;
    let ratingsPod: string | undefined;
    if (!fault.ratingsError) {
        try {
            const res = await upstream("ratings", `/ratings/${productId}`);
            if (res.status === 200) ratings = res.json.ratings;
            ratingsPod = res.pod;
        } catch {
            /* no ready ratings endpoint, or it failed: rendered as unavailable, as upstream does */
        }
    }
    for (const r of body.reviews) {
        r.rating =
            ratings?.[r.reviewer] !== undefined
                ? { stars: ratings[r.reviewer], color }
                : { error: RATINGS_UNAVAILABLE };
    }
    return json(200, body, ratingsPod ? { "x-bookinfo-ratings-pod": ratingsPod } : undefined);
}

const stars = (rating: any) =>
    rating?.stars
        ? `<span class="stars" style="color:${rating.color}">${"&#9733;".repeat(rating.stars)}</span>`
        : `<span class="stars-error">${rating?.error ?? ""}</span>`;

async function productpage(pod: PodEntry, path: string, upstream: Upstream): Promise<Reply | undefined> {
    // Upstream's productpage: the API routes answer with the status the call got (500 when it got none), the
    // page with 200 and an error text. (Upstream also tries reviews twice; we call once, so that one failed call
    // is one failed answer.)
    const call = async (service: string, p: string): Promise<{ status: number; json: any }> => {
        try {
            const res = await upstream(service, p);
            return res.status === 200
                ? res
                : { status: res.status, json: { error: `${service} answered ${res.status}` } };
        } catch (err) {
            return {
                status: 500,
                json: { error: `Sorry, ${service} is currently unavailable for this book (${(err as Error).message})` },
            };
        }
    };
    const get = async (service: string, p: string) => (await call(service, p)).json;
    const pass = async (service: string, p: string) => {
        const res = await call(service, p);
        return json(res.status, res.json);
    };
    const product = (id: number) => ({
        id,
        title: "The Comedy of Errors",
        descriptionHtml: "Wikipedia Summary: The Comedy of Errors is one of <b>William Shakespeare's</b> early plays.",
    });
    let m: RegExpMatchArray | null;
    if (path === "/api/v1/products") return json(200, [product(0)]);
    if ((m = path.match(/^\/api\/v1\/products\/(\d+)$/))) return pass("details", `/details/${m[1]}`);
    if ((m = path.match(/^\/api\/v1\/products\/(\d+)\/reviews$/))) return pass("reviews", `/reviews/${m[1]}`);
    if ((m = path.match(/^\/api\/v1\/products\/(\d+)\/ratings$/))) return pass("ratings", `/ratings/${m[1]}`);
    if (path === "/" || path === "/index.html" || path === "/productpage") {
        const [d, r] = await Promise.all([get("details", "/details/0"), get("reviews", "/reviews/0")]);
        const reviewHtml = (r.reviews ?? [])
            .map(
                (x: any) =>
                    `<blockquote><p>${x.text}</p><small>${x.reviewer}</small> ${x.rating ? stars(x.rating) : ""}</blockquote>`,
            )
            .join("\n");
        const html = `<!DOCTYPE html><html><head><title>Simple Bookstore App</title></head><body>
<h1>${product(0).title}</h1><p>${product(0).descriptionHtml}</p>
<h4>Book Details</h4><pre>${d.error ?? JSON.stringify(d)}</pre>
<h4>Book Reviews</h4>${r.error ?? reviewHtml}
<p class="podname">${pod.name}</p><p class="reviews-podname">${r.podname ?? ""}</p>
</body></html>`;
        return { status: 200, body: html, contentType: "text/html; charset=utf-8" };
    }
    return undefined;
}

/** The app's own answer, before any fault around it. */
async function app(pod: PodEntry, path: string, upstream: Upstream, fault: AppFault): Promise<Reply> {
    if (path === "/health") return healthy(pod.app);
    let m: RegExpMatchArray | null;
    switch (pod.app) {
        case "details":
            if ((m = path.match(/^\/details\/(\d+)$/))) return json(200, details(Number(m[1])));
            break;
        case "ratings":
            if ((m = path.match(/^\/ratings\/(\d+)$/))) {
                return fault.ratingsError
                    ? json(503, { error: RATINGS_UNAVAILABLE })
                    : json(200, { id: Number(m[1]), ratings: RATINGS });
            }
            break;
        case "reviews":
            if ((m = path.match(/^\/reviews\/(\d+)$/))) return reviews(pod, m[1], upstream, fault);
            break;
        case "productpage": {
            const reply = await productpage(pod, path, upstream);
            if (reply) return reply;
            break;
        }
    }
    return json(404, { error: `${pod.app} has no ${path}` });
}

/**
 * The product a request is for: the id in `/reviews/<id>`, `/api/v1/products/<id>/...` etc.; the page shows product 0.
 */
export function productIdOf(path: string): number | undefined {
    const m = path.match(/^\/(?:reviews|ratings|details|api\/v1\/products)\/(\d+)(?:\/reviews|\/ratings)?$/);
    if (m) return Number(m[1]);
    return path === "/" || path === "/index.html" || path === "/productpage" ? 0 : undefined;
}

/** Drawn per request: true for about `rate` of them. */
const hits = (rate = 1) => rate >= 1 || Math.random() < rate;

/**
 * The reply of `pod` to GET `path` with `fault` applied, every kind of it. The object kinds leave `/health` alone
 * (a partly failing app passes its probe) and mark what they change (FAULT_HEADER); `http-500` and `slow` do not.
 */
export async function faultyReply(pod: PodEntry, path: string, upstream: Upstream, fault?: Fault): Promise<Reply> {
    if (typeof fault !== "object") return applied(pod, path, upstream, fault, false);
    const inner = fault.kind !== "product" ? fault : productIdOf(path) === fault.id ? fault.fault : undefined;
    return applied(pod, path, upstream, path === "/health" ? undefined : inner, true);
}

async function applied(
    pod: PodEntry,
    path: string,
    upstream: Upstream,
    fault: SimpleFault | undefined,
    marked: boolean,
): Promise<Reply> {
    const drawn = typeof fault === "object" && !hits(fault.rate) ? undefined : fault;
    const name = typeof drawn === "object" ? drawn.kind : drawn;
    const mark = (reply: Reply): Reply =>
        marked && name ? { ...reply, headers: { ...reply.headers, [FAULT_HEADER]: name } } : reply;
    if (drawn === "http-500") return mark(json(500, { error: "fault injected: http-500" }));
    if (drawn === "slow") await sleep(SLOW_FAULT_MS);
    if (typeof drawn === "object" && drawn.kind === "error-rate") {
        return mark(json(drawn.status ?? 500, { error: `fault injected: error-rate ${drawn.rate}` }));
    }
    if (typeof drawn === "object" && drawn.kind === "latency") await sleep(drawn.ms);
    const wrongText =
        typeof drawn === "object" && drawn.kind === "wrong-answer" ? (drawn.text ?? WRONG_ANSWER_TEXT) : undefined;
    const reply = await app(pod, path, upstream, { ratingsError: drawn === "ratings-error", wrongText });
    // A wrong answer changes only what a reviews pod answers.
    return wrongText !== undefined && !(pod.app === "reviews" && reply.status === 200) ? reply : mark(reply);
}

/**
 * The reply of `pod` to GET `path`, as the pod server calls it: it applies the shorthands `http-500` and `slow`
 * itself before calling this, so those two are left out here; every other fault is applied.
 */
export function answer(pod: PodEntry, path: string, upstream: Upstream, fault?: Fault): Promise<Reply> {
    return faultyReply(pod, path, upstream, fault === "http-500" || fault === "slow" ? undefined : fault);
}
