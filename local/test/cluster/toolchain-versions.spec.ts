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
    const rows = r.stdout.split("\n").map((l) => l.split("\t")).filter((f) => f[1] === "mod" || f[1] === "dep" || f[1] === "=>");
    return new Map(rows.map((f) => [f[2], f[3]]));
}

describe("toolchain binaries are built from the pinned modules", () => {
    const k8s = `v${versions.kubernetes}`;
    for (const name of ["kubectl", "kube-apiserver", "kube-controller-manager", "kube-scheduler"]) {
        it(`${name} from k8s.io/kubernetes ${k8s}`, () => assert.equal(modules(name).get("k8s.io/kubernetes"), k8s));
    }
    for (const name of ["kwok", "kwokctl"]) {
        it(`${name} from sigs.k8s.io/kwok v${versions.kwok}`, () => assert.equal(modules(name).get("sigs.k8s.io/kwok"), `v${versions.kwok}`));
    }
    it(`etcd from go.etcd.io/etcd/server/v3 v${versions.etcd}`, () => assert.equal(modules("etcd").get("go.etcd.io/etcd/server/v3"), `v${versions.etcd}`));
    it(`pulumi from github.com/pulumi/pulumi/pkg/v3 v${versions.pulumi}`, () =>
        assert.equal(modules("pulumi").get("github.com/pulumi/pulumi/pkg/v3"), `v${versions.pulumi}`));
    for (const name of ["pulumi-language-nodejs", "pulumi-resource-command"]) {
        it(`${name} (ours) against github.com/pulumi/pulumi/sdk/v3 v${versions.pulumi}`, () =>
            assert.equal(modules(name).get("github.com/pulumi/pulumi/sdk/v3"), `v${versions.pulumi}`));
    }
    const k8sProvider = versions.pulumiKubernetes;
    it(`pulumi-resource-kubernetes from the ${k8sProvider.version} commit (${k8sProvider.pseudo})`, () =>
        assert.equal(modules("pulumi-resource-kubernetes").get(k8sProvider.module), k8sProvider.pseudo));
});
