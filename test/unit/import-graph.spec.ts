// The layout holds: the product never imports the local rig or the tests, the pack never imports tests or tools,
// and the domain shared by program and pack (rollout/) is pure: it imports nothing with I/O and nothing of the
// program, the components or the pack. Read from the sources' import statements.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

const root = path.join(__dirname, "../..");

function sources(dir: string): string[] {
    const at = path.join(root, dir);
    if (fs.statSync(at).isFile()) return [dir];
    return fs.readdirSync(at, { withFileTypes: true }).flatMap((e) => {
        if (["node_modules", "dist"].includes(e.name)) return [];
        const rel = path.join(dir, e.name);
        return e.isDirectory() ? sources(rel) : rel.endsWith(".ts") ? [rel] : [];
    });
}

/** Each import of a file: the specifier, and for relative ones the repository path it points to. */
function importsOf(file: string): { spec: string; target?: string }[] {
    const text = fs.readFileSync(path.join(root, file), "utf8");
    const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?from\s+"([^"]+)"|require\("([^"]+)"\)|import\("([^"]+)"\)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
    return specs.map((spec) => ({ spec, target: spec.startsWith(".") ? path.normalize(path.join(path.dirname(file), spec)) : undefined }));
}

const violations = (files: string[], bad: (i: { spec: string; target?: string }) => boolean) =>
    files.flatMap((f) => importsOf(f).filter(bad).map((i) => `${f} imports ${i.spec}`));

const under = (...dirs: string[]) => (i: { target?: string }) => !!i.target && dirs.some((d) => i.target === d || i.target!.startsWith(`${d}/`));

describe("import graph", () => {
    const product = ["index.ts", "program.ts", "components", "rollout", "analysis", "io", "driver", "policy", "tools"].flatMap(sources);

    it("finds the imports it checks (the scan is not empty)", () => {
        assert.ok(importsOf("program.ts").some((i) => i.target === "rollout/verdict"));
    });

    it("the product imports nothing from the local rig or the tests", () => {
        assert.deepStrictEqual(violations(product.filter((f) => !f.endsWith(".spec.ts") && !f.startsWith("policy/testing/")), under("local", "test")), []);
    });

    it("the policy pack imports nothing from test/, tools/ or local/", () => {
        assert.deepStrictEqual(violations(sources("policy"), under("test", "tools", "local")), []);
    });

    it("rollout/ is pure: no I/O modules, no Pulumi SDK, nothing of io/, components/, the program or the pack", () => {
        const io = /^(node:)?(fs|child_process|http|https|net|os|path|@pulumi\/|@kubernetes\/)/;
        assert.deepStrictEqual(violations(sources("rollout"), (i) => io.test(i.spec) || under("io", "components", "policy", "program", "index")(i)), []);
    });

    it("analysis/ is pure: no I/O modules, no Pulumi SDK, nothing of io/, components/, the program or the pack", () => {
        const io = /^(node:)?(fs|child_process|http|https|net|os|path|@pulumi\/|@kubernetes\/)/;
        assert.deepStrictEqual(violations(sources("analysis"), (i) => io.test(i.spec) || under("io", "components", "policy", "program", "index")(i)), []);
    });
});
