// Closing a release against a real Git repository made in the test (no cluster, no pulumi): the close is one commit
// that makes the candidate the stable, sets the table's first stage and removes the release's approval, so an
// approval of `promoted` never carries over to the next release. Expectations are written out by hand.
import * as assert from "assert";
import fs from "node:fs";
import yaml from "js-yaml";
import { carryOut } from "../../driver/commands";
import type { Decision } from "../../driver/decide";
import { historyOf } from "../../driver/git";
import { readStackFile } from "../../driver/stack-file";
import { git, makeRepos, Repos, stackText } from "./driver-repo";

const CLOSE: Decision = { kind: "close", to: "stable", why: "promoted for 120s: the candidate becomes the stable" };

describe("driver: closing a release (a real repository)", () => {
    let r: Repos;
    beforeEach(() => {
        r = makeRepos();
    });
    afterEach(() => r.remove());

    /** The stack file's config as committed at `rev`. */
    const committed = (rev: string) =>
        (yaml.load(git(r.driver, "show", `${rev}:Pulumi.dev.yaml`)) as { config: Record<string, unknown> }).config;

    it("the close commit makes the candidate the stable and removes approved; pause stays as it was", async () => {
        fs.writeFileSync(r.file, stackText("promoted", { approved: "promoted", pause: "" }));
        git(r.driver, "commit", "-q", "-am", "rollout dev: approve promoted");
        assert.strictEqual(
            committed("HEAD")["bookinfo-rollout:approved"],
            "promoted",
            "before the close: the approval of promoted",
        );
        const before = git(r.driver, "rev-parse", "HEAD");

        const sf = readStackFile(r.driver, "dev");
        const applied: string[] = [];
        const sha = await carryOut(
            sf,
            CLOSE,
            { live: "promoted", analysis: "none", lastCommit: historyOf(sf.file, 1)[0] },
            {
                git: { kind: "local" },
                webhook: "",
                log: () => undefined,
                apply: async () => {
                    applied.push(git(r.driver, "rev-parse", "HEAD"));
                },
            },
        );

        assert.strictEqual(git(r.driver, "rev-parse", "HEAD"), sha);
        assert.strictEqual(git(r.driver, "rev-parse", "HEAD^"), before, "one commit");
        assert.deepStrictEqual(committed("HEAD"), {
            "bookinfo-rollout:stage": "stable",
            "bookinfo-rollout:release": {
                stable: { version: "v2", image: "docker.io/istio/examples-bookinfo-reviews-v2:1.20.3", replicas: 3 },
            },
            "bookinfo-rollout:pause": "",
        });
        assert.strictEqual(
            git(r.driver, "log", "-1", "--format=%B"),
            "rollout dev: close the release, v2 is the stable\n\npromoted for 120s: the candidate becomes the stable\n\nRollout-Decision: close\nRollout-Stage: stable",
        );
        assert.deepStrictEqual(applied, [sha], "applied once, after the commit");
        assert.strictEqual(git(r.driver, "status", "--porcelain"), "");
    });
});
