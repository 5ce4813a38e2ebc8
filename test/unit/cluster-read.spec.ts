// Reading the live facts (io/cluster.ts: its own reader, or client-node for what it does not read) against a stand-in
// API server on loopback: reviews Deployments as workloads, other images, the gate record and the namespace; absent
// objects read as absent, any other answer stops the read with the object, server, context and status named. (Plain
// HTTP needs insecure-skip-tls-verify in client-node.)
import { REVIEWS } from "../../rollout/service";
import * as assert from "assert";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { connect, readClusterFacts } from "../../io/cluster";
import { Traffic } from "../../rollout/traffic";

const NS = "/api/v1/namespaces/bookinfo";
const DEPLOYMENTS = "/apis/apps/v1/namespaces/bookinfo/deployments";
const RECORD = "/api/v1/namespaces/bookinfo/configmaps/reviews-gate-record";
const ROLLOUT_RECORD = "/api/v1/namespaces/bookinfo/configmaps/reviews-rollout-record";
const VS = "/apis/networking.istio.io/v1/namespaces/bookinfo/virtualservices/reviews";
const DR = "/apis/networking.istio.io/v1/namespaces/bookinfo/destinationrules/reviews";
const HOST = "reviews.bookinfo.svc.cluster.local";
const PODS: Traffic = { strategy: "pods" };
const notFound = { status: 404, body: { kind: "Status", code: 404, reason: "NotFound" } };

const deployment = (name: string, labels: Record<string, string>, image: string, replicas: number, ready: number) => ({
    metadata: { name, labels },
    spec: {
        replicas,
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: { containers: [{ name: name.split("-")[0], image }] } },
    },
    status: { readyReplicas: ready },
});

