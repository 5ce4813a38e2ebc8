// Reads the rollout's live state from the cluster before any resource is declared, with the same kubeconfig and
// context as the program's kubernetes Provider.
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import type * as k8sClient from "@kubernetes/client-node";
import { liveStateFromConfigMap, LiveState, NEVER_DEPLOYED, STATE_CONFIGMAP_NAME } from "./deployed";

/** Where the program talks to: what the Provider and the live-state read both use. */
export interface ClusterAccess {
    /** Text of the configured kubeconfig file; undefined means $KUBECONFIG / ~/.kube/config (the Provider's own default). */
    kubeconfigText?: string;
    /** The context in use (configured, or the kubeconfig's current context). */
    context: string;
    /** API server URL of that context, for error messages. */
    server: string;
    client: k8sClient.KubeConfig;
}

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
            throw new pulumi.RunError(`cannot load the ${source}: ${(e as Error).message}`);
        }
    } else {
        kc.loadFromDefault();
    }
    if (context) {
        if (!kc.getContextObject(context)) {
            const known = kc.getContexts().map((c) => c.name);
            throw new pulumi.RunError(
                `context "${context}" (config key context) is not in the ${source}; its contexts: ${known.join(", ") || "none"}`,
            );
        }
        kc.setCurrentContext(context);
    }
    const cluster = kc.getCurrentCluster();
    if (!cluster) {
        throw new pulumi.RunError(`the ${source} has no cluster for context "${kc.getCurrentContext()}"`);
    }
    return { kubeconfigText, context: kc.getCurrentContext(), server: cluster.server, client: kc };
}

/**
 * Reads the state ConfigMap in `namespace`. Absent (404, also when the namespace does not exist) means never
 * deployed; any other failure stops the program, since guessing the deployed stage would defeat the policy pack.
 */
export async function readLiveState(access: ClusterAccess, namespace: string): Promise<LiveState> {
    const k8s = await loadClient();
    const where = `${namespace}/${STATE_CONFIGMAP_NAME}`;
    const api = access.client.makeApiClient(k8s.CoreV1Api);
    try {
        const cm = await api.readNamespacedConfigMap({ name: STATE_CONFIGMAP_NAME, namespace });
        return liveStateFromConfigMap(cm, where);
    } catch (e) {
        if (e instanceof k8s.ApiException && e.code === 404) return NEVER_DEPLOYED;
        if (e instanceof pulumi.RunError) throw e;
        const detail = e instanceof k8s.ApiException ? `HTTP ${e.code}: ${String(e.body).slice(0, 300)}` : (e as Error).message;
        throw new pulumi.RunError(
            `cannot read the live rollout state ConfigMap ${where} from ${access.server} (context "${access.context}"): ${detail}`,
        );
    }
}
