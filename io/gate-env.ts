// Environment variables that hand the gate its inputs: the Command (components/reviews-rollout.ts) sets them, the
// script (io/gate.ts) reads them. Environment rather than arguments: paths and images need no shell quoting.
export const GATE_ENV = {
    namespace: "GATE_NAMESPACE",
    /** kubeconfig path for kubectl; empty uses $KUBECONFIG / ~/.kube/config. */
    kubeconfig: "GATE_KUBECONFIG",
    /** kubeconfig context for kubectl; empty uses the current context. */
    context: "GATE_CONTEXT",
    /** The candidate's version label, image, pod count and star colour. */
    version: "GATE_VERSION",
    image: "GATE_IMAGE",
    pods: "GATE_PODS",
    stars: "GATE_STARS",
    /** The stage table's gate (SmokeGate) as JSON: port, path, requests in a row, checks. */
    spec: "GATE_SPEC",
} as const;
