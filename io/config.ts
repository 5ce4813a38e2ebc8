// Reads every `<project>:*` key of the stack's config (unknown keys included) and validates it (rollout/config.ts).
import * as pulumi from "@pulumi/pulumi";
import { parseRolloutConfig, RolloutInputError, StageConfig } from "../rollout/config";

export function readStageConfig(project: string = pulumi.getProject()): StageConfig {
    const prefix = `${project}:`;
    const raw = Object.fromEntries(
        Object.entries(pulumi.runtime.allConfig())
            .filter(([k]) => k.startsWith(prefix))
            .map(([k, v]) => [k.slice(prefix.length), v]),
    );
    try {
        return parseRolloutConfig(raw, project);
    } catch (e) {
        throw e instanceof RolloutInputError ? new pulumi.RunError(e.message) : e;
    }
}
