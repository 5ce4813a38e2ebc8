// The Envoy clusters of the local mesh, named exactly as istiod names a sidecar's outbound clusters, so that the
// route configurations istiod sends (which name them) resolve, and so that istiod's EDS answers for them. istiod's
// own CDS output uses Istio-only extensions stock Envoy rejects: the agent writes this list to a file Envoy watches.

/** A Service of a meshed namespace and its TCP ports. */
export interface MeshService { namespace: string; name: string; ports: number[] }
/** A DestinationRule: its namespace, its `host` as written, its subsets' names. */
export interface MeshRule { namespace: string; host: string; subsets: string[] }

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
        for (const port of portsOf.get(host) ?? []) for (const subset of rule.subsets) names.add(outboundCluster(port, subset, host));
    }
    return [...names].sort();
}

/** The CDS file (a DiscoveryResponse as JSON): EDS clusters whose endpoints istiod sends over ADS. */
export function clustersFile(names: string[]): string {
    return JSON.stringify({
        resources: names.map((name) => ({
            "@type": "type.googleapis.com/envoy.config.cluster.v3.Cluster",
            name,
            type: "EDS",
            connect_timeout: "1s",
            eds_cluster_config: { service_name: name, eds_config: { ads: {}, resource_api_version: "V3" } },
        })),
    }, null, 1);
}
