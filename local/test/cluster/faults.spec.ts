// The fault table: the file (no cluster needed: setFault/clearFault write image -> fault atomically, reject bad
// values naming what is allowed, readers drop and name entries a hand edit broke), then every kind of fault on
// running pods (needs `npm run cluster:up`): a pod answers by its image's entry, by pod IP and through productpage.
// The random kinds are judged by binomial bounds (4 sd: a correct rig fails about 1 run in 16,000); answers a
// fault object changed carry x-bookinfo-fault, so each answer's fate is known. Expected values are written by hand.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { clearFault, Fault, FAULTS, readFaultTable, setFault } from "../../cluster/faults";
import { faultTablePath, logsDir } from "../../cluster/paths";
import {
    answeringPods,
    apply,
    deployment,
    get,
    HttpReply,
    kubectl,
    PodInfo,
    podUrl,
    readyEndpointIps,
    reviewsDeployment,
    service,
    waitFor,
} from "./helpers";

describe("fault table (local/cluster/faults.ts)", () => {
    let dir: string;
    let file: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "faults-spec-"));
        file = path.join(dir, "faults.json");
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("keeps the shorthands http-500, slow and ratings-error", () => {
        assert.deepEqual([...FAULTS], ["http-500", "slow", "ratings-error"]);
    });

    it("a missing file is an empty table", () => {
        assert.deepEqual(readFaultTable(file), { faults: {}, invalid: [] });
    });

    it("setFault adds or replaces one image's fault, clearFault removes it, leaving no temporary file", () => {
        setFault("example.test/reviews:2", "http-500", file);
        setFault("example.test/reviews:3", "slow", file);
        setFault("example.test/reviews:2", "ratings-error", file);
        assert.deepEqual(JSON.parse(fs.readFileSync(file, "utf8")), {
            "example.test/reviews:2": "ratings-error",
            "example.test/reviews:3": "slow",
        });
        clearFault("example.test/reviews:2", file);
        clearFault("example.test/not-there:1", file);
        assert.deepEqual(JSON.parse(fs.readFileSync(file, "utf8")), { "example.test/reviews:3": "slow" });
        assert.deepEqual(fs.readdirSync(dir), ["faults.json"]);
    });

    it("stores the object kinds as given and reads them back", () => {
        const faults: Record<string, Fault> = {
            "a:1": { kind: "error-rate", rate: 0.02 },
            "b:1": { kind: "error-rate", rate: 0.5, status: 503 },
            "c:1": { kind: "latency", ms: 150, rate: 0.05 },
            "d:1": { kind: "latency", ms: 20 },
            "e:1": { kind: "wrong-answer" },
            "f:1": { kind: "wrong-answer", text: "Dull.", rate: 0.1 },
            "g:1": { kind: "product", id: 7, fault: "http-500" },
            "h:1": { kind: "product", id: 0, fault: { kind: "latency", ms: 100, rate: 1 } },
        };
        for (const [image, fault] of Object.entries(faults)) setFault(image, fault, file);
        assert.deepEqual(JSON.parse(fs.readFileSync(file, "utf8")), faults);
        assert.deepEqual(readFaultTable(file), { faults, invalid: [] });
    });

    it("rejects a bad value without touching the file, saying what is wrong and what is allowed", () => {
        setFault("example.test/reviews:2", "slow", file);
        const bad: [unknown, RegExp][] = [
            [
                "explode",
                /unknown fault "explode" \("explode" is not one of http-500, slow, ratings-error\); allowed: http-500, slow, ratings-error, \{"kind": "error-rate", "rate": 0\.\.1/,
            ],
            [{ kind: "error-rate", rate: 2 }, /\(rate: Number must be less than or equal to 1\)/],
            [{ kind: "error-rate" }, /\(rate: Required\)/],
            [{ kind: "latency", ms: 150, rat: 0.5 }, /Unrecognized key\(s\) in object: 'rat'/],
            [{ kind: "latency", ms: 0 }, /\(ms: Number must be greater than or equal to 1\)/],
            [
                { kind: "explode" },
                /kind: Invalid discriminator value\. Expected 'error-rate' \| 'latency' \| 'wrong-answer' \| 'product'/,
            ],
            [
                { kind: "product", id: 7, fault: "boom" },
                /\(fault: "boom" is not one of http-500, slow, ratings-error\)/,
            ],
            [
                { kind: "product", id: 7, fault: { kind: "product", id: 8, fault: "slow" } },
                /a product fault cannot hold another product fault/,
            ],
            [{ kind: "product", id: -1, fault: "slow" }, /\(id: Number must be greater than or equal to 0\)/],
            [7, /expected a fault name or an object with a kind/],
        ];
        for (const [value, message] of bad)
            assert.throws(() => setFault("example.test/reviews:2", value as Fault, file), message);
        assert.deepEqual(JSON.parse(fs.readFileSync(file, "utf8")), { "example.test/reviews:2": "slow" });
    });

    it("a reader leaves out hand-edited entries that are no valid fault and says why; clearFault removes them", () => {
        fs.writeFileSync(
            file,
            JSON.stringify({ "a:1": "http-500", "b:1": "explode", "c:1": 7, "d:1": { kind: "latency", ms: "150" } }),
        );
        assert.deepEqual(readFaultTable(file), {
            faults: { "a:1": "http-500" },
            invalid: [
                'b:1: "explode" ("explode" is not one of http-500, slow, ratings-error)',
                "c:1: 7 (expected a fault name or an object with a kind)",
                'd:1: {"kind":"latency","ms":"150"} (ms: Expected number, received string)',
            ],
        });
        setFault("e:1", "slow", file);
        clearFault("b:1", file);
        assert.deepEqual(Object.keys(JSON.parse(fs.readFileSync(file, "utf8"))), ["a:1", "c:1", "d:1", "e:1"]);
    });
});

