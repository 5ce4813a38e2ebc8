// The route Envoy serves, read from its admin `config_dump` (resource dynamic_route_configs): what users' requests
// really meet, which may lag the VirtualService (istiod has not pushed yet) or differ from it (another object wins).
// Envoy names each destination `outbound|<port>|<subset>|<host>`; the DestinationRule names subsets for versions
// (mesh-objects.ts), so the served route reads back as the declared one's shape. Pure: io/envoy.ts fetches the dump.
import { Route } from "./route";

export interface ServedRoute {
    /** The route of the first entry without a header match; its destinations' subsets as versions. */
    route: Route;
    /** The header matches that send requests elsewhere (the testers' route), in Envoy's order. */
    headerMatches: { header: string; match: "exact" | "regex" | "other"; value: string; version: string }[];
    /** When Envoy took the route configuration holding it (`last_updated`). */
    lastUpdated: string;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- Envoy's config_dump is JSON read field by field */
const versionOf = (cluster: string | undefined) => (cluster ?? "").split("|")[2] ?? "";

/** The 1,000,000ths, 10,000ths or 100ths of a runtime fraction, as a percentage. */
function percentOf(fraction: any): number {
    if (!fraction) return 100;
    const scale = fraction.denominator === "MILLION" ? 1e4 : fraction.denominator === "TEN_THOUSAND" ? 100 : 1;
    return (fraction.numerator ?? 0) / scale;
}

/**
 * The served route for `host` in route configuration `routeConfig` (Istio names it for the port, e.g. "9080"), or
 * null when Envoy has no virtual host for it.
 */
export function servedRouteOf(dump: any, host: string, routeConfig: string): ServedRoute | null {
    const config = (dump?.configs ?? []).find((c: any) => c.route_config?.name === routeConfig);
    const vhost = config?.route_config.virtual_hosts?.find((v: any) => (v.domains ?? []).includes(host));
    if (!vhost) return null;
    const served: ServedRoute = { route: { weights: {} }, headerMatches: [], lastUpdated: config.last_updated ?? "" };
    for (const r of vhost.routes ?? []) {
        const action = r.route ?? {};
        if (r.match?.headers?.length) {
            for (const h of r.match.headers) {
                const [match, value]: [ServedRoute["headerMatches"][number]["match"], string] =
                    h.string_match?.exact !== undefined
                        ? ["exact", h.string_match.exact]
                        : h.string_match?.safe_regex
                          ? ["regex", h.string_match.safe_regex.regex]
                          : ["other", JSON.stringify(h)];
                served.headerMatches.push({ header: h.name, match, value, version: versionOf(action.cluster) });
            }
            continue;
        }
        if (action.cluster) served.route.weights[versionOf(action.cluster)] = 100;
        for (const c of action.weighted_clusters?.clusters ?? []) {
            // A weight-0 destination serves nothing: left out, as the declared route leaves it out.
            if (c.weight) served.route.weights[versionOf(c.name)] = c.weight;
        }
        const mirror = action.request_mirror_policies?.[0];
        if (mirror)
            served.route.mirror = {
                version: versionOf(mirror.cluster),
                percent: percentOf(mirror.runtime_fraction?.default_value),
            };
        break;
    }
    const testers = [...new Set(served.headerMatches.map((m) => m.version))];
    if (testers.length === 1) served.route.testers = testers[0];
    return served;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

/** Where the served route differs from the declared one, in words; [] when Envoy serves what is declared. */
export function servedDifferences(served: Route, declared: Route): string[] {
    const out: string[] = [];
    const versions = [...new Set([...Object.keys(served.weights), ...Object.keys(declared.weights)])].sort();
    for (const v of versions)
        if ((served.weights[v] ?? 0) !== (declared.weights[v] ?? 0))
            out.push(`${v} weight ${served.weights[v] ?? 0}% served, ${declared.weights[v] ?? 0}% declared`);
    const mirror = (r: Route) => (r.mirror ? `${r.mirror.percent}% to ${r.mirror.version}` : "none");
    if (mirror(served) !== mirror(declared)) out.push(`mirror ${mirror(served)} served, ${mirror(declared)} declared`);
    if (served.testers !== declared.testers)
        out.push(`testers to ${served.testers ?? "none"} served, ${declared.testers ?? "none"} declared`);
    return out;
}
