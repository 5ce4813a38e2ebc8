// Where the toolchain and the local cluster live: outside the repository, overridable by environment.
// CommonJS so both the .mjs scripts and the TypeScript (commonjs) code can load it.
const os = require("node:os");
const path = require("node:path");

const cacheRoot = () => path.join(os.homedir(), ".cache", "bookinfo-rollout");

/** Built binaries: <dir>/bin holds pulumi, the plugins, kubectl, the control plane, kwok. */
exports.toolchainDir = () => process.env.BOOKINFO_TOOLCHAIN_DIR ?? path.join(cacheRoot(), "toolchain");
/** State of the local kwok cluster (kubeconfig, logs, pids). */
exports.clusterDir = () => process.env.BOOKINFO_CLUSTER_DIR ?? path.join(cacheRoot(), "cluster");
