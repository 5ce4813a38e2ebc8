// Reads what really runs: the reviews Deployments (pods, image, serving label, ready pods), the other Bookinfo
// images, the gate record and the namespace itself, straight from the API server. Used by the program before it
// declares anything and by the policy pack, each with its own read, so neither trusts the other.
//
// Six GETs need no full Kubernetes client: loading @kubernetes/client-node costs about 0.55 s of CPU per process
// (every generated model), paid by the program and the pack on every run. A kubeconfig whose context uses a
// server, a CA (or insecure-skip-tls-verify), a client certificate and key and/or a bearer token is read here and
// the GETs go out through node's https; anything else (exec plugins, auth providers, token files, basic auth,
// impersonation, proxies, several kubeconfig files in $KUBECONFIG, in-cluster config) goes through client-node
// as before, so every kubeconfig that worked still works.
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as os from "os";
import * as path from "path";
import type * as k8sClient from "@kubernetes/client-node";
import { DeploymentShape, isServiceDeployment, workloadOf } from "../rollout/workload-of";
import { RolledService } from "../rollout/service";
import { gateViewOf, RawConfigMap } from "../rollout/gate-record";
import { GATE_RECORD_NAME, ROLLOUT_RECORD_NAME } from "../rollout/labels";
import { recordViewOf } from "../rollout/rollout-record";
import { DestinationRuleSpec, MESH_API_VERSION, readRoute, VirtualServiceSpec } from "../rollout/mesh-objects";
import { DEFAULT_TESTERS, Traffic } from "../rollout/traffic";
import { LiveView } from "../rollout/verdict";

/** The objects the read needs. */
export type ApiRead =
    | { kind: "namespace"; name: string }
    | { kind: "deployments"; namespace: string }
    | { kind: "configmap"; namespace: string; name: string }
    | { kind: "custom"; group: string; version: string; plural: string; namespace: string; name: string };

/** Reads an object as JSON: undefined when the server answers 404, ApiError for any other failure. */
export interface ApiReader {
    read(what: ApiRead): Promise<unknown>;
}

/** The REST path of a read. */
export function apiPath(r: ApiRead): string {
    const ns = (n: string) => `/namespaces/${encodeURIComponent(n)}`;
    switch (r.kind) {
        case "namespace":
            return `/api/v1${ns(r.name)}`;
        case "deployments":
            return `/apis/apps/v1${ns(r.namespace)}/deployments`;
        case "configmap":
            return `/api/v1${ns(r.namespace)}/configmaps/${encodeURIComponent(r.name)}`;
        case "custom":
            return `/apis/${r.group}/${r.version}${ns(r.namespace)}/${r.plural}/${encodeURIComponent(r.name)}`;
    }
}

/** The API server answered other than 200 (code 0: no answer at all). */
export class ApiError extends Error {
    constructor(
        readonly code: number,
        readonly body: string,
    ) {
        super(code ? `HTTP ${code}: ${body.slice(0, 300)}` : body);
    }
}

/** Where the program talks to: what the Provider and the live read both use. */
export interface ClusterAccess {
    /**
     * Text of the configured kubeconfig file; undefined means $KUBECONFIG / ~/.kube/config (the Provider's own
     * default).
     */
    kubeconfigText?: string;
    /** The context in use (configured, or the kubeconfig's current context). */
    context: string;
    /** API server URL of that context, for messages. */
    server: string;
    client: ApiReader;
}

/** The namespace as it is in the cluster (absent: undefined). */
export interface NamespaceFacts {
    uid: string;
    labels: Record<string, string>;
    annotations?: Record<string, string>;
}

export interface ClusterFacts {
    namespace?: NamespaceFacts;
    live: LiveView;
}

/** A read failed for a reason other than "not there": guessing would defeat the guard, so the caller stops. */
export class ClusterReadError extends Error {}

// @kubernetes/client-node 1.x is ESM only; TypeScript would turn `import()` into `require()` under CommonJS.
const importEsm = new Function("specifier", "return import(specifier)") as (s: string) => Promise<unknown>;
const loadClient = () => importEsm("@kubernetes/client-node") as Promise<typeof k8sClient>;

