// The pull-request review, run locally or in CI: compiles the program, runs `pulumi preview` for one stack with a
// policy pack and prints whether the pack let the change through. docs/review.md explains what it trusts.
//   npm run review -- <stack> [--base <git ref>] [--config FILE] [--summary FILE]
// --base judges from the trusted side: the pack (policy/ and every file it imports, e.g. rollout/ and io/) and its
// config (policy/config.json) come from <git ref>, checked out in a temporary git worktree; the program is this
// checkout's, as it would deploy. The files the change edits since <git ref> are listed by kind, and an edit to
// the pack is named as such: it is not what judged this change and needs its own review.
// Without --base the checkout's own pack and config judge the change (said so in the output).
// The environment is the caller's: `pulumi` on PATH and the PULUMI_* variables (backend, passphrase) as set.
// --config replaces the pack config; --summary writes a Markdown report (CI posts it). Node built-ins only.
import { spawn, spawnSync, SpawnSyncOptions } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const repoRoot = path.resolve(__dirname, "..");
const USAGE = "usage: npm run review -- <stack> [--base <git ref>] [--config FILE] [--summary FILE]";
/** Where the caller stood: npm runs scripts from the package root, so relative file names are resolved here. */
const callerDir = process.env.INIT_CWD ?? process.cwd();

export interface Options {
    stack: string;
    base?: string;
    config?: string;
    summary?: string;
}

export function parseArgs(argv: string[]): Options {
    const values: Partial<Record<"base" | "config" | "summary", string>> = {};
    let stack: string | undefined;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const flag = /^--(base|config|summary)(?:=(.*))?$/.exec(arg);
        if (flag) {
            const value = flag[2] ?? argv[++i];
            if (!value || value.startsWith("--")) throw new Error(`${arg} needs a value; ${USAGE}`);
            values[flag[1] as "base" | "config" | "summary"] = value;
        } else if (arg.startsWith("-")) {
            throw new Error(`unknown option ${arg}; ${USAGE}`);
        } else if (stack) {
            throw new Error(`one stack at a time: got "${stack}" and "${arg}"`);
        } else {
            stack = arg;
        }
    }
    if (!stack) throw new Error(`no stack given; ${USAGE}`);
    return {
        stack,
        base: values.base,
        config: values.config && path.resolve(callerDir, values.config),
        summary: values.summary && path.resolve(callerDir, values.summary),
    };
}

// ---- git and the files a change edits --------------------------------------------------------------------------

function sh(cmd: string, args: string[], opts: SpawnSyncOptions & { cwd: string }): string {
    const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, ...opts });
    if (r.error) throw new Error(`cannot run ${cmd}: ${r.error.message}`);
    if (r.status !== 0) {
        throw new Error(
            `${cmd} ${args.join(" ")} failed (exit ${r.status}) in ${opts.cwd}:\n${String(r.stderr ?? "").trim()}`,
        );
    }
    return String(r.stdout ?? "");
}
const git = (args: string[], cwd = repoRoot) => sh("git", args, { cwd }).trim();
const lines = (text: string) =>
    text
        .split("\n")
        .map((l) => l.trim())
        .filter(Boolean);

/** The kinds of files a change can edit; a file can be of more than one (rollout/ is program and pack). */
export type Kind = "pack" | "program" | "stack" | "review";

export interface Classified {
    pack: string[];
    program: string[];
    stack: string[];
    review: string[];
    other: string[];
}

const PROGRAM_FILES = ["index.ts", "program.ts", "package.json", "package-lock.json", "Pulumi.yaml", "tsconfig.json"];
const PROGRAM_DIRS = ["components/", "rollout/", "io/"];
/** Always part of the pack, whatever its imports: the pack's own directory, which holds its config. */
const PACK_DIR = "policy/";
/** What the pack imports from outside policy/ when its compiled import list is not available. */
export const PACK_IMPORTS_FALLBACK = ["rollout/", "io/"];
const REVIEW_FILES = ["tools/review.ts", ".github/workflows/policy-preview.yml"];
export const isStackFile = (f: string) => /^Pulumi\.[^/]+\.yaml$/.test(f) && f !== "Pulumi.yaml";
export const stackOfFile = (f: string) => f.replace(/^Pulumi\./, "").replace(/\.yaml$/, "");

/**
 * Sorts changed files (repository-relative, `/`-separated) by kind. `packSources` are the files outside policy/
 * that the pack is compiled from (or directory prefixes ending in `/`).
 */