/** `hits` of `n` draws at probability `p` lie within mean +- 4 sd. */
function assertBinomial(hits: number, n: number, p: number, what: string) {
    const mean = n * p;
    const sd = Math.sqrt(n * p * (1 - p));
    assert.ok(
        Math.abs(hits - mean) <= 4 * sd,
        `${what}: ${hits} of ${n}, expected ${mean} +- ${(4 * sd).toFixed(1)} (4 sd)`,
    );
}

/** `n` GETs of `url`, `concurrency` at a time (each on its own connection). */
async function sample(url: string, n: number, concurrency = 8): Promise<HttpReply[]> {
    const out: HttpReply[] = [];
    let next = 0;
    const worker = async () => {
        while (next < n) {
            next++;
            out.push(await get(url));
        }
    };
    await Promise.all(Array.from({ length: Math.min(n, concurrency) }, worker));
    return out;
}

const FAULT_HEADER = "x-bookinfo-fault";
const faulted = (replies: HttpReply[], kind: string) => replies.filter((r) => r.headers[FAULT_HEADER] === kind);
const statuses = (replies: HttpReply[]) => {
    const by: Record<number, number> = {};
    for (const r of replies) by[r.status] = (by[r.status] ?? 0) + 1;
    return by;
};
const percentile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.ceil(q * values.length) - 1];

