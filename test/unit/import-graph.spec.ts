// The layout holds: the product never imports the local rig or the tests, the pack never imports tests or tools,
// and the domain shared by program and pack (rollout/) is pure: it imports nothing with I/O and nothing of the
// program, the components or the pack. No file imports itself back through others, in the product or in the rig,
// and the rig's cluster/ never imports its lib/. Read from the sources' import statements.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

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

/**
 * Each import of a file: the specifier, and for relative ones the repository path it points to. TypeScript's own
 * scanner reads them (import and export ... from, `import type` too, side-effect imports, require(), import()),
 * so an import written inside a string or a comment is not one.
 */
function importsOf(file: string): { spec: string; target?: string }[] {
    const text = fs.readFileSync(path.join(root, file), "utf8");
    const specs = ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
    return specs.map((spec) => ({
        spec,
        target: spec.startsWith(".") ? path.normalize(path.join(path.dirname(file), spec)) : undefined,
    }));
}

/** The source file a relative import's target names (`x` -> `x.ts` or `x/index.ts`), or undefined outside `files`. */
const fileOf = (target: string, files: Set<string>): string | undefined =>
    [`${target}.ts`, path.join(target, "index.ts"), target].find((f) => files.has(f));

/**
 * The graph of relative imports among `files`, as node -> nodes it imports; `node` maps a file to its node (the
 * file itself, or its directory for a directory-level graph; edges within one node are dropped). Type-only imports
 * count: they vanish at run time, but a type cycle still ties the files together (neither can be read, moved or
 * kept by a fork without the other), which is what a cycle costs; the rollout/ cycle this spec was written for
 * ran through an `import type`.
 */
function importGraph(files: string[], node: (file: string) => string = (f) => f): Map<string, Set<string>> {
    const known = new Set(files);
    const graph = new Map<string, Set<string>>();
    for (const f of files) {
        const from = node(f);
        const to = graph.get(from) ?? graph.set(from, new Set()).get(from)!;
        for (const i of importsOf(f)) {
            const target = i.target && fileOf(i.target, known);
            if (target && node(target) !== from) to.add(node(target));
            if (target === f) to.add(from);
        }
    }
    return graph;
}

/**
 * Every cycle of the graph, one per strongly connected component (Tarjan), written `a -> b -> ... -> a` along
 * real edges; empty when the graph is acyclic.
 */
function cycles(graph: Map<string, Set<string>>): string[] {
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const found: string[] = [];
    const visit = (v: string) => {
        index.set(v, index.size);
        low.set(v, index.get(v)!);
        stack.push(v);
        for (const w of graph.get(v) ?? []) {
            if (!index.has(w)) {
                visit(w);
                low.set(v, Math.min(low.get(v)!, low.get(w)!));
            } else if (stack.includes(w)) {
                low.set(v, Math.min(low.get(v)!, index.get(w)!));
            }
        }
        if (low.get(v) !== index.get(v)) return;
        const component = new Set(stack.splice(stack.indexOf(v)));
        if (component.size > 1 || graph.get(v)?.has(v)) found.push(cycleThrough(v, component, graph));
    };
    for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
    return found;
}

/** A shortest path from `start` back to itself inside `component` (breadth first), as `start -> ... -> start`. */
function cycleThrough(start: string, component: Set<string>, graph: Map<string, Set<string>>): string {
    const previous = new Map<string, string>();
    const queue = [start];
    while (queue.length) {
        const v = queue.shift()!;
        for (const w of [...(graph.get(v) ?? [])].sort()) {
            if (!component.has(w)) continue;
            if (w === start) {
                const between: string[] = [];
                for (let at = v; at !== start; at = previous.get(at)!) between.unshift(at);
                return [start, ...between, start].join(" -> ");
            }
            if (!previous.has(w)) {
                previous.set(w, v);
                queue.push(w);
            }
        }
    }
    throw new Error(`no cycle through ${start}`);
}

