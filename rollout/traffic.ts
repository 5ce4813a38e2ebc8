// How the candidate receives traffic, chosen per stack for the whole rollout: `pods` (the tutorial's method: its
// share of the pods behind the reviews Service) or `istio` (a VirtualService routes testers, mirrors and weighs;
// the cluster must run Istio and every client of reviews must be in the mesh).
export const TRAFFIC_STRATEGIES = ["pods", "istio"] as const;
export type TrafficStrategy = (typeof TRAFFIC_STRATEGIES)[number];

/** Who the testers are: Bookinfo's signed-in user, sent by productpage as a header, or a cookie of the browser. */
export interface Testers {
    header: string;
    cookie: string;
    value: string;
}

export interface MeshTraffic {
    strategy: "istio";
    /** Candidate weights in percent, ascending, each below 100: one stage each, between mirror and weight-100. */
    steps: number[];
    /** Share of the live requests copied to the candidate in the mirror stage. */
    mirrorPercent: number;
    testers: Testers;
}

export type Traffic = { strategy: "pods" } | MeshTraffic;

export const DEFAULT_STEPS = [1, 5, 10, 25, 50];
export const DEFAULT_TESTERS: Testers = { header: "end-user", cookie: "user", value: "jason" };
export const DEFAULT_TRAFFIC: Traffic = { strategy: "pods" };
