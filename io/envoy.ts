// Envoy's admin API, read only: the route configuration it serves (config_dump). Node's fetch, no client library.
import { ServedRoute, servedRouteOf } from "../rollout/served-route";

/**
 * The route Envoy at `admin` serves for `host` (route configuration `routeConfig`, Istio's name for the port), or
 * why it cannot be read. On a cluster, `admin` is a sidecar's admin port forwarded (docs/driver.md).
 */
export async function readServedRoute(
    admin: string,
    host: string,
    routeConfig: string,
    timeoutMs = 5000,
): Promise<ServedRoute | { problem: string }> {
    const url = `${admin.replace(/\/+$/, "")}/config_dump?resource=dynamic_route_configs`;
    try {
        const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
        if (!res.ok) return { problem: `Envoy admin at ${admin} (analysis.envoyAdmin) answered HTTP ${res.status}` };
        const served = servedRouteOf(await res.json(), host, routeConfig);
        return (
            served ?? { problem: `Envoy at ${admin} serves no route for ${host} (route configuration ${routeConfig})` }
        );
    } catch (e) {
        return { problem: `cannot reach Envoy admin at ${admin} (analysis.envoyAdmin): ${(e as Error).message}` };
    }
}