export function classify(files: string[], packSources: string[]): Classified {
    const inPack = (f: string) =>
        f.startsWith(PACK_DIR) || packSources.some((s) => (s.endsWith("/") ? f.startsWith(s) : f === s));
    const out: Classified = { pack: [], program: [], stack: [], review: [], other: [] };
    for (const f of [...new Set(files)].sort()) {
        const kinds = [
            inPack(f) && out.pack,
            (PROGRAM_FILES.includes(f) || PROGRAM_DIRS.some((d) => f.startsWith(d))) && out.program,
            isStackFile(f) && out.stack,
            REVIEW_FILES.includes(f) && out.review,
        ].filter((k): k is string[] => k !== false);
        for (const kind of kinds.length ? kinds : [out.other]) kind.push(f);
    }
    return out;
}

/**
 * Files the checkout changes since its merge base with `base`: committed (base...HEAD), uncommitted and
 * untracked (a local review previews the working tree, so its edits count too).
 */
function changedSince(base: string): string[] {
    const mergeBase = git(["merge-base", base, "HEAD"]);
    return [
        ...lines(git(["diff", "--name-only", "--no-renames", mergeBase])),
        ...lines(git(["ls-files", "--others", "--exclude-standard"])),
    ];
}

/**
 * Without --base, the ref the change is shown against (never judged with): the branch's upstream, else the
 * remote's default branch, else a local main or master; undefined when none resolves (then HEAD: uncommitted edits).
 */
function reportingBase(): string | undefined {
    for (const ref of ["@{upstream}", "origin/HEAD", "origin/main", "main", "master"]) {
        const r = spawnSync("git", ["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`], {
            cwd: repoRoot,
            encoding: "utf8",
        });
        if (r.status === 0) return ref;
    }
    return undefined;
}

/** The TypeScript compiler a checkout installs (its root devDependencies). */
const tscOf = (root: string) => path.join(root, "node_modules", ".bin", "tsc");

/**
 * The files the pack at `root` is compiled from, outside policy/ (repository-relative), as TypeScript lists
 * them; undefined when the list cannot be had.
 */
function packSourcesOf(root: string): string[] | undefined {
    const r = spawnSync(tscOf(root), ["-p", "policy", "--listFilesOnly"], {
        cwd: root,
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
    });
    if (r.status !== 0 || !r.stdout) return undefined;
    const real = fs.realpathSync(root);
    return lines(r.stdout)
        .map((f) =>
            path
                .relative(real, fs.existsSync(f) ? fs.realpathSync(f) : f)
                .split(path.sep)
                .join("/"),
        )
        .filter((f) => !f.startsWith("..") && !f.includes("node_modules/") && !f.startsWith(PACK_DIR));
}

// ---- the base's pack, in a worktree ----------------------------------------------------------------------------

interface BasePack {
    ref: string;
    sha: string;
    /** The temporary directory that holds the worktree. */
    tmp: string;
    worktree: string;
    policyDir: string;
    /** The base's policy/config.json, when it has one. */
    config?: string;
    /** How each node_modules was provided. */
    modules: string[];
    sources?: string[];
}

let cleanupTasks: (() => void)[] = [];
function cleanup() {
    for (const task of cleanupTasks.reverse()) {
        try {
            task();
        } catch (e) {
            console.error(`review: cleanup: ${(e as Error).message}`);
        }
    }
    cleanupTasks = [];
}

const sameFile = (a: string, b: string) =>
    fs.existsSync(a) && fs.existsSync(b) && fs.readFileSync(a).equals(fs.readFileSync(b));

/**
 * node_modules for `dir` of the worktree (root or policy/): this checkout's, linked, when the base locks the same
 * packages (identical package-lock.json); otherwise the base's own, with `npm ci`.
 */
function provideModules(worktree: string, dir: string): string {
    const here = path.join(repoRoot, dir);
    const there = path.join(worktree, dir);
    const label = dir || "root";
    if (!fs.existsSync(path.join(there, "package.json"))) return `${label}: no package.json at the base`;
    if (
        sameFile(path.join(here, "package-lock.json"), path.join(there, "package-lock.json")) &&
        fs.existsSync(path.join(here, "node_modules"))
    ) {
        const link = path.join(there, "node_modules");
        fs.symlinkSync(path.join(here, "node_modules"), link, "dir");
        cleanupTasks.push(() => fs.existsSync(link) && fs.unlinkSync(link));
        return `${label}: same package-lock.json, this checkout's node_modules linked`;
    }
    console.log(`review: ${label}: the base locks other packages; npm ci in the base worktree`);
    sh("npm", ["ci", "--no-audit", "--no-fund"], { cwd: there, stdio: ["ignore", "inherit", "inherit"] });
    return `${label}: package-lock.json differs from this checkout's, installed with npm ci`;
}

