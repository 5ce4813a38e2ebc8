// Stack config validation: defaults match Pulumi.yaml, structured keys are read as `pulumi config set --path`
// leaves them, and every bad value fails with one message that names the key, the value and what is allowed,
// before anything is read from or sent to a cluster.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { declaredResources, PROJECT, tick } from "./harness";
import { run } from "./program";
import { readStageConfig } from "../../io/config";
import { CONFIG_KEYS, parseRolloutConfig } from "../../rollout/config";

// js-yaml ships with @pulumi/pulumi and mocha; it has no bundled types.
const yaml = require("js-yaml") as { load(text: string): unknown };
const project = yaml.load(fs.readFileSync(path.join(__dirname, "../../Pulumi.yaml"), "utf8")) as {
    name: string;
    config: Record<string, { type: string; default?: unknown }>;
};
const V1 = "docker.io/istio/examples-bookinfo-reviews-v1:1.20.3";

describe("stack config", () => {
    it("accepts the keys Pulumi.yaml declares with the same defaults, plus the structured release and bounds", () => {
        assert.strictEqual(project.name, PROJECT);
        assert.deepStrictEqual([...CONFIG_KEYS].filter((k) => k !== "release" && k !== "bounds").sort(), Object.keys(project.config).sort());
        const parsed = parseRolloutConfig({}, PROJECT) as unknown as Record<string, unknown>;
        for (const [key, decl] of Object.entries(project.config)) assert.deepStrictEqual(parsed[key], decl.default, key);
        assert.deepStrictEqual(parsed.release, { stable: { version: "v1", image: V1, replicas: 3 } });
        assert.deepStrictEqual(parsed.bounds, { maxReplicas: 10, maxReplicaChange: 5, minServingPods: 3 });
    });

    it("reads the release as `pulumi config set --path` writes it, the candidate's replicas defaulting to the stable's", () => {
        const c = parseRolloutConfig({ stage: "dark", release: JSON.stringify({ stable: { version: "v1", image: V1, replicas: "4" }, candidate: { version: "v2", image: "r.io/reviews:2" } }) }, PROJECT);
        assert.deepStrictEqual(c.release, { stable: { version: "v1", image: V1, replicas: 4 }, candidate: { version: "v2", image: "r.io/reviews:2", replicas: 4, stars: "black" } });
    });

    const BAD: { case: string; config: Record<string, string>; message: RegExp }[] = [
        { case: "an unknown stage", config: { stage: "canry" }, message: /bookinfo-rollout:stage = "canry": unknown stage; allowed: stable \| dark \| canary \| half \| promoted/ },
        { case: "a stage of the old v1/v2 table", config: { stage: "v2-dark" }, message: /stage = "v2-dark": stages are named relative to the release now; "v2-dark" is "dark"/ },
        { case: "a retired key", config: { v2Replicas: "100" }, message: /v2Replicas = "100": this key was retired; set release.candidate.replicas/ },
        { case: "the retired fault knob", config: { v2Fault: "http-500" }, message: /v2Fault = "http-500": this key was retired; set nothing: faults belong to the local test cluster/ },
        { case: "an unknown key", config: { replicaz: "3" }, message: /replicaz = "3": unknown key; allowed keys: stage, release, namespace/ },
        { case: "a stage that needs a candidate, without one", config: { stage: "canary" }, message: /stage = "canary" needs a candidate: set release.candidate.version and release.candidate.image/ },
        {
            case: "a negative stable replica count",
            config: { release: JSON.stringify({ stable: { version: "v1", image: V1, replicas: -1 } }) },
            message: /bookinfo-rollout:release.stable.replicas = -1 \(number\): less than 1; allowed: \{stable: \{version, image, replicas \(default 3\)\}/,
        },
        {
            case: "an image without a tag",
            config: { release: JSON.stringify({ stable: { version: "v1", image: "reviews", replicas: 3 } }) },
            message: /release.stable.image = "reviews": not an image reference with a tag or digest/,
        },
        {
            case: "a candidate with the stable's version",
            config: { stage: "dark", release: JSON.stringify({ stable: { version: "v1", image: V1, replicas: 3 }, candidate: { version: "v1", image: V1 } }) },
            message: /release.candidate.version = "v1" is the stable version too/,
        },
        { case: "a wrong type (an object for text)", config: { namespace: '{"name":"bookinfo"}' }, message: /namespace = .*: wrong type, expected text, got a structured/ },
        { case: "an unknown bounds key", config: { bounds: '{"maxReplica": 3}' }, message: /bookinfo-rollout:bounds = .*: Unrecognized key\(s\) in object: 'maxReplica'/ },
        {
            case: "a stable replica count below the serving floor",
            config: { release: JSON.stringify({ stable: { version: "v1", image: V1, replicas: 2 } }) },
            message: /release.stable.replicas = 2 is below bounds.minServingPods 3/,
        },
    ];
    for (const bad of BAD) {
        it(`refuses ${bad.case} with one message and declares no resource`, async () => {
            await assert.rejects(run(bad.config), (e: Error) => {
                assert.match(e.message, bad.message);
                assert.strictEqual(e.message.match(/^  - /gm)?.length, 1, e.message);
                assert.match(e.message, /nothing was read from or sent to the cluster/);
                return true;
            });
            await tick();
            assert.deepStrictEqual(declaredResources(), []);
        });
    }

    it("lists every bad key in the one message", () => {
        assert.throws(
            () => parseRolloutConfig({ stage: "x", namespace: "Bad_NS", extra: "1" }, PROJECT),
            (e: Error) => e.message.match(/^  - /gm)?.length === 3 && /stage = "x"/.test(e.message) && /namespace = "Bad_NS"/.test(e.message) && /extra = "1": unknown key/.test(e.message),
        );
    });

    it("ignores other namespaces of the stack config", () => {
        pulumi.runtime.setAllConfig({ "kubernetes:context": "other", [`${PROJECT}:stage`]: "stable" });
        assert.strictEqual(readStageConfig(PROJECT).stage, "stable");
    });
});
