// Pods of the local cluster answer HTTP on their IPs as their Bookinfo app and version; reviews calls ratings
// through the ratings Service's ready endpoints; the fault table makes every pod running a listed image misbehave;
// `kubectl exec` into a sleep pod runs curl on the host. Needs the cluster started (npm run cluster:up; npm test
// does it). Expected values are written out by hand, never taken from the code under test.
import assert from "node:assert/strict";
import fs from "node:fs";
import { REVIEWS } from "../../../rollout/service";
import { clearFault, setFault } from "../../cluster/faults";
import { faultTablePath, podTablePath } from "../../cluster/paths";
import {
    answeringPods,
    apply,
    deployment,
    get,
    kubectl,
    PodInfo,
    podUrl,
    readyEndpointIps,
    reviewsDeployment,
    service,
    waitFor,
} from "./helpers";

const ns = `cluster-spec-${Date.now().toString(36)}`;
/** The v2 pod's image: one of its own (per run), so faulting it touches no other pod or run. */
const V2_IMAGE = `example.test/bookinfo/reviews-v2:${ns}`;
const V3_IMAGE = `example.test/bookinfo/reviews-v3:${ns}`;
const UNAVAILABLE = "Ratings service is currently unavailable";

const reviewsOf = async (ip: string) => {
    const r = await get(podUrl(ip, "/reviews/7"));
    assert.equal(r.status, 200, r.body);
    return { ...JSON.parse(r.body), ratingsPod: r.headers["x-bookinfo-ratings-pod"] as string | undefined };
};
const status = async (ip: string, path = "/reviews/7") => (await get(podUrl(ip, path))).status;

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
            reviewsDeployment(ns, "v2", { app: REVIEWS.darkApp, image: V2_IMAGE }),
            reviewsDeployment(ns, "v3", { image: V3_IMAGE }),
            deployment(ns, "sleep", "sleep", "v1"),
            service(ns, "ratings"),
            service(ns, "details"),
            service(ns, "reviews"),
        ]);
        [v1] = await answeringPods(ns, "version=v1,rollout.bookinfo.dev/workload=reviews", 1);
        [v2] = await answeringPods(ns, "version=v2", 1);
        [v3] = await answeringPods(ns, "version=v3", 1);
        [productpage] = await answeringPods(ns, "app=productpage", 1);
        await answeringPods(ns, "app=details", 1);
        ratings = await answeringPods(ns, "app=ratings", 2);
        await waitFor(
            "both ratings pods in the ratings EndpointSlices",
            () => readyEndpointIps(ns, "ratings").length === 2,
        );
    });

    after(() => {
        clearFault(V2_IMAGE);
        clearFault(V3_IMAGE);
        kubectl(["delete", "namespace", ns, "--wait=false"]);
    });

    it("reviews v1 shows no ratings, v2 (even dark) black stars, v3 red stars; each answers as its own pod", async () => {
        const r1 = await reviewsOf(v1.ip);
        assert.equal(r1.podname, v1.name);
        assert.deepEqual(
            r1.reviews.map((r: any) => r.rating),
            [undefined, undefined],
        );
        const r2 = await reviewsOf(v2.ip); // dark pod (app=reviews_test): still answers as reviews v2
        assert.equal(r2.podname, v2.name);
        assert.deepEqual(
            r2.reviews.map((r: any) => r.rating),
            [
                { stars: 5, color: "black" },
                { stars: 4, color: "black" },
            ],
        );
        const r3 = await reviewsOf(v3.ip);
        assert.equal(r3.podname, v3.name);
        assert.deepEqual(
            r3.reviews.map((r: any) => r.rating),
            [
                { stars: 5, color: "red" },
                { stars: 4, color: "red" },
            ],
        );
    });

    it("ratings, details and productpage answer as upstream's sample", async () => {
        assert.deepEqual(JSON.parse((await get(podUrl(ratings[0].ip, "/health"))).body), {
            status: "Ratings is healthy",
        });
        assert.deepEqual(JSON.parse((await get(podUrl(ratings[0].ip, "/ratings/7"))).body), {
            id: 7,
            ratings: { Reviewer1: 5, Reviewer2: 4 },
        });
        const page = await get(podUrl(productpage.ip, "/productpage"));
        assert.equal(page.status, 200);
        assert.match(page.body, /William Shakespeare/);
    });

    it("the pod table names each pod's image", () => {
        const table = JSON.parse(fs.readFileSync(podTablePath(), "utf8"));
        assert.equal(table.pods[v2.ip].image, V2_IMAGE);
        assert.equal(table.pods[v1.ip].image, "docker.io/istio/examples-bookinfo-reviews-v1:1.20.3");
    });

    it("kubectl exec into the sleep pod runs curl against a pod IP, as in the tutorial", () => {
        const [sleep] = JSON.parse(kubectl(["get", "pods", "-n", ns, "-l", "app=sleep", "-o", "json"])).items;
        const out = kubectl(["exec", "-n", ns, sleep.metadata.name, "--", "curl", "-sS", podUrl(v2.ip, "/reviews/7")]);
        assert.equal(JSON.parse(out).podname, v2.name);
    });

    it("a ratings pod that leaves the EndpointSlices is no longer chosen by reviews", async () => {
        const [kept, leaving] = ratings;
        const seen = new Set<string>();
        for (let i = 0; i < 6; i++) seen.add((await reviewsOf(v2.ip)).ratingsPod);
        assert.deepEqual(
            [...seen].sort(),
            ratings.map((p) => p.name).sort(),
            "reviews should spread over both ratings pods",
        );

        // Not ready: the pod still runs and answers on its IP, but the EndpointSlice controller drops it.
        kubectl([
            "patch",
            "pod",
            "-n",
            ns,
            leaving.name,
            "--subresource=status",
            "--type=strategic",
            "-p",
            JSON.stringify({ status: { conditions: [{ type: "Ready", status: "False" }] } }),
        ]);
        await waitFor(
            "the not-ready ratings pod to leave the EndpointSlices",
            () => JSON.stringify(readyEndpointIps(ns, "ratings")) === JSON.stringify([kept.ip]),
        );
        await waitFor(
            "reviews to stop choosing the not-ready pod",
            async () => {
                const picks = [];
                for (let i = 0; i < 6; i++) picks.push((await reviewsOf(v2.ip)).ratingsPod);
                return picks.every((p) => p === kept.name);
            },
            10_000,
        );
        assert.equal(await status(leaving.ip, "/health"), 200, "the not-ready pod itself still answers");

        // Scaled away: no ratings endpoint at all, so reviews shows the upstream "unavailable" rating.
        kubectl(["scale", "deployment", "-n", ns, "ratings-v1", "--replicas=0"]);
        await waitFor("ratings to have no ready endpoint", () => readyEndpointIps(ns, "ratings").length === 0);
        const r = await waitFor(
            "reviews v2 to report ratings unavailable",
            async () => {
                const body = await reviewsOf(v2.ip);
                return body.reviews.every((x: any) => x.rating?.error === UNAVAILABLE) && body;
            },
            10_000,
        );
        assert.equal(r.ratingsPod, undefined);
        kubectl(["scale", "deployment", "-n", ns, "ratings-v1", "--replicas=1"]);
        await answeringPods(ns, "app=ratings", 1);
        await waitFor("a ratings endpoint again", () => readyEndpointIps(ns, "ratings").length === 1);
    });

    describe("the fault table (image -> fault)", () => {
        afterEach(() => clearFault(V2_IMAGE));

        it("http-500 on the v2 pod's image: it answers 500 within a second, other images stay healthy; clearing restores 200", async () => {
            assert.equal(await status(v2.ip), 200);
            const t0 = Date.now();
            setFault(V2_IMAGE, "http-500");
            await waitFor("v2 to answer 500", async () => (await status(v2.ip)) === 500, 1500);
            assert.ok(Date.now() - t0 < 1500, `took ${Date.now() - t0} ms`);
            assert.equal(await status(v2.ip, "/health"), 500);
            assert.equal(await status(v1.ip), 200, "v1 (an image not in the table) must stay healthy");
            assert.equal(await status(v3.ip), 200, "v3 (an image not in the table) must stay healthy");
            clearFault(V2_IMAGE);
            await waitFor("v2 to recover once its image is cleared", async () => (await status(v2.ip)) === 200, 1500);
        });

        it("slow delays every answer by 3000 ms", async () => {
            assert.ok((await get(podUrl(v2.ip, "/health"))).ms < 1000);
            setFault(V2_IMAGE, "slow");
            const slow = await get(podUrl(v2.ip, "/reviews/7"));
            assert.ok(slow.ms >= 3000, `answered in ${slow.ms} ms`);
            assert.equal(slow.status, 200);
            assert.ok((await get(podUrl(v3.ip, "/health"))).ms < 1000, "v3 must stay fast");
        });

        it("ratings-error makes reviews render every rating as unavailable", async () => {
            setFault(V2_IMAGE, "ratings-error");
            const body = await reviewsOf(v2.ip);
            assert.deepEqual(
                body.reviews.map((x: any) => x.rating),
                [{ error: UNAVAILABLE }, { error: UNAVAILABLE }],
            );
            assert.equal(body.podname, v2.name);
            assert.deepEqual(
                (await reviewsOf(v3.ip)).reviews.map((x: any) => x.rating.color),
                ["red", "red"],
            );
        });

        it("a hand-edited entry naming no known fault is ignored (the pod server logs it)", async () => {
            const file = faultTablePath();
            const table = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : {};
            fs.writeFileSync(`${file}.spec.tmp`, JSON.stringify({ ...table, [V2_IMAGE]: "explode" }));
            fs.renameSync(`${file}.spec.tmp`, file);
            assert.equal(await status(v2.ip), 200);
        });
    });
});
