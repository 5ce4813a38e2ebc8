// The local mesh: Istio's CRDs, istiod (upstream `pilot-discovery discovery`, a host process against the local
// apiserver) and one stock Envoy that stands in the request path of meshed namespaces. istiod's sidecar listeners
// and clusters use Istio-only extensions stock Envoy rejects, so Envoy's bootstrap (ours) has its own HTTP listener
// whose routes come from istiod over ADS (RDS "9080", as istiod names a sidecar's port-9080 routes), and EDS
// clusters named as istiod names them, listed in a file the pod agent writes (cluster/mesh-clusters.ts).
import { createHash } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { kubectl, tryKubectl } from "./kube";
import { clustersFile } from "./mesh-clusters";
import {
    bin,
    ENVOY_ADMIN_PORT,
    istioCrdFile,
    ISTIOD_GRPC_PORT,
    ISTIOD_HTTP_PORT,
    ISTIOD_MONITORING_PORT,
    kubeconfigPath,
    MESH_LISTENER,
    MESH_NAMESPACE,
    meshClustersPath,
    meshDir,
} from "./paths";
import { daemonPid, startDaemon } from "./processes";

/** What the mesh needs from the toolchain (`npm run toolchain -- istio envoy`). */
export const meshAvailable = () =>
    fs.existsSync(bin("pilot-discovery")) && fs.existsSync(bin("envoy")) && fs.existsSync(istioCrdFile());

/** Envoy's node: a sidecar in istio-system to istiod, so it gets a sidecar's route configurations and endpoints. */
export const MESH_PROXY_ID = `sidecar~${MESH_LISTENER.ip}~mesh-proxy.${MESH_NAMESPACE}~${MESH_NAMESPACE}.svc.cluster.local`;

const crdMarker = () => path.join(meshDir(), "crds.sha256");
const sha256 = (file: string) => createHash("sha256").update(fs.readFileSync(file)).digest("hex");

/**
 * Installs Istio's CRDs (server-side apply of the module's crd-all.gen.yaml, as Istio's base chart does) and the
 * istio-system namespace. Skipped when this cluster already has them from the same file: applying 934 KB of CRDs
 * takes a second or more, and a warm cluster:up takes less.
 */
export function ensureIstioBase(fresh: boolean): boolean {
    const hash = sha256(istioCrdFile());
    const installed =
        !fresh &&
        fs.existsSync(crdMarker()) &&
        fs.readFileSync(crdMarker(), "utf8") === hash &&
        tryKubectl([
            "get",
            "crd",
            "virtualservices.networking.istio.io",
            "destinationrules.networking.istio.io",
            "-o",
            "name",
        ]) !== null &&
        tryKubectl(["get", "namespace", MESH_NAMESPACE, "-o", "name"]) !== null;
    if (installed) return false;
    kubectl(["apply", "--server-side", "--force-conflicts", "--field-manager", "bookinfo-rig", "-f", istioCrdFile()]);
    kubectl([
        "wait",
        "--for=condition=Established",
        "--timeout=30s",
        "crd",
        "virtualservices.networking.istio.io",
        "destinationrules.networking.istio.io",
    ]);
    kubectl(["apply", "--server-side", "--field-manager", "bookinfo-rig", "-f", "-"], {
        input: JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: MESH_NAMESPACE } }),
    });
    fs.mkdirSync(meshDir(), { recursive: true });
    fs.writeFileSync(crdMarker(), hash);
    return true;
}

/** istiod on loopback only: plaintext xDS, debug HTTP (webhooks multiplexed on it) and monitoring; no TLS ports. */
export function startIstiod(): number {
    const kubeconfig = kubeconfigPath();
    return startDaemon(
        "istiod",
        bin("pilot-discovery"),
        [
            "discovery",
            "--kubeconfig",
            kubeconfig,
            "--grpcAddr",
            `127.0.0.1:${ISTIOD_GRPC_PORT}`,
            "--httpAddr",
            `127.0.0.1:${ISTIOD_HTTP_PORT}`,
            "--monitoringAddr",
            `127.0.0.1:${ISTIOD_MONITORING_PORT}`,
            // Empty disables the TLS xDS port (15012) and the webhook port (15017): no CA, no certificates.
            "--secureGRPCAddr",
            "",
            "--httpsAddr",
            "",
            "--ctrlz_address",
            "127.0.0.1",
            // No mesh config file: Istio's defaults.
            "--meshConfig",
            path.join(meshDir(), "no-mesh-config"),
        ],
        {
            marker: kubeconfig,
            cwd: meshDir(),
            env: {
                POD_NAMESPACE: MESH_NAMESPACE,
                REVISION: "default",
                // No CA (nothing here uses mTLS), no sidecar injection (no pods run containers), no webhook patching.
                ENABLE_CA_SERVER: "false",
                INJECT_ENABLED: "false",
                VALIDATION_WEBHOOK_CONFIG_NAME: "",
                // The rig has no Gateway API CRDs; istiod would otherwise watch for them.
                PILOT_ENABLE_GATEWAY_API: "false",
            },
        },
    );
}

/**
 * istio-proxy's stats tags (its bootstrap template's `stats_config`, the three the analysis reads): a cluster's
 * name up to `.svc.cluster.local` is one tag, so Prometheus sees `envoy_cluster_upstream_rq_total{cluster_name=
 * "outbound|9080|v2|reviews.<ns>.svc.cluster.local"}` as a sidecar exports it. Envoy's default tags would cut the
 * name at its first dot and fold the namespace into the metric's name. A default tag's name cannot be given a
 * regex of its own ("specified twice"), hence no default tags, as istio-proxy does.
 */
