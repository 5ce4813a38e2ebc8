// The toolchain's binaries are the pinned releases of local/toolchain/versions.json (a stale cache would silently
// test against other versions).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { bin } from "../../cluster/paths";
import { repoRoot } from "./helpers";

const versions = JSON.parse(fs.readFileSync(path.join(repoRoot, "local", "toolchain", "versions.json"), "utf8"));

function output(name: string, args: string[]): string {
    assert.ok(fs.existsSync(bin(name)), `${bin(name)} is missing: build it with \`npm run toolchain\``);
    const r = spawnSync(bin(name), args, { encoding: "utf8", timeout: 30_000, env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" } });
    assert.equal(r.status, 0, `${name} ${args.join(" ")} failed: ${r.stderr}`);
    return `${r.stdout}${r.stderr}`;
}

/** `go version -m`: the module versions a Go binary was built from (plugins have no --version flag). */
function goBuildInfo(name: string): string {
    const r = spawnSync("go", ["version", "-m", bin(name)], { encoding: "utf8", timeout: 30_000 });
    assert.equal(r.status, 0, `go version -m ${bin(name)} failed: ${r.stderr}`);
    return r.stdout;
}

describe("toolchain binaries report the pinned versions", () => {
    const k8s = `v${versions.kubernetes}`;

    it(`kubectl is ${k8s}`, () => {
        assert.equal(JSON.parse(output("kubectl", ["version", "--client", "-o", "json"])).clientVersion.gitVersion, k8s);
    });

    for (const name of ["kube-apiserver", "kube-controller-manager", "kube-scheduler"]) {
        it(`${name} is ${k8s}`, () => assert.match(output(name, ["--version"]), new RegExp(`Kubernetes ${k8s.replace(/\./g, "\\.")}\\b`)));
    }

    it(`kwokctl and kwok are v${versions.kwok}`, () => {
        assert.match(output("kwokctl", ["--version"]), new RegExp(`version v${versions.kwok}\\b`));
        assert.match(output("kwok", ["--version"]), new RegExp(`version v${versions.kwok}\\b`));
    });

    it(`etcd is ${versions.etcd}`, () => assert.match(output("etcd", ["--version"]), new RegExp(`etcd Version: ${versions.etcd}\\b`)));

    it(`pulumi is v${versions.pulumi}`, () => assert.equal(output("pulumi", ["version"]).trim(), `v${versions.pulumi}`));

    it(`pulumi-language-nodejs is ${versions.pulumi}`, () =>
        assert.match(output("pulumi-language-nodejs", ["--version"]).trim(), new RegExp(`^v?${versions.pulumi.replace(/\./g, "\\.")}$`)));

    const k8sProvider = versions.pulumiKubernetes;
    it(`pulumi-resource-kubernetes is built from the ${k8sProvider.version} commit (${k8sProvider.pseudo})`, function () {
        if (!fs.existsSync(bin("pulumi-resource-kubernetes"))) this.skip(); // the slowest plugin: absent on a partial build
        // Built with -trimpath, so the ldflags are not in the build info; the main module's version names the commit.
        const main = goBuildInfo("pulumi-resource-kubernetes").split("\n").find((l) => l.startsWith("\tmod\t"));
        assert.equal(main?.split("\t")[3], k8sProvider.pseudo);
    });
});
