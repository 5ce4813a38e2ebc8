// The Pulumi program: the real reads (stack config, the stack's recorded target, the live cluster), then program.ts.
import * as pulumi from "@pulumi/pulumi";
import { ClusterReadError, connect, readClusterFacts } from "./io/cluster";
import { readStageConfig } from "./io/config";
import { backendIdentity } from "./io/backend";
import { readLimits } from "./io/limits";
import { readPreviousTarget } from "./io/previous";
import { runProgram } from "./program";

export = () =>
    runProgram({
        config: readStageConfig,
        previousTarget: readPreviousTarget,
        limits: readLimits,
        backend: backendIdentity,
        cluster: async (config) => {
            try {
                const access = await connect(config.kubeconfig, config.context);
                return { access, facts: await readClusterFacts(access, config.namespace, config.traffic) };
            } catch (e) {
                throw e instanceof ClusterReadError ? new pulumi.RunError(`${e.message}; nothing was changed`) : e;
            }
        },
    });
