// What the driver's end-to-end specs and benchmark share: a Git repository holding a copy of the product
// (ProjectRepo) with a stack of its own on the rig's file backend; the driver's real CLI run in it (blocking, or
// spawned in a process group of its own so a kill -9 takes the driver and the `pulumi up` it started together, as a
// lost runner would); the stack file's history as (decision, stage) pairs read from Git; the Pulumi checkpoint's
// pending operations; and the README's recovery of a killed `up` ("When an `up` was killed"), run in that repository.
import assert from "node:assert/strict";
import { ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import yaml from "js-yaml";
import { backendDir, projectName, pulumiEnv } from "./env";
import { ProjectRepo, Run } from "./project-repo";

export const image = (version: string, tag = "1.20.3") => `docker.io/istio/examples-bookinfo-reviews-${version}:${tag}`;

/** The last lines of a run, for an assertion's message. */
export const show = (r: Run) => `--- exit ${r.status} ---\n${r.output.split("\n").slice(-60).join("\n")}`;

export interface Spawned extends ChildProcess {
    /** Everything it printed so far, stdout and stderr interleaved. */
    text(): string;
    /** Its exit code once it ends (128 + nothing for a signal: see `signal`). */
    done: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** One entry per commit of the stack file, oldest first. */
export interface StackCommit {
    sha: string;
    /** The Rollout-Decision trailer, or `person` for a commit without one. */
    decision: string;
    /** The stage key at that commit. */
    stage: string;
    subject: string;
}

export class DriverRig {
    readonly stackFile: string;
    readonly repo: ProjectRepo;
    /** The driver commits as whoever runs it: here a named identity, so its commits are told from a person's. */
    readonly env: NodeJS.ProcessEnv;
    private readonly children: Spawned[] = [];

    private constructor(
        readonly stack: string,
        readonly namespace: string,
    ) {
        this.stackFile = `Pulumi.${stack}.yaml`;
        this.repo = ProjectRepo.create();
        this.env = {
            ...process.env,
            ...pulumiEnv(),
            USER: "release-manager",
            GIT_AUTHOR_NAME: "rollout driver",
            GIT_AUTHOR_EMAIL: "driver@localhost",
            GIT_COMMITTER_NAME: "rollout driver",
            GIT_COMMITTER_EMAIL: "driver@localhost",
        };
    }

    /** The repository with the compiled program and pack linked in, and the stack created on the rig's file backend. */
    static create(stack: string, namespace: string): DriverRig {
        const rig = new DriverRig(stack, namespace);
        fs.mkdirSync(backendDir, { recursive: true });
        rig.repo.linkBuild();
        const init = rig.pulumi(["stack", "init", rig.stackRef, "--non-interactive"]);
        assert.equal(init.status, 0, `pulumi stack init: ${init.output}`);
        return rig;
    }

    /**
     * A rig whose stack runs `config` (its release, stage `stable` unless given) after a person's first `up`,
     * committed as `stack: <stable version> at stable`.
     */
    static deployed(
        stack: string,
        namespace: string,
        config: { release: { stable: { version: string } } } & Record<string, unknown>,
    ): DriverRig {
        const rig = DriverRig.create(stack, namespace);
        rig.writeStack({ stage: "stable", ...config });
        rig.repo.commitAll(`stack: ${config.release.stable.version} at stable`);
        const up = rig.up();
        assert.equal(up.status, 0, `first up: ${show(up)}`);
        return rig;
    }

    get stackRef(): string {
        return `organization/${projectName}/${this.stack}`;
    }

    pulumi(args: string[], timeoutMs?: number): Run {
        return this.repo.run("pulumi", args, this.env, timeoutMs);
    }

    /** A person's `pulumi up` with the policy pack. */
    up(): Run {
        return this.pulumi(["up", "--yes", "--skip-preview", "--stack", this.stack, "--policy-pack", "policy"]);
    }

    writeStack(config: Record<string, unknown>): void {
        this.repo.writeStackFile(this.stack, { namespace: this.namespace, ...config });
    }

    /** The driver's CLI, blocking (only while no load generator runs in this process: it stops the event loop). */
    cli(args: string[], timeoutMs = 10 * 60_000): Run {
        return this.repo.run(
            "node_modules/.bin/ts-node",
            ["--transpile-only", "driver/cli.ts", ...args],
            this.env,
            timeoutMs,
        );
    }

    /** The same without blocking. */
    cliAsync(args: string[]): Promise<Run> {
        return this.repo.runAsync(
            "node_modules/.bin/ts-node",
            ["--transpile-only", "driver/cli.ts", ...args],
            this.env,
        );
    }

    /** The driver's CLI in a process group of its own: `kill9` ends it and every process it started. */
    spawnCli(args: string[]): Spawned {
        const child = spawn("node_modules/.bin/ts-node", ["--transpile-only", "driver/cli.ts", ...args], {
            cwd: this.repo.dir,
            env: this.env,
            detached: true,
        }) as Spawned;
        let out = "";
        child.stdout!.on("data", (d) => (out += String(d)));
        child.stderr!.on("data", (d) => (out += String(d)));
        child.text = () => out;
        child.done = new Promise((r) => child.once("close", (code, signal) => r({ code, signal })));
        this.children.push(child);
        return child;
    }

    /** SIGKILL to the process group: the driver, its ts-node, and the `pulumi up` (and plugins) it runs. */
    kill9(child: Spawned): void {
        try {
            process.kill(-child.pid!, "SIGKILL");
        } catch {
            // already gone
        }
    }

    /** Waits until `cond` holds (every 100 ms); false when `child` ended first or the time is up. */
    async until(cond: () => boolean, child: Spawned | undefined, seconds: number): Promise<boolean> {
        const deadline = Date.now() + 1000 * seconds;
        for (;;) {
            if (cond()) return true;
            if ((child && child.exitCode !== null) || (child && child.signalCode !== null)) return cond();
            if (Date.now() > deadline) return false;
            await new Promise((r) => setTimeout(r, 100));
        }
    }

    /** The stack file at each of its commits, oldest first, with the decision trailer. */
    stageLog(): StackCommit[] {
        return this.repo
            .git(
                "log",
                "--reverse",
                "--format=%H %(trailers:key=Rollout-Decision,valueonly,separator=%x2C)%x09%s",
                "--",
                this.stackFile,
            )
            .split("\n")
            .filter(Boolean)
            .map((l) => {
                const [head, subject] = l.split("\t");
                const [sha, decision] = head.split(" ");
                const c = this.configAt(sha);
                return { sha, decision: decision || "person", stage: String(c.stage), subject };
            });
    }

    /** The driver's commits as `<decision> <stage>`, after the commit `since` (a sha), oldest first. */
    decisionsSince(since: string): string[] {
        const log = this.stageLog();
        const from = log.findIndex((c) => c.sha === since);
        assert.ok(from >= 0, `no commit ${since} in the stack file's history`);
        return log.slice(from + 1).map((c) => `${c.decision} ${c.stage}`);
    }

    /** This project's config keys (without the project prefix) at a commit, or in the working tree. */
    configAt(sha?: string): Record<string, unknown> {
        const text = sha ? this.repo.git("show", `${sha}:${this.stackFile}`) : this.repo.read(this.stackFile);
        const c = (yaml.load(text) as { config: Record<string, unknown> }).config;
        return Object.fromEntries(
            Object.entries(c)
                .filter(([k]) => k.startsWith(`${projectName}:`))
                .map(([k, v]) => [k.slice(projectName.length + 1), v]),
        );
    }

    head(): string {
        return this.repo.git("rev-parse", "HEAD");
    }

    /** The full message of a commit. */
    message(sha = "HEAD"): string {
        return this.repo.git("log", "-1", "--format=%B", sha);
    }

    /** `status --json`. */
    status(): { stage: { live: string; configured: string; differs: boolean }; release: unknown; pods: unknown[] } {
        const r = this.cli(["status", this.stack, "--json"]);
        assert.equal(r.status, 0, show(r));
        return JSON.parse(r.output);
    }

    /** The same without blocking the event loop (a load generator in this process keeps sending). */
    async statusAsync(): Promise<ReturnType<DriverRig["status"]>> {
        const r = await this.cliAsync(["status", this.stack, "--json"]);
        assert.equal(r.status, 0, show(r));
        return JSON.parse(r.output);
    }

    /** The pending operations of the stack's checkpoint: what a kill now would leave behind. */
    pendingOperations(): { resource?: { urn?: string }; type?: string }[] {
        try {
            const file = path.join(backendDir, ".pulumi", "stacks", projectName, `${this.stack}.json`);
            return JSON.parse(fs.readFileSync(file, "utf8")).checkpoint?.latest?.pending_operations ?? [];
        } catch {
            return []; // mid-write (a temp file, then renamed): read again
        }
    }

    /** The stack's lock files on the file backend (a killed `up` leaves its own). */
    locks(): string[] {
        const root = path.join(backendDir, ".pulumi", "locks");
        const dirs = fs.existsSync(root)
            ? fs
                  .readdirSync(root, { recursive: true, encoding: "utf8" })
                  .filter((d) => path.basename(d) === this.stack)
                  .map((d) => path.join(root, d))
                  .filter((d) => fs.statSync(d).isDirectory())
            : [];
        return dirs.flatMap((d) => fs.readdirSync(d).map((f) => path.join(d, f)));
    }

    /**
     * The README's procedure after a killed `up`, but its last step (`pulumi up`, which the driver's `apply` runs):
     * an empty checkpoint sidecar removed (file backend), `pulumi cancel` (the dead process's lock), `pulumi refresh
     * --clear-pending-creates` (the state reconciled with the cluster).
     */
    recoverKilledUp(): { cancel: Run; refresh: Run } {
        const stacks = path.join(backendDir, ".pulumi", "stacks", projectName);
        for (const f of fs
            .readdirSync(stacks)
            .filter((f) => f.startsWith(`${this.stack}.json`) && f.endsWith(".attrs")))
            if (fs.statSync(path.join(stacks, f)).size === 0) fs.rmSync(path.join(stacks, f));
        const cancel = this.pulumi(["cancel", "--yes", "--stack", this.stack]);
        const refresh = this.pulumi([
            "refresh",
            "--yes",
            "--skip-preview",
            "--clear-pending-creates",
            "--non-interactive",
            "--stack",
            this.stack,
        ]);
        return { cancel, refresh };
    }

    /** Ends what is still running (SIGKILL to each group), destroys the stack and removes the repository. */
    async cleanUp(): Promise<void> {
        for (const c of this.children) if (c.exitCode === null && c.signalCode === null) this.kill9(c);
        await Promise.all(this.children.map((c) => c.done));
        if (process.env.KEEP_DRIVER_REPO) return console.log(`      repository kept in ${this.repo.dir}`);
        if (this.locks().length > 0) this.pulumi(["cancel", "--yes", "--stack", this.stack]);
        this.pulumi(["destroy", "--yes", "--skip-preview", "--stack", this.stack]);
        this.pulumi(["stack", "rm", "--yes", "--force", "--non-interactive", "--stack", this.stackRef]);
        this.repo.remove();
    }
}
