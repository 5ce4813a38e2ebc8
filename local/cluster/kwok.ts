// kwokctl against the local cluster: create, delete, readiness, fake nodes.
import fs from "node:fs";
import path from "node:path";
import { isReady, kubectl, tryKubectl } from "./kube";
import {
    bin,
    CLUSTER_NAME,
    clusterDir,
    kubeconfigPath,
    kwokWorkdir,
    NODE_COUNT,
    nodeName,
    nodePodCidr,
    SERVICE_CIDR,
} from "./paths";
import { run, RunOptions } from "./processes";

/** Binaries the cluster needs from the toolchain (local/toolchain/build.ts builds them). */
export const REQUIRED_BINARIES = [
    "kwokctl",
    "kwok",
    "etcd",
    "kube-apiserver",
    "kube-controller-manager",
    "kube-scheduler",
    "kubectl",
];

export function checkBinaries() {
    const missing = REQUIRED_BINARIES.filter((b) => !fs.existsSync(bin(b)));
    if (missing.length) {
        throw new Error(
            `missing toolchain binaries in ${path.dirname(bin("x"))}: ${missing.join(", ")}; ` +
                `build them with \`npm run toolchain\` (or set BOOKINFO_TOOLCHAIN_DIR to a directory holding bin/)`,
        );
    }
}

// kwokctl keeps its clusters under KWOK_WORKDIR: ours lives in the cluster state directory, not in ~/.kwok.
const kwokctl = (args: string[], opts: RunOptions = {}) =>
    run(bin("kwokctl"), ["--name", CLUSTER_NAME, ...args], { ...opts, env: { KWOK_WORKDIR: kwokWorkdir() } });

const clusterWorkdir = () => path.join(kwokWorkdir(), "clusters", CLUSTER_NAME);

export const clusterExists = () => fs.existsSync(path.join(clusterWorkdir(), "kwok.yaml"));

/** Every component kwokctl started still runs (pid files under the cluster's workdir). */
export function componentsRunning(): boolean {
    const dir = path.join(clusterWorkdir(), "pids");
    const pids = fs.existsSync(dir)
        ? fs.readdirSync(dir).map((f) => fs.readFileSync(path.join(dir, f), "utf8").trim())
        : [];
    return (
        pids.length > 0 &&
        pids.every((pid) => {
            try {
                return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(kwokWorkdir());
            } catch {
                return false;
            }
        })
    );
}

export const apiserverReady = () =>
    fs.existsSync(kubeconfigPath()) && tryKubectl(["--request-timeout=3s", "get", "--raw", "/readyz"])?.trim() === "ok";

/**
 * kwokctl configuration: components bind to loopback only, and one ClusterExec runs `kubectl exec` commands of
 * every pod on this host (kwok has no containers), so `kubectl exec <sleep pod> -- curl ...` works.
 */
const kwokctlConfig = () => `\
apiVersion: config.kwok.x-k8s.io/v1alpha1
kind: KwokctlConfiguration
options:
  bindAddress: 127.0.0.1
  kubectlBinary: ${bin("kubectl")}
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: ClusterExec
metadata:
  name: run-on-host
spec:
  execs:
  - local: {}
`;

export function createCluster() {
    const config = path.join(clusterDir(), "kwokctl.yaml");
    fs.writeFileSync(config, kwokctlConfig());
    kwokctl(
        [
            "create",
            "cluster",
            "--runtime",
            "binary",
            "--config",
            config,
            "--kubeconfig",
            kubeconfigPath(),
            "--etcd-binary",
            bin("etcd"),
            "--kube-apiserver-binary",
            bin("kube-apiserver"),
            "--kube-controller-manager-binary",
            bin("kube-controller-manager"),
            "--kube-scheduler-binary",
            bin("kube-scheduler"),
            "--kwok-controller-binary",
            bin("kwok"),
            // Service IPs inside the routed pod network (they fail fast there instead of leaving the machine);
            // `kubectl exec` reaches kwok through the nodes' InternalIP, which is loopback.
            "--extra-args",
            `kube-apiserver=service-cluster-ip-range=${SERVICE_CIDR}`,
            "--extra-args",
            "kube-apiserver=kubelet-preferred-address-types=InternalIP",
            "--timeout",
            "90s",
        ],
        { timeoutMs: 120_000 },
    );
}

export function deleteCluster() {
    if (clusterExists() || fs.existsSync(clusterWorkdir())) {
        kwokctl(["delete", "cluster", "--kubeconfig", kubeconfigPath()], { timeoutMs: 60_000 });
    }
}

/** A fake node: kwok marks it Ready and gives pods on it IPs from its podCIDR. */
const nodeManifest = (i: number) => ({
    apiVersion: "v1",
    kind: "Node",
    metadata: {
        name: nodeName(i),
        annotations: { "kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0" },
        labels: {
            type: "kwok",
            "kubernetes.io/hostname": nodeName(i),
            "kubernetes.io/os": "linux",
            "kubernetes.io/arch": "amd64",
        },
    },
    spec: { podCIDR: nodePodCidr(i), podCIDRs: [nodePodCidr(i)] },
    status: {
        addresses: [
            { type: "InternalIP", address: "127.0.0.1" },
            { type: "Hostname", address: nodeName(i) },
        ],
        allocatable: { cpu: "8", memory: "32Gi", pods: "110" },
        capacity: { cpu: "8", memory: "32Gi", pods: "110" },
    },
});

/** Creates the missing fake nodes (a node's podCIDR can only be set at creation, so never re-applied). */
export function ensureNodes(): number {
    const existing = new Set(
        kubectl(["get", "nodes", "-o", "name"])
            .split("\n")
            .map((l) => l.replace("node/", "")),
    );
    const missing = Array.from({ length: NODE_COUNT }, (_, k) => k + 1).filter((i) => !existing.has(nodeName(i)));
    if (missing.length) {
        const list = { apiVersion: "v1", kind: "List", items: missing.map(nodeManifest) };
        kubectl(["create", "-f", "-"], { input: JSON.stringify(list) });
    }
    return missing.length;
}

export function readyNodeCount(): number {
    return (JSON.parse(kubectl(["get", "nodes", "-o", "json"])).items as object[]).filter(isReady).length;
}
