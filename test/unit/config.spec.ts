// Stack config validation: defaults match Pulumi.yaml, structured keys are read as `pulumi config set --path`
// leaves them, and every bad value fails with one message that names the key, the value and what is allowed,
// before anything is read from or sent to a cluster.
import * as yaml from "js-yaml";
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { declaredResources, PROJECT, tick } from "./harness";
import { run } from "./program";
import { readStageConfig } from "../../io/config";
import { CONFIG_KEYS, parseRolloutConfig } from "../../rollout/config";

const project = yaml.load(fs.readFileSync(path.join(__dirname, "../../Pulumi.yaml"), "utf8")) as {
    name: string;
    config: Record<string, { type: string; default?: unknown }>;
};
const V1 = "docker.io/istio/examples-bookinfo-reviews-v1:1.20.3";

describe("stack config", () => {
    it("accepts the keys Pulumi.yaml declares with the same defaults, plus the structured traffic, release, bounds and analysis", () => {
        assert.strictEqual(project.name, PROJECT);
        assert.deepStrictEqual(
            [...CONFIG_KEYS]
                .filter((k) => !["traffic", "release", "bounds", "analysis", "schedule"].includes(k))
                .sort(),
            Object.keys(project.config).sort(),
        );
        const parsed = parseRolloutConfig({}, PROJECT) as unknown as Record<string, unknown>;
        for (const [key, decl] of Object.entries(project.config))
            assert.deepStrictEqual(parsed[key], decl.default, key);
        assert.deepStrictEqual(parsed.release, { stable: { version: "v1", image: V1, replicas: 3 } });
        assert.deepStrictEqual(parsed.bounds, { maxReplicas: 10, maxReplicaChange: 5, minServingPods: 3 });
        assert.deepStrictEqual(parsed.traffic, { strategy: "pods" });
    });

    it("reads the analysis with its defaults, and names each bad analysis value with what is allowed", () => {
        const a = parseRolloutConfig(
            { analysis: '{"minCandidateRequests":"200","queries":"istio"}' },
            PROJECT,
        ).analysis!;
        assert.deepStrictEqual(
            [a.minCandidateRequests, a.queries, a.alpha, a.quantile, a.prometheus],
            [200, "istio", 0.01, 0.99, "http://127.0.0.1:9090"],
        );
        const bad = (analysis: unknown) => {
            try {
                parseRolloutConfig({ analysis: JSON.stringify(analysis) }, PROJECT);
            } catch (e) {
                return (e as Error).message;
            }
            assert.fail(`accepted ${JSON.stringify(analysis)}`);
        };
        assert.match(
            bad({ alpha: 0.5 }),
            /analysis\.alpha = 0\.5 \(number\): not strictly between 0 and 0\.2; allowed: \{prometheus/,
        );
        assert.match(
            bad({ queries: "datadog" }),
            /analysis\.queries = "datadog": unknown query set; allowed: envoy, istio, pods/,
        );
        assert.match(
            bad({ prometheus: "localhost:9090" }),
            /analysis\.prometheus = "localhost:9090": not an http\(s\) URL/,
        );
        assert.match(bad({ minCandidateRequests: 0 }), /analysis\.minCandidateRequests = 0 \(number\): less than 1/);
        assert.match(bad({ thresholds: 1 }), /analysis = .*Unrecognized key\(s\) in object: 'thresholds'/);
        // A hand-written query must name the version and the window, or it would judge every version alike.
        assert.match(
            bad({
                queries: {
                    requests: "sum(up)",
                    errors: 'sum(increase(x{namespace="{namespace}",v="{version}"}[{window}]))',
                },
            }),
            /requests: needs \{namespace\}/,
        );
        assert.match(
            bad({
                queries: { requests: "{namespace}{version}{window}{nope}", errors: "{namespace}{version}{window}" },
            }),
            /unknown placeholder \{nope\}/,
        );
    });

    it("reads traffic {strategy: istio} with its defaults, and a stage of the table its steps make", () => {
        const c = parseRolloutConfig({ traffic: '{"strategy":"istio"}' }, PROJECT);
        assert.deepStrictEqual(c.traffic, {
            strategy: "istio",
            steps: [1, 5, 10, 25, 50],
            mirrorPercent: 100,
            testers: { header: "end-user", cookie: "user", value: "jason" },
        });
        const candidate = { version: "v2", image: "r.io/reviews:2" };
        const own = parseRolloutConfig(
            {
                stage: "weight-30",
                traffic: '{"strategy":"istio","steps":[30],"mirrorPercent":"20"}',
                release: JSON.stringify({ candidate }),
            },
            PROJECT,
        );
        assert.deepStrictEqual(
            [own.stage, own.traffic],
            [
                "weight-30",
                {
                    strategy: "istio",
                    steps: [30],
                    mirrorPercent: 20,
                    testers: { header: "end-user", cookie: "user", value: "jason" },
                },
            ],
        );
    });

    it("reads the release as `pulumi config set --path` writes it, the candidate's replicas defaulting to the stable's", () => {
        const c = parseRolloutConfig(
            {
                stage: "dark",
                release: JSON.stringify({
                    stable: { version: "v1", image: V1, replicas: "4" },
                    candidate: { version: "v2", image: "r.io/reviews:2" },
                }),
            },
            PROJECT,
        );
        assert.deepStrictEqual(c.release, {
            stable: { version: "v1", image: V1, replicas: 4 },
            candidate: { version: "v2", image: "r.io/reviews:2", replicas: 4, stars: "black" },
        });
    });

    const BAD: { case: string; config: Record<string, string>; message: RegExp }[] = [
        {
            case: "an unknown stage",
            config: { stage: "canry" },
            message:
                /bookinfo-rollout:stage = "canry": unknown stage; allowed: stable \| dark \| canary \| half \| promoted/,
        },
        {
            case: "a stage of the old v1/v2 table",
            config: { stage: "v2-dark" },
            message: /stage = "v2-dark": stages are named relative to the release now; "v2-dark" is "dark"/,
        },
        {
            case: "a retired key",
            config: { v2Replicas: "100" },
            message: /v2Replicas = "100": this key was retired; set release.candidate.replicas/,
        },
        {
            case: "the retired fault knob",
            config: { v2Fault: "http-500" },
            message: /v2Fault = "http-500": this key was retired; set nothing: faults belong to the local test cluster/,
        },
        {
            case: "an unknown key",
            config: { replicaz: "3" },
            message: /replicaz = "3": unknown key; allowed keys: stage, traffic, release, namespace/,
        },
        {
            case: "a stage that needs a candidate, without one",
            config: { stage: "canary" },
            message: /stage = "canary" needs a candidate: set release.candidate.version and release.candidate.image/,
        },
        {
            case: "an unknown traffic strategy",
            config: { traffic: '{"strategy":"linkerd"}' },
            message: /traffic.strategy = "linkerd": unknown strategy; allowed: pods, istio/,
        },
        {
            case: "steps not ascending",
            config: { traffic: '{"strategy":"istio","steps":[5,1]}' },
            message: /traffic.steps = \[5,1\] \(object\): not ascending without repeats/,
        },
        {
            case: "a step of 100 (weight-100 is a stage of its own)",
            config: { traffic: '{"strategy":"istio","steps":[1,100]}' },
            message: /traffic.steps.1 = 100 \(number\): more than 99/,
        },
        {
            case: "mirrorPercent 0",
            config: { traffic: '{"strategy":"istio","mirrorPercent":0}' },
            message: /traffic.mirrorPercent = 0 \(number\): less than 1/,
        },
        {
            case: "a weight stage the steps do not make",
            config: { stage: "weight-5", traffic: '{"strategy":"istio","steps":[10,50]}' },
            message:
                /stage = "weight-5": unknown stage; allowed: stable \| dark \| mirror \| weight-10 \| weight-50 \| weight-100 \| promoted \(traffic strategy istio\)/,
        },
        {
            case: "a pods stage under istio",
            config: { stage: "canary", traffic: '{"strategy":"istio"}' },
            message:
                /stage = "canary": unknown stage; allowed: stable \| dark \| mirror \| weight-1 \| .* \(traffic strategy istio\)/,
        },
        {
            case: "an istio stage under pods",
            config: { stage: "weight-5" },
            message:
                /stage = "weight-5": unknown stage; allowed: stable \| dark \| canary \| half \| promoted \(traffic strategy pods\)/,
        },
        {
            case: "a negative stable replica count",
            config: { release: JSON.stringify({ stable: { version: "v1", image: V1, replicas: -1 } }) },
            message:
                /bookinfo-rollout:release.stable.replicas = -1 \(number\): less than 1; allowed: \{stable: \{version, image, replicas \(default 3\)\}/,
        },
        {
            case: "an image without a tag",
            config: { release: JSON.stringify({ stable: { version: "v1", image: "reviews", replicas: 3 } }) },
            message: /release.stable.image = "reviews": not an image reference with a tag or digest/,
        },
        {
            case: "a candidate with the stable's version",
            config: {
                stage: "dark",
                release: JSON.stringify({
                    stable: { version: "v1", image: V1, replicas: 3 },
                    candidate: { version: "v1", image: V1 },
                }),
            },
            message: /release.candidate.version = "v1" is the stable version too/,
        },
        {
            case: "a wrong type (an object for text)",
            config: { namespace: '{"name":"bookinfo"}' },
            message: /namespace = .*: wrong type, expected text, got a structured/,
        },
        {
            case: "an unknown bounds key",
            config: { bounds: '{"maxReplica": 3}' },
            message: /bookinfo-rollout:bounds = .*: Unrecognized key\(s\) in object: 'maxReplica'/,
        },
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
                assert.strictEqual(e.message.match(/^ {2}- /gm)?.length, 1, e.message);
                assert.match(e.message, /nothing was read from or sent to the cluster/);
                return true;
            });
            await tick();
            assert.deepStrictEqual(declaredResources(), []);
        });
    }

    it("reads extraServices as a whole number 0-50 and refuses anything else", () => {
        assert.strictEqual(parseRolloutConfig({ extraServices: "10" }, PROJECT).extraServices, 10);
        for (const [value, why] of [
            ["-1", "less than 0"],
            ["51", "more than 50"],
            ["2.5", "not a whole number"],
            ["ten", "wrong type, expected a number"],
        ]) {
            assert.throws(
                () => parseRolloutConfig({ extraServices: value }, PROJECT),
                (e: Error) =>
                    e.message.includes(
                        `bookinfo-rollout:extraServices = "${value}": ${why}; allowed: a whole number 0-50`,
                    ),
            );
        }
    });

    it("lists every bad key in the one message", () => {
        assert.throws(
            () => parseRolloutConfig({ stage: "x", namespace: "Bad_NS", extra: "1" }, PROJECT),
            (e: Error) =>
                e.message.match(/^ {2}- /gm)?.length === 3 &&
                /stage = "x"/.test(e.message) &&
                /namespace = "Bad_NS"/.test(e.message) &&
                /extra = "1": unknown key/.test(e.message),
        );
    });

    it("ignores other namespaces of the stack config", () => {
        pulumi.runtime.setAllConfig({ "kubernetes:context": "other", [`${PROJECT}:stage`]: "stable" });
        assert.strictEqual(readStageConfig(PROJECT).stage, "stable");
    });
});
