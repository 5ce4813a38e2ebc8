// A throwaway git repository holding a copy of this project's product (its HEAD, without local/), for the specs and
// the demo that need a repository of their own: the review spec (a base commit, a "pull request" on top, `npm run
// review` inside it) and the driver (a stack file whose every decision is a commit).
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import yaml from "js-yaml";
import { clusterKubeconfig, projectName, repoRoot } from "./env";

export interface Run {
    status: number;
    output: string;
}

/** Commits made through this class are a person's (the driver commits as whoever runs it). */
const IDENTITY = ["-c", "user.name=a person", "-c", "user.email=person@localhost", "-c", "commit.gpgsign=false"];

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
        const archive = spawnSync("git", ["archive", "--format=tar", "HEAD", "--", ".", ":(exclude)local"], {
            cwd: repoRoot,
            maxBuffer: 512 * 1024 * 1024,
        });
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

    /**
     * Links this checkout's compiled program and policy pack (`npm run build`) into the copy, as a checkout that
     * deploys has them: without `policy/dist` every `up` would compile the pack with ts-node first (about 15 s here).
     * Not for the review spec, whose base pack must be the base commit's own.
     */
    linkBuild(): void {
        for (const built of ["dist", "policy/dist"])
            fs.symlinkSync(path.join(repoRoot, built), this.file(built), "dir");
        fs.appendFileSync(this.file(".git/info/exclude"), "dist\npolicy/dist\n");
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

    /**
     * Writes `Pulumi.<stack>.yaml` as a person would: the rig's kubeconfig, `protect` off (a spec's stack is
     * destroyed), the given keys of this project; the passphrase salt `pulumi stack init` wrote is kept, or the
     * next `up` would add a new one.
     */
    writeStackFile(stack: string, config: Record<string, unknown>): void {
        const name = `Pulumi.${stack}.yaml`;
        const salt = fs.existsSync(this.file(name))
            ? this.read(name)
                  .split("\n")
                  .filter((l) => l.startsWith("encryptionsalt:"))
            : [];
        const keys = { kubeconfig: clusterKubeconfig, protect: false, ...config };
        const doc = { config: Object.fromEntries(Object.entries(keys).map(([k, v]) => [`${projectName}:${k}`, v])) };
        this.write(name, [...salt, yaml.dump(doc, { lineWidth: -1 })].join("\n"));
    }

    /** Replaces `pattern` in a file; throws (naming `why`) when the file no longer has it. */
    edit(name: string, pattern: RegExp, replacement: string, why: string): void {
        const before = this.read(name);
        const after = before.replace(pattern, replacement);
        if (after === before) {
            throw new Error(
                `${name} no longer matches ${pattern} (${why}): update local/test/e2e/lib/unsafe-pr.ts to the new ${name}`,
            );
        }
        this.write(name, after);
    }

    /** Runs a command in the repository; output is kept, not echoed. */
    run(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 14 * 60_000): Run {
        const r = spawnSync(cmd, args, {
            cwd: this.dir,
            env,
            encoding: "utf8",
            timeout: timeoutMs,
            maxBuffer: 256 * 1024 * 1024,
        });
        if (r.error) throw new Error(`${cmd} ${args.join(" ")}: ${r.error.message}`);
        return { status: r.status ?? 1, output: `${r.stdout}${r.stderr}` };
    }

    /**
     * The same without blocking: the event loop stays free (a load generator in this process keeps sending). Each
     * output line is also passed to `onLine` as it comes.
     */
    runAsync(cmd: string, args: string[], env: NodeJS.ProcessEnv, onLine?: (line: string) => void): Promise<Run> {
        return new Promise((resolve, reject) => {
            const child = spawn(cmd, args, { cwd: this.dir, env });
            let output = "";
            let partial = "";
            const take = (d: Buffer) => {
                output += String(d);
                const lines = (partial + String(d)).split("\n");
                partial = lines.pop()!;
                if (onLine) lines.forEach(onLine);
            };
            child.stdout.on("data", take);
            child.stderr.on("data", take);
            child.on("error", (e) => reject(new Error(`${cmd} ${args.join(" ")}: ${e.message}`)));
            child.on("close", (code, signal) => {
                if (partial && onLine) onLine(partial);
                resolve({ status: code ?? (signal ? 128 : 1), output });
            });
        });
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