interface KubeconfigCluster {
    server?: string;
    "certificate-authority"?: string;
    "certificate-authority-data"?: string;
    "insecure-skip-tls-verify"?: boolean;
    "tls-server-name"?: string;
}
interface KubeconfigUser {
    token?: string;
    "client-certificate"?: string;
    "client-certificate-data"?: string;
    "client-key"?: string;
    "client-key-data"?: string;
}
interface Kubeconfig {
    clusters?: { name: string; cluster?: KubeconfigCluster & Record<string, unknown> }[];
    users?: { name: string; user?: KubeconfigUser & Record<string, unknown> }[];
    contexts?: { name: string; context?: { cluster?: string; user?: string } }[];
    "current-context"?: string;
}

/** The fields this file's own reader handles; a cluster or user with any other field goes through client-node. */
const PLAIN_CLUSTER = new Set([
    "server",
    "certificate-authority",
    "certificate-authority-data",
    "insecure-skip-tls-verify",
    "tls-server-name",
    "extensions",
]);
const PLAIN_USER = new Set([
    "token",
    "client-certificate",
    "client-certificate-data",
    "client-key",
    "client-key-data",
    "extensions",
]);

/** A GET reader over node's http/https, keep-alive for the read's parallel requests. */
function plainReader(cluster: KubeconfigCluster, user: KubeconfigUser, dir: string): ApiReader {
    const file = (p: string) => fs.readFileSync(path.isAbsolute(p) ? p : path.join(dir, p));
    const data = (inline: string | undefined, p: string | undefined) =>
        inline ? Buffer.from(inline, "base64") : p ? file(p) : undefined;
    const url = new URL(cluster.server!);
    const secure = url.protocol === "https:";
    const tls: https.AgentOptions = secure
        ? {
              ca: data(cluster["certificate-authority-data"], cluster["certificate-authority"]),
              cert: data(user["client-certificate-data"], user["client-certificate"]),
              key: data(user["client-key-data"], user["client-key"]),
              rejectUnauthorized: !cluster["insecure-skip-tls-verify"],
              servername: cluster["tls-server-name"],
          }
        : {};
    const agent = secure
        ? new https.Agent({ keepAlive: true, maxSockets: 8, ...tls })
        : new http.Agent({ keepAlive: true, maxSockets: 8 });
    const base = url.pathname.replace(/\/$/, "");
    return {
        read: (what) =>
            new Promise((resolve, reject) => {
                const req = (secure ? https : http).request(
                    {
                        protocol: url.protocol,
                        hostname: url.hostname.replace(/^\[|\]$/g, ""),
                        port: url.port || undefined,
                        path: base + apiPath(what),
                        method: "GET",
                        agent,
                        timeout: 30_000,
                        headers: {
                            accept: "application/json",
                            ...(user.token ? { authorization: `Bearer ${user.token}` } : {}),
                        },
                    },
                    (res) => {
                        let body = "";
                        res.setEncoding("utf8");
                        res.on("data", (c) => (body += c));
                        res.on("end", () => {
                            if (res.statusCode === 404) return resolve(undefined);
                            if (res.statusCode !== 200) return reject(new ApiError(res.statusCode ?? 0, body));
                            try {
                                resolve(JSON.parse(body));
                            } catch (e) {
                                reject(new ApiError(0, `not JSON: ${(e as Error).message}`));
                            }
                        });
                    },
                );
                req.on("timeout", () => req.destroy(new Error("no answer within 30 s")));
                req.on("error", (e) => reject(new ApiError(0, e.message)));
                req.end();
            }),
    };
}

