// Where the toolchain and the local cluster live: outside the repository, overridable by environment.
import os from "node:os";
import path from "node:path";

export const toolchainDir = () =>
    process.env.BOOKINFO_TOOLCHAIN_DIR ?? path.join(os.homedir(), ".cache", "bookinfo-rollout", "toolchain");
