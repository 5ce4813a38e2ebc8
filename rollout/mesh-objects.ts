// The Istio objects of the istio strategy, as data: a DestinationRule with one subset per version (by the `version`
// label) and a VirtualService for the service's host (both named as the service) that routes testers, mirrors and
// weighs. The component renders these specs; the live read and the policy pack read them back into a Route with the
// same code, so what is judged is what Istio will serve.
import { VERSION_LABEL } from "./labels";
import { Route } from "./route";
import { Testers } from "./traffic";

export const MESH_API_VERSION = "networking.istio.io/v1";
/** Namespace label that puts a namespace's pods in the mesh (Istio's sidecar injection). */
export const MESH_NAMESPACE_LABEL = "istio-injection";
/** Names of the VirtualService's two HTTP routes. */
const TESTERS_ROUTE = "testers";
const PRIMARY_ROUTE = "primary";

export interface DestinationRuleSpec {
    host: string;
    subsets: { name: string; labels: Record<string, string> }[];
}

interface Destination {
    host?: string;
    subset?: string;
}
interface HttpRoute {
    name?: string;
    match?: { headers?: Record<string, { exact?: string; regex?: string; prefix?: string }> }[];
    route?: { destination?: Destination; weight?: number }[];
    mirror?: Destination;
    mirrorPercentage?: { value?: number };
}
export interface VirtualServiceSpec {
    hosts: string[];
    http: HttpRoute[];
}

/** One subset per version, named as the version. */
export function destinationRuleSpec(host: string, versions: string[]): DestinationRuleSpec {
    return { host, subsets: versions.map((v) => ({ name: v, labels: { [VERSION_LABEL]: v } })) };
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Envoy matches regexes against the whole value: the cookie may stand anywhere in the Cookie header. */
const testerCookieRegex = (t: Testers) => `^(.*?;\\s*)?${escapeRegex(t.cookie)}=${escapeRegex(t.value)}(;.*)?$`;

const testerMatch = (t: Testers): HttpRoute["match"] => [
    { headers: { [t.header]: { exact: t.value } } },
    { headers: { cookie: { regex: testerCookieRegex(t) } } },
];

export function virtualServiceSpec(host: string, route: Route, testers: Testers): VirtualServiceSpec {
    const to = (version: string) => ({ host, subset: version });
    const http: HttpRoute[] = [];
    if (route.testers)
        http.push({ name: TESTERS_ROUTE, match: testerMatch(testers), route: [{ destination: to(route.testers) }] });
    http.push({
        name: PRIMARY_ROUTE,
        route: Object.entries(route.weights).map(([version, weight]) => ({ destination: to(version), weight })),
        ...(route.mirror
            ? { mirror: to(route.mirror.version), mirrorPercentage: { value: route.mirror.percent } }
            : {}),
    });
    return { hosts: [host], http };
}

/** Either the route the objects make, or why they make none the guard can judge. */
export type RouteReading = { route: Route } | { problem: string };

/**
 * Reads a VirtualService and DestinationRule back into a Route, as Istio would serve them: a destination without
 * weight is 100 when alone, 0 beside others; a subset means the pods with its labels. Anything else than an
 * optional tester route (exactly the testers' matches, one destination) then one primary route, every destination
 * the rule's host and a subset that selects exactly one version, is reported as a problem: another match could
 * send anyone anywhere.
 */
export function readRoute(
    vs: VirtualServiceSpec | undefined,
    dr: DestinationRuleSpec | undefined,
    testers: Testers,
): RouteReading {
    if (!vs) return { problem: "no VirtualService" };
    const host = vs.hosts?.[0];
    if (!host || vs.hosts.length !== 1)
        return { problem: `the VirtualService must name exactly one host, it names ${JSON.stringify(vs.hosts ?? [])}` };
    if (!dr) return { problem: "no DestinationRule for its subsets" };
    if (dr.host !== host)
        return { problem: `the DestinationRule is for host ${dr.host}, the VirtualService for ${host}` };
    const versionOf = (d: Destination | undefined): string | { problem: string } => {
        if (!d || d.host !== host)
            return { problem: `a destination ${JSON.stringify(d ?? null)} is not the host ${host}` };
        const subset = dr.subsets?.find((s) => s.name === d.subset);
        if (!subset)
            return {
                problem: `subset ${JSON.stringify(d.subset ?? "")} is not defined by the DestinationRule (subsets: ${(dr.subsets ?? []).map((s) => s.name).join(", ") || "none"})`,
            };
        const labels = subset.labels ?? {};
        if (Object.keys(labels).length !== 1 || !labels[VERSION_LABEL])
            return { problem: `subset ${subset.name} selects ${JSON.stringify(labels)}, not one ${VERSION_LABEL}` };
        return labels[VERSION_LABEL];
    };
    const http = vs.http ?? [];
    const primary = http[http.length - 1];
    if (!primary || primary.match?.length)
        return { problem: "the VirtualService has no route for plain requests (a last route without match)" };
    const route: Route = { weights: {} };
    for (const r of http.slice(0, -1)) {
        if (JSON.stringify(r.match) !== JSON.stringify(testerMatch(testers)) || (r.route ?? []).length !== 1) {
            return {
                problem: `route ${r.name ?? "(unnamed)"} is neither the tester route (the testers' matches, one destination) nor the last one`,
            };
        }
        if (route.testers) return { problem: "more than one tester route" };
        const v = versionOf(r.route![0].destination);
        if (typeof v !== "string") return v;
        route.testers = v;
    }
    const dests = primary.route ?? [];
    for (const d of dests) {
        const v = versionOf(d.destination);
        if (typeof v !== "string") return v;
        const weight = dests.length === 1 && d.weight === undefined ? 100 : (d.weight ?? 0);
        if (weight > 0) route.weights[v] = (route.weights[v] ?? 0) + weight;
    }
    const total = Object.values(route.weights).reduce((a, b) => a + b, 0);
    if (total !== 100) return { problem: `the plain requests' weights sum to ${total}, not 100` };
    if (primary.mirror) {
        const v = versionOf(primary.mirror);
        if (typeof v !== "string") return v;
        route.mirror = { version: v, percent: primary.mirrorPercentage?.value ?? 100 };
    }
    return { route };
}
