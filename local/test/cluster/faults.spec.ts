// The fault table file (no cluster needed): setFault/clearFault write image -> fault atomically, reject unknown
// faults, and readers drop (and name) entries a hand edit broke. Expected values are written out by hand.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { clearFault, FAULTS, readFaultTable, setFault } from "../../cluster/faults";

describe("fault table (local/cluster/faults.ts)", () => {
    let dir: string;
    let file: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "faults-spec-"));
        file = path.join(dir, "faults.json");
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("knows exactly http-500, slow and ratings-error", () => {
        assert.deepEqual([...FAULTS], ["http-500", "slow", "ratings-error"]);
    });

    it("a missing file is an empty table", () => {
        assert.deepEqual(readFaultTable(file), { faults: {}, invalid: [] });
    });

    it("setFault adds or replaces one image's fault, clearFault removes it, leaving no temporary file", () => {
        setFault("example.test/reviews:2", "http-500", file);
        setFault("example.test/reviews:3", "slow", file);
        setFault("example.test/reviews:2", "ratings-error", file);
        assert.deepEqual(JSON.parse(fs.readFileSync(file, "utf8")),
            { "example.test/reviews:2": "ratings-error", "example.test/reviews:3": "slow" });
        clearFault("example.test/reviews:2", file);
        clearFault("example.test/not-there:1", file);
        assert.deepEqual(JSON.parse(fs.readFileSync(file, "utf8")), { "example.test/reviews:3": "slow" });
        assert.deepEqual(fs.readdirSync(dir), ["faults.json"]);
    });

    it("rejects an unknown fault without touching the file", () => {
        setFault("example.test/reviews:2", "slow", file);
        assert.throws(() => setFault("example.test/reviews:2", "explode" as any, file), /unknown fault "explode"; allowed: http-500, slow, ratings-error/);
        assert.deepEqual(JSON.parse(fs.readFileSync(file, "utf8")), { "example.test/reviews:2": "slow" });
    });

    it("a reader leaves out hand-edited entries that name no known fault and says which; clearFault removes them", () => {
        fs.writeFileSync(file, JSON.stringify({ "a:1": "http-500", "b:1": "explode", "c:1": 7 }));
        assert.deepEqual(readFaultTable(file), { faults: { "a:1": "http-500" }, invalid: ['b:1: "explode"', "c:1: 7"] });
        setFault("d:1", "slow", file);
        clearFault("b:1", file);
        assert.deepEqual(JSON.parse(fs.readFileSync(file, "utf8")), { "a:1": "http-500", "c:1": 7, "d:1": "slow" });
    });
});
