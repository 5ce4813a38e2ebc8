// Environment variables that hand the gate its inputs: the Command (components/service-rollout.ts) sets them, the
// script (io/gate.ts) reads them. Environment rather than arguments: paths and images need no shell quoting.
export const GATE_ENV = {
    namespace: "GATE_NAMESPACE",
    /** kubeconfig path for kubectl; empty uses $KUBECONFIG / ~/.kube/config. */
    kubeconfig: "GATE_KUBECONFIG",
    /** kubeconfig context for kubectl; empty uses the current context. */
    context: "GATE_CONTEXT",
    /** The rolled-out service's name: its workload label's value and its container's name. */
    service: "GATE_SERVICE",
    /** The candidate's version label, image, pod count and star colour. */
    version: "GATE_VERSION",
    image: "GATE_IMAGE",
    pods: "GATE_PODS",
    stars: "GATE_STARS",
    /** The plan's smoke test (rollout/plan.ts SmokeTest) as JSON: port, path, requests in a row, answers, checks. */
    spec: "GATE_SPEC",
} as const;

/** Inputs of the app check (io/app-check.ts), set by the ServiceRollout's app-check Command. */
export const APP_CHECK_ENV = {
    namespace: "APP_CHECK_NAMESPACE",
    kubeconfig: "APP_CHECK_KUBECONFIG",
    context: "APP_CHECK_CONTEXT",
    /** The rolled-out service's name: the workload label of the pods whose answers it tells apart. */
    service: "APP_CHECK_SERVICE",
    /** The plan's app check (rollout/plan.ts AppTest) as JSON. */
    spec: "APP_CHECK_SPEC",
    /**
     * Which reviews versions may answer, plain users and (istio) the testers (rollout/app-check.ts AppExpectation) as
     * JSON.
     */
    expected: "APP_CHECK_EXPECTED",
} as const;

/** Inputs of the settle step (io/settle.ts), the ServiceRollout's last Command. */
export const SETTLE_ENV = {
    namespace: "SETTLE_NAMESPACE",
    kubeconfig: "SETTLE_KUBECONFIG",
    context: "SETTLE_CONTEXT",
    /** The rolled-out service's name: its workload label's value. */
    service: "SETTLE_SERVICE",
    /** The versions the stage runs (JSON list): every other Deployment of the service in the namespace is deleted. */
    keep: "SETTLE_KEEP",
    /** What this `up` deployed (rollout/rollout-record.ts RolloutRecord without recordedAt) as JSON. */
    record: "SETTLE_RECORD",
    /**
     * "retire": only delete the Deployments the stage does not run, record nothing (the `pods` strategy's step
     * before its app check); unset: the settle step itself.
     */
    only: "SETTLE_ONLY",
} as const;
