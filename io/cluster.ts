// Reads what really runs: the reviews Deployments (pods, image, serving label, ready pods), the other Bookinfo
// images, the gate record and the namespace itself, straight from the API server. Used by the program before it
// declares anything and by the policy pack, each with its own read, so neither trusts the other.
import * as fs from "fs";
import type * as k8sClient from "@kubernetes/client-node";
import { isReviewsDeployment, workloadOf } from "../rollout/workload-of";
import { gateViewOf, RawConfigMap } from "../rollout/gate-record";
import { GATE_RECORD_NAME } from "../rollout/labels";
import { DestinationRuleSpec, MESH_API_VERSION, MESH_OBJECT_NAME, readRoute, VirtualServiceSpec } from "../rollout/mesh-objects";
import { DEFAULT_TESTERS, Traffic } from "../rollout/traffic";
import { LiveView } from "../rollout/verdict";

/** Where the program talks to: what the Provider and the live read both use. */
export interface ClusterAccess {
    /** Text of the configured kubeconfig file; undefined means $KUBECONFIG / ~/.kube/config (the Provider's own default). */
    kubeconfigText?: string;
    /** The context in use (configured, or the kubeconfig's current context). */
    context: string;
    /** API server URL of that context, for messages. */
    server: string;
    client: k8sClient.KubeConfig;
}

/** The namespace as it is in the cluster (absent: undefined). */
export interface NamespaceFacts {
    uid: string;
    labels: Record<string, string>;
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

/** Loads the kubeconfig named by config (or the default one) and selects the configured context. */
export async function connect(kubeconfig: string, context: string): Promise<ClusterAccess> {
    const k8s = await loadClient();
    const kc = new k8s.KubeConfig();
    let kubeconfigText: string | undefined;
    let source = "$KUBECONFIG or ~/.kube/config";
    if (kubeconfig) {
        source = `kubeconfig file ${kubeconfig} (config key kubeconfig)`;
        try {
            kubeconfigText = fs.readFileSync(kubeconfig, "utf8");
            kc.loadFromString(kubeconfigText);
        } catch (e) {
            throw new ClusterReadError(`cannot load the ${source}: ${(e as Error).message}`);
        }
    } else {
        kc.loadFromDefault();
    }
    if (context) {
        if (!kc.getContextObject(context)) {
            const known = kc.getContexts().map((c) => c.name);
            throw new ClusterReadError(`context "${context}" (config key context) is not in the ${source}; its contexts: ${known.join(", ") || "none"}`);
        }
        kc.setCurrentContext(context);
    }
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new ClusterReadError(`the ${source} has no cluster for context "${kc.getCurrentContext()}"`);
    return { kubeconfigText, context: kc.getCurrentContext(), server: cluster.server, client: kc };
}

type Deployment = k8sClient.V1Deployment;

/**
 * Reads the facts the guard judges by, in one round of parallel requests. The reviews route is read whatever the
 * configured strategy (a cluster without Istio's CRDs has none), so a change of strategy mid-rollout is seen.
 */
export async function readClusterFacts(access: ClusterAccess, namespace: string, traffic: Traffic): Promise<ClusterFacts> {
    const k8s = await loadClient();
    const core = access.client.makeApiClient(k8s.CoreV1Api);
    const apps = access.client.makeApiClient(k8s.AppsV1Api);
    const custom = access.client.makeApiClient(k8s.CustomObjectsApi);
    const [group, version] = MESH_API_VERSION.split("/");
    const meshObject = (plural: string) => () =>
        custom.getNamespacedCustomObject({ group, version, namespace, plural, name: MESH_OBJECT_NAME }) as Promise<{ spec?: unknown }>;
    const absentOn404 = async <T>(what: string, read: () => Promise<T>): Promise<T | undefined> => {
        try {
            return await read();
        } catch (e) {
            if (e instanceof k8s.ApiException && e.code === 404) return undefined;
            const detail = e instanceof k8s.ApiException ? `HTTP ${e.code}: ${String(e.body).slice(0, 300)}` : (e as Error).message;
            throw new ClusterReadError(`cannot read ${what} from ${access.server} (context "${access.context}"): ${detail}`);
        }
    };
    const [ns, deployments, record, vs, dr] = await Promise.all([
        absentOn404(`namespace ${namespace}`, () => core.readNamespace({ name: namespace })),
        absentOn404(`the Deployments of namespace ${namespace}`, () => apps.listNamespacedDeployment({ namespace })),
        absentOn404(`the gate record ${namespace}/${GATE_RECORD_NAME}`, () => core.readNamespacedConfigMap({ name: GATE_RECORD_NAME, namespace })),
        // 404 also when the CRD is not installed: no Istio, no route.
        absentOn404(`VirtualService ${namespace}/${MESH_OBJECT_NAME}`, meshObject("virtualservices")),
        absentOn404(`DestinationRule ${namespace}/${MESH_OBJECT_NAME}`, meshObject("destinationrules")),
    ]);
    const testers = traffic.strategy === "istio" ? traffic.testers : DEFAULT_TESTERS;
    const items = deployments?.items ?? [];
    const services = Object.fromEntries(
        items.filter((d) => !isReviewsDeployment(d)).map((d) => [d.metadata?.name ?? "", d.spec?.template?.spec?.containers?.[0]?.image ?? ""]),
    );
    return {
        namespace: ns && { uid: ns.metadata?.uid ?? "", labels: ns.metadata?.labels ?? {} },
        live: {
            fleet: items.filter(isReviewsDeployment).map(workloadOf),
            services,
            gate: gateViewOf(record as RawConfigMap | undefined),
            ...(vs || dr ? { route: readRoute(vs?.spec as VirtualServiceSpec | undefined, dr?.spec as DestinationRuleSpec | undefined, testers) } : {}),
        },
    };
}
