// The guard against every known way around it, as real command sequences on the local cluster: each attempt must
// be refused by the rule (or the program's check) that names it, in preview and in up, and leave the cluster
// (Deployments, ReplicaSets, pods, Services, EndpointSlices, ConfigMaps, ServiceAccounts by uid and
// resourceVersion) and the Pulumi state of every managed resource as they were.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Release } from "../../../rollout/release";
import {
    GATE_FIELD_MANAGER,
    GATE_RECORD_NAME,
    ROLLOUT_RECORD_FIELD_MANAGER,
    ROLLOUT_RECORD_NAME,
} from "../../../rollout/labels";
import { clusterKubeconfig } from "../../lib/env";
import { kubectl as kubectlOnCluster } from "../../cluster/kube";
import { ClusterView } from "../../lib/observe";
import { RolloutStack } from "../../lib/stack";
import { expectStage } from "./lib/expect-live";
import { Attempt, expectRefused as expectRefusedOn } from "./lib/refused";

const namespace = "bookinfo-guard";
const image = (version: string, tag = "1.20.3") => `docker.io/istio/examples-bookinfo-reviews-${version}:${tag}`;
const RELEASE: Release = {
    stable: { version: "v1", image: image("v1"), replicas: 3 },
    candidate: { version: "v2", image: image("v2"), replicas: 3 },
};
const kubectl = (...args: string[]) => kubectlOnCluster(args);

