// The driver's Git modes against real repositories (a bare remote and two clones in a temp dir; no cluster, no
// pulumi): --push records each decision on the remote before it is applied, and a refused push applies nothing;
// --propose pushes a branch per step and applies it once it lands on the base, and stops, naming the commit, when the
// base changes the stack file another way. The `up` is the `apply` callback, so the specs see whether it ran.
import * as assert from "assert";
import fs from "node:fs";
import { judge } from "../../analysis/judge";
import { main, parseArgs, UsageError } from "../../driver/cli";
import { carryOut, setHold, StepOptions } from "../../driver/commands";
import type { Decision } from "../../driver/decide";
import { commitFile, DECISION_TRAILER, GitMode, GitStop, historyOf, STAGE_TRAILER, syncWith } from "../../driver/git";
import { readStackFile, withKey } from "../../driver/stack-file";
import { git, makeRepos, PROJECT, Repos, stackText } from "./driver-repo";

const PUSH: GitMode = { kind: "push", remote: "origin", branch: "main" };
const propose = (timeoutSeconds = 20): GitMode => ({
    kind: "propose",
    remote: "origin",
    base: "main",
    timeoutSeconds,
    intervalSeconds: 0.05,
});
const ADVANCE: Decision = { kind: "advance", to: "half", why: "120s at canary; error-rate: pass" };
const PASS = judge({ stable: { requests: 40000, errors: 0 }, candidate: { requests: 8000, errors: 0 } });

