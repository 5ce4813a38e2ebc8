// The guard against engine operations other than a plain `up`, as real CLI runs on the local cluster: a replacing
// run, a targeted destroy, a plain destroy (and the Automation API's, which skips the preview), a state edit before a
// rollback, and a gate that fails after the
// candidate passed in dark. Each either is refused with nothing changed, or leaves every serving object as it was
// (the same uids: nothing deleted or recreated), or is cleaned up by the settle step.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Release } from "../../../rollout/release";
import { clearFault, setFault } from "../../cluster/faults";
import { clusterKubeconfig } from "../../lib/env";
import { kubectl as kubectlOn } from "../../cluster/kube";
import { ClusterView } from "../../lib/observe";
import { RolloutStack } from "../../lib/stack";
import { expectStage } from "./lib/expect-live";
import { stateOf } from "./lib/state";

const namespace = "bookinfo-ops";
const image = (version: string, tag: string) => `docker.io/istio/examples-bookinfo-reviews-${version}:${tag}`;
const RELEASE: Release = {
    stable: { version: "v1", image: image("v1", "1.20.3"), replicas: 3 },
    candidate: { version: "v2", image: image("v2", "1.20.3-ops"), replicas: 3 },
};
const urn = (type: string, name: string) =>
    `urn:pulumi:e2e-ops::bookinfo-rollout::bookinfo:index:Bookinfo$${type}::${name}`;
const STABLE = urn("bookinfo:index:ReviewsRollout$kubernetes:apps/v1:Deployment", "reviews-rollout-v1");
const CANDIDATE = urn("bookinfo:index:ReviewsRollout$kubernetes:apps/v1:Deployment", "reviews-rollout-v2");
const SERVICE = urn("bookinfo:index:ReviewsRollout$kubernetes:core/v1:Service", "reviews-rollout-service");
const NAMESPACE = urn("kubernetes:core/v1:Namespace", "bookinfo-ns");
/** The engine's refusal to delete the protected Namespace (the CLI wraps its lines). */
const PROTECTED = /Namespace::bookinfo-ns" cannot be deleted\s+because it is protected/;

