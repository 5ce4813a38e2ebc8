// How the pack learns its stack: from the environment a language host sets, or from a ConfigureStack call the pack
// heard itself (lib/configure-stack-shim.ts; its own spec hears a real one), which wins.
import * as assert from "assert";
import { engineStack, identityFromEnv } from "./engine-stack";

const DEV = {
    organization: "organization",
    project: "bookinfo-rollout",
    stack: "dev",
    config: { "bookinfo-rollout:stage": "canary", "bookinfo-rollout:release": '{"stable":{"version":"v1"}}' },
};

describe("the engine's stack", () => {
    it("is read from the environment a language host sets, with keys as @pulumi/pulumi reads them", () => {
        const env = {
            PULUMI_NODEJS_ORGANIZATION: "organization",
            PULUMI_NODEJS_PROJECT: "bookinfo-rollout",
            PULUMI_NODEJS_STACK: "dev",
            PULUMI_CONFIG: JSON.stringify({
                "bookinfo-rollout:stage": "canary",
                "bookinfo-rollout:config:release": '{"stable":{"version":"v1"}}',
            }),
        };
        assert.deepStrictEqual(identityFromEnv(env), DEV);
        assert.strictEqual(
            identityFromEnv({ PULUMI_CONFIG: "{}" }),
            undefined,
            'no stack named: unknown, not the SDK\'s default "stack"',
        );
        assert.throws(() => identityFromEnv({ ...env, PULUMI_CONFIG: "{" }), {
            message: "PULUMI_CONFIG in the pack's environment is not JSON",
        });
    });

    it("prefers a ConfigureStack call the pack heard to the environment, and tells the listeners once it heard one", () => {
        const engine = engineStack({ PULUMI_NODEJS_PROJECT: "bookinfo-rollout", PULUMI_NODEJS_STACK: "other" });
        let configured = 0;
        engine.onConfigured(() => (configured += 1));
        assert.strictEqual(engine.identity()?.stack, "other");
        assert.strictEqual(configured, 0);
        engine.heard(DEV);
        assert.deepStrictEqual(engine.identity(), DEV);
        assert.strictEqual(configured, 1);
    });

    it("is unknown when neither names it", () => {
        assert.strictEqual(engineStack({}).identity(), undefined);
    });
});