function checkoutBasePack(ref: string): BasePack {
    let sha: string;
    try {
        sha = git(["rev-parse", "--verify", "--end-of-options", `${ref}^{commit}`]);
    } catch {
        throw new Error(`--base ${ref}: not a commit of this repository (fetch it first; CI needs the full history)`);
    }
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bookinfo-review-"));
    cleanupTasks.push(() => fs.rmSync(tmp, { recursive: true, force: true }));
    const worktree = path.join(tmp, "base");
    git(["worktree", "add", "--detach", "--quiet", worktree, sha]);
    cleanupTasks.push(() => {
        git(["worktree", "remove", "--force", worktree]);
        git(["worktree", "prune"]);
    });
    const policyDir = path.join(worktree, "policy");
    if (!fs.existsSync(path.join(policyDir, "PulumiPolicy.yaml"))) {
        throw new Error(
            `the base ${ref} (${sha.slice(0, 12)}) has no policy pack (policy/PulumiPolicy.yaml): nothing trusted to judge with`,
        );
    }
    const modules = [provideModules(worktree, ""), provideModules(worktree, "policy")];
    console.log(`review: compiling the base's policy pack (${ref}, ${sha.slice(0, 12)}) in ${worktree}`);
    const tsc = spawnSync(tscOf(worktree), ["-p", "policy"], { cwd: worktree, stdio: "inherit" });
    if (tsc.status !== 0)
        throw new Error(
            `the base's policy pack (${ref}, ${sha.slice(0, 12)}) does not compile: nothing trusted to judge with`,
        );
    const config = path.join(policyDir, "config.json");
    return {
        ref,
        sha,
        tmp,
        worktree,
        policyDir,
        config: fs.existsSync(config) ? config : undefined,
        modules,
        sources: packSourcesOf(worktree),
    };
}

// ---- the preview and its outcome -------------------------------------------------------------------------------

/** Runs a command in this checkout, echoing its output live, and returns its exit code and everything it printed. */
function run(cmd: string, args: string[]): Promise<{ code: number; output: string }> {
    return new Promise((resolve, reject) => {
        const child = spawn(cmd, args, { cwd: repoRoot, env: process.env });
        let output = "";
        child.stdout.on("data", (chunk) => {
            output += chunk;
            process.stdout.write(chunk);
        });
        child.stderr.on("data", (chunk) => {
            output += chunk;
            process.stderr.write(chunk);
        });
        child.on("error", (err) => reject(new Error(`cannot run ${cmd}: ${err.message} (is the Pulumi CLI on PATH?)`)));
        child.on("close", (code) => resolve({ code: code ?? 1, output }));
    });
}

/** The "Policies:" section of the preview output: the violations, grouped by pack. */
export function policiesSection(output: string): string {
    const all = output.split("\n");
    const start = all.findIndex((l) => /^Policies:/.test(l));
    if (start < 0) return "";
    const end = all.findIndex((l, i) => i > start && /^\S/.test(l));
    return all
        .slice(start, end < 0 ? undefined : end)
        .join("\n")
        .trimEnd();
}

export interface Findings {
    /** Rule name -> violations reported at that level. */
    mandatory: Map<string, number>;
    advisory: Map<string, number>;
}

/** Violations in the preview output, by level and rule (`[mandatory]  <rule>  (...)`). */
export function findings(output: string): Findings {
    const out: Findings = { mandatory: new Map(), advisory: new Map() };
    for (const m of output.matchAll(/\[(mandatory|advisory)\]\s+([A-Za-z0-9][\w.-]*)/g)) {
        const level = out[m[1] as "mandatory" | "advisory"];
        level.set(m[2], (level.get(m[2]) ?? 0) + 1);
    }
    return out;
}

const count = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
const ruleList = (m: Map<string, number>) => [...m].map(([rule, n]) => (n > 1 ? `${rule} (${n}x)` : rule)).join(", ");

/** The program's own errors (diagnostics), when the preview failed before the pack could refuse anything. */
function errorLines(output: string): string[] {
    const all = output.split("\n");
    const start = all.findIndex((l) => /^Diagnostics:/.test(l));
    const section = start < 0 ? all : all.slice(start);
    return section.filter((l) => /\berror\b|refused|\[[a-z]+(-[a-z0-9]+)+\]/i.test(l)).slice(0, 40);
}

