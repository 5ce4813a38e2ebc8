// A real stack of this project driven through the Automation API: the same CLI, plugins, policy pack and file
// backend a user gets, pointed at the local cluster.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { LocalWorkspace, PulumiCommand, Stack, UpResult, PreviewResult, EngineEvent } from "@pulumi/pulumi/automation";
import { Release } from "../../rollout/release";
import { StageName } from "../../rollout/stages";
import {
    backendDir,
    clusterKubeconfig,
    policyDir,
    projectName,
    pulumiEnv,
    repoRoot,
    toolchainBin,
    toolchainRoot,
} from "./env";

export interface RolloutStackOptions {
    stack: string;
    namespace: string;
    /** Extra config of the project namespace, as strings. */
    config?: Record<string, string>;
    /** The release to start with (set with `config set --path`, as a team would). */
    release?: Release;
    /** Another file backend directory than the rig's (a second backend holding a stack of the same name). */
    backendDir?: string;
}

export interface RunOptions {
    onOutput?: (line: string) => void;
    onEvent?: (event: EngineEvent) => void;
    /** JSON file with policy pack config (`--policy-pack-config`). */
    policyConfig?: string;
    /** Run without the policy pack: a plain `pulumi up`, as anyone may type it. */
    noPolicyPack?: boolean;
    /** `--target` URNs. */
    target?: string[];
    /** `--refresh`: read every resource's live state first (drift from hand edits becomes a diff). */
    refresh?: boolean;
    /** `--replace` URNs. */
    replace?: string[];
}

export class RolloutStack {
    private constructor(
        readonly stack: Stack,
        readonly namespace: string,
        private readonly env: Record<string, string>,
    ) {}

    static async open(opts: RolloutStackOptions): Promise<RolloutStack> {
        const dir = opts.backendDir ?? backendDir;
        fs.mkdirSync(dir, { recursive: true });
        const env = { ...pulumiEnv(), PULUMI_BACKEND_URL: `file://${dir}` };
        const pulumiCommand = await PulumiCommand.get({ root: toolchainRoot, skipVersionCheck: true });
        const stack = await LocalWorkspace.createOrSelectStack(
            { stackName: `organization/${projectName}/${opts.stack}`, workDir: repoRoot },
            { envVars: env, pulumiCommand },
        );
        // A script's stack is owned by the script: start from exactly the given config, whatever a crashed
        // earlier run left behind.
        const stale = Object.keys(await stack.getAllConfig()).filter((k) => k.startsWith(`${projectName}:`));
        if (stale.length) await stack.removeAllConfig(stale);
        await stack.setAllConfig({
            [`${projectName}:namespace`]: { value: opts.namespace },
            [`${projectName}:kubeconfig`]: { value: clusterKubeconfig },
            ...Object.fromEntries(
                Object.entries(opts.config ?? {}).map(([k, v]) => [`${projectName}:${k}`, { value: v }]),
            ),
        });
        const rollout = new RolloutStack(stack, opts.namespace, env);
        if (opts.release) await rollout.setRelease(opts.release);
        return rollout;
    }

    /**
     * Sets the release key by key with `--path`, as a pull request would (`release.stable.version` ...). No
     * candidate removes release.candidate.
     */
    async setRelease(release: Release & { candidate?: { stars?: string } }): Promise<void> {
        if (`${projectName}:release` in (await this.stack.getAllConfig()))
            await this.stack.removeConfig(`${projectName}:release`);
        const leaves: [string, string][] = [];
        for (const [role, v] of Object.entries(release)) {
            if (v) for (const [field, value] of Object.entries(v)) leaves.push([`${role}.${field}`, String(value)]);
        }
        for (const [leaf, value] of leaves)
            await this.stack.setConfig(`${projectName}:release.${leaf}`, { value }, true);
    }

    setStage(stage: StageName | string): Promise<void> {
        return this.stack.setConfig(`${projectName}:stage`, { value: stage });
    }

    setConfig(key: string, value: string): Promise<void> {
        return this.stack.setConfig(`${projectName}:${key}`, { value });
    }

    removeConfig(key: string): Promise<void> {
        return this.stack.removeConfig(`${projectName}:${key}`);
    }

    up(run: RunOptions = {}): Promise<UpResult> {
        return this.stack.up({
            ...this.policy(run),
            target: run.target,
            replace: run.replace,
            refresh: run.refresh,
            onOutput: run.onOutput,
            onEvent: run.onEvent,
            color: "never",
        });
    }

    preview(run: RunOptions = {}): Promise<PreviewResult> {
        return this.stack.preview({
            ...this.policy(run),
            onOutput: run.onOutput,
            onEvent: run.onEvent,
            color: "never",
        });
    }

    /**
     * Destroys the stack the documented way: the protection taken off first (`pulumi state unprotect --all`, what
     * `protect false` + `up` would do without converging the stage), then `pulumi destroy`.
     */
    async destroy(run: RunOptions = {}) {
        await this.unprotect();
        return this.stack.destroy({ onOutput: run.onOutput, color: "never" });
    }

    /** `pulumi state unprotect --all`: a plain destroy is refused while the Namespace is protected. */
    async unprotect(): Promise<void> {
        this.cli("state", "unprotect", "--all", "--yes");
    }

    /** The pulumi CLI on this stack, for what the Automation API does not offer (state edits); its stdout. */
    cli(...args: string[]): string {
        return execFileSync(
            path.join(toolchainBin, "pulumi"),
            [...args, "--stack", this.stack.name, "--color", "never"],
            {
                cwd: repoRoot,
                env: { ...process.env, ...this.env },
                encoding: "utf8",
                stdio: ["ignore", "pipe", "pipe"],
            },
        );
    }

    private policy(run: RunOptions) {
        if (run.noPolicyPack) return {};
        return {
            policyPacks: [policyDir],
            policyPackConfigs: run.policyConfig ? [path.resolve(run.policyConfig)] : undefined,
        };
    }
}
