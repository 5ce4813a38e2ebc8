// `npm run cluster:down`: stops Prometheus, Envoy, istiod, the pod agent, the pod server and the kwok cluster,
// removes the pod network.
// Leaves no process and no network namespace; harmless when nothing runs. Logs stay in the state directory; the
// pod table, the fault table, the kubeconfig, the mesh's files and Prometheus's configuration and data go.
import fs from "node:fs";
import { clusterExists, deleteCluster } from "./kwok";
import { hostVethExists, netnsExists, teardownNetwork } from "./network";
import {
    clusterDir,
    faultTablePath,
    kubeconfigPath,
    kwokWorkdir,
    meshDir,
    NETNS,
    podTablePath,
    prometheusDir,
} from "./paths";
import { processesMentioning, stopDaemon, stopPid } from "./processes";

const step = (msg: string) => console.log(`[cluster] ${msg}`);

async function down() {
    for (const name of ["prometheus", "envoy", "istiod", "agent", "pod-server"]) {
        const pid = await stopDaemon(name);
        if (pid) step(`stopped ${name} (pid ${pid})`);
    }

    if (clusterExists()) {
        deleteCluster();
        step("deleted kwok cluster");
    }
    // Whatever kwokctl left behind still names its workdir on its command line: stop those by pid.
    for (const pid of processesMentioning(kwokWorkdir())) {
        await stopPid(pid);
        step(`stopped leftover process ${pid}`);
    }

    if (netnsExists() || hostVethExists()) {
        teardownNetwork();
        step(`removed network namespace ${NETNS}`);
    }
    for (const file of [podTablePath(), faultTablePath(), kubeconfigPath()]) fs.rmSync(file, { force: true });
    // Envoy's bootstrap and cluster file, the CRD marker: rewritten by the next cluster:up.
    fs.rmSync(meshDir(), { recursive: true, force: true });
    // Series of pods that no longer exist: the next cluster is a new one.
    fs.rmSync(prometheusDir(), { recursive: true, force: true });

    const left = processesMentioning(clusterDir());
    if (left.length || netnsExists()) {
        throw new Error(
            `cluster:down left ${left.length ? `processes ${left.join(", ")}` : ""}` +
                `${netnsExists() ? ` network namespace ${NETNS}` : ""}; stop them by hand`,
        );
    }
    step("cluster is down");
}

down().catch((err: Error) => {
    console.error(`[cluster] cluster:down failed: ${err.message}`);
    process.exit(1);
});
