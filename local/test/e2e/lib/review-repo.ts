// A throwaway git repository holding a copy of this project's product, for the review spec: a base commit, then
// a "pull request" branch on top, and `npm run review` run inside it with the rig's environment.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { repoRoot } from "../../../lib/env";

export interface Run {
    status: number;
    output: string;
}

const IDENTITY = ["-c", "user.name=review spec", "-c", "user.email=review-spec@localhost", "-c", "commit.gpgsign=false"];

export class ProjectRepo {
    private constructor(readonly dir: string) {}

    /**
     * A new repository in a temp dir with the product files of this checkout's HEAD (everything but local/), the
     * file under test (tools/review.ts) as it is in the working tree, and this checkout's node_modules linked in.
     * Commits it on branch `main` as the base.
     */
    static create(): ProjectRepo {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bookinfo-review-spec-"));
        const repo = new ProjectRepo(dir);
        const archive = spawnSync("git", ["archive", "--format=tar", "HEAD", "--", ".", ":(exclude)local"], { cwd: repoRoot, maxBuffer: 512 * 1024 * 1024 });
        if (archive.status !== 0) throw new Error(`git archive failed: ${archive.stderr}`);
        const untar = spawnSync("tar", ["-x", "-C", dir], { input: archive.stdout });
        if (untar.status !== 0) throw new Error(`tar failed: ${untar.stderr}`);
        fs.copyFileSync(path.join(repoRoot, "tools", "review.ts"), path.join(dir, "tools", "review.ts"));
        for (const modules of ["node_modules", "policy/node_modules"]) {
            fs.symlinkSync(path.join(repoRoot, modules), path.join(dir, modules), "dir");
        }
        repo.git("init", "--quiet", "--initial-branch", "main");
        // .gitignore's `node_modules/` matches directories only, not the links.
        fs.appendFileSync(path.join(dir, ".git", "info", "exclude"), "node_modules\npolicy/node_modules\n");
        repo.commitAll("base: the product as on main");
        return repo;
    }

    git(...args: string[]): string {
        const r = spawnSync("git", [...IDENTITY, ...args], { cwd: this.dir, encoding: "utf8" });
        if (r.status !== 0) throw new Error(`git ${args.join(" ")} failed: ${r.stderr}`);
        return r.stdout.trim();
    }

    commitAll(message: string): string {
        this.git("add", "-A");
        this.git("commit", "--quiet", "--no-verify", "-m", message);
        return this.git("rev-parse", "HEAD");
    }

    file(name: string): string {
        return path.join(this.dir, name);
    }

    read(name: string): string {
        return fs.readFileSync(this.file(name), "utf8");
    }

    write(name: string, text: string): void {
        fs.mkdirSync(path.dirname(this.file(name)), { recursive: true });
        fs.writeFileSync(this.file(name), text);
    }

    /** Replaces `pattern` in a file; throws (naming `why`) when the file no longer has it. */
    edit(name: string, pattern: RegExp, replacement: string, why: string): void {
        const before = this.read(name);
        const after = before.replace(pattern, replacement);
        if (after === before) {
            throw new Error(`${name} no longer matches ${pattern} (${why}): update local/test/e2e/lib/review-repo.ts to the new ${name}`);
        }
        this.write(name, after);
    }

    /** Runs a command in the repository; output is kept, not echoed. */
    run(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 14 * 60_000): Run {
        const r = spawnSync(cmd, args, { cwd: this.dir, env, encoding: "utf8", timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024 });
        if (r.error) throw new Error(`${cmd} ${args.join(" ")}: ${r.error.message}`);
        return { status: r.status ?? 1, output: `${r.stdout}${r.stderr}` };
    }

    /** `npm run review -- <args>` in the repository. */
    review(args: string[], env: NodeJS.ProcessEnv): Run {
        return this.run("npm", ["run", "--silent", "review", "--", ...args], env);
    }

    /** Worktrees git knows of besides the repository itself. */
    extraWorktrees(): string[] {
        return this.git("worktree", "list", "--porcelain")
            .split("\n")
            .filter((l) => l.startsWith("worktree "))
            .map((l) => l.slice("worktree ".length))
            .filter((w) => fs.realpathSync.native(this.dir) !== w && this.dir !== w);
    }

    remove(): void {
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}

/** The pull request's edits that switch the guard off everywhere but in the base's pack. */
export const UNSAFE_PR = {
    /** A pack config that disables every rule (the `all` key sets the enforcement level of all policies). */
    packConfig: { name: "policy/config.json", text: `${JSON.stringify({ all: "disabled" }, null, 2)}\n` },
    /** The pack's entry point, with the stage guard made to report nothing. */
    packIndex: {
        name: "policy/index.ts",
        text: [
            `import { PolicyPack } from "@pulumi/policy";`,
            ``,
            `new PolicyPack("bookinfo-rollout", {`,
            `    policies: [{ name: "reviews-stage-move-allowed", description: "every move is fine", enforcementLevel: "mandatory", validateResource: () => {} }],`,
            `});`,
            ``,
        ].join("\n"),
    },
    /** The program's own check: refuse() returns instead of throwing, so the program declares the refused stage. */
    program: {
        name: "program.ts",
        pattern: /(function refuse\([^)]*\)\s*:\s*never\s*\{)[^}]*(\})/,
        replacement: "$1\n    return undefined as never;\n$2",
        why: "the program's refusal helper, which the pull request switches off",
    },
};

/** Files the unsafe pull request edits (besides the stack file it adds). */
export const UNSAFE_PR_FILES = [UNSAFE_PR.packConfig.name, UNSAFE_PR.packIndex.name, UNSAFE_PR.program.name];

export function applyUnsafePr(repo: ProjectRepo): void {
    repo.write(UNSAFE_PR.packConfig.name, UNSAFE_PR.packConfig.text);
    repo.write(UNSAFE_PR.packIndex.name, UNSAFE_PR.packIndex.text);
    const p = UNSAFE_PR.program;
    repo.edit(p.name, p.pattern, p.replacement, p.why);
}
