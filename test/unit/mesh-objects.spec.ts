// The Istio objects as the component renders them, written out as the YAML it applies, and readRoute reading them
// back: every stage's route round-trips, and each way a hand-edited object could route around the table is a problem.
import * as assert from "assert";
import {
    DestinationRuleSpec,
    destinationRuleSpec,
    readRoute,
    VirtualServiceSpec,
    virtualServiceSpec,
} from "../../rollout/mesh-objects";
import { MESH_ROUTES, MESH_STAGES, MESH_TRAFFIC } from "./shapes";

const HOST = "reviews.bookinfo.svc.cluster.local";
const TESTERS = MESH_TRAFFIC.testers;
/** The tester route's matches, as Istio's docs write a header and a cookie match. */
const TESTER_MATCH: VirtualServiceSpec["http"][number]["match"] = [
    { headers: { "end-user": { exact: "jason" } } },
    { headers: { cookie: { regex: "^(.*?;\\s*)?user=jason(;.*)?$" } } },
];
const DR: DestinationRuleSpec = {
    host: HOST,
    subsets: [
        { name: "v1", labels: { version: "v1" } },
        { name: "v2", labels: { version: "v2" } },
    ],
};

/** The weight-5 VirtualService, written out; specs change one field of a copy. */
const weight5 = (): VirtualServiceSpec => ({
    hosts: [HOST],
    http: [
        {
            name: "testers",
            match: structuredClone(TESTER_MATCH),
            route: [{ destination: { host: HOST, subset: "v2" } }],
        },
        {
            name: "primary",
            route: [
                { destination: { host: HOST, subset: "v1" }, weight: 95 },
                { destination: { host: HOST, subset: "v2" }, weight: 5 },
            ],
        },
    ],
});
const problemOf = (vs: VirtualServiceSpec, dr = DR) => {
    const r = readRoute(vs, dr, TESTERS);
    return "problem" in r ? r.problem : `read as ${JSON.stringify(r.route)}`;
};

describe("mesh objects", () => {
    it("renders a DestinationRule with one subset per version, by the version label", () => {
        assert.deepStrictEqual(destinationRuleSpec(HOST, ["v1", "v2"]), DR);
    });

    it("renders the weight-5 VirtualService: testers by header or cookie to v2, then 95/5", () => {
        assert.deepStrictEqual(virtualServiceSpec(HOST, MESH_ROUTES["weight-5"], TESTERS), weight5());
    });

    it("renders the mirror VirtualService: all answers from v1, copies of 30% to v2", () => {
        assert.deepStrictEqual(
            virtualServiceSpec(HOST, { ...MESH_ROUTES.mirror, mirror: { version: "v2", percent: 30 } }, TESTERS),
            {
                hosts: [HOST],
                http: [
                    { name: "testers", match: TESTER_MATCH, route: [{ destination: { host: HOST, subset: "v2" } }] },
                    {
                        name: "primary",
                        route: [{ destination: { host: HOST, subset: "v1" }, weight: 100 }],
                        mirror: { host: HOST, subset: "v2" },
                        mirrorPercentage: { value: 30 },
                    },
                ],
            },
        );
    });

    for (const stage of MESH_STAGES) {
        it(`reads the ${stage} objects back as the route they were rendered from`, () => {
            assert.deepStrictEqual(readRoute(virtualServiceSpec(HOST, MESH_ROUTES[stage], TESTERS), DR, TESTERS), {
                route: MESH_ROUTES[stage],
            });
        });
    }

    it("reads a lone destination without weight as 100, and a mirror without percentage as 100%", () => {
        const vs: VirtualServiceSpec = {
            hosts: [HOST],
            http: [{ route: [{ destination: { host: HOST, subset: "v1" } }], mirror: { host: HOST, subset: "v2" } }],
        };
        assert.deepStrictEqual(readRoute(vs, DR, TESTERS), {
            route: { weights: { v1: 100 }, mirror: { version: "v2", percent: 100 } },
        });
    });

    it("reports a subset the DestinationRule does not define", () => {
        const vs = weight5();
        vs.http[1].route![1].destination!.subset = "v3";
        assert.strictEqual(problemOf(vs), 'subset "v3" is not defined by the DestinationRule (subsets: v1, v2)');
    });

    it("reports a DestinationRule for another host", () => {
        assert.strictEqual(
            problemOf(weight5(), { ...DR, host: "reviews" }),
            `the DestinationRule is for host reviews, the VirtualService for ${HOST}`,
        );
    });

    it("reports weights that do not sum to 100", () => {
        const vs = weight5();
        vs.http[1].route![0].weight = 90;
        assert.strictEqual(problemOf(vs), "the plain requests' weights sum to 95, not 100");
    });

    it("reports an extra match route, such as a prefix match that sends everyone to the candidate", () => {
        const vs = weight5();
        vs.http.splice(1, 0, {
            name: "everyone",
            match: [{ headers: { "end-user": { prefix: "" } } }],
            route: [{ destination: { host: HOST, subset: "v2" } }],
        });
        assert.strictEqual(
            problemOf(vs),
            "route everyone is neither the tester route (the testers' matches, one destination) nor the last one",
        );
    });

    it("reports a subset that selects by another label than the version", () => {
        const dr = structuredClone(DR);
        dr.subsets[1].labels = { app: "reviews" };
        assert.strictEqual(problemOf(weight5(), dr), 'subset v2 selects {"app":"reviews"}, not one version');
    });

    it("reports a missing VirtualService or DestinationRule, and a last route with a match", () => {
        assert.deepStrictEqual(readRoute(undefined, DR, TESTERS), { problem: "no VirtualService" });
        assert.deepStrictEqual(readRoute(weight5(), undefined, TESTERS), {
            problem: "no DestinationRule for its subsets",
        });
        const vs = weight5();
        vs.http = [vs.http[0]];
        assert.strictEqual(
            problemOf(vs),
            "the VirtualService has no route for plain requests (a last route without match)",
        );
    });
});
