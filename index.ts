// The Pulumi program: the real reads (stack config, the stack's recorded target, the live cluster), then program.ts,
// rolling out ROLLED_OUT (Bookinfo's reviews; a fork names its own service there: docs/fork.md).
import * as pulumi from "@pulumi/pulumi";
import { ClusterReadError, connect, readClusterFacts } from "./io/cluster";
import { readStageConfig } from "./io/config";
import { backendIdentity } from "./io/backend";
import { readLimits } from "./io/limits";
import { readPreviousTarget } from "./io/previous";
import { runProgram } from "./program";
import { ROLLED_OUT } from "./rollout/service";

export = () =>
    runProgram(
        {
            config: readStageConfig,
            previousTarget: readPreviousTarget,
            limits: readLimits,
            backend: backendIdentity,
            cluster: async (config, service) => {
                try {
                    const access = await connect(config.kubeconfig, config.context);
                    return { access, facts: await readClusterFacts(access, config.namespace, config.traffic, service) };
                } catch (e) {
                    throw e instanceof ClusterReadError ? new pulumi.RunError(`${e.message}; nothing was changed`) : e;
                }
            },
        },
        ROLLED_OUT,
    );
