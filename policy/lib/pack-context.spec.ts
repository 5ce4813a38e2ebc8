// The real source's logic, with the cluster read replaced: which stack config it reads, when it reads the
// cluster, and each reason it refuses to build a context.
import * as assert from "assert";
import { ClusterFacts, ClusterReadError } from "../../io/cluster";
import { StageConfig } from "../../rollout/config";
import { IMG } from "../testing/fixtures";
import { StackIdentity } from "./engine-stack";
import { packContext } from "./pack-context";

const FACTS: ClusterFacts = {
    namespace: { uid: "ns-uid-1", labels: { "rollout.bookinfo.dev/stack": "organization.bookinfo-rollout.dev" } },
    live: {
        fleet: [{ version: "v1", image: IMG.v1, replicas: 3, serving: true, ready: 3 }],
        services: {},
        gate: { trust: "absent" },
    },
};

const identity = (config: Record<string, unknown>): StackIdentity => ({
    organization: "organization",
    project: "bookinfo-rollout",
    stack: "dev",
    config,
});

/** A reader that records what it was asked for. */
function reader(result: ClusterFacts | Error = FACTS) {
    const asked: StageConfig[] = [];
    const read = async (config: StageConfig) => {
        asked.push(config);
        if (result instanceof Error) throw result;
        return result;
    };
    return { asked, read };
}

describe("packContext", () => {
    it("reads the stack config as the engine sends it (text, structured keys as JSON text), then the cluster", async () => {
        const r = reader();
        const ctx = await packContext(
            identity({
                "bookinfo-rollout:stage": "dark",
                "bookinfo-rollout:namespace": "reviews-team",
                "bookinfo-rollout:kubeconfig": "/home/ci/.kube/config",
                "bookinfo-rollout:release": JSON.stringify({
                    stable: { version: "v1", image: IMG.v1, replicas: 3 },
                    candidate: { version: "v2", image: IMG.v2 },
                }),
                "bookinfo-rollout:bounds": '{"maxReplicas":6}',
                "kubernetes:enableServerSideApply": "true",
            }),
            r.read,
        );
        assert.strictEqual(ctx.mode, "cluster");
        if (ctx.mode !== "cluster") return;
        assert.strictEqual(ctx.config.stage, "dark");
        assert.strictEqual(ctx.config.namespace, "reviews-team");
        assert.deepStrictEqual(ctx.config.release.candidate, {
            version: "v2",
            image: IMG.v2,
            replicas: 3,
            stars: "black",
        });
        assert.deepStrictEqual(ctx.config.bounds, { maxReplicas: 6, maxReplicaChange: 5, minServingPods: 3 });
        assert.deepStrictEqual(ctx.live, FACTS.live);
        assert.deepStrictEqual(ctx.namespace, FACTS.namespace);
        assert.strictEqual(ctx.stackLabel, "organization.bookinfo-rollout.dev");
        assert.deepStrictEqual(
            r.asked.map((c) => [c.kubeconfig, c.context, c.namespace]),
            [["/home/ci/.kube/config", "", "reviews-team"]],
        );
    });

    it("an empty config is the defaults: stage stable of v1, namespace bookinfo, $KUBECONFIG", async () => {
        const r = reader();
        const ctx = await packContext(identity({}), r.read);
        assert.strictEqual(ctx.config.stage, "stable");
        assert.strictEqual(ctx.config.namespace, "bookinfo");
        assert.deepStrictEqual(ctx.config.release, { stable: { version: "v1", image: IMG.v1, replicas: 3 } });
        assert.strictEqual(r.asked.length, 1);
    });

    it("render mode: no cluster read", async () => {
        const r = reader();
        const ctx = await packContext(identity({ "bookinfo-rollout:renderYamlTo": "/tmp/manifests" }), r.read);
        assert.strictEqual(ctx.mode, "render");
        assert.strictEqual(r.asked.length, 0);
    });

    it("no organization from the engine: no stack label (the namespace rule then refuses to judge)", async () => {
        const ctx = await packContext({ ...identity({}), organization: undefined }, reader().read);
        assert.strictEqual(ctx.mode === "cluster" && ctx.stackLabel, undefined);
    });

    it("refuses without a stack", async () => {
        await assert.rejects(packContext(undefined, reader().read), {
            message:
                "the engine did not tell the pack which stack it runs for (no ConfigureStack call, no PULUMI_NODEJS_STACK in its environment), so it has no stack config to read the cluster with",
        });
    });

    it("refuses another project's stack", async () => {
        await assert.rejects(packContext({ ...identity({}), project: "shop" }, reader().read), {
            message: "this pack judges project bookinfo-rollout, but the engine runs it for project shop",
        });
    });

    it("refuses an invalid config with the config parser's message, before reading the cluster", async () => {
        const r = reader();
        await assert.rejects(
            packContext(identity({ "bookinfo-rollout:stage": "v2-dark" }), r.read),
            /bookinfo-rollout:stage = "v2-dark": stages are named relative to the release now/,
        );
        assert.strictEqual(r.asked.length, 0);
    });

    it("refuses a relative kubeconfig path: the pack runs in its own directory", async () => {
        const r = reader();
        await assert.rejects(packContext(identity({ "bookinfo-rollout:kubeconfig": ".state/kubeconfig" }), r.read), {
            message:
                'kubeconfig ".state/kubeconfig" (config key kubeconfig) is a relative path, and the pack runs in its own directory, not the project\'s, so it would read another file than the program: set an absolute path',
        });
        assert.strictEqual(r.asked.length, 0);
    });

    it("passes on a failed cluster read", async () => {
        await assert.rejects(
            packContext(identity({}), reader(new ClusterReadError("cannot read namespace bookinfo")).read),
            { message: "cannot read namespace bookinfo" },
        );
    });
});
