// The load generator (local/lib/load.ts) against running pods: its bounds hold (rate within 10 %, it stops at the
// count, at the duration and on stop(), concurrency caps what is in flight, out-of-bounds options are refused), its
// summary matches what the pods served (the pod server's counters), a reviews fault shows as errors through
// productpage, and through the mesh its header reaches the route. Needs `npm run cluster:up` (the mesh test also
// the mesh). Expected values are written out by hand.
import assert from "node:assert/strict";
import { clearFault, setFault } from "../../cluster/faults";
import { envoyServing } from "../../cluster/mesh";
import { startLoad, LoadSummary } from "../../lib/load";
import { countersByVersion, meshCounters, RequestCounts } from "../../lib/mesh";
import {
    answeringPods,
    apply,
    deployment,
    kubectl,
    readyEndpointIps,
    reviewsDeployment,
    service,
    waitFor,
} from "./helpers";
import { bookinfoWorkloads, destinationRule, meshedNamespace, virtualService } from "./mesh-manifests";

/** `hits` of `n` draws at probability `p` lie within mean +- 4 sd. */
function assertBinomial(hits: number, n: number, p: number, what: string) {
    const mean = n * p;
    const sd = Math.sqrt(n * p * (1 - p));
    assert.ok(
        Math.abs(hits - mean) <= 4 * sd,
        `${what}: ${hits} of ${n}, expected ${mean} +- ${(4 * sd).toFixed(1)} (4 sd)`,
    );
}

/** Requests each pod of `namespace` served between two counter readings (pods that served none are left out). */
function served(after: Record<string, RequestCounts>, before: Record<string, RequestCounts>): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [pod, c] of Object.entries(after)) {
        const n = c.served - (before[pod]?.served ?? 0);
        if (n) out[pod] = n;
    }
    return out;
}
const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
const only = (counts: Record<string, number>, prefix: string) =>
    Object.fromEntries(Object.entries(counts).filter(([pod]) => pod.startsWith(prefix)));
const report = (what: string, s: LoadSummary) =>
    console.log(
        `      ${what}: ${s.sent} in ${s.seconds} s (${s.rate}/s), ` +
            `${JSON.stringify(s.byStatus)}, p50 ${s.latencyMs?.p50} ms, p99 ${s.latencyMs?.p99} ms, max in flight ${s.maxInFlight}`,
    );