/** Rules a pack config turns down (`advisory`, `disabled`), including the `all` key. */
export function loosenedRules(configFile: string | undefined): string[] {
    if (!configFile || !fs.existsSync(configFile)) return [];
    let parsed: unknown;
    try {
        parsed = JSON.parse(fs.readFileSync(configFile, "utf8"));
    } catch (e) {
        return [`(not valid JSON: ${(e as Error).message})`];
    }
    if (!parsed || typeof parsed !== "object") return [];
    const out: string[] = [];
    for (const [rule, value] of Object.entries(parsed as Record<string, unknown>)) {
        const level =
            typeof value === "string" ? value : (value as { enforcementLevel?: unknown } | null)?.enforcementLevel;
        if (level === "advisory" || level === "disabled") out.push(`${rule}: ${level}`);
    }
    return out;
}

// ---- the report ------------------------------------------------------------------------------------------------

const rel = (f: string) => (path.relative(repoRoot, f).startsWith("..") ? f : path.relative(repoRoot, f) || ".");

export function changeNotes(c: Classified, basePack: boolean): string[] {
    const notes: string[] = [];
    if (c.pack.length) {
        notes.push(
            basePack
                ? "this change edits the policy pack: it is judged here with the base pack and needs its own review"
                : "this change edits the policy pack, and the pack that judged it is the edited one: review the pack edit on its own, or judge with --base",
        );
        const shared = c.pack.filter((f) => c.program.includes(f));
        if (shared.length && basePack)
            notes.push(
                `shared by the program and the pack (${shared.join(", ")}): the program runs this change's version, the pack the base's`,
            );
    }
    if (c.review.length)
        notes.push(
            `this change edits the review itself (${c.review.join(", ")}): it ran as edited here and needs its own review`,
        );
    return notes;
}

function fileBlock(title: string, files: string[]): string[] {
    return files.length ? [`${title} (${files.length}):`, ...files.map((f) => `  ${f}`)] : [];
}

export function describeChange(c: Classified): string[] {
    return [
        ...fileBlock("policy pack files", c.pack),
        ...fileBlock("program files", c.program),
        ...fileBlock("stack files", c.stack),
        ...fileBlock("review files", c.review),
        ...(c.other.length ? [`other files: ${c.other.length}`] : []),
    ];
}

