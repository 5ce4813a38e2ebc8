// End-to-end: `rollout status --json` at every stage of the pods table, walked by hand (`pulumi up` with the policy
// pack) on the local cluster with Prometheus, against an expectation written out per stage from the tutorial and
// docs/driver.md: the stages, the pods per version, the moves the guard allows and those it refuses (a restore
// without a gate pass), and whether the stage is analysed. Also a stack file that asks for another stage than runs.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import { backendDir, clusterKubeconfig, projectName, pulumiEnv } from "../../lib/env";
import { ProjectRepo, Run } from "../../lib/project-repo";

const id = crypto.randomBytes(3).toString("hex");
const stack = `status-${id}`;
const namespace = `status-${id}`;
const image = (version: string) => `docker.io/istio/examples-bookinfo-reviews-${version}:1.20.3`;
const V1 = { version: "v1", image: image("v1"), replicas: 3 };
const V2 = { version: "v2", image: image("v2"), replicas: 3 };

const pods = (...p: [string, number, boolean][]) =>
    p.map(([version, n, serving]) => ({ version, image: image(version), ready: n, desired: n, serving }));
const NOT_ANALYSED = (stage: string) => ({
    stage,
    notAnalysed: `stage ${stage} gives the candidate no requests beside the stable's: nothing to compare`,
});

/** Per stage, by hand: the pods, the moves offered and refused, and whether the analysis looks. */
const EXPECTED = {
    dark: {
        pods: pods(["v1", 3, true], ["v2", 1, false]),
        next: [
            { to: "stable", kind: "rollback" },
            { to: "canary", kind: "forward" },
        ],
        refused: [],
        analysis: NOT_ANALYSED("dark"),
    },
    canary: {
        pods: pods(["v1", 3, true], ["v2", 1, true]),
        next: [
            { to: "stable", kind: "rollback" },
            { to: "half", kind: "forward" },
        ],
        refused: [],
        analysis: "looks",
    },
    half: {
        pods: pods(["v1", 3, true], ["v2", 3, true]),
        next: [
            { to: "stable", kind: "rollback" },
            { to: "promoted", kind: "forward" },
        ],
        refused: [],
        analysis: "looks",
    },
    promoted: { pods: pods(["v2", 3, true]), next: [], refused: [], analysis: NOT_ANALYSED("promoted") },
};

const show = (r: Run) => `--- exit ${r.status} ---\n${r.output.split("\n").slice(-40).join("\n")}`;

describe("e2e: rollout status --json at every stage", function () {
    this.timeout(15 * 60_000);
    const env = { ...process.env, ...pulumiEnv() };
    let repo: ProjectRepo;

    const status = () => {
        const r = repo.run(
            "node_modules/.bin/ts-node",
            ["--transpile-only", "driver/cli.ts", "status", stack, "--json"],
            env,
        );
        assert.equal(r.status, 0, show(r));
        return JSON.parse(r.output);
    };
    const walkTo = (stage: string) => {
        repo.writeStackFile(stack, { namespace, stage, release: { stable: V1, candidate: V2 } });
        repo.commitAll(`stage: ${stage}`);
        const up = repo.run(
            "pulumi",
            ["up", "--yes", "--skip-preview", "--stack", stack, "--policy-pack", "policy"],
            env,
        );
        assert.equal(up.status, 0, show(up));
    };

    before(() => {
        assert.ok(fs.existsSync(clusterKubeconfig), `no local cluster (${clusterKubeconfig}): run npm run cluster:up`);
        repo = ProjectRepo.create();
        fs.mkdirSync(backendDir, { recursive: true });
        repo.linkBuild();
        const init = repo.run(
            "pulumi",
            ["stack", "init", `organization/${projectName}/${stack}`, "--non-interactive"],
            env,
        );
        assert.equal(init.status, 0, show(init));
        repo.writeStackFile(stack, { namespace, stage: "stable", release: { stable: V1 } });
        repo.commitAll("stack: v1 at stable");
        const up = repo.run(
            "pulumi",
            ["up", "--yes", "--skip-preview", "--stack", stack, "--policy-pack", "policy"],
            env,
        );
        assert.equal(up.status, 0, show(up));
    });

    after(() => {
        if (!repo) return;
        repo.run("pulumi", ["destroy", "--yes", "--skip-preview", "--stack", stack], env);
        repo.run(
            "pulumi",
            ["stack", "rm", "--yes", "--force", "--non-interactive", "--stack", `organization/${projectName}/${stack}`],
            env,
        );
        repo.remove();
    });

    it("stable with a new candidate configured: dark is offered; the restore is refused, the image has no gate pass", () => {
        repo.writeStackFile(stack, { namespace, stage: "stable", release: { stable: V1, candidate: V2 } });
        repo.commitAll("release: v2 as the candidate");
        const s = status();
        assert.deepEqual(
            {
                release: s.release,
                stage: [s.stage.live, s.stage.configured, s.stage.differs],
                pods: s.pods,
                next: s.next,
            },
            {
                release: { stable: V1 },
                stage: ["stable", "stable", false],
                pods: pods(["v1", 3, true]),
                next: [{ to: "dark", kind: "forward" }],
            },
            "the release shown is the deployed one; the moves are the new release's",
        );
        assert.deepEqual(s.refused, [
            {
                to: "canary",
                kind: "restore",
                why: `image ${V2.image} has no gate pass (gate record absent): its gate runs in dark first`,
            },
        ]);
    });

    for (const stage of ["dark", "canary", "half", "promoted"] as const) {
        it(`${stage}: stages, pods, the moves offered and refused, the analysis`, () => {
            walkTo(stage);
            const s = status();
            const want = EXPECTED[stage];
            assert.deepEqual(
                {
                    release: s.release,
                    stage: [s.stage.live, s.stage.recorded?.stage, s.stage.configured, s.stage.differs],
                    pods: s.pods,
                    next: s.next,
                    refused: s.refused,
                },
                {
                    release: { stable: V1, candidate: { ...V2, stars: "black" } },
                    stage: [stage, stage, stage, false],
                    pods: want.pods,
                    next: want.next,
                    refused: want.refused,
                },
            );
            assert.equal(s.record.trust, "trusted");
            assert.equal(s.gate.trust, "trusted");
            assert.deepEqual(
                s.gate.passes.map((p: { version: string; image: string }) => [p.version, p.image]),
                [["v2", V2.image]],
            );
            if (want.analysis === "looks") {
                // No load: whatever the checks sent is too little to judge, and the look says how much more it needs.
                assert.equal(s.analysis.stage, stage);
                assert.equal(s.analysis.judgement.outcome, "inconclusive", JSON.stringify(s.analysis.judgement));
                assert.ok(s.analysis.judgement.needs.candidateRequests > 0, JSON.stringify(s.analysis.judgement));
            } else {
                assert.deepEqual(s.analysis, want.analysis);
            }
        });
    }

    it("a stack file that asks for another stage than runs: differs, and the moves are still the live stage's", () => {
        repo.writeStackFile(stack, { namespace, stage: "half", release: { stable: V1, candidate: V2 } });
        repo.commitAll("stage: half, not applied");
        const s = status();
        assert.deepEqual([s.stage.live, s.stage.configured, s.stage.differs], ["promoted", "half", true]);
        assert.deepEqual(s.next, []);
    });
});
