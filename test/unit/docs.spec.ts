// The docs stay true: docs/policy.md's rule list and the README's rule table are the generator's output from the
// rules themselves (name, level, each rule's description), listing exactly the pack's rules in the pack's order;
// the README's stage table and diagram are the generator's output from the stage tables.
import * as assert from "assert";
import { readFileSync } from "fs";
import * as path from "path";
import { ruleDocs, withRuleDocs } from "../../tools/rule-docs";
import { withStageDocs } from "../../tools/stage-docs";

const root = path.join(__dirname, "../..");
/** The pack's rules; building them reads nothing. */
const RULES = ruleDocs().map((r) => `${r.name} ${r.level}`);

/** The lines of a Markdown file's section, from its heading to the next heading of the same level. */
function section(file: string, heading: string): string[] {
    const lines = readFileSync(path.join(root, file), "utf8").split("\n");
    const start = lines.indexOf(heading);
    assert.ok(start >= 0, `${file} has no "${heading}" section`);
    const level = heading.split(" ")[0];
    const end = lines.findIndex((l, i) => i > start && l.startsWith(`${level} `));
    return lines.slice(start + 1, end < 0 ? undefined : end);
}

describe("the docs stay true", () => {
    it("docs/policy.md's Rules list: `- \\`name\\` (level): ...`, one line each", () => {
        const listed = section("docs/policy.md", "## Rules")
            .map((l) => /^- `([a-z0-9-]+)` \((mandatory|advisory)\): \S/.exec(l))
            .filter((m): m is RegExpExecArray => m !== null)
            .map((m) => `${m[1]} ${m[2]}`);
        assert.deepStrictEqual(listed, RULES);
    });

    it("README.md's rule table: `| \\`name\\` | level | ... |`", () => {
        const listed = section("README.md", "## The policy pack")
            .map((l) => /^\| `([a-z0-9-]+)` \| (mandatory|advisory) \|/.exec(l))
            .filter((m): m is RegExpExecArray => m !== null)
            .map((m) => `${m[1]} ${m[2]}`);
        assert.deepStrictEqual(listed, RULES);
    });

    for (const file of ["README.md", "docs/policy.md"]) {
        it(`${file} holds each rule's current description (npm run docs:rules)`, () => {
            const text = readFileSync(path.join(root, file), "utf8");
            assert.strictEqual(
                withRuleDocs(text, file),
                text,
                `${file} drifted from the rules' descriptions: run npm run docs:rules`,
            );
        });
    }

    it("every rule has a description that says why (a colon before the reason), one line", () => {
        for (const r of ruleDocs()) assert.match(r.description, /^[^\n]+: [^\n]+$/, r.name);
    });

    it("README.md holds the current stage table and diagram (npm run docs:stages)", () => {
        const file = path.join(root, "README.md");
        const text = readFileSync(file, "utf8");
        assert.strictEqual(withStageDocs(text, file), text);
    });
});