/** What serves, by identity: Deployments, ReplicaSets, pods and Services by uid (not resourceVersion). */
const serving = async (view: ClusterView) =>
    (await view.settled())
        .filter((o) => /^(Deployment|ReplicaSet|Pod|Service)\//.test(o))
        .map((o) => o.replace(/:\d+$/, ""));

describe("e2e: engine operations never take down what serves", function () {
    this.timeout(15 * 60_000);
    const view = new ClusterView(clusterKubeconfig, namespace);
    let rollout: RolloutStack;

    before(async () => {
        rollout = await RolloutStack.open({ stack: "e2e-ops", namespace, release: RELEASE });
        await rollout.destroy();
        for (const stage of ["stable", "dark", "canary"] as const) {
            await rollout.setStage(stage);
            await rollout.up();
        }
        await expectStage(view, RELEASE, "canary");
    });

    it("a plain destroy is refused before anything is deleted: the Namespace is protected", async () => {
        const before = await Promise.all([view.settled(), stateOf(rollout)]);
        for (const args of [
            ["destroy", "--yes"],
            ["destroy", "--yes", "--target", NAMESPACE, "--target-dependents"],
        ]) {
            assert.throws(
                () => rollout.cli(...args),
                (e: Error & { stdout?: string; stderr?: string }) => PROTECTED.test(`${e.stdout}${e.stderr}`),
                args.join(" "),
            );
        }
        assert.deepEqual(
            await Promise.all([view.snapshot(), stateOf(rollout)]),
            before,
            "destroy changed the cluster or the state",
        );
    });

    it("destroy --skip-preview (the Automation API's destroy) only forgets what serves; the next up takes it back", async () => {
        const identities = await serving(view);
        await assert.rejects(rollout.stack.destroy({ color: "never" }), PROTECTED);
        assert.deepEqual(await serving(view), identities, "a destroy took down a serving object");
        await rollout.up();
        assert.deepEqual(await serving(view), identities);
        await expectStage(view, RELEASE, "canary");
    });

    it("up --replace of the Namespace is refused; of the stable's Deployment and the reviews Service, nothing serving is recreated", async () => {
        const before = await view.settled();
        await assert.rejects(
            rollout.up({ replace: [NAMESPACE] }),
            /unable to replace resource\s+"[^"]*Namespace::bookinfo-ns"\s+as it is currently marked for protection/,
        );
        assert.deepEqual(await view.snapshot(), before);
        const identities = await serving(view);
        await rollout.up({ replace: [STABLE, SERVICE] });
        assert.deepEqual(await serving(view), identities, "--replace deleted or recreated a serving object");
        await expectStage(view, RELEASE, "canary");
    });

    it("destroy --target of a serving Deployment: refused for its dependents, and with them only forgets it", async () => {
        const before = await Promise.all([view.settled(), stateOf(rollout)]);
        await assert.rejects(
            rollout.stack.destroy({ color: "never", target: [STABLE] }),
            /will be destroyed but was not specified in --target list/,
        );
        assert.deepEqual(
            await Promise.all([view.snapshot(), stateOf(rollout)]),
            before,
            "a refused targeted destroy changed something",
        );
        const identities = await serving(view);
        await rollout.stack.destroy({ color: "never", target: [STABLE], targetDependents: true });
        assert.deepEqual(await serving(view), identities, "a targeted destroy took down a serving Deployment");
        await rollout.up();
        assert.deepEqual(await serving(view), identities);
        assert.ok(
            (await stateOf(rollout)).some((r) => r.includes("reviews-rollout-v1")),
            "the up took the Deployment back into the state",
        );
    });

    it("state delete of the candidate's Deployment, then a rollback: the settle step still removes it", async () => {
        rollout.cli("state", "delete", CANDIDATE, "--target-dependents", "--yes");
        await rollout.setStage("stable");
        await rollout.up();
        await expectStage(view, RELEASE, "stable");
        assert.deepEqual(
            (await view.reviewsPods()).map((p) => p.version).filter((v) => v === "v2"),
            [],
        );
    });

    it("a candidate that passed in dark and fails at canary is held back: half and a restore are refused until it passes again", async () => {
        await rollout.setStage("dark");
        await rollout.up();
        setFault(RELEASE.candidate!.image, "http-500");
        try {
            await rollout.setStage("canary");
            await assert.rejects(rollout.up(), /gate failed: http-200 on pod reviews-v2-/);
            for (const [stage, from] of [
                ["half", "canary"],
                ["canary", "stable"],
            ] as const) {
                if (from === "stable") {
                    await rollout.setStage("stable");
                    await rollout.up();
                }
                await rollout.setStage(stage);
                const before = await Promise.all([view.settled(), stateOf(rollout)]);
                // One after the other: a preview beside an up would read the checkpoint the up is writing.
                for (const run of [() => rollout.preview(), () => rollout.up()]) {
                    await assert.rejects(
                        run(),
                        /\[reviews-serves-only-gate-passed-images\] reviews-v2 would get more traffic with image .*1\.20\.3-ops, but that image failed its gate at .* \(gate failed: http-200/,
                    );
                }
                assert.deepEqual(
                    await Promise.all([view.snapshot(), stateOf(rollout)]),
                    before,
                    `${from} -> ${stage} changed the cluster or the state`,
                );
            }
        } finally {
            clearFault(RELEASE.candidate!.image);
        }
        for (const stage of ["dark", "canary"] as const) {
            await rollout.setStage(stage);
            await rollout.up();
        }
        await expectStage(view, RELEASE, "canary");
    });

    it("an emptied namespace of the deployed stack is no first deployment: only the recorded stable comes back", async () => {
        kubectlOn(["delete", "deployment", "-n", namespace, "--ignore-not-found", "reviews-v1", "reviews-v2"]);
        await rollout.setStage("dark");
        const before = await Promise.all([view.settled(), stateOf(rollout)]);
        // One after the other: a preview beside an up would read the checkpoint the up is writing.
        for (const run of [() => rollout.preview(), () => rollout.up()]) {
            await assert.rejects(
                run(),
                /\[reviews-stage-move-allowed\] this stack deployed here before, but the namespace has no reviews Deployment/,
            );
        }
        assert.deepEqual(await Promise.all([view.snapshot(), stateOf(rollout)]), before);
        await rollout.setStage("stable");
        await rollout.up({ refresh: true });
        await expectStage(view, RELEASE, "stable");
    });

    it("a stack of the same name in another backend never adopts this stack's namespace", async () => {
        const twin = await RolloutStack.open({
            stack: "e2e-ops",
            namespace,
            release: RELEASE,
            backendDir: fs.mkdtempSync(path.join(os.tmpdir(), "twin-backend-")),
        });
        const before = await view.settled();
        // One after the other: a preview beside an up would read the checkpoint the up is writing.
        for (const run of [() => twin.preview(), () => twin.up()]) {
            await assert.rejects(
                run(),
                /\[namespace-owned-by-stack\] namespace bookinfo-ops already exists and it carries this stack's name but was created from backend file:\/\/\S+, not file:\/\/\S*twin-backend-/,
            );
        }
        assert.deepEqual(await view.snapshot(), before);
        await twin.stack.workspace.removeStack(twin.stack.name, { force: true });
    });

    after(async () => {
        await rollout.destroy();
    });
});