const ISTIO_STATS_TAGS = [
    { tag_name: "cluster_name", regex: "^cluster\\.((.+?(\\..+?\\.svc\\.cluster\\.local)?)\\.)" },
    { tag_name: "response_code", regex: "_rq(_(\\d{3}))$" },
    { tag_name: "response_code_class", regex: "_rq(_(\\dxx))$" },
];

/** The bootstrap: ADS to istiod, our listener with istiod's RDS "9080", clusters from the agent's file. */
function envoyBootstrap() {
    const ads = { ads: {}, resource_api_version: "V3" };
    return {
        node: {
            id: MESH_PROXY_ID,
            cluster: `mesh-proxy.${MESH_NAMESPACE}`,
            // No ISTIO_VERSION: istiod then assumes a proxy as new as itself.
            metadata: { NAMESPACE: MESH_NAMESPACE, CLUSTER_ID: "Kubernetes" },
        },
        admin: { address: { socket_address: { address: "127.0.0.1", port_value: ENVOY_ADMIN_PORT } } },
        stats_config: { use_all_default_tags: false, stats_tags: ISTIO_STATS_TAGS },
        dynamic_resources: {
            ads_config: {
                api_type: "GRPC",
                transport_api_version: "V3",
                set_node_on_first_message_only: true,
                grpc_services: [{ envoy_grpc: { cluster_name: "xds-grpc" } }],
            },
            cds_config: {
                resource_api_version: "V3",
                path_config_source: {
                    path: meshClustersPath(),
                    watched_directory: { path: path.dirname(meshClustersPath()) },
                },
            },
        },
        static_resources: {
            clusters: [
                {
                    name: "xds-grpc",
                    type: "STATIC",
                    connect_timeout: "1s",
                    typed_extension_protocol_options: {
                        "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
                            "@type": "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
                            explicit_http_config: { http2_protocol_options: {} },
                        },
                    },
                    load_assignment: {
                        cluster_name: "xds-grpc",
                        endpoints: [
                            {
                                lb_endpoints: [
                                    {
                                        endpoint: {
                                            address: {
                                                socket_address: { address: "127.0.0.1", port_value: ISTIOD_GRPC_PORT },
                                            },
                                        },
                                    },
                                ],
                            },
                        ],
                    },
                },
            ],
            listeners: [
                {
                    name: `mesh-${MESH_LISTENER.port}`,
                    address: { socket_address: { address: MESH_LISTENER.ip, port_value: MESH_LISTENER.port } },
                    filter_chains: [
                        {
                            filters: [
                                {
                                    name: "envoy.filters.network.http_connection_manager",
                                    typed_config: {
                                        "@type":
                                            "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
                                        stat_prefix: `mesh_${MESH_LISTENER.port}`,
                                        // Off (the default, written out): a mirrored copy is told apart by the
                                        // x-envoy-internal header Envoy's shadow client adds, which a request through
                                        // this listener never carries.
                                        use_remote_address: false,
                                        rds: { route_config_name: String(MESH_LISTENER.port), config_source: ads },
                                        http_filters: [
                                            {
                                                name: "envoy.filters.http.router",
                                                typed_config: {
                                                    "@type":
                                                        "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router",
                                                },
                                            },
                                        ],
                                    },
                                },
                            ],
                        },
                    ],
                },
            ],
        },
    };
}

/** Starts Envoy (one worker; no hot restart, so no shared memory with any other Envoy on the machine). */
export function startEnvoy(): number {
    const bootstrap = path.join(meshDir(), "envoy.json");
    fs.mkdirSync(path.dirname(meshClustersPath()), { recursive: true });
    // Envoy needs the file at start; the agent replaces it as soon as it has read the cluster.
    if (!fs.existsSync(meshClustersPath())) fs.writeFileSync(meshClustersPath(), clustersFile([]));
    fs.writeFileSync(bootstrap, JSON.stringify(envoyBootstrap(), null, 1));
    return startDaemon(
        "envoy",
        bin("envoy"),
        [
            "-c",
            bootstrap,
            "--concurrency",
            "1",
            "--disable-hot-restart",
            "--log-level",
            "warn",
            // istiod's routes carry the deprecated max_grpc_timeout: one warning per push, of no use here.
            "--component-log-level",
            "misc:error",
        ],
        { marker: bootstrap },
    );
}

/** GET on a loopback port; resolves with the status and body, null when nothing answers. */
export function localGet(
    port: number,
    urlPath: string,
    timeoutMs = 2000,
): Promise<{ status: number; body: string } | null> {
    return new Promise((resolve) => {
        const req = http.get({ host: "127.0.0.1", port, path: urlPath, timeout: timeoutMs, agent: false }, (res) => {
            let body = "";
            res.setEncoding("utf8");
            res.on("data", (c) => (body += c));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on("timeout", () => req.destroy());
        req.on("error", () => resolve(null));
    });
}

export const istiodReady = async () =>
    daemonPid("istiod") !== null && (await localGet(ISTIOD_HTTP_PORT, "/ready"))?.status === 200;

/** Envoy is live (its listener got istiod's first route configuration) and connected to istiod. */
export async function envoyServing(): Promise<boolean> {
    if (daemonPid("envoy") === null) return false;
    const ready = await localGet(ENVOY_ADMIN_PORT, "/ready");
    const connected = await localGet(ENVOY_ADMIN_PORT, "/stats?filter=^control_plane.connected_state$");
    return ready?.body.trim() === "LIVE" && /connected_state: 1/.test(connected?.body ?? "");
}
