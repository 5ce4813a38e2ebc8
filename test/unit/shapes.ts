// Hand-written shapes of every stage for two consecutive releases (3 stable pods), and the gate records the specs
// use: the expected values the stage table's functions are checked against, written out, not computed.
import { Release, Workload } from "../../rollout/fleet";
import { GateView } from "../../rollout/gate-record";

export const IMG = {
    v1: "docker.io/istio/examples-bookinfo-reviews-v1:1.20.3",
    v2: "docker.io/istio/examples-bookinfo-reviews-v2:1.20.3",
    v3: "docker.io/istio/examples-bookinfo-reviews-v3:1.20.3",
};

export const V1_TO_V2: Release = {
    stable: { version: "v1", image: IMG.v1, replicas: 3 },
    candidate: { version: "v2", image: IMG.v2, replicas: 3 },
};
export const V2_TO_V3: Release = {
    stable: { version: "v2", image: IMG.v2, replicas: 3 },
    candidate: { version: "v3", image: IMG.v3, replicas: 3 },
};

const w = (version: string, image: string, replicas: number, serving: boolean): Workload => ({ version, image, replicas, serving });

/** Each stage of each release, written out. */
export const SHAPES: Record<"v1->v2" | "v2->v3", Record<string, Workload[]>> = {
    "v1->v2": {
        stable: [w("v1", IMG.v1, 3, true)],
        dark: [w("v1", IMG.v1, 3, true), w("v2", IMG.v2, 1, false)],
        canary: [w("v1", IMG.v1, 3, true), w("v2", IMG.v2, 1, true)],
        half: [w("v1", IMG.v1, 3, true), w("v2", IMG.v2, 3, true)],
        promoted: [w("v2", IMG.v2, 3, true)],
    },
    "v2->v3": {
        stable: [w("v2", IMG.v2, 3, true)],
        dark: [w("v2", IMG.v2, 3, true), w("v3", IMG.v3, 1, false)],
        canary: [w("v2", IMG.v2, 3, true), w("v3", IMG.v3, 1, true)],
        half: [w("v2", IMG.v2, 3, true), w("v3", IMG.v3, 3, true)],
        promoted: [w("v3", IMG.v3, 3, true)],
    },
};

export const RELEASES = { "v1->v2": V1_TO_V2, "v2->v3": V2_TO_V3 } as const;

/** A trusted gate record with passes for these (version, image) pairs. */
export function passed(...pairs: [string, string][]): GateView {
    return {
        trust: "trusted",
        passes: pairs.map(([version, image]) => ({ version, image, passedAt: "2026-11-26T00:00:00Z", pods: 1, requestsPerPod: 11 })),
    };
}

export const BOUNDS = { maxReplicas: 10, maxReplicaChange: 5, minServingPods: 3 };
export const SERVICES = {
    "details-v1": "docker.io/istio/examples-bookinfo-details-v1:1.20.3",
    "ratings-v1": "docker.io/istio/examples-bookinfo-ratings-v1:1.20.3",
    "productpage-v1": "docker.io/istio/examples-bookinfo-productpage-v1:1.20.3",
};
