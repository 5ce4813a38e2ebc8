// End-to-end: the pull-request review judges a change with the base's policy pack and pack config, not the
// change's own. A git repository made here holds a copy of the product as the base; a "pull request" on top
// switches the guard off (the pack's stage rule made to report nothing, a pack config disabling every rule, the
// program's own refusal removed) and asks a never-deployed stack to start at `promoted`. `npm run review --
// <stack> --base <base>` must still refuse it by reviews-stage-move-allowed and name the pack edit; without
// --base the change's own pack judges and says so. Real CLI, file backend, the local cluster (read only: a
// preview changes nothing).
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { findings, policiesSection } from "../../../tools/review";
import { clusterKubeconfig, projectName, pulumiEnv } from "../../lib/env";
import { ProjectRepo, Run } from "../../lib/project-repo";
import { applyUnsafePr, UNSAFE_PR_FILES } from "./lib/unsafe-pr";

const id = crypto.randomBytes(3).toString("hex");
const stack = `review-${id}`;
const namespace = `review-${id}`;
const stackFile = `Pulumi.${stack}.yaml`;
const RULE = "reviews-stage-move-allowed";
const PACK_EDIT_NOTE =
    "this change edits the policy pack: it is judged here with the base pack and needs its own review";
const OWN_PACK_EDIT_NOTE = "this change edits the policy pack, and the pack that judged it is the edited one";

/** A never-deployed stack asked to start at `promoted` with a candidate: refused by the stage guard. */
function stackConfig(): string {
    return [
        "config:",
        `  ${projectName}:namespace: ${namespace}`,
        `  ${projectName}:kubeconfig: ${clusterKubeconfig}`,
        `  ${projectName}:stage: promoted`,
        `  ${projectName}:release:`,
        "    stable:",
        "      version: v1",
        "      image: docker.io/istio/examples-bookinfo-reviews-v1:1.20.3",
        "      replicas: 3",
        "    candidate:",
        "      version: v2",
        "      image: docker.io/istio/examples-bookinfo-reviews-v2:1.20.3",
        "",
    ].join("\n");
}

const show = (r: Run) => `--- review output (exit ${r.status}) ---\n${r.output.split("\n").slice(-120).join("\n")}`;
const reviewTemps = () =>
    new Set(
        fs
            .readdirSync(os.tmpdir())
            .filter((n) => n.startsWith("bookinfo-review-") && !n.startsWith("bookinfo-review-spec-")),
    );

describe("e2e: the pull-request review judges with the base's pack", function () {
    this.timeout(15 * 60_000);
    const env = { ...process.env, ...pulumiEnv() };
    let repo: ProjectRepo;
    let baseSha: string;

    before(() => {
        assert.ok(fs.existsSync(clusterKubeconfig), `no local cluster (${clusterKubeconfig}): run npm run cluster:up`);
        repo = ProjectRepo.create();
        baseSha = repo.git("rev-parse", "HEAD");
        repo.git("checkout", "--quiet", "-b", "unsafe-change");
        const init = repo.run(
            "pulumi",
            ["stack", "init", `organization/${projectName}/${stack}`, "--non-interactive"],
            env,
        );
        assert.equal(init.status, 0, `pulumi stack init: ${init.output}`);
        // stack init wrote the passphrase salt (if anything): keep it, then the config.
        const salt = fs.existsSync(repo.file(stackFile))
            ? repo
                  .read(stackFile)
                  .split("\n")
                  .filter((l) => l.startsWith("encryptionsalt:"))
            : [];
        repo.write(stackFile, [...salt, stackConfig()].join("\n"));
        applyUnsafePr(repo);
        repo.commitAll("unsafe change: guard off, first deployment straight to promoted");
    });

    after(() => {
        if (!repo) return;
        if (process.env.KEEP_REVIEW_REPO) return console.log(`review spec: repository kept in ${repo.dir}`);
        repo.run(
            "pulumi",
            ["stack", "rm", "--yes", "--force", "--non-interactive", "--stack", `organization/${projectName}/${stack}`],
            env,
        );
        repo.remove();
    });

    it("with --base: the base's pack refuses the move and the pack edit is reported", () => {
        const summary = path.join(repo.dir, "..", `${path.basename(repo.dir)}-summary.md`);
        const tempsBefore = reviewTemps();
        try {
            const r = repo.review([stack, "--base", baseSha, "--summary", summary], env);
            assert.notEqual(r.status, 0, `the review let the change through\n${show(r)}`);
            const found = findings(r.output);
            assert.ok(found.mandatory.has(RULE), `no mandatory ${RULE} violation from the base pack\n${show(r)}`);
            assert.match(policiesSection(r.output), new RegExp(RULE), show(r));
            assert.match(r.output, /judged with the base's policy pack/, show(r));
            assert.ok(r.output.includes(PACK_EDIT_NOTE), `the pack edit is not reported\n${show(r)}`);
            for (const f of [...UNSAFE_PR_FILES, stackFile])
                assert.ok(r.output.includes(`  ${f}`), `${f} not listed\n${show(r)}`);
            assert.match(r.output, /REFUSED by the policy pack: .*reviews-stage-move-allowed/, show(r));

            const report = fs.readFileSync(summary, "utf8");
            assert.ok(report.includes(PACK_EDIT_NOTE), report);
            assert.match(report, /REFUSED by the policy pack/, report);
            assert.ok(report.includes("policy/config.json") && report.includes("all: disabled"), report);

            assert.deepEqual(repo.extraWorktrees(), [], "the base worktree was not removed");
            const left = [...reviewTemps()].filter((n) => !tempsBefore.has(n));
            assert.deepEqual(left, [], "the review left its temp dir behind");
        } finally {
            fs.rmSync(summary, { force: true });
        }
    });

    it("without --base: the change's own pack judges, lets it through, and says so", () => {
        const r = repo.review([stack], env);
        assert.match(r.output, /judged with this checkout's own policy pack/, show(r));
        assert.match(r.output, /pack config: policy\/config\.json/, show(r));
        assert.match(r.output, /turns these rules down: all: disabled/, show(r));
        assert.ok(r.output.includes(OWN_PACK_EDIT_NOTE), `the pack edit is not reported\n${show(r)}`);
        assert.ok(
            !findings(r.output).mandatory.has(RULE),
            `the change's own pack still refused: the pull request did not switch it off\n${show(r)}`,
        );
    });
});
