// Pods of the local cluster answer HTTP on their IPs as their Bookinfo app and version; reviews calls ratings
// through the ratings Service's ready endpoints; the fault annotation makes a pod misbehave; `kubectl exec` into
// a sleep pod runs curl on the host. Needs the cluster started (npm run cluster:up; npm test does it).
import assert from "node:assert/strict";
import { FAULT_ANNOTATION, REVIEWS_DARK_APP } from "../../../rollout/labels";
import { RATINGS_UNAVAILABLE, SLOW_FAULT_MS } from "../../cluster/bookinfo-api";
import {
    answeringPods, apply, deployment, get, kubectl, PodInfo, readyEndpointIps, reviewsDeployment, service, waitFor,
} from "./helpers";

const ns = `cluster-spec-${Date.now().toString(36)}`;
const reviewsOf = async (ip: string) => {
    const r = await get(`http://${ip}:9080/reviews/7`);
    assert.equal(r.status, 200, r.body);
    return { ...JSON.parse(r.body), ratingsPod: r.headers["x-bookinfo-ratings-pod"] as string | undefined };
};
const annotate = (pod: string, value: string | null) =>
    kubectl(["annotate", "pod", "-n", ns, pod, value === null ? `${FAULT_ANNOTATION}-` : `${FAULT_ANNOTATION}=${value}`, "--overwrite"]);

