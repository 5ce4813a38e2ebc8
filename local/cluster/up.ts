// `npm run cluster:up`: starts (or completes) the local cluster. Idempotent: whatever already runs is kept.
// 1. the pod network namespace, 2. the kwok cluster (binary runtime, toolchain binaries), 3. fake nodes,
// 4. Istio's CRDs, 5. the pod server inside the namespace and the pod agent on the host, 6. the mesh: istiod and
// Envoy (cluster/mesh.ts; skipped when the toolchain has no istio/envoy), 7. Prometheus (cluster/prometheus.ts).
import fs from "node:fs";
import path from "node:path";
import { kubectl } from "./kube";
import {
    apiserverReady,
    checkBinaries,
    clusterExists,
    componentsRunning,
    createCluster,
    deleteCluster,
    ensureNodes,
    readyNodeCount,
} from "./kwok";
import { ensureIstioBase, envoyServing, istiodReady, meshAvailable, startEnvoy, startIstiod } from "./mesh";
import { checkNoOverlap, ensureNetwork, netnsExists } from "./network";
import {
    clusterDir,
    CONTEXT_NAME,
    ENVOY_ADMIN_PORT,
    ISTIOD_GRPC_PORT,
    kubeconfigPath,
    logsDir,
    MESH_LISTENER,
    NETNS,
    NODE_COUNT,
    podTablePath,
    POD_PORT,
    PROMETHEUS_URL,
} from "./paths";
import { ensurePrometheus, prometheusAvailable, prometheusReady, SCRAPE_INTERVAL } from "./prometheus";
import { daemonPid, startDaemon, stopDaemon, tryRun, waitFor } from "./processes";

const repo = path.resolve(__dirname, "..", "..");
/** How the daemons (TypeScript) are run: node with ts-node's transpile-only hook, against the root tsconfig. */
const TS_NODE = ["-r", "ts-node/register/transpile-only"];
const TS_NODE_ENV = { TS_NODE_PROJECT: path.join(repo, "tsconfig.json") };

async function up() {
    const started = Date.now();
    const step = (msg: string) => console.log(`[cluster] ${msg} (${((Date.now() - started) / 1000).toFixed(1)}s)`);

    checkBinaries();
    fs.mkdirSync(logsDir(), { recursive: true });

    step(`pod network: namespace ${NETNS}`);
    if (!netnsExists()) checkNoOverlap();
    ensureNetwork();

    // A cluster with a dead component (e.g. after a reboot) is recreated rather than restarted: a restarted kwok
    // controller finds its nodes' leases held by its previous instance and leaves their pods alone for minutes.
    const fresh = !(componentsRunning() && apiserverReady());
    if (fresh) {
        if (clusterExists()) {
            step("kwok cluster exists but a component is down: recreating it (its objects are lost)");
            deleteCluster();
        }
        step("creating kwok cluster (binary runtime)");
        createCluster();
        await waitFor("the apiserver to answer /readyz", apiserverReady, { timeoutMs: 60_000 });
        step("apiserver ready");
    } else {
        step("kwok cluster already running");
    }

    const created = ensureNodes();
    await waitFor(`${NODE_COUNT} Ready nodes`, () => readyNodeCount() >= NODE_COUNT, { timeoutMs: 30_000 });
    step(`${NODE_COUNT} fake nodes Ready${created ? ` (${created} created)` : ""}`);
    // Pods need their namespace's default ServiceAccount: wait for the controller manager to have made one.
    await waitFor(
        "the default ServiceAccount (kube-controller-manager)",
        () => kubectl(["get", "serviceaccount", "default", "-n", "default", "-o", "name"]).trim(),
        { timeoutMs: 30_000 },
    );

    const mesh = meshAvailable();
    // Before the agent starts: it watches DestinationRules.
    if (mesh && ensureIstioBase(fresh)) step("Istio CRDs and namespace istio-system installed");

    const podServer = path.join(repo, "local", "cluster", "pod-server.ts");
    if (!daemonPid("pod-server")) {
        startDaemon("pod-server", "ip", ["netns", "exec", NETNS, process.execPath, ...TS_NODE, podServer], {
            marker: podServer,
            env: TS_NODE_ENV,
            cwd: repo,
        });
    }
    const listening = () =>
        (tryRun("ip", ["netns", "exec", NETNS, "cat", "/proc/net/tcp"]) ?? "")
            .split("\n")
            .some((l) => l.includes(`:${POD_PORT.toString(16).toUpperCase().padStart(4, "0")} 00000000:0000 0A`));
    await waitFor(
        `the pod server to listen on port ${POD_PORT} in ${NETNS} (log: ${logsDir()}/pod-server.log)`,
        listening,
        { timeoutMs: 30_000 },
    );
    step(`pod server listening on :${POD_PORT} in ${NETNS}`);

    // An agent watching a cluster that was just recreated holds stale credentials: restart it.
    if (fresh) await stopDaemon("agent");
    const agent = path.join(repo, "local", "cluster", "agent.ts");
    if (!daemonPid("agent")) {
        const since = Date.now();
        startDaemon("agent", process.execPath, [...TS_NODE, agent], { marker: agent, env: TS_NODE_ENV, cwd: repo });
        await waitFor(
            `the pod agent's first pod table (log: ${logsDir()}/agent.log)`,
            () =>
                fs.existsSync(podTablePath()) &&
                Date.parse(JSON.parse(fs.readFileSync(podTablePath(), "utf8")).updatedAt) >= since,
            { timeoutMs: 30_000 },
        );
    }
    step("pod agent running");

    if (mesh) {
        // An istiod of a cluster that was just recreated holds stale credentials: restart it. Envoy reconnects.
        if (fresh) await stopDaemon("istiod");
        if (!daemonPid("istiod")) startIstiod();
        await waitFor(`istiod to be ready (log: ${logsDir()}/istiod.log)`, istiodReady, { timeoutMs: 60_000 });
        step(`istiod ready (xDS 127.0.0.1:${ISTIOD_GRPC_PORT})`);
        if (!daemonPid("envoy")) startEnvoy();
        await waitFor(`Envoy to get its routes from istiod (log: ${logsDir()}/envoy.log)`, envoyServing, {
            timeoutMs: 30_000,
        });
        step(
            `Envoy serving meshed namespaces on ${MESH_LISTENER.ip}:${MESH_LISTENER.port} (admin 127.0.0.1:${ENVOY_ADMIN_PORT})`,
        );
    } else {
        step("mesh skipped: no pilot-discovery/envoy in the toolchain (`npm run toolchain -- istio envoy`)");
    }

    if (prometheusAvailable()) {
        // A Prometheus of a cluster that was just recreated discovers pods with stale credentials: restart it.
        if (fresh) await stopDaemon("prometheus");
        const did = await ensurePrometheus({ mesh });
        await waitFor(`Prometheus to be ready (log: ${logsDir()}/prometheus.log)`, prometheusReady, {
            timeoutMs: 30_000,
        });
        step(
            `Prometheus ${did === "kept" ? "running" : did} at ${PROMETHEUS_URL}, scraping ${mesh ? "Envoy and " : ""}the pods every ${SCRAPE_INTERVAL}`,
        );
    } else {
        step("Prometheus skipped: not in the toolchain (`npm run toolchain -- prometheus`)");
    }

    console.log(`[cluster] ready in ${((Date.now() - started) / 1000).toFixed(1)}s: context ${CONTEXT_NAME}, state in ${clusterDir()}
  export KUBECONFIG=${kubeconfigPath()}`);
}

up().catch((err: Error) => {
    console.error(`[cluster] cluster:up failed: ${err.message}`);
    process.exit(1);
});
