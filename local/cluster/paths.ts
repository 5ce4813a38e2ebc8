// Names, paths, address ranges and the port of the local cluster: every script, daemon and spec of the rig reads
// them from here.
import path from "node:path";
import { clusterDir, toolchainDir } from "../toolchain/paths";

/** kwokctl cluster name; kwokctl calls the kubeconfig context `kwok-<name>`. */
export const CLUSTER_NAME = "bookinfo";
export const CONTEXT_NAME = `kwok-${CLUSTER_NAME}`;

/** Cluster state (kwok workdir, kubeconfig, logs, pid files, pod table, fault table): outside the repository,
 * overridable by BOOKINFO_CLUSTER_DIR (toolchain/paths.ts). */
export { clusterDir };
export const kubeconfigPath = () => path.join(clusterDir(), "kubeconfig");
export const kwokWorkdir = () => path.join(clusterDir(), "kwok");
export const logsDir = () => path.join(clusterDir(), "logs");
/** Pod table the agent writes and the pod server reads (JSON, replaced atomically). */
export const podTablePath = () => path.join(clusterDir(), "pods.json");
/** Fault table (cluster/faults.ts): container image -> fault; the pod server reads it on every request. */
export const faultTablePath = () => path.join(clusterDir(), "faults.json");
export const pidFile = (name: string) => path.join(clusterDir(), `${name}.pid`);

export const binDir = () => path.join(toolchainDir(), "bin");
export const bin = (name: string) => path.join(binDir(), name);

/**
 * The pod network. One /15 is routed from the host into the network namespace: pods get 10.244.<n>.0/24 per node,
 * Service cluster IPs come from 10.245.0.0/16 (nothing answers on them: no kube-proxy, they fail fast in the
 * namespace instead of leaving the machine). 10.244.0.0/30 is the host <-> namespace link.
 */
export const NETNS = "bookinfo-pods";
export const HOST_VETH = "bkpods-host";
export const NS_VETH = "bkpods-ns";
export const ROUTED_CIDR = "10.244.0.0/15";
export const SERVICE_CIDR = "10.245.0.0/16";
export const HOST_LINK_IP = "10.244.0.1";
export const NS_LINK_IP = "10.244.0.2";
export const LINK_PREFIX = 30;
export const NODE_COUNT = 3;
export const nodeName = (i: number) => `bookinfo-node-${i}`;
export const nodePodCidr = (i: number) => `10.244.${i}.0/24`;

/** Every Bookinfo app answers on this port, as upstream (the rig's only copy; the product has its own). */
export const POD_PORT = 9080;

/**
 * The local mesh (cluster/mesh.ts): istiod (pilot-discovery) and one stock Envoy as host processes. Every port is on
 * loopback except Envoy's listener for meshed pods, which is on the host end of the veth (reachable from the pod
 * network namespace, from nowhere else).
 */
export const MESH_NAMESPACE = "istio-system";
/** A namespace labelled `istio-injection=enabled` is meshed: its pods call other Services through Envoy. */
export const INJECTION_LABEL = "istio-injection";
export const ISTIOD_GRPC_PORT = 15010;
/** istiod's debug HTTP (`/ready`, `/debug/*`; webhooks multiplexed here too). */
export const ISTIOD_HTTP_PORT = 8080;
export const ISTIOD_MONITORING_PORT = 15014;
export const ENVOY_ADMIN_PORT = 15000;
export const MESH_LISTENER = { ip: HOST_LINK_IP, port: POD_PORT };
/** Envoy's bootstrap and the cluster (CDS) file the agent writes and Envoy watches. */
export const meshDir = () => path.join(clusterDir(), "mesh");
export const meshClustersPath = () => path.join(meshDir(), "clusters", "cds.json");
/** Istio's CRDs, from the module the toolchain built istiod from (toolchain/build.ts links it). */
export const istioCrdFile = () => path.join(toolchainDir(), "share", "istio-crd-all.gen.yaml");
/** The pod server's per-pod request counters (served and mirrored), answered on the namespace's link address. */
export const COUNTERS_URL = `http://${NS_LINK_IP}:${POD_PORT}/counters`;

/**
 * Prometheus (cluster/prometheus.ts): a host process on loopback that scrapes Envoy's admin and every Bookinfo
 * pod's /metrics. Its HTTP API is what the product's analysis reads.
 */
export const PROMETHEUS_PORT = 9090;
export const PROMETHEUS_URL = `http://127.0.0.1:${PROMETHEUS_PORT}`;
/** Its configuration file and TSDB. */
export const prometheusDir = () => path.join(clusterDir(), "prometheus");
