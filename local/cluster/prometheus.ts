// Prometheus in the rig: built from its Go module (toolchain/build.ts), our configuration. A host process on loopback
// that scrapes Envoy's admin (`/stats/prometheus`, when the mesh runs) and every Bookinfo pod's own /metrics (the
// pod server answers them, cluster/pod-metrics.ts), finding the pods with its own Kubernetes discovery (role pod)
// against the rig's apiserver. The host routes the pod network into the namespace, so pod IPs are reachable here.
import fs from "node:fs";
import path from "node:path";
import yaml from "js-yaml";
import { WORKLOAD_LABEL } from "../../rollout/labels";
import { localGet } from "./mesh";
import {
    bin,
    ENVOY_ADMIN_PORT,
    kubeconfigPath,
    logsDir,
    NODE_COUNT,
    nodePodCidr,
    POD_PORT,
    PROMETHEUS_PORT,
    prometheusDir,
} from "./paths";
import { daemonPid, sleep, startDaemon } from "./processes";

/**
 * 1 s: specs send requests and wait for Prometheus to have them, so a scrape every second keeps that wait near a
 * second, and a rate over a window of ten seconds still has ten samples. It costs little here (Envoy's page is
 * about 250 KB, a pod's 2 KB).
 */
export const SCRAPE_INTERVAL = "1s";
/** Short: the rig's data only matters while a run looks at it (`cluster:down` deletes it anyway). */
export const RETENTION = "2h";

export const prometheusAvailable = () => fs.existsSync(bin("prometheus"));

const configPath = () => path.join(prometheusDir(), "prometheus.yml");

/** A regex for the node pod CIDRs (each a /24): only pods with an address there are scraped. */
const podIpRegex = () =>
    Array.from(
        { length: NODE_COUNT },
        (_, k) =>
            `${nodePodCidr(k + 1)
                .split(".")
                .slice(0, 3)
                .join("\\.")}\\.\\d+`,
    ).join("|");

/** Prometheus's name for a pod label's discovery meta label. */
const podLabel = (name: string) => `__meta_kubernetes_pod_label_${name.replace(/[^a-zA-Z0-9_]/g, "_")}`;

export function prometheusConfig({ mesh }: { mesh: boolean }) {
    const keep = (label: string, regex: string) => ({ source_labels: [label], regex, action: "keep" });
    const copy = (label: string, target: string) => ({ source_labels: [label], target_label: target });
    return {
        global: { scrape_interval: SCRAPE_INTERVAL, scrape_timeout: SCRAPE_INTERVAL, evaluation_interval: "15s" },
        scrape_configs: [
            ...(mesh
                ? [
                      {
                          job_name: "envoy",
                          metrics_path: "/stats/prometheus",
                          static_configs: [{ targets: [`127.0.0.1:${ENVOY_ADMIN_PORT}`] }],
                      },
                  ]
                : []),
            {
                job_name: "pods",
                kubernetes_sd_configs: [{ role: "pod", kubeconfig_file: kubeconfigPath() }],
                // One target per declared container port: keep the Bookinfo port of running pods in the pod network
                // (pods of other apps, e.g. sleep, declare none); the target address is then <pod IP>:9080.
                relabel_configs: [
                    keep("__meta_kubernetes_pod_ip", podIpRegex()),
                    keep("__meta_kubernetes_pod_container_port_number", String(POD_PORT)),
                    keep("__meta_kubernetes_pod_phase", "Running"),
                    copy("__meta_kubernetes_namespace", "namespace"),
                    copy("__meta_kubernetes_pod_name", "pod"),
                    copy(podLabel("app"), "app"),
                    copy(podLabel("version"), "version"),
                    // A reviews pod whatever its app label (reviews_test while dark).
                    copy(podLabel(WORKLOAD_LABEL), "workload"),
                ],
            },
        ],
    };
}

export const prometheusReady = async () => (await localGet(PROMETHEUS_PORT, "/-/ready"))?.status === 200;

const logTail = () => {
    try {
        return fs.readFileSync(path.join(logsDir(), "prometheus.log"), "utf8").trim().split("\n").slice(-3).join("\n");
    } catch {
        return "";
    }
};

/** Waits until the Prometheus just started is ready; fails at once, with its last log lines, if it exits. */
async function started(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await prometheusReady())) {
        if (!daemonPid("prometheus")) throw new Error(`Prometheus exited at start:\n${logTail()}`);
        if (Date.now() > deadline) throw new Error(`Prometheus not ready after ${timeoutMs / 1000}s:\n${logTail()}`);
        await sleep(100);
    }
}

/** When Prometheus last loaded its configuration successfully (its own metric), in seconds. */
async function lastReload(): Promise<number> {
    const page = (await localGet(PROMETHEUS_PORT, "/metrics"))?.body ?? "";
    const m = page.match(/^prometheus_config_last_reload_success_timestamp_seconds (\S+)$/m);
    return m ? Number(m[1]) : 0;
}

/**
 * Writes the configuration and starts Prometheus, or keeps the one that runs: reloaded (SIGHUP) when the
 * configuration changed, e.g. the mesh came or went. Resolves once it serves; returns what it did.
 */
export async function ensurePrometheus({ mesh }: { mesh: boolean }): Promise<"started" | "reloaded" | "kept"> {
    fs.mkdirSync(path.join(prometheusDir(), "data"), { recursive: true });
    const config = `# Written by local/cluster/prometheus.ts at each cluster:up.\n${yaml.dump(prometheusConfig({ mesh }), { lineWidth: -1 })}`;
    const changed = !fs.existsSync(configPath()) || fs.readFileSync(configPath(), "utf8") !== config;
    if (changed) fs.writeFileSync(configPath(), config);
    const pid = daemonPid("prometheus");
    if (!pid) {
        startDaemon(
            "prometheus",
            bin("prometheus"),
            [
                `--config.file=${configPath()}`,
                `--web.listen-address=127.0.0.1:${PROMETHEUS_PORT}`,
                `--storage.tsdb.path=${path.join(prometheusDir(), "data")}`,
                `--storage.tsdb.retention.time=${RETENTION}`,
            ],
            { marker: `--config.file=${configPath()}` },
        );
        await started();
        return "started";
    }
    if (!changed) return "kept";
    const before = Date.now() / 1000;
    process.kill(pid, "SIGHUP");
    const deadline = Date.now() + 10_000;
    while ((await lastReload()) < Math.floor(before)) {
        if (Date.now() > deadline) throw new Error(`Prometheus did not load ${configPath()}:\n${logTail()}`);
        await sleep(100);
    }
    return "reloaded";
}
