// The Istio objects the product renders for the istio strategy, checked by Istio's own tools and the API server:
// every stage of the mesh table is rendered by the program itself (config renderYamlTo), then `istioctl validate`,
// `istioctl analyze --use-kube=false -A` (without -A it would only look at namespace `default`) and a server-side
// dry-run against the installed Istio CRDs must accept it; a route to a subset nobody defines must be caught.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Release } from "../../../rollout/release";
import { stageNames, stageTableOf } from "../../../rollout/stages";
import { DEFAULT_STEPS, DEFAULT_TESTERS } from "../../../rollout/traffic";
import { kubectl, tryKubectl } from "../../cluster/kube";
import { RolloutStack } from "../../lib/stack";
import { istioctl } from "./helpers";

const namespace = "bookinfo-mesh-render";
const RELEASE: Release = {
    stable: { version: "v1", image: "docker.io/istio/examples-bookinfo-reviews-v1:1.20.3", replicas: 3 },
    candidate: { version: "v2", image: "docker.io/istio/examples-bookinfo-reviews-v2:1.20.3", replicas: 3 },
};
const STAGES = stageNames(
    stageTableOf({ strategy: "istio", steps: DEFAULT_STEPS, mirrorPercent: 100, testers: DEFAULT_TESTERS }),
);
const TRAFFIC = JSON.stringify({ strategy: "istio" });

describe("cluster: the rendered Istio route, judged by Istio's tools", function () {
    this.timeout(15 * 60_000);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-render-"));
    const dirOf = (stage: string) => path.join(root, stage, "1-manifest");
    const meshFiles = (stage: string) =>
        fs
            .readdirSync(dirOf(stage))
            .filter((f) => f.startsWith("networking.istio.io_v1-"))
            .map((f) => path.join(dirOf(stage), f));

    before(async () => {
        // Rendering touches no cluster; a never-deployed stack per stage, removed (not destroyed: that deletes files).
        for (const stage of STAGES) {
            const render = await RolloutStack.open({
                stack: "mesh-render",
                namespace,
                release: RELEASE,
                config: { stage, traffic: TRAFFIC, renderYamlTo: path.join(root, stage) },
            });
            await render.stack.up({ color: "never" });
            await render.stack.workspace.removeStack("mesh-render", { force: true });
        }
        tryKubectl(["create", "namespace", namespace]);
    });
    after(() => {
        kubectl(["delete", "namespace", namespace, "--ignore-not-found", "--wait=false"]);
        fs.rmSync(root, { recursive: true, force: true });
    });

    it("renders a DestinationRule and a VirtualService in every stage", () => {
        for (const stage of STAGES) {
            assert.deepEqual(
                meshFiles(stage)
                    .map((f) => path.basename(f))
                    .sort(),
                [
                    `networking.istio.io_v1-destinationrule-${namespace}-reviews.yaml`,
                    `networking.istio.io_v1-virtualservice-${namespace}-reviews.yaml`,
                ],
                stage,
            );
        }
    });

    it("istioctl validate accepts every stage's objects", () => {
        for (const stage of STAGES) {
            const r = istioctl(["validate", ...meshFiles(stage).flatMap((f) => ["-f", f])]);
            assert.equal(r.code, 0, `${stage}: ${r.out}`);
        }
    });

    it("istioctl analyze finds no error in any stage's manifests (all namespaces)", () => {
        for (const stage of STAGES) {
            const files = fs.readdirSync(dirOf(stage)).map((f) => path.join(dirOf(stage), f));
            const r = istioctl(["analyze", "--use-kube=false", "-A", ...files]);
            assert.equal(r.code, 0, `${stage}: ${r.out}`);
            assert.doesNotMatch(r.out, /Error \[/, stage);
        }
    });

    it("the API server accepts every stage's objects against Istio's CRDs (server-side dry-run)", () => {
        for (const stage of STAGES) {
            const out = kubectl([
                "apply",
                "--server-side",
                "--dry-run=server",
                ...meshFiles(stage).flatMap((f) => ["-f", f]),
            ]);
            assert.match(
                out,
                /virtualservice\.networking\.istio\.io\/reviews serverside-applied \(server dry run\)/,
                stage,
            );
        }
    });

    it("a route to a subset the DestinationRule does not define is caught by istioctl analyze (IST0101)", () => {
        const stage = "weight-5";
        const files = fs.readdirSync(dirOf(stage)).map((f) => path.join(dirOf(stage), f));
        const broken = path.join(root, "broken.yaml");
        const vs = files.find((f) => f.includes("virtualservice"))!;
        fs.writeFileSync(broken, fs.readFileSync(vs, "utf8").replace(/subset: v2/g, "subset: v9"));
        const r = istioctl(["analyze", "--use-kube=false", "-A", ...files.filter((f) => f !== vs), broken]);
        assert.notEqual(r.code, 0, r.out);
        assert.match(r.out, /IST0101/);
    });
});
