// The stand-in shim hears the engine's ConfigureStack call through the gRPC server @pulumi/policy starts (here a
// real grpc-js server and client with the engine's protobuf messages), and the handler @pulumi/policy registered
// still answers it.
import * as assert from "assert";
import * as path from "path";
import { hearConfigureStack, identityFromRequest } from "./configure-stack-shim";
import { EngineStack, engineStack } from "./engine-stack";

// The modules @pulumi/policy itself uses: the pack's own grpc-js and @pulumi/pulumi protobufs.
const policyDir = path.dirname(require.resolve("@pulumi/policy"));
// eslint-disable-next-line @typescript-eslint/no-require-imports -- only a path-resolved require reaches those copies
const load = (id: string) => require(require.resolve(id, { paths: [policyDir] }));
const grpc = load("@grpc/grpc-js");
const analyzerrpc = load("@pulumi/pulumi/proto/analyzer_grpc_pb");
const analyzerproto = load("@pulumi/pulumi/proto/analyzer_pb");

function configureRequest() {
    const req = new analyzerproto.AnalyzerStackConfigureRequest();
    req.setStack("dev");
    req.setProject("bookinfo-rollout");
    req.setOrganization("organization");
    req.setDryRun(true);
    req.getConfigMap().set("bookinfo-rollout:stage", "canary");
    req.getConfigMap().set("bookinfo-rollout:release", '{"stable":{"version":"v1"}}');
    return req;
}

const DEV = {
    organization: "organization",
    project: "bookinfo-rollout",
    stack: "dev",
    config: { "bookinfo-rollout:stage": "canary", "bookinfo-rollout:release": '{"stable":{"version":"v1"}}' },
};

describe("the stand-in shim: the engine's ConfigureStack call, heard by the pack", () => {
    it("is read off a ConfigureStack request", () => {
        assert.deepStrictEqual(identityFromRequest(configureRequest()), DEV);
    });

    it("is heard from a real ConfigureStack call; the handler @pulumi/policy registered still answers it", async () => {
        await withListener({}, async (engine, call) => {
            assert.strictEqual(engine.identity(), undefined);
            let configured = 0;
            engine.onConfigured(() => (configured += 1));
            assert.strictEqual(await call(), 1, "the original handler answered once");
            assert.deepStrictEqual(engine.identity(), DEV);
            assert.strictEqual(configured, 1);
        });
    });

    it("prefers the engine's call to the environment", async () => {
        await withListener(
            { PULUMI_NODEJS_PROJECT: "bookinfo-rollout", PULUMI_NODEJS_STACK: "other" },
            async (engine, call) => {
                assert.strictEqual(engine.identity()?.stack, "other");
                await call();
                assert.strictEqual(engine.identity()?.stack, "dev");
            },
        );
    });
});

/**
 * Listens for the engine's stack, then starts a gRPC server with the Analyzer service the way @pulumi/policy does
 * and hands `body` a function that makes one ConfigureStack call (resolving with how often the registered handler
 * answered). Restores grpc-js afterwards.
 */
async function withListener(
    env: NodeJS.ProcessEnv,
    body: (engine: EngineStack, call: () => Promise<number>) => Promise<void>,
): Promise<void> {
    const addService = grpc.Server.prototype.addService;
    const server = new grpc.Server();
    let client: any;
    try {
        const engine = engineStack(env);
        hearConfigureStack(engine.heard);
        let answered = 0;
        server.addService(analyzerrpc.AnalyzerService, {
            configureStack: (_call: unknown, callback: (err: unknown, res: unknown) => void) => {
                answered += 1;
                callback(null, new analyzerproto.AnalyzerStackConfigureResponse());
            },
        });
        const port = await new Promise<number>((resolve, reject) =>
            server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err: Error | null, p: number) =>
                err ? reject(err) : resolve(p),
            ),
        );
        client = new analyzerrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
        const call = () =>
            new Promise<number>((resolve, reject) =>
                client.configureStack(configureRequest(), (err: Error | null) =>
                    err ? reject(err) : resolve(answered),
                ),
            );
        await body(engine, call);
    } finally {
        grpc.Server.prototype.addService = addService;
        client?.close();
        server.forceShutdown();
    }
}
