// Every label, annotation and object name the product reads or writes: components, the gate, the guard and the
// tests import them from here so a key can never drift between writer and reader.

/** Bookinfo's own pod labels (Istio sample): Services select on `app`, versions are told apart by `version`. */
export const APP_LABEL = "app";
export const VERSION_LABEL = "version";
/**
 * Names the workload a pod belongs to whatever its `app` label says (its value: the rolled-out service's name,
 * rollout/service.ts). The service's Deployments select on {workload, version}: `app` flips between stages (the
 * service's name in service, its `darkApp` dark) and must stay out of the immutable selector, and `version` alone
 * would also match details-v1 and ratings-v1.
 */
export const WORKLOAD_LABEL = "rollout.bookinfo.dev/workload";

/**
 * Label of the Namespace the stack created: `<organization>.<project>.<stack>`. The program never adopts a
 * namespace without it, and refuses to move a stack whose namespace carries it elsewhere.
 */
export const STACK_LABEL = "rollout.bookinfo.dev/stack";

/**
 * The gate record: a ConfigMap that only the gate writes (server-side apply with GATE_FIELD_MANAGER), never a
 * Pulumi resource, so no program, targeted `up` or refresh can create or edit it without it showing in
 * managedFields. It lists the images whose gate passed in this namespace.
 */
export const GATE_RECORD_NAME = "reviews-gate-record";
export const GATE_FIELD_MANAGER = "bookinfo-rollout-gate";
/** Key of the gate record's data that holds the JSON list of passed gates. */
export const GATE_RECORD_KEY = "passed.json";
/** Key of the gate record's data that holds the JSON list of images that failed their gate since their last pass. */
export const GATE_FAILED_KEY = "failed.json";

/**
 * The rollout record: what the last `up` deployed (release, traffic, bounds: the guard's yardstick), written at
 * the end of every `up` by the settle step (server-side apply with ROLLOUT_RECORD_FIELD_MANAGER), never a Pulumi
 * resource. The guard measures the next change with it, not with the change's own config.
 */
export const ROLLOUT_RECORD_NAME = "reviews-rollout-record";
export const ROLLOUT_RECORD_FIELD_MANAGER = "bookinfo-rollout-record";
export const ROLLOUT_RECORD_KEY = "deployed.json";

/** Annotation on the Namespace: the backend whose stack created it (with STACK_LABEL, the stack's identity). */
export const BACKEND_ANNOTATION = "rollout.bookinfo.dev/backend";
