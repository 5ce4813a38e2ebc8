// How the agent reads pods and EndpointSlices (no cluster needed): which app a pod answers as, which image it
// runs (the fault table's key), which endpoints count as ready, which addresses may ever enter the pod network
// namespace. Expected values are written out by hand.
import assert from "node:assert/strict";
import type { V1EndpointSlice, V1Pod } from "@kubernetes/client-node";
import { APP_LABEL, VERSION_LABEL, WORKLOAD_LABEL } from "../../../rollout/labels";
import { REVIEWS } from "../../../rollout/service";
import { bookinfoApp, inPodNetwork, podEntry } from "../../cluster/pod-table";
import { cidrContains, cidrOverlaps } from "../../cluster/cidr";
import { isReady, readyEndpoints, readyEndpointsByService } from "../../cluster/kube";

const pod = (
    labels: Record<string, string>,
    { ip = "10.244.1.7", phase = "Running", containers = [{ name: "reviews", image: "example.test/reviews:2" }] } = {},
): V1Pod => ({
    metadata: { name: "p", namespace: "ns", labels },
    spec: { containers },
    status: { phase, podIP: ip },
});

const slice = (
    ns: string,
    svc: string,
    eps: [string, boolean | undefined, string?][],
    port = 9080,
): V1EndpointSlice => ({
    addressType: "IPv4",
    metadata: { namespace: ns, labels: { "kubernetes.io/service-name": svc } },
    ports: [{ port, protocol: "TCP" }],
    endpoints: eps.map(([ip, ready, podName]) => ({
        addresses: [ip],
        conditions: ready === undefined ? {} : { ready },
        ...(podName ? { targetRef: { kind: "Pod", name: podName } } : {}),
    })),
});

describe("pod table", () => {
    it("a dark reviews pod (app=reviews_test) answers as reviews; other apps as their app label", () => {
        assert.equal(bookinfoApp({ [APP_LABEL]: REVIEWS.darkApp }), "reviews");
        assert.equal(bookinfoApp({ [APP_LABEL]: "anything", [WORKLOAD_LABEL]: REVIEWS.name }), "reviews");
        assert.equal(bookinfoApp({ [APP_LABEL]: "ratings" }), "ratings");
        assert.equal(bookinfoApp({ [APP_LABEL]: "sleep" }), undefined);
    });

    it("serves only running pods with an IP inside the pod network, with the image of their app container", () => {
        assert.equal(podEntry(pod({ [APP_LABEL]: "details" }, { phase: "Pending" })).entry, undefined);
        const outside = podEntry(pod({ [APP_LABEL]: "details" }, { ip: "127.0.0.1" }));
        assert.equal(outside.entry, undefined);
        assert.match(outside.warning!, /outside the pod network/);
        assert.deepEqual(podEntry(pod({ [APP_LABEL]: "reviews", [VERSION_LABEL]: "v2" })).entry, {
            name: "p",
            namespace: "ns",
            ip: "10.244.1.7",
            app: "reviews",
            version: "v2",
            image: "example.test/reviews:2",
        });
    });

    it("takes the image of the container named after the app (a sidecar's is ignored), else of the first container", () => {
        const sidecarFirst = [
            { name: "istio-proxy", image: "example.test/proxy:1" },
            { name: "reviews", image: "example.test/reviews:3" },
        ];
        assert.equal(
            podEntry(pod({ [APP_LABEL]: REVIEWS.darkApp }, { containers: sidecarFirst })).entry?.image,
            "example.test/reviews:3",
        );
        assert.equal(
            podEntry(
                pod({ [APP_LABEL]: "ratings" }, { containers: [{ name: "main", image: "example.test/ratings:1" }] }),
            ).entry?.image,
            "example.test/ratings:1",
        );
    });
});

describe("rig Kubernetes helpers (local/cluster/kube.ts)", () => {
    it("ready endpoints: ready true or absent counts, per Service and namespace, with the slice's port and the pod", () => {
        assert.deepEqual(
            readyEndpointsByService([
                slice("a", "ratings", [
                    ["10.244.1.3", false],
                    ["10.244.1.2", true, "ratings-1"],
                ]),
                slice("a", "ratings", [["10.244.2.2", undefined]], 9081),
                slice("b", "ratings", [["10.244.3.2", false]]),
            ]),
            {
                "a/ratings": [
                    { ip: "10.244.1.2", port: 9080, pod: "ratings-1" },
                    { ip: "10.244.2.2", port: 9081 },
                ],
                "b/ratings": [],
            },
        );
        assert.deepEqual(readyEndpoints([{ ...slice("a", "x", [["fd00::1", true]]), addressType: "IPv6" }]), []);
    });

    it("a pod or node is ready only with condition Ready=True", () => {
        assert.equal(isReady({ status: { conditions: [{ type: "Ready", status: "True" }] } }), true);
        assert.equal(
            isReady({
                status: {
                    conditions: [
                        { type: "Ready", status: "False" },
                        { type: "PodScheduled", status: "True" },
                    ],
                },
            }),
            false,
        );
        assert.equal(isReady({}), false);
    });

    it("only addresses of 10.244.0.0/15 may enter the namespace", () => {
        assert.ok(
            inPodNetwork("10.244.3.9") &&
                inPodNetwork("10.245.0.1") &&
                inPodNetwork("10.244.0.0") &&
                inPodNetwork("10.245.255.255"),
        );
        assert.ok(
            !inPodNetwork("10.246.0.1") &&
                !inPodNetwork("10.243.255.255") &&
                !inPodNetwork("127.0.0.1") &&
                !inPodNetwork("192.0.2.2") &&
                !inPodNetwork("garbage") &&
                !inPodNetwork("10.244.1.300"),
        );
    });

    it("CIDR overlap and containment", () => {
        assert.equal(cidrOverlaps("10.244.0.0/15", "10.245.7.0/24"), true);
        assert.equal(cidrOverlaps("10.0.0.0/8", "10.244.0.0/15"), true);
        assert.equal(cidrOverlaps("10.246.0.0/16", "10.244.0.0/15"), false);
        assert.equal(cidrOverlaps("192.168.1.10", "192.168.1.0/24"), true);
        assert.equal(cidrContains("10.244.1.0/24", "10.244.1.255"), true);
        assert.equal(cidrContains("10.244.1.0/24", "10.244.2.0"), false);
    });
});
