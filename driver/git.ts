// Git as the record of decisions: the stack file's history, and one commit per decision. A decision's commit
// carries trailers (`Rollout-Decision: advance`, `Rollout-Stage: canary`), so status and the driver tell their
// own commits from a person's. The Git modes (docs/driver.md): each decision's commit pushed to a branch
// (`--push`), or proposed on a branch of its own and applied once it lands on the base (`--propose`).
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export interface Commit {
    sha: string;
    date: string;
    author: string;
    subject: string;
    /** The driver's decision and the stage it set, from its trailers; absent: a person's commit. */
    decision?: string;
    stage?: string;
}

export const DECISION_TRAILER = "Rollout-Decision";
export const STAGE_TRAILER = "Rollout-Stage";

export class GitError extends Error {}

export function git(dir: string, args: string[], opts: { input?: string; env?: Record<string, string> } = {}): string {
    try {
        return execFileSync("git", args, {
            cwd: dir,
            encoding: "utf8",
            input: opts.input,
            stdio: [opts.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
            ...(opts.env ? { env: { ...process.env, ...opts.env } } : {}),
        }).trim();
    } catch (e) {
        const err = e as { stderr?: string; message: string };
        throw new GitError(`git ${args.join(" ")}: ${(err.stderr || err.message).trim()}`);
    }
}

/** The repository's top directory, or undefined when `dir` is in none. */
export function repoOf(dir: string): string | undefined {
    try {
        return git(dir, ["rev-parse", "--show-toplevel"]);
    } catch {
        return undefined;
    }
}

/** The last `n` commits that changed `file`, newest first, in the history of `rev` (default HEAD). */
export function historyOf(file: string, n = 10, rev = "HEAD"): Commit[] {
    const dir = path.dirname(file);
    if (!repoOf(dir)) return [];
    const sep = "\x1f";
    const trailer = (key: string) => `%(trailers:key=${key},valueonly,separator=%x2C)`;
    const out = git(dir, [
        "log",
        `-n${n}`,
        rev,
        `--format=%H${sep}%cI${sep}%an${sep}%s${sep}${trailer(DECISION_TRAILER)}${sep}${trailer(STAGE_TRAILER)}`,
        "--",
        path.basename(file),
    ]);
    return out
        .split("\n")
        .filter(Boolean)
        .map((l) => {
            const [sha, date, author, subject, decision, stage] = l.split(sep);
            return { sha, date, author, subject, ...(decision ? { decision } : {}), ...(stage ? { stage } : {}) };
        });
}

/** The file's text at each of the last `n` commits that changed it, newest first. */
export function versionsOf(file: string, n = 20): { commit: Commit; text: string }[] {
    const dir = path.dirname(file);
    const rel = git(dir, ["ls-files", "--full-name", "--", path.basename(file)]) || path.basename(file);
    return historyOf(file, n).map((commit) => ({ commit, text: git(dir, ["show", `${commit.sha}:${rel}`]) }));
}

/** The last commit that changed `file` (undefined: never committed). */
export const headOf = (file: string): string | undefined => historyOf(file, 1)[0]?.sha;

/** Is `file` as committed (no staged or unstaged change)? */
export function clean(file: string): boolean {
    return git(path.dirname(file), ["status", "--porcelain", "--", path.basename(file)]) === "";
}

/** Commits `file` alone with `message` and the trailers; returns the new commit. */
export function commitFile(file: string, message: string, trailers: Record<string, string>): string {
    const dir = path.dirname(file);
    git(dir, ["add", "--", path.basename(file)]);
    git(dir, ["commit", "-q", "-m", withTrailers(message, trailers), "--", path.basename(file)]);
    return git(dir, ["rev-parse", "HEAD"]);
}

const withTrailers = (message: string, trailers: Record<string, string>) =>
    [message, "", ...Object.entries(trailers).map(([k, v]) => `${k}: ${v}`)].join("\n");

// ---- Git modes -------------------------------------------------------------------------------------------------

/**
 * Where a decision's commit goes: the checkout only, pushed to `<remote> <branch>`, or proposed on a branch of its own.
 */
export type GitMode =
    | { kind: "local" }
    | { kind: "push"; remote: string; branch: string }
    | { kind: "propose"; remote: string; base: string; timeoutSeconds: number; intervalSeconds: number };

/**
 * The Git mode as the command line gives it: propose's base (default: the branch checked out) and interval come later.
 */
export type GitFlags =
    Exclude<GitMode, { kind: "propose" }> | { kind: "propose"; remote: string; base?: string; timeoutSeconds: number };

/**
 * The driver stops on what Git says: a push refused or failed, the base changed the stack file under a proposal, a
 * history it will not reconcile by itself (`waiting`: a proposal not merged in time). Nothing was applied.
 */
export class GitStop extends Error {
    constructor(
        message: string,
        readonly waiting = false,
    ) {
        super(message);
    }
}

/** Why `name` is no branch name (git check-ref-format's rules), or undefined. Pure. */
export function branchNameProblem(name: string): string | undefined {
    if (!name) return "is empty";
    if (name.startsWith("-")) return "starts with -";
    // eslint-disable-next-line no-control-regex -- git refuses control characters in a ref name; so do we.
    if (/[\x00-\x20\x7f~^:?*[\\]/.test(name)) return "has a space, a control character or one of ~ ^ : ? * [ \\";
    if (name.includes("..") || name.includes("@{") || name === "@") return "has .. or @{, or is @";
    if (name.endsWith(".") || name.split("/").some((c) => c === "" || c.startsWith(".") || c.endsWith(".lock"))) {
        return "has an empty part, a part starting with . or ending with .lock, or ends with .";
    }
    return undefined;
}

/**
 * Why `name` is no remote name the driver takes (letters, digits, `.`, `_`, `-`; a configured remote, not a URL), or
 * undefined. Pure.
 */
export const remoteNameProblem = (name: string): string | undefined =>
    /^[A-Za-z0-9_][A-Za-z0-9._-]*$/.test(name) && !name.includes("..")
        ? undefined
        : "is no remote name (letters, digits, . _ -; a remote of `git remote -v`, not a URL)";

/** The branch checked out, or undefined (detached HEAD). */
export function currentBranch(dir: string): string | undefined {
    try {
        return git(dir, ["symbolic-ref", "--short", "-q", "HEAD"]) || undefined;
    } catch {
        return undefined;
    }
}

/** Before anything changes: the remote is configured, and for propose the base branch is checked out. */
export function checkMode(dir: string, mode: GitMode): void {
    if (mode.kind === "local") return;
    try {
        git(dir, ["remote", "get-url", mode.remote]);
    } catch {
        throw new GitError(`no remote ${mode.remote} in ${repoOf(dir) ?? dir} (git remote -v lists them)`);
    }
    if (mode.kind === "propose" && currentBranch(dir) !== mode.base) {
        throw new GitError(
            `--propose applies a step once it lands on ${mode.base}: check ${mode.base} out first (HEAD is ${currentBranch(dir) ?? "detached"})`,
        );
    }
}

/** The file's path from the repository's top (as `<rev>:<path>` and trees name it). */
const relOf = (file: string) =>
    path
        .relative(repoOf(path.dirname(file))!, fs.realpathSync(file))
        .split(path.sep)
        .join("/");

/** The file's text at `rev` (trimmed, as `git show` prints it), or undefined where it does not exist. */
function textAt(dir: string, rev: string, rel: string): string | undefined {
    try {
        return git(dir, ["show", `${rev}:${rel}`]);
    } catch {
        return undefined;
    }
}

const isAncestor = (dir: string, a: string, b: string) => {
    try {
        git(dir, ["merge-base", "--is-ancestor", a, b]);
        return true;
    } catch {
        return false;
    }
};

/** Git's own words from a failed command (a GitError: `git <args>: <stderr>`): its error lines, without hints. */
const reasonOf = (e: unknown) =>
    (e as Error).message
        .replace(/^git [^\n]*?: /, "")
        .split("\n")
        .map((l) => l.trim().replace(/\s+/g, " "))
        .filter((l) => l && !/^(hint:|To )/.test(l))
        .slice(0, 3)
        .join("; ");

const tracking = (remote: string, branch: string) => `refs/remotes/${remote}/${branch}`;

/** Fetches `<remote> <branch>` into its remote-tracking ref; returns that commit. */
function fetchBranch(dir: string, remote: string, branch: string): string {
    git(dir, ["fetch", "-q", remote, `+refs/heads/${branch}:${tracking(remote, branch)}`]);
    return git(dir, ["rev-parse", tracking(remote, branch)]);
}

const named = (c: Commit | undefined) => (c ? `commit ${c.sha.slice(0, 8)} (${c.author}: ${c.subject})` : "a commit");

/**
 * Before a decision (push and propose): HEAD brought level with `<remote>/<branch>`, so the driver decides on what a
 * person pushed. A remote ahead is fast-forwarded to; the driver's own commits not yet pushed (a driver killed between
 * its commit and its push) are pushed (push mode); a person's unpushed commit or diverged histories stop the driver.
 */
export function syncWith(file: string, mode: GitMode, log: (line: string) => void): void {
    if (mode.kind === "local") return;
    const dir = path.dirname(file);
    const branch = mode.kind === "push" ? mode.branch : mode.base;
    const where = `${mode.remote}/${branch}`;
    const remote = fetchBranch(dir, mode.remote, branch);
    const head = git(dir, ["rev-parse", "HEAD"]);
    if (head === remote) return;
    if (isAncestor(dir, head, remote)) {
        try {
            git(dir, ["merge", "--ff-only", "-q", remote]);
        } catch (e) {
            throw new GitStop(`cannot fast-forward to ${where} (${remote.slice(0, 8)}): ${reasonOf(e)}`);
        }
        log(`fast-forwarded to ${where} (${remote.slice(0, 8)})`);
        return;
    }
    if (!isAncestor(dir, remote, head)) {
        throw new GitStop(
            `HEAD and ${where} have diverged (${where} is at ${named(historyOf(file, 1, remote)[0])} for the stack file): reconcile them, then run again`,
        );
    }
    const ahead = git(dir, [
        "log",
        "--reverse",
        `--format=%H %(trailers:key=${DECISION_TRAILER},valueonly,separator=%x2C)`,
        `${remote}..HEAD`,
    ])
        .split("\n")
        .filter(Boolean)
        .map((l) => l.split(" "));
    const person = ahead.find(([, decision]) => !decision);
    if (mode.kind === "propose" || person) {
        const [sha] = person ?? ahead[0];
        const [, author, subject] = git(dir, ["log", "-1", "--format=%H%x1f%an%x1f%s", sha]).split("\x1f");
        throw new GitStop(
            `HEAD has ${ahead.length} commit(s) not on ${where}, ${person ? "a person's" : "the first"} ${named({ sha, author, subject, date: "" })}: ` +
                `${mode.kind === "propose" ? "propose them" : "push them"} or reset, then run again`,
        );
    }
    pushHead(dir, mode.remote, branch);
    log(`pushed the driver's unpushed commit(s) ${ahead.map(([sha]) => sha.slice(0, 8)).join(", ")} to ${where}`);
}

function pushHead(dir: string, remote: string, branch: string): void {
    git(dir, ["push", "-q", remote, `HEAD:refs/heads/${branch}`]);
}

/**
 * push: the decision's commit `sha` (HEAD) pushed to `<remote> <branch>`. On a refusal (a person pushed first) or any
 * failure the commit is undone (HEAD back to its parent, the stack file as it was) and the driver stops, naming the
 * remote, the branch and the remote's last change of the stack file: nothing is applied that did not reach it.
 */
export function pushDecision(file: string, sha: string, remote: string, branch: string): void {
    const dir = path.dirname(file);
    try {
        pushHead(dir, remote, branch);
    } catch (e) {
        const why = reasonOf(e);
        const undone = git(dir, ["rev-parse", "HEAD"]) === sha;
        if (undone) git(dir, ["reset", "-q", "--keep", `${sha}^`]);
        let there = "";
        try {
            const c = historyOf(file, 1, fetchBranch(dir, remote, branch))[0];
            if (c && !isAncestor(dir, c.sha, sha))
                there = `; ${remote}/${branch} changed the stack file by ${named(c)}: a person's change wins, the next look decides on it`;
        } catch {
            // the remote is unreachable: its reason is in `why`
        }
        throw new GitStop(
            `git push to ${remote} ${branch} failed, so the decision is not applied${undone ? ` and its commit ${sha.slice(0, 8)} is undone` : ""} (${why})${there}`,
        );
    }
}

/** propose: the proposal branch's number, the stack file's version on HEAD plus one. */
export const proposalNumber = (file: string) =>
    Number(git(path.dirname(file), ["rev-list", "--count", "HEAD", "--", path.basename(file)])) + 1;

/**
 * propose: `text` as the stack file, committed on branch `name` from HEAD (neither HEAD nor the working tree move) and
 * pushed to `remote`. The same change already proposed there from the same HEAD (a driver killed while it waited) is
 * taken up again; another change under that name stops the driver. Returns the proposed commit.
 */
export function proposeCommit(
    file: string,
    text: string,
    message: string,
    trailers: Record<string, string>,
    remote: string,
    name: string,
): string {
    const dir = path.dirname(file);
    const top = repoOf(dir)!;
    const rel = relOf(file);
    const head = git(dir, ["rev-parse", "HEAD"]);
    const existing = git(dir, ["ls-remote", remote, `refs/heads/${name}`]).split(/\s/)[0];
    if (existing) {
        git(dir, ["fetch", "-q", remote, `+refs/heads/${name}:${tracking(remote, name)}`]);
        if (git(dir, ["rev-parse", `${existing}^`]) === head && textAt(dir, existing, rel) === text.trim())
            return existing;
        throw new GitStop(
            `a proposal ${name} on ${remote} (commit ${existing.slice(0, 8)}) holds another change: merge or delete it, then run again`,
        );
    }
    const blob = git(top, ["hash-object", "-w", "--stdin"], { input: text });
    const mode = git(top, ["ls-tree", "HEAD", "--", rel]).split(/\s/)[0] || "100644";
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rollout-index-"));
    let sha: string;
    try {
        const env = { GIT_INDEX_FILE: path.join(tmp, "index") };
        git(top, ["read-tree", "HEAD"], { env });
        git(top, ["update-index", "--add", "--cacheinfo", `${mode},${blob},${rel}`], { env });
        sha = git(top, ["commit-tree", git(top, ["write-tree"], { env }), "-p", head, "-F", "-"], {
            input: withTrailers(message, trailers),
        });
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }
    git(dir, ["update-ref", `refs/heads/${name}`, sha]);
    try {
        git(dir, ["push", "-q", remote, `refs/heads/${name}:refs/heads/${name}`]);
    } catch (e) {
        throw new GitStop(
            `git push of the proposal ${name} to ${remote} failed, so the decision is not applied: ${reasonOf(e)}`,
        );
    }
    return sha;
}

/**
 * propose: waits, one `git fetch <remote> <base>` per interval, until the proposal lands on `<remote>/<base>`: the
 * base's stack file is the proposed one (a merge, a squash or a rebase). Then the checked-out base is fast-forwarded to
 * it and the commit that set the stack file there is returned. The base changing the stack file any other way stops the
 * driver naming that commit; no landing within the timeout stops it waiting. `tick` runs at each look (the lease).
 */
export async function waitLanded(
    file: string,
    p: { sha: string; name: string; text: string },
    mode: Extract<GitMode, { kind: "propose" }>,
    o: { log: (line: string) => void; tick?: () => void },
): Promise<string> {
    const dir = path.dirname(file);
    const rel = relOf(file);
    const before = textAt(dir, `${p.sha}^`, rel);
    const where = `${mode.remote}/${mode.base}`;
    const deadline = Date.now() + 1000 * mode.timeoutSeconds;
    o.log(
        `proposed ${p.name} (commit ${p.sha.slice(0, 8)}) on ${mode.remote}: applied once it lands on ${where} (review it, merge it); waiting up to ${mode.timeoutSeconds}s`,
    );
    for (;;) {
        let base: string | undefined;
        try {
            base = fetchBranch(dir, mode.remote, mode.base);
        } catch (e) {
            o.log(`git fetch ${mode.remote} ${mode.base} failed, trying again: ${reasonOf(e)}`);
        }
        if (base) {
            const now = textAt(dir, base, rel);
            if (now === p.text.trim()) {
                try {
                    git(dir, ["merge", "--ff-only", "-q", base]);
                } catch (e) {
                    throw new GitStop(
                        `${p.name} landed on ${where}, but ${mode.base} here cannot fast-forward to it (${reasonOf(e)}): nothing is applied; reconcile ${mode.base}, then run again (the driver applies the landed step)`,
                    );
                }
                return isAncestor(dir, p.sha, base) ? p.sha : historyOf(file, 1, base)[0].sha;
            }
            if (now !== before || isAncestor(dir, p.sha, base)) {
                throw new GitStop(
                    `${where} changed the stack file while ${p.name} waited: ${named(historyOf(file, 1, base)[0])}; a person's change wins, nothing is applied`,
                );
            }
        }
        if (Date.now() >= deadline) {
            throw new GitStop(
                `${p.name} (commit ${p.sha.slice(0, 8)}) is not on ${where} after ${mode.timeoutSeconds}s, so nothing is applied: merge it and run again (the driver then applies it), or delete the branch`,
                true,
            );
        }
        o.tick?.();
        await new Promise((r) => setTimeout(r, 1000 * mode.intervalSeconds));
    }
}
