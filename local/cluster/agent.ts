// The pod agent (host side; cluster/up.ts starts it, cluster/down.ts stops it). Watches Pods and
// EndpointSlices, gives every running Bookinfo pod's IP to the pod network namespace's interface, and writes the
// pod table the pod server answers from. Kubernetes keeps doing all scheduling, labelling and endpoint
// bookkeeping; this only supplies what kwok lacks: something listening on each pod IP. For the mesh it also
// watches Namespaces, Services and DestinationRules: the pod table names the meshed namespaces, and the cluster
// file Envoy watches lists an EDS cluster per Service port and subset of them (cluster/mesh-clusters.ts).
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import * as k8s from "@kubernetes/client-node";
import { readyEndpointsByService } from "./kube";
import { clustersFile, MeshRule, meshClusterNames, MeshService } from "./mesh-clusters";
import { INJECTION_LABEL, kubeconfigPath, meshClustersPath, NETNS, NS_LINK_IP, NS_VETH, podTablePath } from "./paths";
import { inPodNetwork, PodEntry, PodTable, podEntry } from "./pod-table";

const log = (msg: string) => console.log(`${new Date().toISOString()} ${msg}`);

const kc = new k8s.KubeConfig();
kc.loadFromFile(kubeconfigPath());
const core = kc.makeApiClient(k8s.CoreV1Api);
const discovery = kc.makeApiClient(k8s.DiscoveryV1Api);
const custom = kc.makeApiClient(k8s.CustomObjectsApi);
// ListWatch rather than makeInformer: same informer, but typed with the cache's list().
const pods = new k8s.ListWatch<k8s.V1Pod>(
    "/api/v1/pods",
    new k8s.Watch(kc),
    () => core.listPodForAllNamespaces(),
    false,
);
const slices = new k8s.ListWatch<k8s.V1EndpointSlice>(
    "/apis/discovery.k8s.io/v1/endpointslices",
    new k8s.Watch(kc),
    () => discovery.listEndpointSliceForAllNamespaces(),
    false,
);
const namespaces = new k8s.ListWatch<k8s.V1Namespace>(
    "/api/v1/namespaces",
    new k8s.Watch(kc),
    () => core.listNamespace(),
    false,
);
const services = new k8s.ListWatch<k8s.V1Service>(
    "/api/v1/services",
    new k8s.Watch(kc),
    () => core.listServiceForAllNamespaces(),
    false,
);
interface DestinationRule extends k8s.KubernetesObject {
    spec?: { host?: string; subsets?: { name?: string }[] };
}
// Without Istio's CRDs (no mesh in the toolchain) this list fails and is retried; nothing else waits for it.
const rules = new k8s.ListWatch<DestinationRule>(
    "/apis/networking.istio.io/v1/destinationrules",
    new k8s.Watch(kc),
    () =>
        custom.listClusterCustomObject({
            group: "networking.istio.io",
            version: "v1",
            plural: "destinationrules",
        }) as Promise<k8s.KubernetesListObject<DestinationRule>>,
    false,
);

/** Pod IPs currently on the namespace's interface (the link address excluded). */
function assignedAddresses(): Set<string> {
    const out = execFileSync("ip", ["-n", NETNS, "-j", "-4", "addr", "show", "dev", NS_VETH], { encoding: "utf8" });
    const info = (JSON.parse(out)[0]?.addr_info ?? []) as { local: string }[];
    return new Set(info.map((a) => a.local).filter((a) => a !== NS_LINK_IP));
}

/** Applies `addr add`/`addr del` lines in one `ip -batch` call (-force: one stale line must not stop the rest). */
function changeAddresses(verb: "add" | "del", addresses: string[]) {
    if (!addresses.length) return;
    const lines = addresses.map((a) => `addr ${verb} ${a}/32 dev ${NS_VETH}`);
    execFileSync("ip", ["-n", NETNS, "-force", "-batch", "-"], { input: lines.join("\n") + "\n" });
    log(`${verb} ${addresses.join(" ")}`);
}

/** Replaces a file atomically (write, then rename): readers never see half of it, and Envoy sees one move. */
function replaceFile(file: string, content: string) {
    const tmp = `${file}.tmp`;
    fs.writeFileSync(tmp, content);
    fs.renameSync(tmp, file);
}

const warned = new Set<string>();
const synced = { pods: false, slices: false, namespaces: false, services: false, rules: false };

