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

/** Inputs of the app check through the mesh (io/app-check.ts), set by the ReviewsRollout's second Command. */
export const APP_CHECK_ENV = {
    namespace: "APP_CHECK_NAMESPACE",
    kubeconfig: "APP_CHECK_KUBECONFIG",
    context: "APP_CHECK_CONTEXT",
    /** The stage table's app gate (AppGate) as JSON. */
    spec: "APP_CHECK_SPEC",
    /** The route the stage gives (rollout/route.ts Route) as JSON: what plain users and testers must get. */
    route: "APP_CHECK_ROUTE",
    /** Who the testers are (Testers) as JSON. */
    testers: "APP_CHECK_TESTERS",
} as const;

/** Inputs of the settle step (io/settle.ts), the ReviewsRollout's last Command. */
export const SETTLE_ENV = {
    namespace: "SETTLE_NAMESPACE",
    kubeconfig: "SETTLE_KUBECONFIG",
    context: "SETTLE_CONTEXT",
    /** The versions the stage runs (JSON list): every other reviews Deployment of the namespace is deleted. */
    keep: "SETTLE_KEEP",
    /** What this `up` deployed (rollout/rollout-record.ts RolloutRecord without recordedAt) as JSON. */
    record: "SETTLE_RECORD",
} as const;
