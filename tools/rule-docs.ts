// Prints the pack's rules, in the pack's order, as the README's table and docs/policy.md's list: name, enforcement
// level and the rule's own `description` (policy/rules/<rule>.ts), the one text that says what a rule enforces and
// why, so no doc retypes it. `--write FILE...` replaces the rule-docs blocks in each FILE instead.
import { readFileSync, writeFileSync } from "fs";
import { PackContext } from "../policy/lib/context";
import { policies } from "../policy/policies";

const NOTE = "(generated from each rule's description by `npm run docs:rules`)";
const marker = (kind: Kind, edge: "begin" | "end") =>
    `<!-- rule-docs:${kind}:${edge}${edge === "begin" ? ` ${NOTE}` : ""} -->`;

export interface RuleDoc {
    name: string;
    level: string;
    description: string;
}

/** The pack's rules as the docs show them; building them reads nothing. */
export function ruleDocs(): RuleDoc[] {
    return policies(() => Promise.reject<PackContext>(new Error("not read by the docs"))).map((p) => ({
        name: p.name,
        level: p.enforcementLevel ?? "advisory",
        description: p.description,
    }));
}

const FORMATS = {
    /** The README's table. */
    table: (rules: RuleDoc[]) => [
        "| Rule | Level | What it enforces, and why |",
        "|---|---|---|",
        ...rules.map((r) => `| \`${r.name}\` | ${r.level} | ${r.description.replace(/\|/g, "\\|")} |`),
    ],
    /** docs/policy.md's list. */
    list: (rules: RuleDoc[]) => rules.map((r) => `- \`${r.name}\` (${r.level}): ${r.description}`),
};
type Kind = keyof typeof FORMATS;

/** FILE's text with every rule-docs block (table or list) filled; throws when it has none, or a broken one. */
export function withRuleDocs(text: string, file: string, rules: RuleDoc[] = ruleDocs()): string {
    let filled = 0;
    for (const kind of Object.keys(FORMATS) as Kind[]) {
        const [begin, end] = [marker(kind, "begin"), marker(kind, "end")];
        const at = text.indexOf(begin);
        if (at < 0) continue;
        const to = text.indexOf(end, at);
        if (to < 0) throw new Error(`${file}: "${begin}" has no "${end}"`);
        text = `${text.slice(0, at + begin.length)}\n${FORMATS[kind](rules).join("\n")}\n${text.slice(to)}`;
        filled++;
    }
    if (filled === 0)
        throw new Error(
            `${file} has no rule-docs block to fill ("${marker("table", "begin")}" or "${marker("list", "begin")}" ... end)`,
        );
    return text;
}

if (require.main === module) {
    const at = process.argv.indexOf("--write");
    if (at < 0) {
        const rules = ruleDocs();
        console.log([...FORMATS.table(rules), "", ...FORMATS.list(rules)].join("\n"));
    } else {
        const files = process.argv.slice(at + 1);
        if (files.length === 0) throw new Error("--write needs files, e.g. --write README.md docs/policy.md");
        for (const file of files) writeFileSync(file, withRuleDocs(readFileSync(file, "utf8"), file));
    }
}
