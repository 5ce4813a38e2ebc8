// Reading live state through @kubernetes/client-node against a stand-in API server on loopback: absent means
// never deployed, a present ConfigMap is read, any other answer stops the program with a clear message. (Plain
// HTTP needs insecure-skip-tls-verify in client-node.)
import * as assert from "assert";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { NEVER_DEPLOYED, STATE_CONFIGMAP_NAME } from "../../rollout/deployed";
import { FROM_STAGE_ANNOTATION } from "../../rollout/labels";
import { connect, readLiveState } from "../../rollout/live-state";

const CONFIG_MAP_PATH = `/api/v1/namespaces/bookinfo/configmaps/${STATE_CONFIGMAP_NAME}`;

describe("live state", () => {
    let server: http.Server;
    let answer: { status: number; body: unknown };
    let requested: string[];
    let kubeconfig: string;

    before(async () => {
        server = http.createServer((req, res) => {
            requested.push(req.url ?? "");
            res.writeHead(answer.status, { "content-type": "application/json" });
            res.end(JSON.stringify(answer.body));
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const { port } = server.address() as AddressInfo;
        kubeconfig = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "live-state-")), "kubeconfig");
        fs.writeFileSync(
            kubeconfig,
            JSON.stringify({
                apiVersion: "v1",
                kind: "Config",
                clusters: [{ name: "fake", cluster: { server: `http://127.0.0.1:${port}`, "insecure-skip-tls-verify": true } }],
                users: [{ name: "fake", user: { token: "t" } }],
                contexts: [
                    { name: "fake", context: { cluster: "fake", user: "fake" } },
                    { name: "other", context: { cluster: "fake", user: "fake" } },
                ],
                "current-context": "other",
            }),
        );
    });
    beforeEach(() => (requested = []));
    after(() => server.close());

    it("is never deployed when the ConfigMap (or its namespace) is absent", async () => {
        answer = { status: 404, body: { kind: "Status", code: 404, reason: "NotFound" } };
        const access = await connect(kubeconfig, "fake");
        assert.strictEqual(access.context, "fake");
        assert.ok(access.kubeconfigText?.includes("current-context"));
        assert.deepStrictEqual(await readLiveState(access, "bookinfo"), NEVER_DEPLOYED);
        assert.deepStrictEqual(requested, [CONFIG_MAP_PATH]);
    });

    it("reads stage, from-stage and images from the ConfigMap", async () => {
        answer = {
            status: 200,
            body: {
                apiVersion: "v1",
                kind: "ConfigMap",
                metadata: { name: STATE_CONFIGMAP_NAME, annotations: { [FROM_STAGE_ANNOTATION]: "v1-only" } },
                data: { stage: "v2-dark", v2Image: "img:2", smokePassedImage: "img:2" },
            },
        };
        const live = await readLiveState(await connect(kubeconfig, ""), "bookinfo");
        assert.deepStrictEqual(live, { stage: "v2-dark", fromStage: "v1-only", v2Image: "img:2", smokePassedImage: "img:2" });
    });

    it("stops with the ConfigMap, server, context and status on any other error", async () => {
        answer = { status: 403, body: { kind: "Status", code: 403, message: "forbidden: no access" } };
        const access = await connect(kubeconfig, "");
        await assert.rejects(
            readLiveState(access, "bookinfo"),
            /cannot read the live rollout state ConfigMap bookinfo\/reviews-rollout-state from http:\/\/127\.0\.0\.1:\d+ \(context "other"\): HTTP 403: .*forbidden: no access/,
        );
    });

    it("names the missing context and the ones the kubeconfig has", async () => {
        await assert.rejects(connect(kubeconfig, "prod"), /context "prod" \(config key context\) is not in the kubeconfig file .*; its contexts: fake, other/);
    });

    it("names a kubeconfig file it cannot read", async () => {
        await assert.rejects(connect("/nonexistent/kubeconfig", ""), /cannot load the kubeconfig file \/nonexistent\/kubeconfig \(config key kubeconfig\): ENOENT/);
    });
});