async function main() {
    const options = parseArgs(process.argv.slice(2));
    const onSignal = (signal: NodeJS.Signals) => {
        cleanup();
        process.exit(signal === "SIGINT" ? 130 : 143);
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    try {
        process.exitCode = await review(options);
    } finally {
        cleanup();
    }
}

async function review(options: Options): Promise<number> {
    const head = git(["rev-parse", "HEAD"]);
    let changed: Classified;
    let packDir: string;
    let packConfig: string | undefined;
    let judgedWith: string;
    const extra: string[] = [];
    let shownAgainst = options.base ?? "HEAD";

    if (options.base) {
        const base = checkoutBasePack(options.base);
        changed = classify(changedSince(base.sha), base.sources ?? PACK_IMPORTS_FALLBACK);
        packDir = base.policyDir;
        if (options.config) {
            const inCheckout = path.relative(repoRoot, options.config).split(path.sep).join("/");
            const edited = Object.values(changed).flat() as string[];
            if (!inCheckout.startsWith("..") && edited.includes(inCheckout)) {
                throw new Error(
                    `--config ${inCheckout} is a file this change edits: the review never judges a change with the change's own pack config`,
                );
            }
            packConfig = options.config;
        } else {
            packConfig = base.config;
        }
        judgedWith = `the base's policy pack: ${options.base} (${base.sha.slice(0, 12)}), compiled in a temporary worktree`;
        extra.push(`node_modules of the base pack: ${base.modules.join("; ")}`);
        if (!base.sources)
            extra.push(`(the pack's import list was not available; rollout/ and io/ are counted as pack files)`);
    } else {
        shownAgainst = reportingBase() ?? "HEAD";
        changed = classify(changedSince(shownAgainst), packSourcesOf(repoRoot) ?? PACK_IMPORTS_FALLBACK);
        packDir = path.join(repoRoot, "policy");
        packConfig =
            options.config ??
            (fs.existsSync(path.join(packDir, "config.json")) ? path.join(packDir, "config.json") : undefined);
        judgedWith = `this checkout's own policy pack (policy/ as checked out at ${head.slice(0, 12)}, with any uncommitted edits): not a trusted-side review; pass --base <git ref> to judge with that ref's pack`;
    }
    const configText = packConfig
        ? `${rel(packConfig)}${options.config ? " (given with --config)" : options.base ? " (the base's)" : ""}`
        : "none (the pack's defaults)";
    const loosened = loosenedRules(packConfig);
    const checkoutConfig = path.join(repoRoot, "policy", "config.json");
    const checkoutLoosened = packConfig === checkoutConfig ? [] : loosenedRules(checkoutConfig);

    const notes = changeNotes(changed, Boolean(options.base));
    if (loosened.length)
        notes.push(
            `the pack config that judges this change turns rules down (${loosened.join(", ")}): a refusal of those rules cannot show here`,
        );
    const header = [
        `review of stack ${options.stack} at ${head.slice(0, 12)}`,
        `judged with ${judgedWith}`,
        `pack config: ${configText}`,
        ...(loosened.length ? [`  that config turns these rules down: ${loosened.join(", ")}`] : []),
        ...(checkoutLoosened.length
            ? [
                  `this checkout's policy/config.json turns these rules down: ${checkoutLoosened.join(", ")}${options.base ? " (not used: the base's config judges)" : ""}`,
              ]
            : []),
        ...extra,
        options.base
            ? `files this change edits since ${options.base}:`
            : shownAgainst === "HEAD"
              ? "uncommitted files in this checkout:"
              : `files this checkout edits since ${shownAgainst} (shown only; that ref's pack did not judge):`,
        ...(
            describeChange(changed)
                .map((l) => `  ${l}`)
                .join("\n") || "  none"
        ).split("\n"),
        ...notes.map((n) => `NOTE: ${n}`),
    ];
    console.log(`\n${header.map((l) => `review: ${l}`).join("\n")}\n`);

    if (spawnSync("npm", ["run", "build"], { cwd: repoRoot, stdio: "inherit" }).status !== 0) {
        throw new Error("npm run build failed in this checkout: fix the compile errors above, then review again");
    }
    const args = [
        "preview",
        "--non-interactive",
        "--color",
        "never",
        "--stack",
        options.stack,
        "--policy-pack",
        packDir,
    ];
    if (packConfig) args.push("--policy-pack-config", packConfig);
    console.log(`review: pulumi ${args.join(" ")}`);
    const { code, output } = await run("pulumi", args);

    const found = findings(output);
    const mandatory = count(found.mandatory);
    const advisory = count(found.advisory);
    const verdict =
        mandatory > 0
            ? `REFUSED by the policy pack: ${mandatory} mandatory violation(s) of ${ruleList(found.mandatory)}${advisory ? `; ${advisory} advisory` : ""}`
            : code === 0
              ? `PASSED: the policy pack allows this change${advisory ? ` (${advisory} advisory finding(s): ${ruleList(found.advisory)})` : ""}`
              : `FAILED: pulumi preview exited with code ${code} without a policy violation (the program refused the change or could not run; see its errors)`;
    const status = code !== 0 || mandatory > 0 ? 1 : 0;
    console.log(`\n=== review of stack ${options.stack}: ${verdict}`);
    for (const n of notes) console.log(`=== NOTE: ${n}`);

    if (options.summary) {
        const policies = policiesSection(output);
        const errors = mandatory === 0 && code !== 0 ? errorLines(output) : [];
        const tail = output.split("\n").slice(-150).join("\n");
        const report = [
            `### Policy review of stack \`${options.stack}\``,
            "",
            `**${verdict}**`,
            "",
            ...notes.map((n) => `> **Note:** ${n}`),
            ...(notes.length ? [""] : []),
            `Judged with ${judgedWith}; pack config: ${configText}.`,
            ...(loosened.length
                ? ["", `That config turns these rules down: ${loosened.map((l) => `\`${l}\``).join(", ")}.`]
                : []),
            ...(checkoutLoosened.length
                ? [
                      "",
                      `The change's policy/config.json turns these rules down: ${checkoutLoosened.map((l) => `\`${l}\``).join(", ")}${options.base ? " (not used: the base's config judged)" : ""}.`,
                  ]
                : []),
            "",
            ...(describeChange(changed).length ? ["```text", ...describeChange(changed), "```", ""] : []),
            ...(policies ? ["```text", policies, "```", ""] : []),
            ...(errors.length ? ["```text", ...errors, "```", ""] : []),
            "<details><summary>pulumi preview output (last 150 lines)</summary>",
            "",
            "```text",
            tail,
            "```",
            "</details>",
            "",
        ].join("\n");
        fs.writeFileSync(options.summary, report);
    }
    return status;
}

if (require.main === module) {
    main().catch((err: Error) => {
        console.error(`review: ${err.message}`);
        process.exitCode = 1;
    });
}