describe("load generator (local/lib/load.ts)", function () {
    this.timeout(120_000);
    const ns = `load-spec-${Date.now().toString(36)}`;
    const image = (name: string) => `example.test/bookinfo/${name}:${ns}`;
    const V1 = image("reviews-v1");
    const V2 = image("reviews-v2");

    before(async () => {
        kubectl(["create", "namespace", ns]);
        apply([
            reviewsDeployment(ns, "v1", { image: V1 }),
            reviewsDeployment(ns, "v2", { image: V2 }),
            deployment(ns, "ratings-v1", "ratings", "v1", 1, undefined, image("ratings-v1")),
            deployment(ns, "details-v1", "details", "v1", 1, undefined, image("details-v1")),
            deployment(ns, "productpage-v1", "productpage", "v1", 2, undefined, image("productpage-v1")),
            service(ns, "reviews"),
            service(ns, "ratings"),
            service(ns, "details"),
            service(ns, "productpage"),
        ]);
        await answeringPods(ns, "app=productpage", 2);
        await answeringPods(ns, "app=reviews", 2);
        await answeringPods(ns, "app=ratings", 1);
        await waitFor(
            "the Services' ready endpoints",
            () =>
                readyEndpointIps(ns, "productpage").length === 2 &&
                readyEndpointIps(ns, "reviews").length === 2 &&
                readyEndpointIps(ns, "ratings").length === 1,
        );
        // The load generator reads endpoints from the agent's pod table: wait until it has them too.
        await waitFor(
            "the productpage endpoints in the pod table",
            async () => (await startLoad({ namespace: ns, count: 1 }).done).byStatus["200"] === 1,
        );
    });

    afterEach(() => {
        clearFault(V1);
        clearFault(V2);
    });

    after(() => kubectl(["delete", "namespace", ns, "--wait=false"]));

    it("refuses options out of bounds, naming the bound", () => {
        const bad: [object, RegExp][] = [
            [{ rate: 500, seconds: 1 }, /rate 500 is out of bounds: 0\.1\.\.200/],
            [{ rate: 10, seconds: 601 }, /seconds 601 is out of bounds: 0\.1\.\.600/],
            [{ count: 0 }, /count 0 is out of bounds: 1\.\.100000/],
            [{ count: 10, concurrency: 65 }, /concurrency 65 is out of bounds: 1\.\.64/],
            [{ rate: 10 }, /give seconds or count/],
            [{ count: 10, via: "kube-proxy" }, /via kube-proxy; allowed: endpoints, mesh/],
            [{ count: 10, products: [] }, /nothing to request/],
        ];
        for (const [opts, message] of bad) assert.throws(() => startLoad({ namespace: ns, ...opts }), message);
    });

    it("count 150 at 50/s: stops at 150 after about 3 s; the pods served exactly what the summary counts", async () => {
        const before = await meshCounters(ns);
        const s = await startLoad({ namespace: ns, rate: 50, count: 150 }).done;
        report("count", s);
        const pods = served(await meshCounters(ns), before);
        assert.equal(s.stoppedBy, "count");
        assert.deepEqual(s.byStatus, { 200: 150 });
        assert.ok(Math.abs(s.rate - 50) <= 5, `rate ${s.rate}/s`);
        assert.deepEqual(
            only(pods, "productpage-"),
            s.byPod,
            "each productpage pod served what the summary says it answered",
        );
        assert.deepEqual(Object.values(s.byPod).sort(), [75, 75], "round-robin over both endpoints");
        assert.equal(sum(only(pods, "reviews-")), 150, "one reviews call per request");
    });

    it("3 s at 100/s: about 300 requests, then it stops by itself", async () => {
        const t0 = Date.now();
        const s = await startLoad({ namespace: ns, rate: 100, seconds: 3, products: [0, 7], productpage: true }).done;
        report("seconds", s);
        assert.equal(s.stoppedBy, "seconds");
        assert.ok(s.sent >= 285 && s.sent <= 301, `sent ${s.sent}`);
        assert.ok(Date.now() - t0 < 4000, `took ${Date.now() - t0} ms`);
        assert.ok(Math.abs(s.rate - 100) <= 10, `rate ${s.rate}/s`);
        assert.deepEqual(Object.keys(s.byPath), [
            "/api/v1/products/0/reviews",
            "/api/v1/products/7/reviews",
            "/productpage",
        ]);
        assert.deepEqual(s.byStatus, { 200: s.sent });
    });

    it("stop() ends a 60 s run early and waits for what is in flight", async () => {
        const load = startLoad({ namespace: ns, rate: 20, seconds: 60 });
        await waitFor("20 requests sent", () => load.progress().sent >= 20, 10_000);
        const t0 = Date.now();
        const s = await load.stop();
        assert.ok(Date.now() - t0 < 1000, `stop took ${Date.now() - t0} ms`);
        assert.equal(s.stoppedBy, "stop");
        assert.ok(s.sent >= 20 && s.sent <= 25, `sent ${s.sent}`);
        assert.equal(s.inFlight, 0);
        assert.equal(s.byStatus["200"], s.sent);
    });

    it("concurrency 2 caps what is in flight: with reviews 200 ms slow, 50/s becomes about 10/s", async () => {
        setFault(V1, { kind: "latency", ms: 200 });
        setFault(V2, { kind: "latency", ms: 200 });
        const s = await startLoad({ namespace: ns, rate: 50, seconds: 2, concurrency: 2 }).done;
        report("concurrency", s);
        assert.equal(s.maxInFlight, 2);
        assert.ok(s.delayed > 0);
        assert.ok(s.sent >= 16 && s.sent <= 22, `sent ${s.sent}`);
        assert.ok(s.latencyMs!.p50 >= 200, `p50 ${s.latencyMs!.p50} ms`);
    });

    it("error-rate 0.2 on the v2 image: the summary shows 500s through productpage, binomial on what v2 served", async () => {
        setFault(V2, { kind: "error-rate", rate: 0.2 });
        const before = await countersByVersion(ns);
        const s = await startLoad({ namespace: ns, rate: 150, count: 600 }).done;
        report("error-rate", s);
        const after = await countersByVersion(ns);
        const v2 = after.v2.served - (before.v2?.served ?? 0);
        assert.equal(v2 + after.v1.served - (before.v1?.served ?? 0), 600);
        assert.equal((s.byStatus["200"] ?? 0) + (s.byStatus["500"] ?? 0), 600);
        assertBinomial(s.byStatus["500"] ?? 0, v2, 0.2, "500s through productpage of v2's answers");
        assert.match(s.failures[0], /^\d{4}-\d\d-\d\dT[\d:.]+Z \/api\/v1\/products\/0\/reviews: 500 /);
    });

    it("a product fault shows on that product's path only", async () => {
        setFault(V1, { kind: "product", id: 7, fault: "http-500" });
        setFault(V2, { kind: "product", id: 7, fault: "http-500" });
        const s = await startLoad({ namespace: ns, rate: 100, count: 100, products: [0, 7] }).done;
        assert.deepEqual(s.byPath, {
            "/api/v1/products/0/reviews": { 200: 50 },
            "/api/v1/products/7/reviews": { 500: 50 },
        });
    });

    describe("through the mesh", () => {
        const meshNs = `${ns}-mesh`;

        before(async function () {
            if (!(await envoyServing())) return this.skip();
            kubectl(["apply", "-f", "-"], {
                input: JSON.stringify({ apiVersion: "v1", kind: "List", items: [meshedNamespace(meshNs)] }),
            });
            apply([...bookinfoWorkloads(meshNs), destinationRule(meshNs), virtualService(meshNs, { v1: 100, v2: 0 })]);
            await answeringPods(meshNs, "app=reviews", 2);
            await answeringPods(meshNs, "app=productpage", 1);
            await waitFor("productpage to answer through Envoy with v2 for the tester", async () => {
                const s = await startLoad({
                    namespace: meshNs,
                    count: 1,
                    via: "mesh",
                    headers: { "end-user": "jason" },
                }).done;
                return s.byStatus["200"] === 1 && (await countersByVersion(meshNs)).v2?.served > 0;
            });
        });

        after(() => kubectl(["delete", "namespace", meshNs, "--wait=false", "--ignore-not-found"]));

        it("via mesh with end-user: jason, every reviews call reaches v2; without it, v1", async () => {
            const before = await countersByVersion(meshNs);
            const tester = await startLoad({
                namespace: meshNs,
                rate: 100,
                count: 200,
                via: "mesh",
                headers: { "end-user": "jason" },
            }).done;
            const mid = await countersByVersion(meshNs);
            const plain = await startLoad({ namespace: meshNs, rate: 100, count: 200, via: "mesh" }).done;
            const after = await countersByVersion(meshNs);
            report("mesh tester", tester);
            assert.deepEqual([tester.byStatus, plain.byStatus], [{ 200: 200 }, { 200: 200 }]);
            assert.deepEqual([mid.v2.served - (before.v2?.served ?? 0), mid.v1.served - before.v1.served], [200, 0]);
            assert.deepEqual([after.v1.served - mid.v1.served, after.v2.served - mid.v2.served], [200, 0]);
        });
    });
});
