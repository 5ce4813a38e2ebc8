// The route Envoy serves, read back from an admin config_dump written out here in Envoy's shape (as istiod pushes a
// VirtualService with a testers' route, weights and a mirror), and how it is compared with the declared route.
// The e2e driver-status spec reads the same from the rig's real Envoy at every istio stage.
import * as assert from "assert";
import { servedDifferences, servedRouteOf } from "../../rollout/served-route";

const HOST = "reviews.shop.svc.cluster.local";
const cluster = (subset: string, host = HOST) => `outbound|9080|${subset}|${host}`;
const TESTERS = [
    {
        match: { prefix: "/", headers: [{ name: "end-user", string_match: { exact: "jason" } }] },
        route: { cluster: cluster("v2") },
    },
    {
        match: {
            prefix: "/",
            headers: [{ name: "cookie", string_match: { safe_regex: { regex: "^(.*?;)?(user=jason)(;.*)?$" } } }],
        },
        route: { cluster: cluster("v2") },
    },
];
const dump = (routes: object[], domains = [HOST, "reviews.shop", "reviews.shop:9080"]) => ({
    configs: [
        {
            "@type": "type.googleapis.com/envoy.admin.v3.RoutesConfigDump.DynamicRouteConfig",
            route_config: { name: "15010", virtual_hosts: [{ name: "other", domains: [HOST], routes: [] }] },
        },
        {
            "@type": "type.googleapis.com/envoy.admin.v3.RoutesConfigDump.DynamicRouteConfig",
            version_info: "2026-12-07T07:00:00Z/42",
            last_updated: "2026-12-07T07:00:01.123Z",
            route_config: {
                name: "9080",
                virtual_hosts: [
                    {
                        name: "details",
                        domains: ["details.shop.svc.cluster.local"],
                        routes: [{ route: { cluster: "x" } }],
                    },
                    { name: "reviews", domains, routes },
                ],
            },
        },
    ],
});

describe("the route Envoy serves (config_dump)", () => {
    it("weight-5 with testers and a half mirror: weights, the mirror's MILLION fraction as a percent, the testers' version", () => {
        const served = servedRouteOf(
            dump([
                ...TESTERS,
                {
                    match: { prefix: "/" },
                    route: {
                        weighted_clusters: {
                            clusters: [
                                { name: cluster("v1"), weight: 95 },
                                { name: cluster("v2"), weight: 5 },
                            ],
                        },
                        request_mirror_policies: [
                            {
                                cluster: cluster("v2"),
                                runtime_fraction: { default_value: { numerator: 500000, denominator: "MILLION" } },
                            },
                        ],
                    },
                },
            ]),
            HOST,
            "9080",
        );
        assert.deepStrictEqual(served, {
            route: { weights: { v1: 95, v2: 5 }, mirror: { version: "v2", percent: 50 }, testers: "v2" },
            headerMatches: [
                { header: "end-user", match: "exact", value: "jason", version: "v2" },
                { header: "cookie", match: "regex", value: "^(.*?;)?(user=jason)(;.*)?$", version: "v2" },
            ],
            lastUpdated: "2026-12-07T07:00:01.123Z",
        });
    });

    it("one destination alone serves 100 %; a mirror without a fraction copies every request; no testers", () => {
        const served = servedRouteOf(
            dump([
                {
                    match: { prefix: "/" },
                    route: { cluster: cluster("v1"), request_mirror_policies: [{ cluster: cluster("v2") }] },
                },
            ]),
            HOST,
            "9080",
        );
        assert.deepStrictEqual(served?.route, { weights: { v1: 100 }, mirror: { version: "v2", percent: 100 } });
        assert.deepStrictEqual(served?.headerMatches, []);
    });

    it("only the first route without a header match counts: a later catch-all is never reached", () => {
        const served = servedRouteOf(
            dump([
                { match: { prefix: "/" }, route: { cluster: cluster("v1") } },
                { match: { prefix: "/" }, route: { cluster: cluster("v2") } },
            ]),
            HOST,
            "9080",
        );
        assert.deepStrictEqual(served?.route, { weights: { v1: 100 } });
    });

    it("null when Envoy has no virtual host for the service's host, or no route configuration of that name", () => {
        assert.strictEqual(servedRouteOf(dump([], ["reviews.other.svc.cluster.local"]), HOST, "9080"), null);
        assert.strictEqual(servedRouteOf(dump([]), HOST, "9081"), null);
        assert.strictEqual(servedRouteOf({}, HOST, "9080"), null);
    });
});

describe("served against declared", () => {
    it("no differences when Envoy serves what is declared", () => {
        const r = { weights: { v1: 95, v2: 5 }, mirror: { version: "v2", percent: 100 }, testers: "v2" };
        assert.deepStrictEqual(servedDifferences(r, { ...r, weights: { v2: 5, v1: 95 } }), []);
    });

    it("names each difference: a weight istiod has not pushed yet, a mirror gone, testers elsewhere", () => {
        assert.deepStrictEqual(
            servedDifferences(
                { weights: { v1: 100 }, testers: "v1" },
                { weights: { v1: 75, v2: 25 }, mirror: { version: "v2", percent: 100 }, testers: "v2" },
            ),
            [
                "v1 weight 100% served, 75% declared",
                "v2 weight 0% served, 25% declared",
                "mirror none served, 100% to v2 declared",
                "testers to v1 served, v2 declared",
            ],
        );
    });
});
