import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { destinationRuleSpec, MESH_API_VERSION, virtualServiceSpec } from "../rollout/mesh-objects";
import { Route } from "../rollout/route";
import { RolledService, serviceHost } from "../rollout/service";
import { Testers } from "../rollout/traffic";

export interface ServiceMeshArgs {
    /** The service routed: the host, and the name of both objects. */
    service: RolledService;
    /** Namespace of both objects (plain: the host name is made from it). */
    namespace: string;
    /** Every version of the release, stable and candidate: one subset each, kept while the release lasts. */
    versions: string[];
    /** What the route gives each version in this stage (rollout/route.ts routeOf). */
    route: Route;
    testers: Testers;
    /**
     * What must be in place before the route changes: the Deployments and the candidate's gate, so weight only
     * ever moves to pods that are ready and passed; a rollback changes the route before the engine deletes pods.
     */
    after: pulumi.Resource[];
}

/**
 * The istio strategy's route for the rolled-out service: a DestinationRule with a subset per version and a
 * VirtualService that routes testers, mirrors and weighs, as rollout/mesh-objects.ts renders them. Subsets of the whole
 * release stay while it lasts, so the route never names a subset that is not (yet, or any more) defined.
 */
export class ServiceMesh extends pulumi.ComponentResource {
    public readonly destinationRule: k8s.apiextensions.CustomResource;
    public readonly virtualService: k8s.apiextensions.CustomResource;

    constructor(name: string, args: ServiceMeshArgs, opts: pulumi.ComponentResourceOptions = {}) {
        // The first releases' type token, kept so the objects' URNs do not change.
        super("bookinfo:index:ReviewsMesh", name, {}, opts);
        const childOpts = { parent: this, provider: opts.provider };
        const host = serviceHost(args.service, args.namespace);
        const metadata = { name: args.service.name, namespace: args.namespace };
        this.destinationRule = new k8s.apiextensions.CustomResource(
            `${name}-destination-rule`,
            {
                apiVersion: MESH_API_VERSION,
                kind: "DestinationRule",
                metadata,
                spec: destinationRuleSpec(host, args.versions),
            },
            childOpts,
        );
        this.virtualService = new k8s.apiextensions.CustomResource(
            `${name}-virtual-service`,
            {
                apiVersion: MESH_API_VERSION,
                kind: "VirtualService",
                metadata,
                spec: virtualServiceSpec(host, args.route, args.testers),
            },
            { ...childOpts, dependsOn: [this.destinationRule, ...args.after] },
        );
        this.registerOutputs({});
    }
}