const violations = (files: string[], bad: (i: { spec: string; target?: string }) => boolean) =>
    files.flatMap((f) =>
        importsOf(f)
            .filter(bad)
            .map((i) => `${f} imports ${i.spec}`),
    );

const under =
    (...dirs: string[]) =>
    (i: { target?: string }) =>
        !!i.target && dirs.some((d) => i.target === d || i.target!.startsWith(`${d}/`));

/** The rig (local/) is not part of a fork's checkout; its checks skip when it is absent. */
const RIG = fs.existsSync(path.join(root, "local"));

describe("import graph", () => {
    const product = [
        "index.ts",
        "program.ts",
        "components",
        "rollout",
        "analysis",
        "io",
        "driver",
        "policy",
        "tools",
    ].flatMap(sources);

    it("finds the imports it checks (the scan is not empty)", () => {
        assert.ok(importsOf("program.ts").some((i) => i.target === "rollout/verdict"));
    });

    it("the product imports nothing from the local rig or the tests", () => {
        assert.deepStrictEqual(
            violations(
                product.filter((f) => !f.endsWith(".spec.ts") && !f.startsWith("policy/testing/")),
                under("local", "test"),
            ),
            [],
        );
    });

    it("the policy pack imports nothing from test/, tools/ or local/", () => {
        assert.deepStrictEqual(violations(sources("policy"), under("test", "tools", "local")), []);
    });

    it("rollout/ is pure: no I/O modules, no Pulumi SDK, nothing of io/, components/, the program or the pack", () => {
        const io = /^(node:)?(fs|child_process|http|https|net|os|path|@pulumi\/|@kubernetes\/)/;
        assert.deepStrictEqual(
            violations(
                sources("rollout"),
                (i) => io.test(i.spec) || under("io", "components", "policy", "program", "index")(i),
            ),
            [],
        );
    });

    it("analysis/ is pure: no I/O modules, no Pulumi SDK, nothing of io/, components/, the program or the pack", () => {
        const io = /^(node:)?(fs|child_process|http|https|net|os|path|@pulumi\/|@kubernetes\/)/;
        assert.deepStrictEqual(
            violations(
                sources("analysis"),
                (i) => io.test(i.spec) || under("io", "components", "policy", "program", "index")(i),
            ),
            [],
        );
    });

    describe("no cycles", () => {
        it("the detector finds a cycle, a self-import, and none in a graph without one", () => {
            const graph = (edges: Record<string, string[]>) =>
                new Map(Object.entries(edges).map(([k, v]) => [k, new Set(v)]));
            assert.deepStrictEqual(cycles(graph({ a: ["b"], b: ["c"], c: ["a", "d"], d: [] })), ["a -> b -> c -> a"]);
            assert.deepStrictEqual(cycles(graph({ a: ["a"] })), ["a -> a"]);
            assert.deepStrictEqual(cycles(graph({ a: ["b", "c"], b: ["c"], c: [] })), []);
        });

        it("the graph it judges has the edges the sources write (rollout/fleet.ts imports rollout/stages.ts)", () => {
            assert.ok(importGraph(sources("rollout")).get("rollout/fleet.ts")?.has("rollout/stages.ts"));
        });

        it("the product and its tests: no file imports itself back, type-only imports included", () => {
            assert.deepStrictEqual(cycles(importGraph([...product, ...sources("test")])), []);
        });

        it("the rig (local/): no file imports itself back", function () {
            if (!RIG) this.skip();
            assert.deepStrictEqual(cycles(importGraph(sources("local"))), []);
        });

        it("the rig's directories (local/cluster, local/lib, local/scripts, ...): none imports itself back through another", function () {
            if (!RIG) this.skip();
            const dirOf = (f: string) => f.split(path.sep).slice(0, 2).join("/");
            assert.deepStrictEqual(cycles(importGraph(sources("local"), dirOf)), []);
        });

        it("local/lib may import local/cluster, local/cluster never imports local/lib", function () {
            if (!RIG) this.skip();
            assert.deepStrictEqual(violations(sources("local/cluster"), under("local/lib")), []);
        });
    });
});