/** The same reads through client-node's API clients, for kubeconfigs this file does not read itself. */
async function clientNodeReader(kc: k8sClient.KubeConfig): Promise<ApiReader> {
    const k8s = await loadClient();
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const custom = kc.makeApiClient(k8s.CustomObjectsApi);
    const call = (what: ApiRead): Promise<unknown> => {
        switch (what.kind) {
            case "namespace":
                return core.readNamespace({ name: what.name });
            case "deployments":
                return apps.listNamespacedDeployment({ namespace: what.namespace });
            case "configmap":
                return core.readNamespacedConfigMap({ name: what.name, namespace: what.namespace });
            case "custom":
                return custom.getNamespacedCustomObject(what);
        }
    };
    return {
        read: async (what) => {
            try {
                return await call(what);
            } catch (e) {
                if (e instanceof k8s.ApiException && e.code === 404) return undefined;
                throw e instanceof k8s.ApiException
                    ? new ApiError(e.code, String(e.body))
                    : new ApiError(0, (e as Error).message);
            }
        },
    };
}

/** Loads the kubeconfig named by config (or the default one) and selects the configured context. */
export async function connect(kubeconfig: string, context: string): Promise<ClusterAccess> {
    let kubeconfigText: string | undefined;
    let source = "$KUBECONFIG or ~/.kube/config";
    let file: string | undefined;
    if (kubeconfig) {
        source = `kubeconfig file ${kubeconfig} (config key kubeconfig)`;
        file = kubeconfig;
    } else {
        const env = process.env.KUBECONFIG;
        const home = path.join(os.homedir(), ".kube", "config");
        // One file: read here. A list of files (merged by kubectl's rules) or no file at all: client-node.
        file = env ? (env.includes(path.delimiter) ? undefined : env) : fs.existsSync(home) ? home : undefined;
    }
    let text: string | undefined;
    if (file) {
        try {
            text = fs.readFileSync(file, "utf8");
        } catch (e) {
            if (kubeconfig) throw new ClusterReadError(`cannot load the ${source}: ${(e as Error).message}`);
        }
    }
    if (kubeconfig) kubeconfigText = text;
    const plain = text === undefined ? undefined : await plainAccess(text, file!, context, source);
    if (plain) return { kubeconfigText, ...plain };
    return clientNodeAccess(kubeconfig, kubeconfigText, context, source);
}

