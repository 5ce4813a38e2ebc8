// Environment variables that hand the smoke test its inputs: the Command (components/reviews-rollout.ts) sets
// them, the script (rollout/smoke-test.ts) reads them. Environment rather than arguments: paths and images need
// no shell quoting.
export const SMOKE_ENV = {
    namespace: "SMOKE_NAMESPACE",
    /** kubeconfig path for kubectl; empty uses $KUBECONFIG / ~/.kube/config. */
    kubeconfig: "SMOKE_KUBECONFIG",
    /** kubeconfig context for kubectl; empty uses the current context. */
    context: "SMOKE_CONTEXT",
    /** The v2 image every tested pod must run. */
    image: "SMOKE_V2_IMAGE",
    /** How many ready v2 pods the stage has. */
    pods: "SMOKE_V2_PODS",
} as const;