describe("cluster read", () => {
    let server: http.Server;
    let answers: Record<string, { status: number; body: unknown }>;
    let kubeconfig: string;
    let basicAuthKubeconfig: string;
    let authorization: (string | undefined)[];

    before(async () => {
        server = http.createServer((req, res) => {
            authorization.push(req.headers.authorization);
            const a = answers[(req.url ?? "").split("?")[0]] ?? notFound;
            res.writeHead(a.status, { "content-type": "application/json" });
            res.end(JSON.stringify(a.body));
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const { port } = server.address() as AddressInfo;
        kubeconfig = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "cluster-read-")), "kubeconfig");
        fs.writeFileSync(
            kubeconfig,
            JSON.stringify({
                apiVersion: "v1",
                kind: "Config",
                clusters: [
                    { name: "fake", cluster: { server: `http://127.0.0.1:${port}`, "insecure-skip-tls-verify": true } },
                ],
                users: [{ name: "fake", user: { token: "t" } }],
                contexts: [
                    { name: "fake", context: { cluster: "fake", user: "fake" } },
                    { name: "other", context: { cluster: "fake", user: "fake" } },
                ],
                "current-context": "other",
            }),
        );
        // Basic auth is not read by io/cluster.ts itself: this kubeconfig goes through client-node.
        basicAuthKubeconfig = path.join(path.dirname(kubeconfig), "basic-auth");
        fs.writeFileSync(
            basicAuthKubeconfig,
            JSON.stringify({
                clusters: [
                    { name: "fake", cluster: { server: `http://127.0.0.1:${port}`, "insecure-skip-tls-verify": true } },
                ],
                users: [{ name: "fake", user: { username: "u", password: "p" } }],
                contexts: [{ name: "fake", context: { cluster: "fake", user: "fake" } }],
                "current-context": "fake",
            }),
        );
    });
    beforeEach(() => {
        answers = {};
        authorization = [];
    });
    after(() => server.close());

    it("reads a never-deployed namespace as nothing", async () => {
        const access = await connect(kubeconfig, "fake");
        assert.strictEqual(access.context, "fake");
        assert.deepStrictEqual(await readClusterFacts(access, "bookinfo", PODS, REVIEWS), {
            namespace: undefined,
            live: { fleet: [], services: {}, gate: { trust: "absent" }, record: { trust: "absent" }, deployed: false },
        });
    });

    it("reads reviews Deployments as workloads (serving from the pod label, ready pods), other images, the namespace and the record", async () => {
        answers[NS] = {
            status: 200,
            body: { metadata: { name: "bookinfo", uid: "u-1", labels: { "rollout.bookinfo.dev/stack": "o.p.s" } } },
        };
        answers[DEPLOYMENTS] = {
            status: 200,
            body: {
                items: [
                    deployment(
                        "reviews-v1",
                        { app: "reviews", version: "v1", "rollout.bookinfo.dev/workload": "reviews" },
                        "r/reviews-v1:1",
                        3,
                        3,
                    ),
                    deployment(
                        "reviews-v2",
                        { app: "reviews_test", version: "v2", "rollout.bookinfo.dev/workload": "reviews" },
                        "r/reviews-v2:1",
                        1,
                        0,
                    ),
                    deployment("details-v1", { app: "details", version: "v1" }, "r/details-v1:1", 1, 1),
                ],
            },
        };
        answers[RECORD] = {
            status: 200,
            body: {
                metadata: {
                    managedFields: [{ manager: "kubectl-edit", operation: "Update", fieldsV1: { "f:data": {} } }],
                },
                data: { "passed.json": "[]" },
            },
        };
        const facts = await readClusterFacts(await connect(kubeconfig, ""), "bookinfo", PODS, REVIEWS);
        assert.deepStrictEqual(facts.namespace, {
            uid: "u-1",
            labels: { "rollout.bookinfo.dev/stack": "o.p.s" },
            annotations: {},
        });
        assert.deepStrictEqual(facts.live.fleet, [
            { version: "v1", image: "r/reviews-v1:1", replicas: 3, serving: true, ready: 3 },
            { version: "v2", image: "r/reviews-v2:1", replicas: 1, serving: false, ready: 0 },
        ]);
        assert.deepStrictEqual(facts.live.services, { "details-v1": "r/details-v1:1" });
        assert.strictEqual(facts.live.gate.trust, "untrusted");
    });

    it("reads the VirtualService and DestinationRule reviews as the route, with the configured testers", async () => {
        answers[VS] = {
            status: 200,
            body: {
                spec: {
                    hosts: [HOST],
                    http: [
                        {
                            name: "testers",
                            match: [
                                { headers: { "x-user": { exact: "qa" } } },
                                { headers: { cookie: { regex: "^(.*?;\\s*)?who=qa(;.*)?$" } } },
                            ],
                            route: [{ destination: { host: HOST, subset: "v2" } }],
                        },
                        {
                            name: "primary",
                            route: [
                                { destination: { host: HOST, subset: "v1" }, weight: 90 },
                                { destination: { host: HOST, subset: "v2" }, weight: 10 },
                            ],
                        },
                    ],
                },
            },
        };
        answers[DR] = {
            status: 200,
            body: {
                spec: {
                    host: HOST,
                    subsets: [
                        { name: "v1", labels: { version: "v1" } },
                        { name: "v2", labels: { version: "v2" } },
                    ],
                },
            },
        };
        const istio: Traffic = {
            strategy: "istio",
            steps: [10],
            mirrorPercent: 100,
            testers: { header: "x-user", cookie: "who", value: "qa" },
        };
        const facts = await readClusterFacts(await connect(kubeconfig, ""), "bookinfo", istio, REVIEWS);
        assert.deepStrictEqual(facts.live.route, { route: { weights: { v1: 90, v2: 10 }, testers: "v2" } });
    });

    it("reads the route with the deployed testers of a trusted rollout record, not the configured ones", async () => {
        const tester = (header: string, cookie: string) => ({
            name: "testers",
            match: [
                { headers: { [header]: { exact: "qa" } } },
                { headers: { cookie: { regex: `^(.*?;\\s*)?${cookie}=qa(;.*)?$` } } },
            ],
            route: [{ destination: { host: HOST, subset: "v2" } }],
        });
        answers[VS] = {
            status: 200,
            body: {
                spec: {
                    hosts: [HOST],
                    http: [
                        tester("x-forwarded-proto", "who"),
                        { name: "primary", route: [{ destination: { host: HOST, subset: "v1" }, weight: 100 }] },
                    ],
                },
            },
        };
        answers[DR] = {
            status: 200,
            body: {
                spec: {
                    host: HOST,
                    subsets: [
                        { name: "v1", labels: { version: "v1" } },
                        { name: "v2", labels: { version: "v2" } },
                    ],
                },
            },
        };
        const deployedTesters = { header: "x-user", cookie: "who", value: "qa" };
        const record = {
            release: { stable: { version: "v1", image: "r/reviews-v1:1", replicas: 3 } },
            traffic: { strategy: "istio", steps: [10], mirrorPercent: 100, testers: deployedTesters },
            bounds: {},
            stage: "stable",
            recordedAt: "t",
        };
        answers[ROLLOUT_RECORD] = {
            status: 200,
            body: {
                metadata: {
                    managedFields: [
                        { manager: "bookinfo-rollout-record", operation: "Apply", fieldsV1: { "f:data": {} } },
                    ],
                },
                data: { "deployed.json": JSON.stringify(record) },
            },
        };
        // The change asks for a tester header every request carries; the live match is read with the deployed one.
        const asked: Traffic = {
            strategy: "istio",
            steps: [10],
            mirrorPercent: 100,
            testers: { header: "x-forwarded-proto", cookie: "who", value: "qa" },
        };
        const facts = await readClusterFacts(await connect(kubeconfig, ""), "bookinfo", asked, REVIEWS);
        assert.strictEqual(facts.live.record?.trust, "trusted");
        assert.strictEqual(facts.live.deployed, true);
        assert.match(JSON.stringify(facts.live.route), /"problem":".*match/);
    });

    it("reads a DestinationRule without a VirtualService as an unreadable route, not as none", async () => {
        answers[DR] = { status: 200, body: { spec: { host: HOST, subsets: [] } } };
        const facts = await readClusterFacts(await connect(kubeconfig, ""), "bookinfo", PODS, REVIEWS);
        assert.deepStrictEqual(facts.live.route, { problem: "no VirtualService" });
    });

    it("stops with the object, server, context and status on any other error", async () => {
        answers[DEPLOYMENTS] = { status: 403, body: { kind: "Status", code: 403, message: "forbidden: no access" } };
        await assert.rejects(
            readClusterFacts(await connect(kubeconfig, ""), "bookinfo", PODS, REVIEWS),
            /cannot read the Deployments of namespace bookinfo from http:\/\/127\.0\.0\.1:\d+ \(context "other"\): HTTP 403: .*forbidden: no access/,
        );
    });

    it("reads through client-node what it does not read itself (here basic auth), with the same facts and errors", async () => {
        answers[NS] = { status: 200, body: { metadata: { name: "bookinfo", uid: "u-1", labels: {} } } };
        answers[DEPLOYMENTS] = {
            status: 200,
            body: { items: [deployment("reviews-v1", { app: "reviews", version: "v1" }, "r/reviews-v1:1", 3, 3)] },
        };
        const facts = await readClusterFacts(await connect(basicAuthKubeconfig, ""), "bookinfo", PODS, REVIEWS);
        assert.deepStrictEqual(facts, {
            namespace: { uid: "u-1", labels: {}, annotations: {} },
            live: {
                fleet: [{ version: "v1", image: "r/reviews-v1:1", replicas: 3, serving: true, ready: 3 }],
                services: {},
                gate: { trust: "absent" },
                record: { trust: "absent" },
                deployed: false,
            },
        });
        assert.ok(
            authorization.every((a) => a === `Basic ${Buffer.from("u:p").toString("base64")}`),
            `authorization headers: ${authorization}`,
        );
        answers[DEPLOYMENTS] = { status: 403, body: { kind: "Status", code: 403, message: "forbidden: no access" } };
        await assert.rejects(
            readClusterFacts(await connect(basicAuthKubeconfig, ""), "bookinfo", PODS, REVIEWS),
            /cannot read the Deployments of namespace bookinfo from http:\/\/127\.0\.0\.1:\d+ \(context "fake"\): HTTP 403: .*forbidden: no access/,
        );
    });

    it("sends the kubeconfig's bearer token with every read", async () => {
        await readClusterFacts(await connect(kubeconfig, "fake"), "bookinfo", PODS, REVIEWS);
        assert.deepStrictEqual(authorization, Array(6).fill("Bearer t"));
    });

    it("names the missing context and the ones the kubeconfig has, and a kubeconfig it cannot read", async () => {
        await assert.rejects(
            connect(kubeconfig, "prod"),
            /context "prod" \(config key context\) is not in the kubeconfig file .*; its contexts: fake, other/,
        );
        await assert.rejects(
            connect("/nonexistent/kubeconfig", ""),
            /cannot load the kubeconfig file \/nonexistent\/kubeconfig \(config key kubeconfig\): ENOENT/,
        );
    });
});
