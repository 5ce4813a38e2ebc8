// Git as the record of decisions: the stack file's history, and one commit per decision. A decision's commit
// carries trailers (`Rollout-Decision: advance`, `Rollout-Stage: canary`), so status and the driver tell their
// own commits from a person's.
import { execFileSync } from "node:child_process";
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

export function git(dir: string, args: string[]): string {
    try {
        return execFileSync("git", args, { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
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

/** The last `n` commits that changed `file`, newest first. */
export function historyOf(file: string, n = 10): Commit[] {
    const dir = path.dirname(file);
    if (!repoOf(dir)) return [];
    const sep = "\x1f";
    const trailer = (key: string) => `%(trailers:key=${key},valueonly,separator=%x2C)`;
    const out = git(dir, ["log", `-n${n}`, `--format=%H${sep}%cI${sep}%an${sep}%s${sep}${trailer(DECISION_TRAILER)}${sep}${trailer(STAGE_TRAILER)}`, "--", path.basename(file)]);
    return out.split("\n").filter(Boolean).map((l) => {
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
    const body = [message, "", ...Object.entries(trailers).map(([k, v]) => `${k}: ${v}`)].join("\n");
    git(dir, ["add", "--", path.basename(file)]);
    git(dir, ["commit", "-q", "-m", body, "--", path.basename(file)]);
    return git(dir, ["rev-parse", "HEAD"]);
}
