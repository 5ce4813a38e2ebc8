// The pod agent (host side; cluster/up.ts starts it, cluster/down.ts stops it). Watches Pods and
// EndpointSlices, gives every running Bookinfo pod's IP to the pod network namespace's interface, and writes the
// pod table the pod server answers from. Kubernetes keeps doing all scheduling, labelling and endpoint
// bookkeeping; this only supplies what kwok lacks: something listening on each pod IP.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import * as k8s from "@kubernetes/client-node";
import { readyEndpointsByService } from "../lib/kube";
import { kubeconfigPath, NETNS, NS_LINK_IP, NS_VETH, podTablePath } from "./paths";
import { inPodNetwork, PodEntry, PodTable, podEntry } from "./pod-table";

const log = (msg: string) => console.log(`${new Date().toISOString()} ${msg}`);

const kc = new k8s.KubeConfig();
kc.loadFromFile(kubeconfigPath());
const core = kc.makeApiClient(k8s.CoreV1Api);
const discovery = kc.makeApiClient(k8s.DiscoveryV1Api);
// ListWatch rather than makeInformer: same informer, but typed with the cache's list().
const pods = new k8s.ListWatch<k8s.V1Pod>("/api/v1/pods", new k8s.Watch(kc),
    () => core.listPodForAllNamespaces(), false);
const slices = new k8s.ListWatch<k8s.V1EndpointSlice>("/apis/discovery.k8s.io/v1/endpointslices", new k8s.Watch(kc),
    () => discovery.listEndpointSliceForAllNamespaces(), false);

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

function writeTable(table: PodTable) {
    const tmp = `${podTablePath()}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(table, null, 1));
    fs.renameSync(tmp, podTablePath());
}

const warned = new Set<string>();
const synced = { pods: false, slices: false };

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
    const table: PodTable = { updatedAt: new Date().toISOString(), pods: entries, endpoints: readyEndpointsByService(slices.list()) };
    // New pods get their address before the table names them; gone pods leave the table before their address.
    const have = assignedAddresses();
    changeAddresses("add", Object.keys(entries).filter((a) => !have.has(a) && inPodNetwork(a)));
    writeTable(table);
    changeAddresses("del", [...have].filter((a) => !entries[a]));
}

// Events arrive in bursts (a rollout touches pods and slices together): coalesce them into one reconcile.
let timer: NodeJS.Timeout | undefined;
function schedule() {
    if (!synced.pods || !synced.slices) return;
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
    const restart = (err: any) => {
        failed = true;
        log(`${name} watch failed (restarting in 1s): ${err?.message ?? err}`);
        setTimeout(start, 1000);
    };
    informer.on("error", restart);
    start();
}

for (const sig of ["SIGTERM", "SIGINT"] as const) process.on(sig, () => process.exit(0));
log(`pod agent watching pods and EndpointSlices via ${kubeconfigPath()}; namespace ${NETNS}, table ${podTablePath()}`);
watch("pods", pods);
watch("slices", slices);