const meshedNamespaces = () =>
    namespaces
        .list()
        .filter((n) => n.metadata?.labels?.[INJECTION_LABEL] === "enabled")
        .map((n) => n.metadata!.name!)
        .sort();

/** Rewrites Envoy's cluster file when the meshed namespaces' Services or subsets changed. */
let writtenClusters = "";
function reconcileMesh(meshed: string[]) {
    const inMesh = (o: k8s.KubernetesObject) => meshed.includes(o.metadata?.namespace ?? "");
    const meshServices: MeshService[] = services
        .list()
        .filter(inMesh)
        .map((svc) => ({
            namespace: svc.metadata!.namespace!,
            name: svc.metadata!.name!,
            ports: (svc.spec?.ports ?? []).filter((p) => (p.protocol ?? "TCP") === "TCP").map((p) => p.port),
        }));
    const meshRules: MeshRule[] = rules.list().map((r) => ({
        namespace: r.metadata!.namespace!,
        host: r.spec?.host ?? "",
        subsets: (r.spec?.subsets ?? []).map((x) => x.name ?? ""),
    }));
    const content = clustersFile(meshClusterNames(meshServices, meshRules));
    if (content === writtenClusters) return;
    fs.mkdirSync(path.dirname(meshClustersPath()), { recursive: true });
    replaceFile(meshClustersPath(), content);
    writtenClusters = content;
    log(`mesh clusters: ${JSON.parse(content).resources.length} (meshed namespaces: ${meshed.join(" ") || "none"})`);
}

function reconcile() {
    const entries: Record<string, PodEntry> = {};
    for (const pod of pods.list()) {
        const { entry, warning } = podEntry(pod);
        if (warning && !warned.has(warning)) {
            warned.add(warning);
            log(warning);
        }
        if (entry) entries[entry.ip] = entry;
    }
    const meshed = meshedNamespaces();
    const table: PodTable = {
        updatedAt: new Date().toISOString(),
        pods: entries,
        endpoints: readyEndpointsByService(slices.list()),
        meshed,
    };
    // New pods get their address before the table names them; gone pods leave the table before their address.
    const have = assignedAddresses();
    changeAddresses(
        "add",
        Object.keys(entries).filter((a) => !have.has(a) && inPodNetwork(a)),
    );
    replaceFile(podTablePath(), JSON.stringify(table, null, 1));
    changeAddresses(
        "del",
        [...have].filter((a) => !entries[a]),
    );
    if (synced.services && synced.rules) reconcileMesh(meshed);
}

// Events arrive in bursts (a rollout touches pods and slices together): coalesce them into one reconcile.
let timer: NodeJS.Timeout | undefined;
function schedule() {
    if (!synced.pods || !synced.slices || !synced.namespaces) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
        try {
            reconcile();
        } catch (err) {
            log(`reconcile failed (retrying in 1s): ${(err as Error).message}`);
            timer = setTimeout(schedule, 1000);
        }
    }, 20);
}

/** Starts an informer; a failed list or watch (the apiserver may be restarting) starts it again after a pause. */
function watch(name: keyof typeof synced, informer: k8s.ListWatch<any>) {
    for (const ev of ["add", "update", "delete"] as const) informer.on(ev, schedule);
    // A failed list is reported as an ERROR event while start() still resolves: only a clean start counts as synced.
    let failed = false;
    const start = () => {
        failed = false;
        informer.start().then(() => {
            if (failed) return;
            if (!synced[name]) log(`${name}: listed, watching`);
            synced[name] = true;
            schedule();
        }, restart);
    };
    let lastError = "";
    const restart = (err: any) => {
        failed = true;
        // Logged once per distinct error: a missing CRD fails the same way every second.
        const msg = `${name} watch failed (restarting in 1s): ${err?.message ?? err}`;
        if (msg !== lastError) log(msg);
        lastError = msg;
        setTimeout(start, 1000);
    };
    informer.on("error", restart);
    start();
}

for (const sig of ["SIGTERM", "SIGINT"] as const) process.on(sig, () => process.exit(0));
log(`pod agent watching pods and EndpointSlices via ${kubeconfigPath()}; namespace ${NETNS}, table ${podTablePath()}`);
watch("pods", pods);
watch("slices", slices);
watch("namespaces", namespaces);
watch("services", services);
watch("rules", rules);
