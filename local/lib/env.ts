// Where the local run keeps its things, and the environment every real `pulumi` run gets: the toolchain first on
// PATH, a file backend and PULUMI_HOME inside the repository's ignored .state directory, no network lookups.
import path from "node:path";
import { binDir, kubeconfigPath } from "../cluster/paths";
import { toolchainDir } from "../toolchain/paths";

export const repoRoot = path.resolve(__dirname, "..", "..");
export const stateDir = path.join(repoRoot, ".state");
export const backendDir = path.join(stateDir, "backend");
export const policyDir = path.join(repoRoot, "policy");
export const projectName = "bookinfo-rollout";

export const toolchainRoot = toolchainDir();
export const toolchainBin = binDir();
export const clusterKubeconfig = kubeconfigPath();

export function pulumiEnv(): Record<string, string> {
    return {
        PATH: `${toolchainBin}:${process.env.PATH}`,
        PULUMI_HOME: path.join(stateDir, "pulumi-home"),
        PULUMI_BACKEND_URL: `file://${backendDir}`,
        PULUMI_CONFIG_PASSPHRASE: "local-only-passphrase",
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
        KUBECONFIG: clusterKubeconfig,
    };
}
