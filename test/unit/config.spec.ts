// Stack config validation: defaults match Pulumi.yaml, and every bad value fails with one message that names the
// key, the value and what is allowed, before any resource is declared.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { declaredResources, PROJECT, tick } from "./harness";
import * as pulumi from "@pulumi/pulumi";
import { build } from "./program";
import { CONFIG_KEYS, parseRolloutConfig, readRolloutConfig } from "../../rollout/config";
import { STAGE_NAMES } from "../../rollout/stages";

// js-yaml ships with @pulumi/pulumi and mocha; it has no bundled types.
const yaml = require("js-yaml") as { load(text: string): unknown };
const project = yaml.load(fs.readFileSync(path.join(__dirname, "../../Pulumi.yaml"), "utf8")) as {
    name: string;
    config: Record<string, { type: string; default?: unknown }>;
};

describe("stack config", () => {
    it("accepts exactly the keys Pulumi.yaml declares, with the same defaults", () => {
        assert.strictEqual(project.name, PROJECT);
        // v2Replicas is optional (unset = stage table); Pulumi would make a declared key without a default required.
        assert.deepStrictEqual([...CONFIG_KEYS].filter((k) => k !== "v2Replicas").sort(), Object.keys(project.config).sort());
        const parsed = parseRolloutConfig({}, PROJECT) as unknown as Record<string, unknown>;
        for (const [key, decl] of Object.entries(project.config)) {
            if (key === "v2Image") continue; // resolved below
            assert.deepStrictEqual(parsed[key], decl.default, key);
        }
        assert.strictEqual(parsed.v2Image, "docker.io/istio/examples-bookinfo-reviews-v2:1.20.3");
    });

    it("resolves the v2 image from registry and tag unless v2Image is set", () => {
        assert.strictEqual(parseRolloutConfig({ imageRegistry: "r.io/x", imageTag: "2" }, PROJECT).v2Image, "r.io/x/examples-bookinfo-reviews-v2:2");
        assert.strictEqual(parseRolloutConfig({ v2Image: "r.io/reviews:next" }, PROJECT).v2Image, "r.io/reviews:next");
    });

    it("reads replica counts given as text (how the CLI passes config)", () => {
        const c = parseRolloutConfig({ stage: "half", v1Replicas: "4", v2Replicas: "2" }, PROJECT);
        assert.deepStrictEqual([c.stage, c.v1Replicas, c.v2Replicas], ["half", 4, 2]);
    });

    const BAD: { case: string; config: Record<string, string>; message: RegExp }[] = [
        {
            case: "an unknown stage",
            config: { stage: "canry" },
            message: new RegExp(`${PROJECT}:stage = "canry": unknown stage; allowed: ${STAGE_NAMES.join(" \\| ")}`),
        },
        {
            case: "a negative replica count",
            config: { stage: "canary", v1Replicas: "-1" },
            message: new RegExp(`${PROJECT}:v1Replicas = "-1": negative; allowed: a whole number >= 1`),
        },
        {
            case: "a non-integer replica count",
            config: { stage: "half", v2Replicas: "1.5" },
            message: new RegExp(`${PROJECT}:v2Replicas = "1.5": not a whole number; allowed: a whole number >= 1`),
        },
        {
            case: "an unknown key",
            config: { stage: "canary", v3Replicas: "2" },
            message: new RegExp(`${PROJECT}:v3Replicas = "2": unknown key; allowed keys: ${CONFIG_KEYS.join(", ")}`),
        },
        {
            case: "a wrong type (text for a number)",
            config: { v1Replicas: "three" },
            message: new RegExp(`${PROJECT}:v1Replicas = "three": wrong type, expected a number; allowed: a whole number >= 1`),
        },
        {
            case: "a wrong type (an object for text)",
            config: { namespace: '{"name":"bookinfo"}' },
            message: new RegExp(`${PROJECT}:namespace = .*: wrong type, expected text, got a structured .*; allowed: a DNS-1123 label`),
        },
        {
            case: "an unknown fault",
            config: { v2Fault: "crash" },
            message: new RegExp(`${PROJECT}:v2Fault = "crash": unknown fault; allowed: none \\| http-500 \\| slow \\| ratings-error`),
        },
    ];
    for (const bad of BAD) {
        it(`refuses ${bad.case} with one message and declares no resource`, async () => {
            await assert.rejects(build(bad.config), (e: Error) => {
                assert.match(e.message, bad.message);
                assert.strictEqual(e.message.match(/^  - /gm)?.length, 1, e.message);
                assert.match(e.message, /nothing was sent to the cluster/);
                return true;
            });
            await tick();
            assert.deepStrictEqual(declaredResources(), []);
        });
    }

    it("lists every bad key in the one message", () => {
        assert.throws(
            () => parseRolloutConfig({ stage: "x", v1Replicas: "0", extra: "1" }, PROJECT),
            (e: Error) => e.message.match(/^  - /gm)?.length === 3 && /stage = "x"/.test(e.message) && /v1Replicas = "0": zero/.test(e.message) && /extra = "1": unknown key/.test(e.message),
        );
    });

    it("ignores other namespaces of the stack config", () => {
        pulumi.runtime.setAllConfig({ "kubernetes:context": "other", [`${PROJECT}:stage`]: "v2-dark" });
        assert.strictEqual(readRolloutConfig(PROJECT).stage, "v2-dark");
    });
});
