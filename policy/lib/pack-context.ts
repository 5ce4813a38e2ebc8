// The pack's own trusted view: the stack config the engine handed it (lib/engine-stack.ts), validated by the same
// parser as the program's (rollout/config.ts), and the live cluster read with the same reader (io/cluster.ts), but
// by the pack itself, so nothing the program declares about itself is taken on trust.
import { ROLLED_OUT } from "../../rollout/service";
import * as path from "path";
import { backendIdentity } from "../../io/backend";
import { ClusterFacts, connect, readClusterFacts } from "../../io/cluster";
import { parseRolloutConfig, StageConfig } from "../../rollout/config";
import { stackLabelValue } from "../../rollout/target";
import { PackContext } from "./context";
import { StackIdentity } from "./engine-stack";

/** The project this pack judges: its config namespace. */
export const PROJECT = "bookinfo-rollout";

/** Reads the live facts of the configured namespace. */
export type ClusterReader = (config: StageConfig) => Promise<ClusterFacts>;

/** The real read: the configured kubeconfig and context, as the program connects. */
export const readLiveCluster: ClusterReader = async (config) =>
    readClusterFacts(await connect(config.kubeconfig, config.context), config.namespace, config.traffic, ROLLED_OUT);

/** The context for `identity`'s stack; rejects with the reason when there is none to judge by. */
export async function packContext(
    identity: StackIdentity | undefined,
    readCluster: ClusterReader,
): Promise<PackContext> {
    if (!identity) {
        throw new Error(
            "the engine did not tell the pack which stack it runs for (no ConfigureStack call, no PULUMI_NODEJS_STACK in its environment), so it has no stack config to read the cluster with",
        );
    }
    if (identity.project !== PROJECT) {
        throw new Error(`this pack judges project ${PROJECT}, but the engine runs it for project ${identity.project}`);
    }
    const prefix = `${PROJECT}:`;
    const raw = Object.fromEntries(
        Object.entries(identity.config)
            .filter(([k]) => k.startsWith(prefix))
            .map(([k, v]) => [k.slice(prefix.length), v]),
    );
    const config = parseRolloutConfig(raw, PROJECT);
    if (config.renderYamlTo) return { mode: "render", config };
    if (config.kubeconfig && !path.isAbsolute(config.kubeconfig)) {
        throw new Error(
            `kubeconfig "${config.kubeconfig}" (config key kubeconfig) is a relative path, and the pack runs in its own directory, not the project's, so it would read another file than the program: set an absolute path`,
        );
    }
    const facts = await readCluster(config);
    return {
        mode: "cluster",
        config,
        live: facts.live,
        namespace: facts.namespace,
        stackLabel: identity.organization
            ? stackLabelValue(identity.organization, identity.project, identity.stack)
            : undefined,
        backend: backendIdentity(),
    };
}