describe("e2e: the guard holds whatever the change", function () {
    this.timeout(15 * 60_000);
    const view = new ClusterView(clusterKubeconfig, namespace);
    let rollout: RolloutStack;
    let savedRecord = "";
    let savedRollout = "";

    /** Puts a record back exactly as its writer wrote it (the test acting as the gate or the settle step). */
    function restore(name: string, manager: string, saved: string) {
        const { data } = JSON.parse(saved);
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "record-")), "record.json");
        fs.writeFileSync(
            file,
            JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace }, data }),
        );
        kubectl("delete", "configmap", name, "-n", namespace, "--ignore-not-found");
        kubectl("apply", "--server-side", `--field-manager=${manager}`, "-f", file);
    }
    const restoreRecord = () => restore(GATE_RECORD_NAME, GATE_FIELD_MANAGER, savedRecord);

    const expectRefused = (a: Attempt) => expectRefusedOn(view, rollout, a);

    before(async () => {
        rollout = await RolloutStack.open({ stack: "e2e-guard", namespace, release: RELEASE });
        await rollout.destroy();
        for (const stage of ["stable", "dark", "canary"] as const) {
            await rollout.setStage(stage);
            await rollout.up();
        }
        await expectStage(view, RELEASE, "canary");
        savedRecord = kubectl("get", "configmap", GATE_RECORD_NAME, "-n", namespace, "-o", "json");
    });

    const resetConfig = async (r: RolloutStack) => {
        await r.setRelease(RELEASE);
        await r.setStage("canary");
    };
    const attempts: Attempt[] = [
        {
            name: "a plain `pulumi up` without the policy pack, canary -> promoted",
            change: (r) => r.setStage("promoted"),
            refusedBy: /\[reviews-stage-move-allowed\] canary -> promoted is refused/,
            run: { noPolicyPack: true },
            undo: resetConfig,
        },
        {
            name: "a targeted up of the stable Deployment alone, canary -> promoted",
            change: (r) => r.setStage("promoted"),
            refusedBy: /\[reviews-stage-move-allowed\] canary -> promoted is refused/,
            runs: ["up"],
            run: {
                target: [
                    "urn:pulumi:e2e-guard::bookinfo-rollout::bookinfo:index:Bookinfo$bookinfo:index:ReviewsRollout$kubernetes:apps/v1:Deployment::reviews-rollout-v1",
                ],
            },
            undo: resetConfig,
        },
        {
            name: "the namespace changed on a deployed stack",
            change: (r) => r.setConfig("namespace", "bookinfo-guard-2"),
            refusedBy: /\[stack-target-fixed\] namespace bookinfo-guard-2 .*deployed in namespace bookinfo-guard/,
            undo: (r) => r.setConfig("namespace", namespace),
        },
        {
            name: "render mode on a deployed stack",
            change: (r) => r.setConfig("renderYamlTo", path.join(os.tmpdir(), "guard-render")),
            refusedBy: /\[stack-target-fixed\] render mode \(renderYamlTo\) on a stack deployed/,
            undo: (r) => r.removeConfig("renderYamlTo"),
        },
        {
            name: "a replica count typo in the hundreds of thousands",
            change: (r) => r.setRelease({ ...RELEASE, stable: { ...RELEASE.stable, replicas: 300000 } }),
            refusedBy:
                /\[reviews-replicas-within-bounds\] reviews-v1 asks for 300000 pods, more than bounds.maxReplicas 10/,
            undo: resetConfig,
        },
        {
            name: "the stable's image changed mid-rollout",
            change: (r) => r.setRelease({ ...RELEASE, stable: { ...RELEASE.stable, image: image("v1", "1.20.4") } }),
            refusedBy:
                /\[reviews-stable-fixed-during-rollout\] the stable version reviews-v1 would change image in place/,
            undo: resetConfig,
        },
        {
            name: "the other services' image tag changed mid-rollout",
            change: (r) => r.setConfig("imageTag", "1.20.4"),
            refusedBy: /\[bookinfo-services-fixed-during-rollout\] details-v1 would change image/,
            undo: (r) => r.removeConfig("imageTag"),
        },
        {
            name: "a new candidate image while it serves",
            change: (r) =>
                r.setRelease({ ...RELEASE, candidate: { ...RELEASE.candidate!, image: image("v2", "1.20.4") } }),
            refusedBy:
                /\[reviews-serves-only-gate-passed-images\] reviews-v2 would serve image .*1\.20\.4 in this stage, but the gate record has no pass/,
            undo: resetConfig,
        },
        {
            name: "the gate record deleted, then canary -> half",
            change: async (r) => {
                kubectl("delete", "configmap", GATE_RECORD_NAME, "-n", namespace);
                await r.setStage("half");
            },
            refusedBy:
                /\[reviews-serves-only-gate-passed-images\] .* there is no gate record \(reviews-gate-record in namespace bookinfo-guard\)/,
            undo: async (r) => {
                restoreRecord();
                await resetConfig(r);
            },
        },
        {
            name: "the gate record edited by hand to vouch for an untested image, which then goes in service",
            change: async (r) => {
                const forged = JSON.stringify([
                    {
                        image: image("v2", "9.9.9"),
                        version: "v2",
                        passedAt: new Date().toISOString(),
                        pods: 1,
                        requestsPerPod: 11,
                    },
                ]);
                kubectl(
                    "patch",
                    "configmap",
                    GATE_RECORD_NAME,
                    "-n",
                    namespace,
                    "--type",
                    "merge",
                    "-p",
                    JSON.stringify({ data: { "passed.json": forged } }),
                );
                await r.setRelease({ ...RELEASE, candidate: { ...RELEASE.candidate!, image: image("v2", "9.9.9") } });
            },
            refusedBy:
                /\[reviews-serves-only-gate-passed-images\] .* the gate record reviews-gate-record is not trusted: its data was written by kubectl-patch/,
            undo: async (r) => {
                restoreRecord();
                await resetConfig(r);
            },
        },
        {
            name: "the release's roles swapped at canary, asking for stable (the old candidate alone)",
            change: async (r) => {
                await r.setRelease({ stable: { ...RELEASE.candidate!, replicas: 3 }, candidate: RELEASE.stable });
                await r.setStage("stable");
            },
            refusedBy:
                /\[reviews-yardstick-fixed-during-rollout\] release\.stable\.version = v2, but the deployed stable is v1 \(rollout record\)/,
            undo: resetConfig,
        },
        {
            name: "the serving floor lowered mid-rollout (bounds.minServingPods 1)",
            change: (r) => r.stack.setConfig("bookinfo-rollout:bounds.minServingPods", { value: "1" }, true),
            refusedBy:
                /\[reviews-yardstick-fixed-during-rollout\] bounds\.minServingPods = 1 \(deployed: 3\) while a rollout is under way[\s\S]*\[reviews-yardstick-within-limits\] bounds\.minServingPods = 1 is below the floor 3/,
            undo: (r) => r.removeConfig("bounds"),
        },
        {
            name: "the rollout record deleted, then canary -> half",
            change: async (r) => {
                savedRollout = kubectl("get", "configmap", ROLLOUT_RECORD_NAME, "-n", namespace, "-o", "json");
                kubectl("delete", "configmap", ROLLOUT_RECORD_NAME, "-n", namespace);
                await r.setStage("half");
            },
            refusedBy:
                /\[reviews-yardstick-fixed-during-rollout\] the rollout record is absent, and the live reviews workloads are not at stable/,
            undo: async (r) => {
                restore(ROLLOUT_RECORD_NAME, ROLLOUT_RECORD_FIELD_MANAGER, savedRollout);
                await resetConfig(r);
            },
        },
        {
            name: "a candidate image with the moving tag latest",
            change: (r) =>
                r.setRelease({
                    ...RELEASE,
                    candidate: { ...RELEASE.candidate!, image: "docker.io/istio/examples-bookinfo-reviews-v2:latest" },
                }),
            refusedBy:
                /release\.candidate\.image = "docker\.io\/istio\/examples-bookinfo-reviews-v2:latest": `latest` is a moving tag/,
            undo: resetConfig,
        },
    ];
    for (const a of attempts) it(`refuses ${a.name}, naming the rule, nothing changed`, () => expectRefused(a));

    it("treats a renamed context on the same cluster as the same target: no refusal, no replacement", async () => {
        const renamed = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "kubeconfig-")), "kubeconfig");
        const text = fs.readFileSync(clusterKubeconfig, "utf8").replace(/kwok-bookinfo/g, "renamed-bookinfo");
        fs.writeFileSync(renamed, text);
        await rollout.setConfig("kubeconfig", renamed);
        try {
            const preview = await rollout.preview();
            assert.equal(preview.changeSummary.replace ?? 0, 0, JSON.stringify(preview.changeSummary));
        } finally {
            await rollout.setConfig("kubeconfig", clusterKubeconfig);
        }
    });

    it("refuses a hand-scaled candidate's next step (off-table: only a rollback), and lets the rollback through", async () => {
        kubectl("scale", "deployment", "reviews-v2", "-n", namespace, "--replicas=5");
        kubectl("rollout", "status", "deployment/reviews-v2", "-n", namespace, "--timeout=60s");
        await view.settled();
        await expectRefused({
            name: "canary -> half from a candidate hand-scaled to 5 serving pods",
            change: (r) => r.setStage("half"),
            refusedBy: /\[reviews-stage-move-allowed\] off-table -> half is refused: the live workloads fit no stage/,
            undo: async () => undefined,
        });
        await rollout.setStage("stable");
        await rollout.up();
        await expectStage(view, RELEASE, "stable");
    });

    it("a targeted up that skips the gate records nothing: the next step is refused", async () => {
        const untested = { ...RELEASE, candidate: { ...RELEASE.candidate!, image: image("v2", "1.20.5") } };
        await rollout.setRelease(untested);
        await rollout.setStage("dark");
        await rollout.up({
            target: [
                "urn:pulumi:e2e-guard::bookinfo-rollout::bookinfo:index:Bookinfo$bookinfo:index:ReviewsRollout$kubernetes:apps/v1:Deployment::reviews-rollout-v2",
            ],
        });
        await expectRefused({
            name: "dark -> canary with an image whose gate never ran",
            change: (r) => r.setStage("canary"),
            refusedBy: /\[reviews-serves-only-gate-passed-images\] reviews-v2 would serve image .*1\.20\.5/,
            undo: async (r) => r.setStage("dark"),
        });
    });

    it("never adopts a namespace it did not create", async () => {
        const other = await RolloutStack.open({ stack: "e2e-guard-ns", namespace: "kube-system", release: RELEASE });
        const system = new ClusterView(clusterKubeconfig, "kube-system");
        const before = await system.snapshot();
        // One after the other: a preview beside an up would read the checkpoint the up is writing.
        for (const run of [() => other.preview(), () => other.up()]) {
            await assert.rejects(
                run(),
                /\[namespace-owned-by-stack\] namespace kube-system already exists and this stack did not create it/,
            );
        }
        assert.deepEqual(await system.snapshot(), before);
        await other.stack.workspace.removeStack(other.stack.name, { force: true });
    });

    after(async () => {
        await rollout.destroy();
    });
});
