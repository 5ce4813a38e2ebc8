// Real Git repositories for the driver's specs, in a temp dir: a bare remote (`remote.git`, branch main), the
// driver's clone (`driver`, remote origin) with a project's Pulumi.yaml and a stack file `Pulumi.dev.yaml` at canary,
// and a person's clone (`person`) who commits and pushes as ana. No cluster, no pulumi; nothing leaves the machine.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import yaml from "js-yaml";

export const PROJECT = "bookinfo-rollout";

export const stackText = (stage: string, extra: Record<string, unknown> = {}) =>
    yaml.dump(
        {
            config: {
                [`${PROJECT}:stage`]: stage,
                [`${PROJECT}:release`]: {
                    stable: { version: "v1", image: "docker.io/istio/examples-bookinfo-reviews-v1:1.20.3" },
                    candidate: { version: "v2", image: "docker.io/istio/examples-bookinfo-reviews-v2:1.20.3" },
                },
                ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [`${PROJECT}:${k}`, v])),
            },
        },
        { lineWidth: -1 },
    );

/** git in `dir`; its output trimmed. */
export function git(dir: string, ...args: string[]): string {
    return execFileSync("git", args, { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

function identity(dir: string, name: string): void {
    git(dir, "config", "user.name", name);
    git(dir, "config", "user.email", `${name.replace(/\W/g, "")}@localhost`);
    git(dir, "config", "commit.gpgsign", "false");
}

export interface Repos {
    root: string;
    bare: string;
    /** The driver's checkout: the project directory. */
    driver: string;
    person: string;
    /** The stack file in the driver's checkout. */
    file: string;
    /** The person writes the stack file, commits it and pushes main; returns the commit. */
    personCommits(text: string, subject: string): string;
    /** The stack file's stage on the bare remote's main. */
    remoteStage(ref?: string): string;
    remove(): void;
}

export function makeRepos(): Repos {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "driver-git-"));
    const bare = path.join(root, "remote.git");
    const driver = path.join(root, "driver");
    const person = path.join(root, "person");
    git(root, "init", "-q", "--bare", "-b", "main", bare);
    git(root, "init", "-q", "-b", "main", driver);
    identity(driver, "rollout driver");
    fs.writeFileSync(path.join(driver, "Pulumi.yaml"), `name: ${PROJECT}\nruntime: nodejs\n`);
    fs.writeFileSync(path.join(driver, "Pulumi.dev.yaml"), stackText("canary"));
    git(driver, "add", ".");
    git(driver, "commit", "-q", "-m", "stack: v2 at canary");
    git(driver, "remote", "add", "origin", bare);
    git(driver, "push", "-q", "origin", "main");
    git(root, "clone", "-q", bare, person);
    identity(person, "ana");
    const repos: Repos = {
        root,
        bare,
        driver,
        person,
        file: path.join(driver, "Pulumi.dev.yaml"),
        personCommits(text, subject) {
            git(person, "pull", "-q", "--ff-only", "origin", "main");
            fs.writeFileSync(path.join(person, "Pulumi.dev.yaml"), text);
            git(person, "commit", "-q", "-am", subject);
            git(person, "push", "-q", "origin", "main");
            return git(person, "rev-parse", "HEAD");
        },
        remoteStage(ref = "main") {
            const doc = yaml.load(git(bare, "show", `${ref}:Pulumi.dev.yaml`)) as { config: Record<string, unknown> };
            return String(doc.config[`${PROJECT}:stage`]);
        },
        remove: () => fs.rmSync(root, { recursive: true, force: true }),
    };
    return repos;
}
