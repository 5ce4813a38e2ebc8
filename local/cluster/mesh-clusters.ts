// The Envoy clusters of the local mesh, named exactly as istiod names a sidecar's outbound clusters, so that the
// route configurations istiod sends (which name them) resolve, and so that istiod's EDS answers for them. istiod's
// own CDS output uses Istio-only extensions stock Envoy rejects: the agent writes this list to a file Envoy watches.

/** A Service of a meshed namespace and its TCP ports. */
export interface MeshService {
    namespace: string;
    name: string;
    ports: number[];
}
/** A DestinationRule: its namespace, its `host` as written, its subsets' names. */
export interface MeshRule {
    namespace: string;
    host: string;
    subsets: string[];
}

export const serviceHost = (name: string, namespace: string) => `${name}.${namespace}.svc.cluster.local`;

/** istiod's name for the outbound cluster of a Service port, one subset of it, or all of it (subset ""). */
export const outboundCluster = (port: number, subset: string, host: string) => `outbound|${port}|${subset}|${host}`;

/** A DestinationRule host as Istio reads it: a short name is relative to the rule's namespace. */
export function ruleHost(rule: MeshRule): string {
    const parts = rule.host.split(".");
    if (parts.length === 1) return serviceHost(rule.host, rule.namespace);
    if (parts.length === 2) return serviceHost(parts[0], parts[1]);
    return rule.host;
}

/** Cluster names for every port of every Service, and every subset of a rule whose host is one of them; sorted. */
export function meshClusterNames(services: MeshService[], rules: MeshRule[]): string[] {
    const names = new Set<string>();
    const portsOf = new Map<string, number[]>();
    for (const s of services) {
        const host = serviceHost(s.name, s.namespace);
        portsOf.set(host, s.ports);
        for (const port of s.ports) names.add(outboundCluster(port, "", host));
    }
    for (const rule of rules) {
        const host = ruleHost(rule);
        for (const port of portsOf.get(host) ?? [])
            for (const subset of rule.subsets) names.add(outboundCluster(port, subset, host));
    }
    return [...names].sort();
}

/**
 * How long Envoy keeps an idle connection to a pod. The pod server keeps them longer (cluster/pod-server.ts): the
 * side that closes an idle connection first races a request the other is sending on it, and only Envoy's close is
 * safe, as in a real sidecar.
 */
export const UPSTREAM_IDLE_MS = 20_000;

/** The CDS file (a DiscoveryResponse as JSON): EDS clusters whose endpoints istiod sends over ADS. */
export function clustersFile(names: string[]): string {
    return JSON.stringify(
        {
            resources: names.map((name) => ({
                "@type": "type.googleapis.com/envoy.config.cluster.v3.Cluster",
                name,
                type: "EDS",
                connect_timeout: "1s",
                typed_extension_protocol_options: {
                    "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
                        "@type": "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
                        common_http_protocol_options: { idle_timeout: `${UPSTREAM_IDLE_MS / 1000}s` },
                        explicit_http_config: { http_protocol_options: {} },
                    },
                },
                eds_cluster_config: { service_name: name, eds_config: { ads: {}, resource_api_version: "V3" } },
            })),
        },
        null,
        1,
    );
}