describe("local cluster: pods answer as Bookinfo", function () {
    this.timeout(120_000);
    let v1: PodInfo, v2: PodInfo, v3: PodInfo, ratings: PodInfo[], productpage: PodInfo;

    before(async () => {
        kubectl(["create", "namespace", ns]);
        apply([
            deployment(ns, "ratings-v1", "ratings", "v1", 2),
            deployment(ns, "details-v1", "details", "v1"),
            deployment(ns, "productpage-v1", "productpage", "v1"),
            reviewsDeployment(ns, "v1"),
            reviewsDeployment(ns, "v2", { app: REVIEWS_DARK_APP }),
            reviewsDeployment(ns, "v3"),
            deployment(ns, "sleep", "sleep", "v1"),
            service(ns, "ratings"), service(ns, "details"), service(ns, "reviews"),
        ]);
        [v1] = await answeringPods(ns, "version=v1,rollout.bookinfo.dev/workload=reviews", 1);
        [v2] = await answeringPods(ns, "version=v2", 1);
        [v3] = await answeringPods(ns, "version=v3", 1);
        [productpage] = await answeringPods(ns, "app=productpage", 1);
        await answeringPods(ns, "app=details", 1);
        ratings = await answeringPods(ns, "app=ratings", 2);
        await waitFor("both ratings pods in the ratings EndpointSlices", () => readyEndpointIps(ns, "ratings").length === 2);
    });

    after(() => {
        kubectl(["delete", "namespace", ns, "--wait=false"]);
    });

    it("each pod IP answers as its own pod, app and version", async () => {
        const r1 = await reviewsOf(v1.ip);
        assert.equal(r1.podname, v1.name);
        assert.ok(r1.reviews.every((r: any) => r.rating === undefined), "reviews v1 shows ratings");
        const r2 = await reviewsOf(v2.ip); // dark pod (app=reviews_test): still answers as reviews v2
        assert.equal(r2.podname, v2.name);
        assert.deepEqual(r2.reviews.map((r: any) => r.rating), [{ stars: 5, color: "black" }, { stars: 4, color: "black" }]);
        const r3 = await reviewsOf(v3.ip);
        assert.equal(r3.podname, v3.name);
        assert.deepEqual(r3.reviews.map((r: any) => r.rating.color), ["red", "red"]);
        assert.deepEqual(JSON.parse((await get(`http://${ratings[0].ip}:9080/health`)).body), { status: "Ratings is healthy" });
        const page = await get(`http://${productpage.ip}:9080/productpage`);
        assert.equal(page.status, 200);
        assert.match(page.body, /William Shakespeare/);
    });

    it("kubectl exec into the sleep pod runs curl against a pod IP, as in the tutorial", () => {
        const [sleep] = JSON.parse(kubectl(["get", "pods", "-n", ns, "-l", "app=sleep", "-o", "json"])).items;
        const out = kubectl(["exec", "-n", ns, sleep.metadata.name, "--", "curl", "-sS", `${v2.ip}:9080/reviews/7`]);
        assert.equal(JSON.parse(out).podname, v2.name);
    });

    it("a ratings pod that leaves the EndpointSlices is no longer chosen by reviews", async () => {
        const [kept, leaving] = ratings;
        const seen = new Set<string>();
        for (let i = 0; i < 6; i++) seen.add((await reviewsOf(v2.ip)).ratingsPod);
        assert.deepEqual([...seen].sort(), ratings.map((p) => p.name).sort(), "reviews should spread over both ratings pods");

        // Not ready: the pod still runs and answers on its IP, but the EndpointSlice controller drops it.
        kubectl(["patch", "pod", "-n", ns, leaving.name, "--subresource=status", "--type=strategic",
            "-p", JSON.stringify({ status: { conditions: [{ type: "Ready", status: "False" }] } })]);
        await waitFor("the not-ready ratings pod to leave the EndpointSlices", () =>
            JSON.stringify(readyEndpointIps(ns, "ratings")) === JSON.stringify([kept.ip]));
        await waitFor("reviews to stop choosing the not-ready pod", async () => {
            const picks = [];
            for (let i = 0; i < 6; i++) picks.push((await reviewsOf(v2.ip)).ratingsPod);
            return picks.every((p) => p === kept.name);
        }, 10_000);
        assert.equal((await get(`http://${leaving.ip}:9080/health`)).status, 200, "the not-ready pod itself still answers");

        // Scaled away: no ratings endpoint at all, so reviews shows the upstream "unavailable" rating.
        kubectl(["scale", "deployment", "-n", ns, "ratings-v1", "--replicas=0"]);
        await waitFor("ratings to have no ready endpoint", () => readyEndpointIps(ns, "ratings").length === 0);
        const r = await waitFor("reviews v2 to report ratings unavailable", async () => {
            const body = await reviewsOf(v2.ip);
            return body.reviews.every((x: any) => x.rating?.error === RATINGS_UNAVAILABLE) && body;
        }, 10_000);
        assert.equal(r.ratingsPod, undefined);
        kubectl(["scale", "deployment", "-n", ns, "ratings-v1", "--replicas=1"]);
        await answeringPods(ns, "app=ratings", 1);
    });

    describe(`the ${FAULT_ANNOTATION} annotation`, () => {
        afterEach(() => annotate(v2.name, null));

        it("http-500 makes every answer a 500", async () => {
            annotate(v2.name, "http-500");
            await waitFor("v2 to answer 500", async () => (await get(`http://${v2.ip}:9080/reviews/7`)).status === 500);
            assert.equal((await get(`http://${v2.ip}:9080/health`)).status, 500);
            annotate(v2.name, null);
            await waitFor("v2 to recover once the annotation is gone", async () => (await get(`http://${v2.ip}:9080/reviews/7`)).status === 200);
        });

        it(`slow delays every answer by ${SLOW_FAULT_MS} ms`, async () => {
            assert.ok((await get(`http://${v2.ip}:9080/health`)).ms < 1000);
            annotate(v2.name, "slow");
            const slow = await waitFor("v2 to answer slowly", async () => {
                const r = await get(`http://${v2.ip}:9080/reviews/7`);
                return r.ms >= SLOW_FAULT_MS && r;
            });
            assert.equal(slow.status, 200);
        });

        it("ratings-error makes reviews render every rating as unavailable", async () => {
            annotate(v2.name, "ratings-error");
            const body = await waitFor("v2 to show ratings errors", async () => {
                const b = await reviewsOf(v2.ip);
                return b.reviews.every((x: any) => x.rating?.error === RATINGS_UNAVAILABLE) && b;
            });
            assert.equal(body.podname, v2.name);
        });

        it("an unknown value is ignored (the agent logs the allowed values)", async () => {
            annotate(v2.name, "explode");
            await new Promise((r) => setTimeout(r, 500));
            assert.equal((await get(`http://${v2.ip}:9080/reviews/7`)).status, 200);
        });
    });
});
