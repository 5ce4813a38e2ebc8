// How the agent reads pods and EndpointSlices (no cluster needed): which app a pod answers as, which faults are
// honoured, which endpoints count as ready, which addresses may ever enter the pod network namespace.
import assert from "node:assert/strict";
import type { V1EndpointSlice, V1Pod } from "@kubernetes/client-node";
import { APP_LABEL, FAULT_ANNOTATION, REVIEWS_DARK_APP, REVIEWS_WORKLOAD, VERSION_LABEL, WORKLOAD_LABEL } from "../../../rollout/labels";
import { bookinfoApp, inPodNetwork, podEntry } from "../../cluster/pod-table";
import { readyEndpointsByService } from "../../lib/kube";

const pod = (labels: Record<string, string>, annotations: Record<string, string> = {}, ip = "10.244.1.7", phase = "Running"): V1Pod => ({
    metadata: { name: "p", namespace: "ns", labels, annotations },
    status: { phase, podIP: ip },
});

describe("pod table", () => {
    it("a dark reviews pod (app=reviews_test) answers as reviews; other apps as their app label", () => {
        assert.equal(bookinfoApp({ [APP_LABEL]: REVIEWS_DARK_APP }), "reviews");
        assert.equal(bookinfoApp({ [APP_LABEL]: "anything", [WORKLOAD_LABEL]: REVIEWS_WORKLOAD }), "reviews");
        assert.equal(bookinfoApp({ [APP_LABEL]: "ratings" }), "ratings");
        assert.equal(bookinfoApp({ [APP_LABEL]: "sleep" }), undefined);
    });

    it("serves only running pods with an IP inside the pod network", () => {
        assert.equal(podEntry(pod({ [APP_LABEL]: "details" }, {}, "10.244.1.7", "Pending")).entry, undefined);
        const outside = podEntry(pod({ [APP_LABEL]: "details" }, {}, "127.0.0.1"));
        assert.equal(outside.entry, undefined);
        assert.match(outside.warning!, /outside the pod network/);
        assert.deepEqual(podEntry(pod({ [APP_LABEL]: "reviews", [VERSION_LABEL]: "v2" })).entry,
            { name: "p", namespace: "ns", ip: "10.244.1.7", app: "reviews", version: "v2" });
    });

    it("honours known fault values and names the allowed ones for an unknown value", () => {
        assert.equal(podEntry(pod({ [APP_LABEL]: "reviews" }, { [FAULT_ANNOTATION]: "slow" })).entry?.fault, "slow");
        const bad = podEntry(pod({ [APP_LABEL]: "reviews" }, { [FAULT_ANNOTATION]: "explode" }));
        assert.equal(bad.entry?.fault, undefined);
        assert.match(bad.warning!, /allowed values: http-500, slow, ratings-error/);
    });

    it("keeps endpoints whose ready condition is true or absent, per Service and namespace", () => {
        const slice = (ns: string, svc: string, eps: [string, boolean | undefined][]): V1EndpointSlice => ({
            addressType: "IPv4",
            metadata: { namespace: ns, labels: { "kubernetes.io/service-name": svc } },
            ports: [{ port: 9080, protocol: "TCP" }],
            endpoints: eps.map(([ip, ready]) => ({ addresses: [ip], conditions: ready === undefined ? {} : { ready } })),
        });
        assert.deepEqual(readyEndpointsByService([
            slice("a", "ratings", [["10.244.1.2", true], ["10.244.1.3", false]]),
            slice("a", "ratings", [["10.244.2.2", undefined]]),
            slice("b", "ratings", [["10.244.3.2", false]]),
        ]), {
            "a/ratings": [{ ip: "10.244.1.2", port: 9080 }, { ip: "10.244.2.2", port: 9080 }],
            "b/ratings": [],
        });
    });

    it("only addresses of 10.244.0.0/15 may enter the namespace", () => {
        assert.ok(inPodNetwork("10.244.3.9") && inPodNetwork("10.245.0.1"));
        assert.ok(!inPodNetwork("10.246.0.1") && !inPodNetwork("127.0.0.1") && !inPodNetwork("192.0.2.2") && !inPodNetwork("garbage"));
    });
});