describe("driver: the Git modes (real repositories)", function () {
    let r: Repos;
    let applied: string[];
    let lines: string[];
    beforeEach(() => {
        r = makeRepos();
        applied = [];
        lines = [];
    });
    afterEach(() => r.remove());

    const sf = () => readStackFile(r.driver, "dev");
    /**
     * The step as the driver takes it: from the stack file's last commit seen now; `apply` records the remote's main
     * then.
     */
    const step = (d: Decision, mode: GitMode, over: Partial<StepOptions> = {}) => {
        const s = sf();
        return carryOut(
            s,
            d,
            { live: "canary", analysis: PASS, lastCommit: historyOf(s.file, 1)[0] },
            {
                git: mode,
                webhook: "",
                log: (l) => lines.push(l),
                apply: async () => {
                    applied.push(
                        `${sf().config.stage} local ${git(r.driver, "rev-parse", "HEAD")} remote ${git(r.bare, "rev-parse", "main")}`,
                    );
                },
                ...over,
            },
        );
    };
    const stop =
        (message: RegExp, waiting = false) =>
        (e: unknown) => {
            assert.ok(e instanceof GitStop, String(e));
            assert.match(e.message, message);
            assert.strictEqual(e.waiting, waiting);
            return true;
        };

    describe("--push <remote> <branch>", () => {
        it("commits the decision with its evidence and trailers, pushes it, and only then applies it", async () => {
            const sha = await step(ADVANCE, PUSH);
            assert.strictEqual(git(r.bare, "rev-parse", "main"), sha, "the remote's main is the decision's commit");
            const msg = git(r.bare, "log", "-1", "--format=%B", "main");
            assert.match(
                msg,
                /^rollout dev: advance canary -> half\n\n120s at canary; error-rate: pass\nerror-rate: pass: /,
            );
            assert.match(msg, new RegExp(`${DECISION_TRAILER}: advance\n${STAGE_TRAILER}: half$`));
            assert.strictEqual(r.remoteStage(), "half");
            assert.deepStrictEqual(applied, [`half local ${sha} remote ${sha}`], "applied once, after the push");
        });

        it("a refused push (a person pushed first) stops naming the remote, the branch and the person's commit; nothing is applied, the commit is undone", async () => {
            const before = { head: git(r.driver, "rev-parse", "HEAD"), text: fs.readFileSync(r.file, "utf8") };
            const person = r.personCommits(stackText("canary", { pause: "looking at logs" }), "pause: looking at logs");
            await assert.rejects(
                step(ADVANCE, PUSH),
                stop(
                    new RegExp(
                        `^git push to origin main failed, so the decision is not applied and its commit \\w{8} is undone \\(! \\[rejected\\] HEAD -> main \\(fetch first\\).*\\); ` +
                            `origin/main changed the stack file by commit ${person.slice(0, 8)} \\(ana: pause: looking at logs\\): a person's change wins`,
                    ),
                ),
            );
            assert.deepStrictEqual(applied, []);
            assert.deepStrictEqual(
                { head: git(r.driver, "rev-parse", "HEAD"), text: fs.readFileSync(r.file, "utf8") },
                before,
            );
            assert.strictEqual(git(r.driver, "status", "--porcelain"), "");
            assert.strictEqual(git(r.bare, "rev-parse", "main"), person, "the remote keeps the person's commit");

            // The next look starts level with the remote: the person's pause is what the driver decides on.
            syncWith(r.file, PUSH, (l) => lines.push(l));
            assert.strictEqual(git(r.driver, "rev-parse", "HEAD"), person);
            assert.strictEqual(sf().config.pause, "looking at logs");
        });

        it("an unreachable remote stops it the same way: nothing applied, nothing left committed", async () => {
            const head = git(r.driver, "rev-parse", "HEAD");
            fs.renameSync(r.bare, `${r.bare}.gone`);
            await assert.rejects(
                step(ADVANCE, PUSH),
                stop(
                    /^git push to origin main failed, so the decision is not applied and its commit \w{8} is undone \(.*(does not appear to be a git repository|Could not read from remote)/,
                ),
            );
            assert.deepStrictEqual(applied, []);
            assert.strictEqual(git(r.driver, "rev-parse", "HEAD"), head);
        });

        it("before a decision: a driver killed between its commit and its push has the commit pushed; a person's unpushed commit stops it", () => {
            fs.writeFileSync(r.file, withKey(fs.readFileSync(r.file, "utf8"), PROJECT, "stage", "half"));
            const own = commitFile(r.file, "rollout dev: advance canary -> half", {
                [DECISION_TRAILER]: "advance",
                [STAGE_TRAILER]: "half",
            });
            syncWith(r.file, PUSH, (l) => lines.push(l));
            assert.strictEqual(git(r.bare, "rev-parse", "main"), own);
            assert.match(lines.join("\n"), /pushed the driver's unpushed commit\(s\) \w{8} to origin\/main/);

            fs.writeFileSync(r.file, withKey(fs.readFileSync(r.file, "utf8"), PROJECT, "stage", "stable"));
            git(r.driver, "commit", "-q", "-am", "roll back by hand");
            assert.throws(
                () => syncWith(r.file, PUSH, () => undefined),
                stop(
                    /^HEAD has 1 commit\(s\) not on origin\/main, a person's commit \w{8} \(rollout driver: roll back by hand\): push them or reset/,
                ),
            );
        });

        it("a person's hold (pause) is committed and pushed the same way", async () => {
            assert.strictEqual(await setHold(r.driver, "dev", "pause", { reason: "db migration", git: PUSH }), 0);
            assert.match(
                git(r.bare, "log", "-1", "--format=%B", "main"),
                /^rollout dev: pause\n\ndb migration\n\nRollout-Decision: pause$/,
            );
            assert.strictEqual(readStackFile(r.driver, "dev").config.pause, "db migration");
        });
    });

    describe("--propose <remote> --base <branch>", () => {
        const proposals = () => proposalsOf(r);

        it("pushes the step as rollout/<stack>/<n>-<decision>-<stage>, waits, and applies it once merged into the base", async () => {
            const head = git(r.driver, "rev-parse", "HEAD");
            const text = fs.readFileSync(r.file, "utf8");
            const done = step(ADVANCE, propose());
            assert.deepStrictEqual(proposals(), ["rollout/dev/2-advance-half"]);
            const proposed = git(r.bare, "rev-parse", "rollout/dev/2-advance-half");
            assert.strictEqual(git(r.bare, "rev-parse", `${proposed}^`), head, "from the current HEAD");
            assert.strictEqual(r.remoteStage("rollout/dev/2-advance-half"), "half");
            assert.match(
                git(r.bare, "log", "-1", "--format=%B", proposed),
                /Rollout-Decision: advance\nRollout-Stage: half$/,
            );
            await new Promise((res) => setTimeout(res, 300));
            assert.deepStrictEqual(applied, [], "not applied while the proposal waits");
            assert.deepStrictEqual(
                [git(r.driver, "rev-parse", "HEAD"), fs.readFileSync(r.file, "utf8")],
                [head, text],
                "HEAD and the working tree do not move",
            );

            // The review passes: the person merges the pull request.
            git(r.person, "fetch", "-q", "origin");
            git(
                r.person,
                "merge",
                "-q",
                "--no-ff",
                "-m",
                "Merge pull request #1 from rollout/dev/2-advance-half",
                "origin/rollout/dev/2-advance-half",
            );
            git(r.person, "push", "-q", "origin", "main");
            const merged = git(r.bare, "rev-parse", "main");

            assert.strictEqual(await done, proposed);
            assert.deepStrictEqual(
                applied,
                [`half local ${merged} remote ${merged}`],
                "applied once, after the local main fast-forwarded to the merge",
            );
            assert.strictEqual(
                historyOf(r.file, 1)[0].decision,
                "advance",
                "the landed step is the driver's (a killed driver applies it)",
            );
        });

        it("a squash merge lands it too (the base's stack file is the proposed one)", async () => {
            const done = step(ADVANCE, propose());
            git(r.person, "fetch", "-q", "origin");
            git(r.person, "merge", "-q", "--squash", "origin/rollout/dev/2-advance-half");
            git(
                r.person,
                "commit",
                "-q",
                "-m",
                "rollout dev: advance canary -> half (#1)\n\nRollout-Decision: advance\nRollout-Stage: half",
            );
            git(r.person, "push", "-q", "origin", "main");
            const squash = git(r.bare, "rev-parse", "main");
            assert.strictEqual(await done, squash);
            assert.strictEqual(applied.length, 1);
        });

        it("the base changing the stack file another way stops it, naming that commit; nothing is applied", async () => {
            const text = fs.readFileSync(r.file, "utf8");
            const done = step(ADVANCE, propose());
            const person = r.personCommits(stackText("stable"), "roll back by hand");
            await assert.rejects(
                done,
                stop(
                    new RegExp(
                        `^origin/main changed the stack file while rollout/dev/2-advance-half waited: commit ${person.slice(0, 8)} \\(ana: roll back by hand\\); a person's change wins`,
                    ),
                ),
            );
            assert.deepStrictEqual(applied, []);
            assert.strictEqual(fs.readFileSync(r.file, "utf8"), text);
        });

        it("not merged in time: it stops waiting (exit 3), nothing applied; run again, it takes the same proposal up and applies it once merged", async () => {
            await assert.rejects(
                step(ADVANCE, propose(0.2)),
                stop(
                    /^rollout\/dev\/2-advance-half \(commit \w{8}\) is not on origin\/main after 0.2s, so nothing is applied/,
                    true,
                ),
            );
            assert.deepStrictEqual(applied, []);
            const proposed = git(r.bare, "rev-parse", "rollout/dev/2-advance-half");

            const again = step(ADVANCE, propose());
            assert.deepStrictEqual(proposals(), ["rollout/dev/2-advance-half"]);
            git(r.person, "fetch", "-q", "origin");
            git(r.person, "merge", "-q", "--ff-only", "origin/rollout/dev/2-advance-half");
            git(r.person, "push", "-q", "origin", "main");
            assert.strictEqual(await again, proposed);
            assert.strictEqual(applied.length, 1);
        });
    });

    describe("the command line", () => {
        it("--push takes two values; --propose one, with --base and --propose-timeout", () => {
            assert.deepStrictEqual(parseArgs(["next", "dev", "--push", "origin", "main"]).git, {
                kind: "push",
                remote: "origin",
                branch: "main",
            });
            assert.deepStrictEqual(parseArgs(["approve", "dev", "--push", "origin", "release/1", "promoted"]).rest, [
                "promoted",
            ]);
            assert.deepStrictEqual(
                parseArgs(["run", "dev", "--propose", "origin", "--base", "main", "--propose-timeout", "600"]).git,
                { kind: "propose", remote: "origin", base: "main", timeoutSeconds: 600 },
            );
            assert.deepStrictEqual(parseArgs(["next", "dev", "--propose=origin"]).git, {
                kind: "propose",
                remote: "origin",
                timeoutSeconds: 3600,
            });
            assert.deepStrictEqual(parseArgs(["next", "dev"]).git, { kind: "local" });
        });

        it("bad Git flags are refused, naming them", () => {
            const refused = (argv: string[], message: RegExp) =>
                assert.throws(
                    () => parseArgs(argv),
                    (e: unknown) => e instanceof UsageError && message.test(e.message),
                );
            refused(["next", "dev", "--push", "origin"], /^--push takes two values: --push <remote> <branch>$/);
            refused(["next", "dev", "--push", "origin", "--json"], /^--push takes two values/);
            refused(["next", "dev", "--push=origin/main"], /^--push takes two values/);
            refused(["next", "dev", "--push", "origin", "main..x"], /^--push: branch "main..x" has \.\. or @\{/);
            refused(
                ["next", "dev", "--push", "https://example.invalid/r.git", "main"],
                /^--push: remote "https:\/\/example.invalid\/r.git" is no remote name/,
            );
            refused(
                ["next", "dev", "--push", "origin", "main", "--propose", "origin"],
                /^--push and --propose exclude each other/,
            );
            refused(["next", "dev", "--base", "main"], /^--base and --propose-timeout go with --propose <remote>/);
            refused(
                ["next", "dev", "--propose", "origin", "--propose-timeout", "soon"],
                /^--propose-timeout takes seconds \(a number above 0\), not "soon"/,
            );
            refused(["run", "dev", "--interval", "0"], /^--interval takes seconds/);
            refused(["status", "dev", "--push", "origin", "main"], /^status takes no --push; it takes --json/);
        });

        it("exit 2 and nothing changed for a bad Git flag or a remote that is not configured", async () => {
            const head = git(r.driver, "rev-parse", "HEAD");
            const was = process.env.ROLLOUT_PROJECT_DIR;
            process.env.ROLLOUT_PROJECT_DIR = r.driver;
            const errors: string[] = [];
            const error = console.error;
            console.error = (m: string) => errors.push(m);
            try {
                assert.strictEqual(await main(["pause", "dev", "--reason", "x", "--push", "origin"]), 2);
                assert.strictEqual(await main(["pause", "dev", "--reason", "x", "--push", "upstream", "main"]), 2);
                assert.strictEqual(
                    await main(["approve", "dev", "promoted", "--propose", "origin", "--base", "release"]),
                    2,
                );
            } finally {
                console.error = error;
                if (was === undefined) delete process.env.ROLLOUT_PROJECT_DIR;
                else process.env.ROLLOUT_PROJECT_DIR = was;
            }
            assert.match(errors[1], /^rollout pause dev: no remote upstream in \S+ \(git remote -v lists them\)/);
            assert.match(
                errors[2],
                /^rollout approve dev: --propose applies a step once it lands on release: check release out first \(HEAD is main\)/,
            );
            assert.strictEqual(git(r.driver, "rev-parse", "HEAD"), head);
            assert.strictEqual(git(r.driver, "status", "--porcelain"), "");
            assert.deepStrictEqual(proposalsOf(r), []);
        });
    });
});

const proposalsOf = (r: Repos) =>
    git(r.bare, "for-each-ref", "--format=%(refname:short)", "refs/heads/rollout/").split("\n").filter(Boolean);