/** The context's access through this file's reader, or undefined when it needs client-node. */
async function plainAccess(
    text: string,
    file: string,
    context: string,
    source: string,
): Promise<Omit<ClusterAccess, "kubeconfigText"> | undefined> {
    let doc: Kubeconfig;
    try {
        const yaml = await import("js-yaml");
        doc = (yaml.load(text) ?? {}) as Kubeconfig;
    } catch {
        return undefined; // client-node says what is wrong with it
    }
    const contexts = doc.contexts ?? [];
    const name = context || doc["current-context"] || "";
    const ctx = contexts.find((c) => c.name === name);
    if (context && !ctx) {
        throw new ClusterReadError(
            `context "${context}" (config key context) is not in the ${source}; its contexts: ${contexts.map((c) => c.name).join(", ") || "none"}`,
        );
    }
    const cluster = doc.clusters?.find((c) => c.name === ctx?.context?.cluster)?.cluster;
    const user = doc.users?.find((u) => u.name === ctx?.context?.user)?.user ?? {};
    if (!ctx || !cluster?.server || !/^https?:\/\//.test(cluster.server)) return undefined;
    if (!Object.keys(cluster).every((k) => PLAIN_CLUSTER.has(k)) || !Object.keys(user).every((k) => PLAIN_USER.has(k)))
        return undefined;
    try {
        return { context: name, server: cluster.server, client: plainReader(cluster, user, path.dirname(file)) };
    } catch (e) {
        throw new ClusterReadError(
            `cannot load the credentials of context "${name}" of the ${source}: ${(e as Error).message}`,
        );
    }
}

async function clientNodeAccess(
    kubeconfig: string,
    kubeconfigText: string | undefined,
    context: string,
    source: string,
): Promise<ClusterAccess> {
    const k8s = await loadClient();
    const kc = new k8s.KubeConfig();
    if (kubeconfig) {
        try {
            kc.loadFromString(kubeconfigText ?? fs.readFileSync(kubeconfig, "utf8"));
        } catch (e) {
            throw new ClusterReadError(`cannot load the ${source}: ${(e as Error).message}`);
        }
    } else {
        kc.loadFromDefault();
    }
    if (context) {
        if (!kc.getContextObject(context)) {
            const known = kc.getContexts().map((c) => c.name);
            throw new ClusterReadError(
                `context "${context}" (config key context) is not in the ${source}; its contexts: ${known.join(", ") || "none"}`,
            );
        }
        kc.setCurrentContext(context);
    }
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new ClusterReadError(`the ${source} has no cluster for context "${kc.getCurrentContext()}"`);
    return {
        kubeconfigText,
        context: kc.getCurrentContext(),
        server: cluster.server,
        client: await clientNodeReader(kc),
    };
}

interface NamespaceObject {
    metadata?: { uid?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
}

/**
 * Reads the facts the guard judges by, in one round of parallel requests. The service's route is read whatever the
 * configured strategy (a cluster without Istio's CRDs has none), so a change of strategy mid-rollout is seen.
 */
export async function readClusterFacts(
    access: ClusterAccess,
    namespace: string,
    traffic: Traffic,
    service: RolledService,
): Promise<ClusterFacts> {
    const [group, version] = MESH_API_VERSION.split("/");
    const absentOn404 = async <T>(what: string, read: ApiRead): Promise<T | undefined> => {
        try {
            return (await access.client.read(read)) as T | undefined;
        } catch (e) {
            const detail = e instanceof ApiError ? e.message : (e as Error).message;
            throw new ClusterReadError(
                `cannot read ${what} from ${access.server} (context "${access.context}"): ${detail}`,
            );
        }
    };
    const meshObject = (plural: string): ApiRead => ({
        kind: "custom",
        group,
        version,
        plural,
        namespace,
        name: service.name,
    });
    const [ns, deployments, record, rolloutRecord, vs, dr] = await Promise.all([
        absentOn404<NamespaceObject>(`namespace ${namespace}`, { kind: "namespace", name: namespace }),
        absentOn404<{ items?: DeploymentShape[] }>(`the Deployments of namespace ${namespace}`, {
            kind: "deployments",
            namespace,
        }),
        absentOn404<RawConfigMap>(`the gate record ${namespace}/${GATE_RECORD_NAME}`, {
            kind: "configmap",
            namespace,
            name: GATE_RECORD_NAME,
        }),
        absentOn404<RawConfigMap>(`the rollout record ${namespace}/${ROLLOUT_RECORD_NAME}`, {
            kind: "configmap",
            namespace,
            name: ROLLOUT_RECORD_NAME,
        }),
        // 404 also when the CRD is not installed: no Istio, no route.
        absentOn404<{ spec?: unknown }>(`VirtualService ${namespace}/${service.name}`, meshObject("virtualservices")),
        absentOn404<{ spec?: unknown }>(`DestinationRule ${namespace}/${service.name}`, meshObject("destinationrules")),
    ]);
    // The live route is read with the deployed testers: the change under review does not say what a tester is.
    const recorded = recordViewOf(rolloutRecord);
    const deployedTraffic = recorded.trust === "trusted" ? recorded.record.traffic : traffic;
    const testers = deployedTraffic.strategy === "istio" ? deployedTraffic.testers : DEFAULT_TESTERS;
    const items = deployments?.items ?? [];
    const ours = (d: DeploymentShape) => isServiceDeployment(service, d);
    const services = Object.fromEntries(
        items
            .filter((d) => !ours(d))
            .map((d) => [d.metadata?.name ?? "", d.spec?.template?.spec?.containers?.[0]?.image ?? ""]),
    );
    return {
        namespace: ns && {
            uid: ns.metadata?.uid ?? "",
            labels: ns.metadata?.labels ?? {},
            annotations: ns.metadata?.annotations ?? {},
        },
        live: {
            fleet: items.filter(ours).map((d) => workloadOf(service, d)),
            services,
            gate: gateViewOf(record),
            record: recorded,
            deployed: recorded.trust !== "absent",
            ...(vs || dr
                ? {
                      route: readRoute(
                          vs?.spec as VirtualServiceSpec | undefined,
                          dr?.spec as DestinationRuleSpec | undefined,
                          testers,
                      ),
                  }
                : {}),
        },
    };
}
