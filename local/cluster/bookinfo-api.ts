// What each Bookinfo app answers, as upstream's sample (../shared/notes/bookinfo.md): details, ratings, reviews
// v1 (no ratings) / v2 (black stars) / v3 (red stars), productpage. Calls to other apps go through `Upstream`,
// which picks a ready endpoint of the named Service.
import type { Fault } from "./faults";
import type { PodEntry } from "./pod-table";

export interface Reply {
    status: number;
    body: string;
    contentType?: string;
    headers?: Record<string, string>;
}

/** Calls another Service of the pod's namespace; rejects when it has no ready endpoint or the call fails. */
export type Upstream = (service: string, path: string) => Promise<{ status: number; json: any; pod?: string }>;

/** Delay of a pod with the `slow` fault (applied by the pod server): long enough for a smoke test's timeout to notice. */
export const SLOW_FAULT_MS = 3000;

export const RATINGS_UNAVAILABLE = "Ratings service is currently unavailable";

const json = (status: number, value: unknown, headers?: Record<string, string>): Reply =>
    ({ status, body: JSON.stringify(value), contentType: "application/json", headers });

const REVIEWS = [
    { reviewer: "Reviewer1", text: "An extremely entertaining play by Shakespeare. The slapstick humour is refreshing!" },
    { reviewer: "Reviewer2", text: "Absolutely fun and entertaining. The play lacks thematic depth when compared to other plays by Shakespeare." },
];
const RATINGS: Record<string, number> = { Reviewer1: 5, Reviewer2: 4 };

const details = (id: number) => ({
    id, author: "William Shakespeare", year: 1595, type: "paperback", pages: 200, publisher: "PublisherA",
    language: "English", "ISBN-10": "1234567890", "ISBN-13": "123-1234567890",
});

const healthy = (app: string) => json(200, { status: `${app[0].toUpperCase()}${app.slice(1)} is healthy` });

async function reviews(pod: PodEntry, productId: string, upstream: Upstream, fault?: Fault): Promise<Reply> {
    const body: any = { id: productId, podname: pod.name, clustername: "null", reviews: REVIEWS.map((r) => ({ ...r })) };
    // Upstream images: v1 has ENABLE_RATINGS off; v3 sets STAR_COLOR=red; anything else calls ratings with black.
    if (pod.version === "v1") return json(200, body);
    const color = pod.version === "v3" ? "red" : "black";
    let ratings: Record<string, number> | undefined;
    let ratingsPod: string | undefined;
    if (fault !== "ratings-error") {
        try {
            const res = await upstream("ratings", `/ratings/${productId}`);
            if (res.status === 200) ratings = res.json.ratings;
            ratingsPod = res.pod;
        } catch { /* no ready ratings endpoint, or it failed: rendered as unavailable, as upstream does */ }
    }
    for (const r of body.reviews) {
        r.rating = ratings?.[r.reviewer] !== undefined
            ? { stars: ratings[r.reviewer], color }
            : { error: RATINGS_UNAVAILABLE };
    }
    return json(200, body, ratingsPod ? { "x-bookinfo-ratings-pod": ratingsPod } : undefined);
}

const stars = (rating: any) => rating?.stars
    ? `<span class="stars" style="color:${rating.color}">${"&#9733;".repeat(rating.stars)}</span>`
    : `<span class="stars-error">${rating?.error ?? ""}</span>`;

async function productpage(pod: PodEntry, path: string, upstream: Upstream): Promise<Reply | undefined> {
    const get = async (service: string, p: string) => {
        try {
            const res = await upstream(service, p);
            return res.status === 200 ? res.json : { error: `${service} answered ${res.status}` };
        } catch (err) {
            return { error: `Sorry, ${service} is currently unavailable for this book (${(err as Error).message})` };
        }
    };
    const product = (id: number) => ({ id, title: "The Comedy of Errors", descriptionHtml: "Wikipedia Summary: The Comedy of Errors is one of <b>William Shakespeare's</b> early plays." });
    let m: RegExpMatchArray | null;
    if (path === "/api/v1/products") return json(200, [product(0)]);
    if ((m = path.match(/^\/api\/v1\/products\/(\d+)$/))) return json(200, await get("details", `/details/${m[1]}`));
    if ((m = path.match(/^\/api\/v1\/products\/(\d+)\/reviews$/))) return json(200, await get("reviews", `/reviews/${m[1]}`));
    if ((m = path.match(/^\/api\/v1\/products\/(\d+)\/ratings$/))) return json(200, await get("ratings", `/ratings/${m[1]}`));
    if (path === "/" || path === "/index.html" || path === "/productpage") {
        const [d, r] = await Promise.all([get("details", "/details/0"), get("reviews", "/reviews/0")]);
        const reviewHtml = (r.reviews ?? []).map((x: any) =>
            `<blockquote><p>${x.text}</p><small>${x.reviewer}</small> ${x.rating ? stars(x.rating) : ""}</blockquote>`).join("\n");
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

/** The reply of `pod` to GET `path` (`fault`: the pod's; faults other than ratings-error are applied by the server). */
export async function answer(pod: PodEntry, path: string, upstream: Upstream, fault?: Fault): Promise<Reply> {
    if (path === "/health") return healthy(pod.app);
    let m: RegExpMatchArray | null;
    switch (pod.app) {
        case "details":
            if ((m = path.match(/^\/details\/(\d+)$/))) return json(200, details(Number(m[1])));
            break;
        case "ratings":
            if ((m = path.match(/^\/ratings\/(\d+)$/))) {
                return fault === "ratings-error"
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
