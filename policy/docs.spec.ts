// The README stays true: its stage table and diagram are the generator's current output, and its rule table
// lists every rule of the pack with its enforcement level.
import * as assert from "assert";
import { readFileSync } from "fs";
import * as path from "path";
import { withStageDocs } from "../tools/stage-docs";
import { POLICIES } from "./policies";

const file = path.join(__dirname, "..", "README.md");

describe("README.md", () => {
    const text = readFileSync(file, "utf8");

    it("holds the current stage table and transition diagram (npm run docs:stages)", () => {
        assert.strictEqual(withStageDocs(text, file), text);
    });

    for (const policy of POLICIES) {
        it(`lists ${policy.name} as ${policy.enforcementLevel}`, () => {
            assert.ok(text.includes(`| \`${policy.name}\` | ${policy.enforcementLevel} |`), `add a row for ${policy.name} to the rule table`);
        });
    }
});
