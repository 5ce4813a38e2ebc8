// The cluster names the agent lists for Envoy must be exactly istiod's (outbound|<port>|<subset>|<FQDN>), or the
// routes istiod sends point at clusters Envoy does not have. Pure: no cluster needed.
import assert from "node:assert/strict";
import { clustersFile, meshClusterNames } from "../../cluster/mesh-clusters";

describe("mesh clusters (the agent's CDS file)", () => {
    const services = [
        { namespace: "shop", name: "reviews", ports: [9080] },
        { namespace: "shop", name: "ratings", ports: [9080, 9090] },
    ];

    it("one cluster per Service port, and one per subset of a rule whose host is that Service, however the host is written", () => {
        const rules = [
            { namespace: "shop", host: "reviews", subsets: ["v1", "v2"] },
            { namespace: "other", host: "ratings.shop", subsets: ["v1"] },
        ];
        assert.deepEqual(meshClusterNames(services, rules), [
            "outbound|9080|v1|ratings.shop.svc.cluster.local",
            "outbound|9080|v1|reviews.shop.svc.cluster.local",
            "outbound|9080|v2|reviews.shop.svc.cluster.local",
            "outbound|9080||ratings.shop.svc.cluster.local",
            "outbound|9080||reviews.shop.svc.cluster.local",
            "outbound|9090|v1|ratings.shop.svc.cluster.local",
            "outbound|9090||ratings.shop.svc.cluster.local",
        ]);
    });

    it("a rule for a host that is no meshed Service adds nothing", () => {
        const rules = [
            { namespace: "elsewhere", host: "reviews", subsets: ["v1"] },
            { namespace: "shop", host: "details.shop.svc.cluster.local", subsets: ["v1"] },
        ];
        assert.deepEqual(meshClusterNames(services.slice(0, 1), rules), [
            "outbound|9080||reviews.shop.svc.cluster.local",
        ]);
    });

    it("each cluster is an EDS cluster fed over ADS under its own name, closing idle HTTP/1.1 connections after 20 s", () => {
        const file = JSON.parse(clustersFile(["outbound|9080|v1|reviews.shop.svc.cluster.local"]));
        assert.deepEqual(file.resources, [
            {
                "@type": "type.googleapis.com/envoy.config.cluster.v3.Cluster",
                name: "outbound|9080|v1|reviews.shop.svc.cluster.local",
                type: "EDS",
                connect_timeout: "1s",
                typed_extension_protocol_options: {
                    "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
                        "@type": "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
                        common_http_protocol_options: { idle_timeout: "20s" },
                        explicit_http_config: { http_protocol_options: {} },
                    },
                },
                eds_cluster_config: {
                    service_name: "outbound|9080|v1|reviews.shop.svc.cluster.local",
                    eds_config: { ads: {}, resource_api_version: "V3" },
                },
            },
        ]);
    });
});
