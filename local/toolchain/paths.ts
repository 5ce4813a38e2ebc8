// Where the toolchain and the local cluster live: outside the repository, overridable by environment.
import os from "node:os";
import path from "node:path";

const cacheRoot = () => path.join(os.homedir(), ".cache", "bookinfo-rollout");

/** Built binaries: <dir>/bin holds pulumi, the plugins, kubectl, the control plane, kwok. */
export const toolchainDir = (): string => process.env.BOOKINFO_TOOLCHAIN_DIR ?? path.join(cacheRoot(), "toolchain");
/** State of the local kwok cluster (kubeconfig, logs, pids, pod table, fault table). */
export const clusterDir = (): string => process.env.BOOKINFO_CLUSTER_DIR ?? path.join(cacheRoot(), "cluster");
