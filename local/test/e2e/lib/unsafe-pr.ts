// The review spec's unsafe pull request: edits that switch the guard off everywhere but in the base branch's pack.
import { ProjectRepo } from "../../../lib/project-repo";

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