describe("faults on running pods (error-rate, latency, wrong-answer, product)", function () {
    this.timeout(120_000);
    const ns = `faults-spec-${Date.now().toString(36)}`;
    // Images of this run only: faulting them touches no other namespace or run.
    const image = (name: string) => `example.test/bookinfo/${name}:${ns}`;
    const V1 = image("reviews-v1");
    const V2 = image("reviews-v2");
    let v1: PodInfo, v2: PodInfo, page: PodInfo;
    const reviews = (pod: PodInfo, id = 7) => podUrl(pod.ip, `/reviews/${id}`);

    before(async () => {
        kubectl(["create", "namespace", ns]);
        apply([
            reviewsDeployment(ns, "v1", { image: V1 }),
            reviewsDeployment(ns, "v2", { image: V2 }),
            deployment(ns, "ratings-v1", "ratings", "v1", 1, undefined, image("ratings-v1")),
            deployment(ns, "details-v1", "details", "v1", 1, undefined, image("details-v1")),
            deployment(ns, "productpage-v1", "productpage", "v1", 1, undefined, image("productpage-v1")),
            service(ns, "reviews"),
            service(ns, "ratings"),
            service(ns, "details"),
        ]);
        [v1] = await answeringPods(ns, "version=v1,rollout.bookinfo.dev/workload=reviews", 1);
        [v2] = await answeringPods(ns, "version=v2", 1);
        [page] = await answeringPods(ns, "app=productpage", 1);
        await answeringPods(ns, "app=ratings", 1);
        await waitFor(
            "both reviews pods and ratings in the EndpointSlices",
            () => readyEndpointIps(ns, "reviews").length === 2 && readyEndpointIps(ns, "ratings").length === 1,
        );
    });

    afterEach(() => {
        clearFault(V1);
        clearFault(V2);
    });

    after(() => kubectl(["delete", "namespace", ns, "--wait=false"]));

    it("error-rate 0.2: about a fifth of v2's answers are 500 (binomial), /health always 200, v1 untouched", async () => {
        setFault(V2, { kind: "error-rate", rate: 0.2 });
        const n = 1000;
        const replies = await sample(reviews(v2), n);
        const errors = replies.filter((r) => r.status === 500);
        assertBinomial(errors.length, n, 0.2, "500s of v2");
        assert.deepEqual(statuses(replies), { 200: n - errors.length, 500: errors.length });
        assert.equal(faulted(replies, "error-rate").length, errors.length, "exactly the 500s are marked");
        assert.match(errors[0].body, /fault injected: error-rate 0\.2/);
        assert.deepEqual(statuses(await sample(podUrl(v2.ip, "/health"), 200)), { 200: 200 }, "the probe passes");
        assert.deepEqual(statuses(await sample(reviews(v1), 200)), { 200: 200 });
        console.log(`      v2 answered 500 to ${errors.length} of ${n} (expected 200 +- 50.6)`);
    });

    it("error-rate with a status: rate 1, status 503 answers 503 to every request", async () => {
        setFault(V2, { kind: "error-rate", rate: 1, status: 503 });
        assert.deepEqual(statuses(await sample(reviews(v2), 50)), { 503: 50 });
    });

    it("error-rate through productpage: its reviews API answers 500 as often (the page itself stays 200, as upstream)", async () => {
        setFault(V1, { kind: "error-rate", rate: 0.2 });
        setFault(V2, { kind: "error-rate", rate: 0.2 });
        const n = 600;
        const replies = await sample(podUrl(page.ip, "/api/v1/products/0/reviews"), n);
        const by = statuses(replies);
        assertBinomial(by[500] ?? 0, n, 0.2, "500s through productpage");
        assert.equal((by[200] ?? 0) + (by[500] ?? 0), n);
        assert.equal(replies[0].headers[FAULT_HEADER], undefined, "productpage itself is not faulted");
        assert.deepEqual(statuses(await sample(podUrl(page.ip, "/productpage"), 50)), { 200: 50 });
        console.log(`      productpage answered 500 to ${by[500] ?? 0} of ${n}`);
    });

    it("latency 150 ms on 5%: those answers take >= 150 ms (p99 >= 150 ms), the rest are fast", async () => {
        setFault(V2, { kind: "latency", ms: 150, rate: 0.05 });
        const n = 600;
        const replies = await sample(reviews(v2), n);
        const slow = faulted(replies, "latency");
        assertBinomial(slow.length, n, 0.05, "delayed answers");
        assert.ok(
            slow.every((r) => r.ms >= 150),
            `delayed answers took ${slow.map((r) => r.ms).join(", ")} ms`,
        );
        assert.deepEqual(statuses(replies), { 200: n });
        const ms = replies.map((r) => r.ms);
        assert.ok(percentile(ms, 0.99) >= 150, `p99 ${percentile(ms, 0.99)} ms`);
        assert.ok(percentile(ms, 0.5) < 150, `p50 ${percentile(ms, 0.5)} ms`);
        console.log(
            `      ${slow.length} of ${n} delayed; p50 ${percentile(ms, 0.5)} ms, p99 ${percentile(ms, 0.99)} ms`,
        );
    });

    it("latency without a rate delays every answer, /health excepted", async () => {
        setFault(V2, { kind: "latency", ms: 200 });
        const replies = await sample(reviews(v2), 16);
        assert.ok(
            replies.every((r) => r.ms >= 200 && r.status === 200),
            replies.map((r) => r.ms).join(", "),
        );
        assert.ok((await get(podUrl(v2.ip, "/health"))).ms < 200);
    });

    it("wrong-answer: status 200 and the same shape, but the first review's text differs from v1's", async () => {
        const good = JSON.parse((await get(reviews(v1))).body);
        setFault(V2, { kind: "wrong-answer" });
        const reply = await get(reviews(v2));
        assert.equal(reply.status, 200);
        assert.equal(reply.headers[FAULT_HEADER], "wrong-answer");
        const wrong = JSON.parse(reply.body);
        assert.notEqual(wrong.reviews[0].text, good.reviews[0].text);
        assert.equal(wrong.reviews[0].reviewer, "Reviewer1");
        assert.equal(wrong.reviews[1].text, good.reviews[1].text);
        assert.deepEqual(
            wrong.reviews.map((r: any) => r.rating),
            [
                { stars: 5, color: "black" },
                { stars: 4, color: "black" },
            ],
        );

        setFault(V2, { kind: "wrong-answer", text: "Not worth reading." });
        assert.equal(JSON.parse((await get(reviews(v2))).body).reviews[0].text, "Not worth reading.");
    });

    it("wrong-answer on half the requests (binomial), and through productpage's reviews API", async () => {
        setFault(V2, { kind: "wrong-answer", text: "Not worth reading.", rate: 0.5 });
        const n = 400;
        const replies = await sample(reviews(v2), n);
        const wrong = replies.filter((r) => JSON.parse(r.body).reviews[0].text === "Not worth reading.");
        assertBinomial(wrong.length, n, 0.5, "wrong answers");
        assert.equal(faulted(replies, "wrong-answer").length, wrong.length);

        setFault(V1, { kind: "wrong-answer", text: "Not worth reading." });
        setFault(V2, { kind: "wrong-answer", text: "Not worth reading." });
        for (const r of await sample(podUrl(page.ip, "/api/v1/products/0/reviews"), 10)) {
            assert.equal(r.status, 200);
            assert.equal(JSON.parse(r.body).reviews[0].text, "Not worth reading.");
        }
    });

    it("product 7 with http-500: only requests for product 7 fail, by pod IP and through productpage", async () => {
        setFault(V2, { kind: "product", id: 7, fault: "http-500" });
        assert.deepEqual(statuses(await sample(reviews(v2, 7), 20)), { 500: 20 });
        assert.deepEqual(statuses(await sample(reviews(v2, 8), 20)), { 200: 20 });
        assert.deepEqual(statuses(await sample(reviews(v2, 0), 20)), { 200: 20 });
        assert.equal((await get(podUrl(v2.ip, "/health"))).status, 200);

        setFault(V1, { kind: "product", id: 7, fault: "http-500" });
        assert.deepEqual(statuses(await sample(podUrl(page.ip, "/api/v1/products/7/reviews"), 20)), { 500: 20 });
        assert.deepEqual(statuses(await sample(podUrl(page.ip, "/api/v1/products/1/reviews"), 20)), { 200: 20 });
    });

    it("product 7 with a latency fault: product 7 is delayed, others are not", async () => {
        setFault(V2, { kind: "product", id: 7, fault: { kind: "latency", ms: 200 } });
        const [seven, other] = [await get(reviews(v2, 7)), await get(reviews(v2, 3))];
        assert.ok(seven.ms >= 200 && seven.headers[FAULT_HEADER] === "latency", `${seven.ms} ms`);
        assert.ok(other.ms < 200 && other.headers[FAULT_HEADER] === undefined, `${other.ms} ms`);
    });

    it("the shorthands still work (http-500 includes /health)", async () => {
        setFault(V2, "http-500");
        assert.equal((await get(reviews(v2))).status, 500);
        assert.equal((await get(podUrl(v2.ip, "/health"))).status, 500);
        setFault(V2, "ratings-error");
        const body = JSON.parse((await get(reviews(v2))).body);
        assert.deepEqual(body.reviews[0].rating, { error: "Ratings service is currently unavailable" });
    });

    it("a hand-edited bad entry is ignored and logged once, naming why", async () => {
        const log = path.join(logsDir(), "pod-server.log");
        const mentions = () =>
            fs
                .readFileSync(log, "utf8")
                .split("\n")
                .filter(
                    (l) =>
                        l.includes("ignoring") &&
                        l.includes(V2) &&
                        l.includes("rate: Number must be less than or equal to 1"),
                ).length;
        const before = mentions();
        const file = faultTablePath();
        const table = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : {};
        fs.writeFileSync(`${file}.spec.tmp`, JSON.stringify({ ...table, [V2]: { kind: "error-rate", rate: 5 } }));
        fs.renameSync(`${file}.spec.tmp`, file);
        assert.deepEqual(statuses(await sample(reviews(v2), 30)), { 200: 30 });
        await waitFor("the pod server to log the bad entry", () => mentions() > before, 5000);
        assert.deepEqual(statuses(await sample(reviews(v2), 30)), { 200: 30 });
        assert.equal(mentions() - before, 1);
    });
});
