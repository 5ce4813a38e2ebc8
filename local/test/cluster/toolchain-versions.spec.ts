// The toolchain's binaries are built from the pinned module versions of local/toolchain/versions.json (a stale cache
// would silently test against other versions). Read from each binary's Go build info (`go version -m`), which the
// module system writes, not from a version string our build stamps in with -ldflags from that same file.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { bin } from "../../cluster/paths";
import { repoRoot } from "./helpers";

const versions = JSON.parse(fs.readFileSync(path.join(repoRoot, "local", "toolchain", "versions.json"), "utf8"));

/** Module path -> version of the binary's main module and dependencies, from its build info. */
function modules(name: string): Map<string, string> {
    assert.ok(fs.existsSync(bin(name)), `${bin(name)} is missing: build it with \`npm run toolchain\``);
    const r = spawnSync("go", ["version", "-m", bin(name)], { encoding: "utf8", timeout: 30_000 });
    assert.equal(r.status, 0, `go version -m ${bin(name)} failed: ${r.stderr}`);
    const rows = r.stdout
        .split("\n")
        .map((l) => l.split("\t"))
        .filter((f) => f[1] === "mod" || f[1] === "dep" || f[1] === "=>");
    return new Map(rows.map((f) => [f[2], f[3]]));
}

/** A dependency's version as the pinned module's own go.mod requires it (the module is in Go's module cache). */
function required(module: string, at: string, dependency: string): string {
    const r = spawnSync("go", ["mod", "download", "-json", `${module}@${at}`], { encoding: "utf8", timeout: 120_000 });
    assert.equal(r.status, 0, `go mod download ${module}@${at} failed: ${r.stderr}`);
    const goMod = fs.readFileSync(JSON.parse(r.stdout).GoMod, "utf8");
    const line = goMod.split("\n").find((l) => l.trim().startsWith(`${dependency} `));
    assert.ok(line, `${module}@${at} does not require ${dependency}`);
    return line.trim().split(/\s+/)[1];
}

describe("toolchain binaries are built from the pinned modules", () => {
    const k8s = `v${versions.kubernetes}`;
    for (const name of ["kubectl", "kube-apiserver", "kube-controller-manager", "kube-scheduler"]) {
        it(`${name} from k8s.io/kubernetes ${k8s}`, () => assert.equal(modules(name).get("k8s.io/kubernetes"), k8s));
    }
    for (const name of ["kwok", "kwokctl"]) {
        it(`${name} from sigs.k8s.io/kwok v${versions.kwok}`, () =>
            assert.equal(modules(name).get("sigs.k8s.io/kwok"), `v${versions.kwok}`));
    }
    it(`etcd from go.etcd.io/etcd/server/v3 v${versions.etcd}`, () =>
        assert.equal(modules("etcd").get("go.etcd.io/etcd/server/v3"), `v${versions.etcd}`));
    it(`pulumi from github.com/pulumi/pulumi/pkg/v3 v${versions.pulumi}`, () =>
        assert.equal(modules("pulumi").get("github.com/pulumi/pulumi/pkg/v3"), `v${versions.pulumi}`));
    for (const name of ["pulumi-language-nodejs", "pulumi-resource-command"]) {
        it(`${name} (ours) against github.com/pulumi/pulumi/sdk/v3 v${versions.pulumi}`, () =>
            assert.equal(modules(name).get("github.com/pulumi/pulumi/sdk/v3"), `v${versions.pulumi}`));
    }
    // Istio is built inside a copy of its module, so its main module reads "(devel)": its dependencies must be the
    // ones the pinned commit's go.mod requires.
    for (const name of ["pilot-discovery", "istioctl"]) {
        it(`${name} with the dependencies of istio.io/istio ${versions.istio.pseudo}`, () => {
            for (const dep of ["istio.io/api", "istio.io/client-go"]) {
                assert.equal(
                    modules(name).get(dep),
                    required(versions.istio.module, versions.istio.pseudo, dep),
                    `${name}: ${dep}`,
                );
            }
        });
    }
    it(`envoy is upstream Envoy ${versions.envoy}`, () => {
        const r = spawnSync(bin("envoy"), ["--version"], { encoding: "utf8", timeout: 30_000 });
        assert.match(r.stdout, new RegExp(`/${versions.envoy.replace(/\./g, "\\.")}/Clean/RELEASE/`));
    });
    it(`prometheus from ${versions.prometheus.module} ${versions.prometheus.at}, with Kubernetes discovery`, () => {
        assert.equal(modules("prometheus").get(versions.prometheus.module), versions.prometheus.at);
        const r = spawnSync(bin("prometheus"), ["--version"], { encoding: "utf8", timeout: 30_000 });
        assert.match(r.stdout, /tags: .*enable_kubernetes_sd/);
    });
    it(`node is Node.js ${versions.node}, the version @pulumi/pulumi's engines allow`, () => {
        const r = spawnSync(bin("node"), ["--version"], { encoding: "utf8", timeout: 30_000 });
        assert.equal(r.stdout.trim(), `v${versions.node}`);
        const engines = JSON.parse(
            fs.readFileSync(path.join(repoRoot, "node_modules", "@pulumi", "pulumi", "package.json"), "utf8"),
        ).engines.node as string;
        const floor = Number(/>=\s*(\d+)/.exec(engines)?.[1]);
        assert.ok(Number(versions.node.split(".")[0]) >= floor, `@pulumi/pulumi needs node ${engines}`);
    });
    const k8sProvider = versions.pulumiKubernetes;
    it(`pulumi-resource-kubernetes from the ${k8sProvider.version} commit (${k8sProvider.pseudo})`, () =>
        assert.equal(modules("pulumi-resource-kubernetes").get(k8sProvider.module), k8sProvider.pseudo));
});
