// Hand-written Istio objects for the mesh specs, shaped as the product renders them for `traffic.strategy: istio`
// (issue 10): a DestinationRule with one subset per version, and a VirtualService whose first route sends
// Bookinfo's signed-in tester (header `end-user: jason`, or the cookie `user=jason`) to the candidate and whose
// second route splits the rest by weight, optionally mirroring it to the candidate. Written here, not taken from
// the product, so the specs judge the mesh, not the renderer.
import { INJECTION_LABEL } from "../../cluster/paths";
import { deployment, reviewsDeployment, service } from "./helpers";

export const TESTER_COOKIE_REGEX = "^(.*?;\\s*)?user=jason(;.*)?$";

export const meshedNamespace = (ns: string) => ({
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: ns, labels: { [INJECTION_LABEL]: "enabled" } },
});

/** reviews v1 and v2 (one pod each), ratings, productpage and their Services. */
export const bookinfoWorkloads = (ns: string) => [
    reviewsDeployment(ns, "v1"),
    reviewsDeployment(ns, "v2"),
    deployment(ns, "ratings-v1", "ratings", "v1"),
    deployment(ns, "productpage-v1", "productpage", "v1"),
    service(ns, "reviews"),
    service(ns, "ratings"),
    service(ns, "productpage"),
];

export function destinationRule(ns: string, subsets = ["v1", "v2"]) {
    return {
        apiVersion: "networking.istio.io/v1",
        kind: "DestinationRule",
        metadata: { name: "reviews", namespace: ns },
        spec: {
            host: `reviews.${ns}.svc.cluster.local`,
            subsets: subsets.map((v) => ({ name: v, labels: { version: v } })),
        },
    };
}

export interface RouteShape {
    v1: number;
    v2: number;
    mirror?: boolean;
    candidate?: string;
}

/** The reviews VirtualService: testers to `candidate` (default v2), the rest v1/v2 by weight, mirrored if asked. */
export function virtualService(ns: string, { v1, v2, mirror = false, candidate = "v2" }: RouteShape) {
    const host = `reviews.${ns}.svc.cluster.local`;
    return {
        apiVersion: "networking.istio.io/v1",
        kind: "VirtualService",
        metadata: { name: "reviews", namespace: ns },
        spec: {
            hosts: [host],
            http: [
                {
                    name: "testers",
                    match: [
                        { headers: { "end-user": { exact: "jason" } } },
                        { headers: { cookie: { regex: TESTER_COOKIE_REGEX } } },
                    ],
                    route: [{ destination: { host, subset: candidate } }],
                },
                {
                    name: "primary",
                    route: [
                        { destination: { host, subset: "v1" }, weight: v1 },
                        { destination: { host, subset: candidate }, weight: v2 },
                    ],
                    ...(mirror ? { mirror: { host, subset: candidate }, mirrorPercentage: { value: 100 } } : {}),
                },
            ],
        },
    };
}
