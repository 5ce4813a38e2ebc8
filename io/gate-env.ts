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

/** Inputs of the app check (io/app-check.ts), set by the ReviewsRollout's app-check Command. */
export const APP_CHECK_ENV = {
    namespace: "APP_CHECK_NAMESPACE",
    kubeconfig: "APP_CHECK_KUBECONFIG",
    context: "APP_CHECK_CONTEXT",
    /** The stage table's app gate (AppGate) as JSON. */
    spec: "APP_CHECK_SPEC",
    /** Which reviews versions may answer, plain users and (istio) the testers (rollout/app-check.ts AppExpectation) as JSON. */
    expected: "APP_CHECK_EXPECTED",
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
    /**
     * "retire": only delete the Deployments the stage does not run, record nothing (the `pods` strategy's step
     * before its app check); unset: the settle step itself.
     */
    only: "SETTLE_ONLY",
} as const;
