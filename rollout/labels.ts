// Every label and annotation key the project reads or writes: components, policy, cluster tools and tests
// import them from here so a key can never drift between writer and reader.

/** Bookinfo's own pod labels (Istio sample): the Service selects on `app`, Deployments select on `version`. */
export const APP_LABEL = "app";
export const VERSION_LABEL = "version";
/**
 * Names the workload a pod belongs to whatever its `app` label says. Reviews Deployments select on
 * {workload, version}: `app` flips between stages and must stay out of the immutable selector, and `version`
 * alone would also match details-v1 and ratings-v1.
 */
export const WORKLOAD_LABEL = "rollout.bookinfo.dev/workload";
/** WORKLOAD_LABEL value of every reviews pod, Deployment and the rollout state ConfigMap. */
export const REVIEWS_WORKLOAD = "reviews";

/** `app` value that puts a reviews pod in service (what the reviews Service selects). */
export const REVIEWS_APP = "reviews";
/** `app` value of a dark v2 pod: running, reachable by pod IP, not selected by the reviews Service. */
export const REVIEWS_DARK_APP = "reviews_test";

/** Annotations on the rollout state ConfigMap (what was deployed, what is asked for, what passed the smoke test). */
export const FROM_STAGE_ANNOTATION = "rollout.bookinfo.dev/from-stage";
export const TO_STAGE_ANNOTATION = "rollout.bookinfo.dev/to-stage";
export const V2_IMAGE_ANNOTATION = "rollout.bookinfo.dev/v2-image";
export const SMOKE_PASSED_IMAGE_ANNOTATION = "rollout.bookinfo.dev/smoke-passed-image";
export const V1_REPLICAS_ANNOTATION = "rollout.bookinfo.dev/v1-replicas";

/**
 * Pod annotation read by the local cluster's pod server (cluster/): makes a pod misbehave so tests can roll out a
 * broken v2. Values: `http-500`, `slow`, `ratings-error`. Ignored by real containers.
 */
export const FAULT_ANNOTATION = "bookinfo.dev/fault";
export const FAULTS = ["http-500", "slow", "ratings-error"] as const;
export type Fault = (typeof FAULTS)[number];
