// A real stack of this project driven through the Automation API: the same CLI, plugins, policy pack and file
// backend a user gets, pointed at the local cluster.
import fs from "node:fs";
import path from "node:path";
import { LocalWorkspace, PulumiCommand, Stack, UpResult, PreviewResult, EngineEvent } from "@pulumi/pulumi/automation";
import { StageName } from "../../rollout/stages";
import { backendDir, clusterKubeconfig, policyDir, projectName, pulumiEnv, repoRoot, toolchainRoot } from "./env";

export interface RolloutStackOptions {
    stack: string;
    namespace: string;
    /** Extra config of the project namespace (e.g. v2Image, v2Fault), as strings. */
    config?: Record<string, string>;
}

export interface RunOptions {
    onOutput?: (line: string) => void;
    onEvent?: (event: EngineEvent) => void;
    /** JSON file with policy pack config (`--policy-pack-config`). */
    policyConfig?: string;
}

export class RolloutStack {
    private constructor(readonly stack: Stack, readonly namespace: string) {}

    static async open(opts: RolloutStackOptions): Promise<RolloutStack> {
        fs.mkdirSync(backendDir, { recursive: true });
        const pulumiCommand = await PulumiCommand.get({ root: toolchainRoot, skipVersionCheck: true });
        const stack = await LocalWorkspace.createOrSelectStack(
            { stackName: `organization/${projectName}/${opts.stack}`, workDir: repoRoot },
            { envVars: pulumiEnv(), pulumiCommand },
        );
        // A script's stack is owned by the script: start from exactly the given config, whatever a crashed
        // earlier run left behind.
        const stale = Object.keys(await stack.getAllConfig()).filter((k) => k.startsWith(`${projectName}:`));
        if (stale.length) await stack.removeAllConfig(stale);
        await stack.setAllConfig({
            [`${projectName}:namespace`]: { value: opts.namespace },
            [`${projectName}:kubeconfig`]: { value: clusterKubeconfig },
            ...Object.fromEntries(Object.entries(opts.config ?? {}).map(([k, v]) => [`${projectName}:${k}`, { value: v }])),
        });
        return new RolloutStack(stack, opts.namespace);
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
        return this.stack.up({ ...this.policy(run), onOutput: run.onOutput, onEvent: run.onEvent, color: "never" });
    }

    preview(run: RunOptions = {}): Promise<PreviewResult> {
        return this.stack.preview({ ...this.policy(run), onOutput: run.onOutput, onEvent: run.onEvent, color: "never" });
    }

    destroy(run: RunOptions = {}) {
        return this.stack.destroy({ onOutput: run.onOutput, color: "never" });
    }

    private policy(run: RunOptions) {
        return { policyPacks: [policyDir], policyPackConfigs: run.policyConfig ? [path.resolve(run.policyConfig)] : undefined };
    }
}
