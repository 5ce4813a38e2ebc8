// The service a rollout moves from version to version, as data: what names it (Service, Deployments, labels, mesh
// host), what its pods need, and what its smoke test and app check ask. The stage table says when a gate runs;
// this says what it asks. Bookinfo rolls out `reviews`; `ratings` is the proof that nothing else is hard-wired
// (test/unit/program-ratings.spec.ts), and a fork adds its own here (docs/fork.md).
import { AnswerKind } from "./smoke-check";

export interface RolledService {
    /**
     * The Service's name, the `app` label that puts a pod in service, the workload label's value, the container's
     * name and the mesh objects' name. Deployments are `<name>-<version>`.
     */
    name: string;
    /** `app` value of a dark candidate pod: running, reachable by pod IP, not selected by the Service. */
    darkApp: string;
    /** Port of the Service and of every pod. */
    port: number;
    /** The smoke test's request to each candidate pod, and how its answers are judged (rollout/smoke-check.ts). */
    smokePath: string;
    answers: AnswerKind;
    /**
     * productpage's API call that reaches this service, for the app check; absent when the answers cannot tell
     * which version answered (no stage then has an app check).
     */
    appPath?: string;
    /** What every pod of the service needs beside the image: environment, and emptyDir volumes by mount path. */
    pod: { env?: Record<string, string>; emptyDirs?: Record<string, string> };
}

/** Bookinfo's reviews: the tutorial's service. Its answers name the pod, so the app check can tell versions apart. */
export const REVIEWS: RolledService = {
    name: "reviews",
    darkApp: "reviews_test",
    port: 9080,
    smokePath: "/reviews/7",
    answers: "reviews",
    appPath: "/api/v1/products/0/reviews",
    pod: { env: { LOG_DIR: "/tmp/logs" }, emptyDirs: { tmp: "/tmp", "wlp-output": "/opt/ibm/wlp/output" } },
};

/** Bookinfo's ratings (ratings-v1, ratings-v2 upstream). Its answers do not name the pod: no app check. */
export const RATINGS: RolledService = {
    name: "ratings",
    darkApp: "ratings_test",
    port: 9080,
    smokePath: "/ratings/7",
    answers: "ratings",
    pod: {},
};

/** `reviews-v2`: the Deployment (and its pods' name prefix) of one version. */
export const deploymentName = (service: RolledService, version: string) => `${service.name}-${version}`;

/** The Service's host inside the cluster: what the mesh route is for. */
export const serviceHost = (service: RolledService, namespace: string) =>
    `${service.name}.${namespace}.svc.cluster.local`;

/**
 * The service this product rolls out: the program (index.ts), the policy pack and the driver take it from here, so
 * a fork that rolls out its own service names it once (docs/fork.md).
 */
export const ROLLED_OUT: RolledService = REVIEWS;
