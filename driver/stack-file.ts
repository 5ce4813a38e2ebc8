// The stack file `Pulumi.<stack>.yaml`, the driver's record of what is configured: read and validated like the
// program reads its config, and edited in place (one key's line) so a commit's diff is the decision and nothing else.
import fs from "node:fs";
import path from "node:path";
import yaml from "js-yaml";
import { parseRolloutConfig, StageConfig } from "../rollout/config";

export interface StackFile {
    /** The stack's short name (the file's `<stack>`). */
    stack: string;
    project: string;
    /** Absolute path of Pulumi.<stack>.yaml. */
    file: string;
    /** The project directory (where Pulumi.yaml is). */
    dir: string;
    config: StageConfig;
}

export class StackFileError extends Error {}

/** `organization/bookinfo-rollout/dev` or `dev`: the file is named by the last part. */
export const shortName = (stack: string) => stack.split("/").pop()!;

export function projectOf(dir: string): string {
    const doc = yaml.load(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8")) as { name?: string };
    if (!doc?.name) throw new StackFileError(`${path.join(dir, "Pulumi.yaml")} names no project`);
    return doc.name;
}

export function readStackFile(dir: string, stack: string): StackFile {
    const project = projectOf(dir);
    const file = path.join(dir, `Pulumi.${shortName(stack)}.yaml`);
    if (!fs.existsSync(file))
        throw new StackFileError(`no stack file ${file}: is ${stack} a stack of ${project} (\`pulumi stack ls\`)?`);
    const doc = (yaml.load(fs.readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
    const prefix = `${project}:`;
    const raw = Object.fromEntries(
        Object.entries(doc.config ?? {})
            .filter(([k]) => k.startsWith(prefix))
            .map(([k, v]) => [k.slice(prefix.length), v]),
    );
    return { stack: shortName(stack), project, file, dir, config: parseRolloutConfig(raw, project) };
}

/**
 * The stack file's text with the plain (one-line) key `<project>:<key>` set to `value`: the key's line replaced (or
 * added under `config:`), every other byte kept. Values are written as JSON strings, which YAML reads alike.
 */
export function withKey(text: string, project: string, key: "stage" | "pause" | "approved", value: string): string {
    const full = `${project}:${key}`;
    const entry = `${full}: ${JSON.stringify(value)}`;
    const line = new RegExp(`^(\\s+)${full.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:.*$`, "m");
    if (line.test(text)) return text.replace(line, (_, indent: string) => `${indent}${entry}`);
    if (/^config:\s*$/m.test(text)) return text.replace(/^config:\s*$/m, `config:\n  ${entry}`);
    return `${text.replace(/\n*$/, "\n")}config:\n  ${entry}\n`;
}
