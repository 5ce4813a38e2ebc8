// Fixtures for the pack's specs: what the pack reads from the cluster (live facts) and the goal state the program
// declares, for two consecutive releases of reviews. The shapes of the stage table are written out by hand here,
// not computed by rollout/fleet.ts, so a change to the table shows up as a failing spec, not as a changed fixture.
// Each spec starts from a scenario that passes every rule and changes one thing.
import { ROLLED_OUT } from "../../rollout/service";
import type { NamespaceFacts } from "../../io/cluster";
import type { StageConfig } from "../../rollout/config";
import type { Workload } from "../../rollout/fleet";
import type { GatePass, GateView } from "../../rollout/gate-record";
import { APP_LABEL, BACKEND_ANNOTATION, STACK_LABEL, VERSION_LABEL, WORKLOAD_LABEL } from "../../rollout/labels";
import type { Route } from "../../rollout/route";
import type { STAGE_NAMES, StageName } from "../../rollout/stages";

/** A stage of the `pods` table. */
export type PodStage = (typeof STAGE_NAMES)[number];
import type { MeshTraffic } from "../../rollout/traffic";
import type { LiveView } from "../../rollout/verdict";
import { PackContext, PackSource } from "../lib/context";
import { DEPLOYMENT, DESTINATION_RULE, NAMESPACE, SERVICE, VIRTUAL_SERVICE } from "../lib/kubernetes";
import { TestResource } from "./harness";

export const IMG: Record<string, string> = {
    v1: "docker.io/istio/examples-bookinfo-reviews-v1:1.20.3",
    v2: "docker.io/istio/examples-bookinfo-reviews-v2:1.20.3",
    v3: "docker.io/istio/examples-bookinfo-reviews-v3:1.20.3",
};

/** The other Bookinfo Deployments and their images, as the program declares them by default. */
export const SERVICE_IMAGES: Record<string, string> = {
    "details-v1": "docker.io/istio/examples-bookinfo-details-v1:1.20.3",
    "ratings-v1": "docker.io/istio/examples-bookinfo-ratings-v1:1.20.3",
    "productpage-v1": "docker.io/istio/examples-bookinfo-productpage-v1:1.20.3",
    sleep: "curlimages/curl:8.11.1",
};

export const NAMESPACE_NAME = "bookinfo";
/** stackLabelValue("organization", "bookinfo-rollout", "dev"), written out. */
export const STACK_LABEL_VALUE = "organization.bookinfo-rollout.dev";
/** The backend the fixtures' stack lives in: with its name, its mark on the namespace. */
export const BACKEND = "file:///fixture-backend";

export type ReleaseName = "v1->v2" | "v2->v3";
export const RELEASE_NAMES: ReleaseName[] = ["v1->v2", "v2->v3"];
/** The versions of each release, for specs that name them in expected messages. */
export const VERSIONS: Record<ReleaseName, { stable: string; candidate: string }> = {
    "v1->v2": { stable: "v1", candidate: "v2" },
    "v2->v3": { stable: "v2", candidate: "v3" },
};

export const RELEASES: Record<ReleaseName, StageConfig["release"]> = {
    "v1->v2": {
        stable: { version: "v1", image: IMG.v1, replicas: 3 },
        candidate: { version: "v2", image: IMG.v2, replicas: 3, stars: "black" },
    },
    "v2->v3": {
        stable: { version: "v2", image: IMG.v2, replicas: 3 },
        candidate: { version: "v3", image: IMG.v3, replicas: 3, stars: "red" },
    },
};

const w = (version: string, image: string, replicas: number, serving: boolean): Workload => ({
    version,
    image,
    replicas,
    serving,
});

/** Each stage of each release (3 stable pods, release.candidate.replicas 3), written out. */
export const SHAPES: Record<ReleaseName, Record<PodStage, Workload[]>> = {
    "v1->v2": {
        stable: [w("v1", IMG.v1, 3, true)],
        dark: [w("v1", IMG.v1, 3, true), w("v2", IMG.v2, 1, false)],
        canary: [w("v1", IMG.v1, 3, true), w("v2", IMG.v2, 1, true)],
        half: [w("v1", IMG.v1, 3, true), w("v2", IMG.v2, 3, true)],
        promoted: [w("v2", IMG.v2, 3, true)],
    },
    "v2->v3": {
        stable: [w("v2", IMG.v2, 3, true)],
        dark: [w("v2", IMG.v2, 3, true), w("v3", IMG.v3, 1, false)],
        canary: [w("v2", IMG.v2, 3, true), w("v3", IMG.v3, 1, true)],
        half: [w("v2", IMG.v2, 3, true), w("v3", IMG.v3, 3, true)],
        promoted: [w("v3", IMG.v3, 3, true)],
    },
};

export const pass = (version: string, image: string): GatePass => ({
    version,
    image,
    passedAt: "2026-11-20T10:00:00Z",
    pods: 1,
    requestsPerPod: 11,
});

/** The gate record as the gate leaves it: v1 is the baseline (never gated); v2 passed in v1->v2, v3 in v2->v3. */
const GATES: Record<ReleaseName, GateView> = {
    "v1->v2": { trust: "trusted", passes: [pass("v2", IMG.v2)] },
    "v2->v3": { trust: "trusted", passes: [pass("v3", IMG.v3), pass("v2", IMG.v2)] },
};

/** One change, as the pack sees it: its config, what it reads live, and the reviews workloads the goal declares. */
export interface Scenario {
    config: StageConfig;
    live: LiveView;
    namespace?: NamespaceFacts;
    stackLabel?: string;
    /** The reviews Deployments the goal declares. */
    goal: Workload[];
    /** The other Deployments the goal declares: name -> image. */
    services: Record<string, string>;
    /** The reviews route the goal's VirtualService makes (istio strategy: resourcesOf then declares it). */
    route?: Route;
}

/**
 * Live at stage `live` ("none": nothing deployed, no gate record), goal at stage `goal`, for a release, with the
 * default bounds {maxReplicas 10, maxReplicaChange 5, minServingPods 3}. Fresh copies: change anything.
 */
export function scenario(release: ReleaseName, live: PodStage | "none", goal: PodStage): Scenario {
    const deployed = live !== "none";
    // structuredClone keeps shared references shared: every part that a spec may change is its own object.
    return structuredClone({
        config: {
            stage: goal,
            traffic: { strategy: "pods" },
            release: RELEASES[release],
            namespace: NAMESPACE_NAME,
            kubeconfig: "",
            context: "",
            imageRegistry: "docker.io/istio",
            imageTag: "1.20.3",
            bounds: { maxReplicas: 10, maxReplicaChange: 5, minServingPods: 3 },
            renderYamlTo: "",
            protect: true,
        },
        live: {
            fleet: deployed ? SHAPES[release][live].map((x) => ({ ...x, ready: x.replicas })) : [],
            services: deployed ? { ...SERVICE_IMAGES } : {},
            gate: deployed ? GATES[release] : { trust: "absent" },
        },
        namespace: deployed
            ? {
                  uid: "ns-uid-1",
                  labels: { [STACK_LABEL]: STACK_LABEL_VALUE },
                  annotations: { [BACKEND_ANNOTATION]: BACKEND },
              }
            : undefined,
        stackLabel: STACK_LABEL_VALUE,
        goal: SHAPES[release][goal],
        services: { ...SERVICE_IMAGES },
    } satisfies Scenario);
}

export function contextOf(s: Scenario): PackContext {
    return {
        mode: "cluster",
        config: s.config,
        live: s.live,
        namespace: s.namespace,
        stackLabel: s.stackLabel,
        backend: BACKEND,
    };
}

export const sourceOf =
    (ctx: PackContext): PackSource =>
    async () =>
        ctx;

/** The scenario's live view with a trusted rollout record of its config as deployed at `stage` (a fresh copy). */
export function recordedAt(s: Scenario, stage: StageName): Scenario {
    const { release, traffic, bounds } = structuredClone(s.config);
    return {
        ...s,
        live: {
            ...s.live,
            deployed: true,
            record: {
                trust: "trusted",
                record: { release, traffic, bounds, stage, recordedAt: "2026-11-20T10:00:00Z" },
            },
        },
    };
}

/** The workload of `version` in a fleet (throws when there is none: a fixture mistake). */
export function workload(fleet: readonly Workload[], version: string): Workload {
    const found = fleet.find((x) => x.version === version);
    if (!found) throw new Error(`no reviews-${version} in ${JSON.stringify(fleet)}`);
    return found;
}

const RESOURCES = { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } };

function deployment(
    name: string,
    labels: Record<string, string>,
    selector: Record<string, string>,
    replicas: number,
    container: string,
    image: string,
    serviceAccountName: string,
    annotations?: Record<string, string>,
): Record<string, any> {
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name, namespace: NAMESPACE_NAME, labels, ...(annotations ? { annotations } : {}) },
        spec: {
            replicas,
            selector: { matchLabels: selector },
            template: {
                metadata: { labels },
                spec: {
                    serviceAccountName,
                    containers: [
                        {
                            name: container,
                            image,
                            imagePullPolicy: "IfNotPresent",
                            resources: RESOURCES,
                            ports: [{ containerPort: 9080 }],
                        },
                    ],
                },
            },
        },
    };
}

function service(name: string, selector: Record<string, string>): Record<string, any> {
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name, namespace: NAMESPACE_NAME, labels: { [APP_LABEL]: name, service: name } },
        spec: { ports: [{ name: "http", port: 9080 }], selector },
    };
}

/** A reviews Deployment as components/service-rollout.ts declares it. */
export function reviewsDeployment(x: Workload): TestResource {
    const selector = { [WORKLOAD_LABEL]: ROLLED_OUT.name, [VERSION_LABEL]: x.version };
    const labels = { [APP_LABEL]: x.serving ? ROLLED_OUT.name : ROLLED_OUT.darkApp, ...selector };
    return {
        type: DEPLOYMENT,
        name: `reviews-rollout-${x.version}`,
        props: deployment(
            `reviews-${x.version}`,
            labels,
            selector,
            x.replicas,
            "reviews",
            x.image,
            "bookinfo-reviews",
            { "pulumi.com/patchForce": "true" },
        ),
    };
}

/** The goal state the program declares for a scenario: namespace, the reviews Service and Deployments, the others. */
export function resourcesOf(s: Scenario): TestResource[] {
    const mesh = s.config.traffic.strategy === "istio";
    const others = Object.entries(s.services).map(([name, image]): TestResource[] => {
        const app = name.replace(/-v\d+$/, "");
        const labels: Record<string, string> =
            name === app ? { [APP_LABEL]: app } : { [APP_LABEL]: app, [VERSION_LABEL]: name.slice(app.length + 1) };
        return [
            {
                type: DEPLOYMENT,
                name: `bookinfo-${app}-deployment`,
                props: deployment(name, labels, labels, 1, app, image, app === "sleep" ? "sleep" : `bookinfo-${app}`),
            },
            { type: SERVICE, name: `bookinfo-${app}-service`, props: service(app, { [APP_LABEL]: app }) },
        ];
    });
    return structuredClone([
        {
            type: NAMESPACE,
            name: "bookinfo-ns",
            props: {
                apiVersion: "v1",
                kind: "Namespace",
                metadata: {
                    name: s.config.namespace,
                    labels: { [STACK_LABEL]: STACK_LABEL_VALUE, ...(mesh ? { "istio-injection": "enabled" } : {}) },
                },
            },
        },
        ...others.flat(),
        { type: SERVICE, name: "reviews-rollout-service", props: service("reviews", { [APP_LABEL]: ROLLED_OUT.name }) },
        ...s.goal.map((x) => reviewsDeployment(x)),
        ...(mesh ? meshResources(s.config.release, s.route!) : []),
    ]);
}

/** The named resource of a goal state (throws when there is none: a fixture mistake). */
export function pick(resources: TestResource[], name: string): TestResource {
    const found = resources.find((r) => r.name === name);
    if (!found) throw new Error(`fixture has no resource ${name}; it has ${resources.map((r) => r.name).join(", ")}`);
    return found;
}

/** The goal state of every stage of both releases (a re-run: live at the same stage), named for spec titles. */
export function everyGoal(): { title: string; resources: TestResource[] }[] {
    return RELEASE_NAMES.flatMap((release) =>
        (Object.keys(SHAPES[release]) as PodStage[]).map((stage) => ({
            title: `${release} ${stage}`,
            resources: resourcesOf(scenario(release, stage, stage)),
        })),
    );
}

/** A copy of the named resource of a stage's goal state, ready to have one field changed. */
export const goalResource = (release: ReleaseName, stage: PodStage, name: string): TestResource =>
    pick(resourcesOf(scenario(release, stage, stage)), name);

// The istio strategy (default steps), written out like SHAPES: what each stage of each release runs and routes.

export const MESH_TRAFFIC: MeshTraffic = {
    strategy: "istio",
    steps: [1, 5, 10, 25, 50],
    mirrorPercent: 100,
    testers: { header: "end-user", cookie: "user", value: "jason" },
};

export const MESH_STAGES: StageName[] = [
    "stable",
    "dark",
    "mirror",
    "weight-1",
    "weight-5",
    "weight-10",
    "weight-25",
    "weight-50",
    "weight-100",
    "promoted",
];

/** Under istio the candidate serves (is in the Service) from dark on; the route decides what it gets. */
export const MESH_SHAPES: Record<ReleaseName, Record<string, Workload[]>> = {
    "v1->v2": {
        stable: [w("v1", IMG.v1, 3, true)],
        dark: [w("v1", IMG.v1, 3, true), w("v2", IMG.v2, 1, true)],
        mirror: [w("v1", IMG.v1, 3, true), w("v2", IMG.v2, 3, true)],
        "weight-1": [w("v1", IMG.v1, 3, true), w("v2", IMG.v2, 3, true)],
        "weight-5": [w("v1", IMG.v1, 3, true), w("v2", IMG.v2, 3, true)],
        "weight-10": [w("v1", IMG.v1, 3, true), w("v2", IMG.v2, 3, true)],
        "weight-25": [w("v1", IMG.v1, 3, true), w("v2", IMG.v2, 3, true)],
        "weight-50": [w("v1", IMG.v1, 3, true), w("v2", IMG.v2, 3, true)],
        "weight-100": [w("v1", IMG.v1, 3, true), w("v2", IMG.v2, 3, true)],
        promoted: [w("v2", IMG.v2, 3, true)],
    },
    "v2->v3": {
        stable: [w("v2", IMG.v2, 3, true)],
        dark: [w("v2", IMG.v2, 3, true), w("v3", IMG.v3, 1, true)],
        mirror: [w("v2", IMG.v2, 3, true), w("v3", IMG.v3, 3, true)],
        "weight-1": [w("v2", IMG.v2, 3, true), w("v3", IMG.v3, 3, true)],
        "weight-5": [w("v2", IMG.v2, 3, true), w("v3", IMG.v3, 3, true)],
        "weight-10": [w("v2", IMG.v2, 3, true), w("v3", IMG.v3, 3, true)],
        "weight-25": [w("v2", IMG.v2, 3, true), w("v3", IMG.v3, 3, true)],
        "weight-50": [w("v2", IMG.v2, 3, true), w("v3", IMG.v3, 3, true)],
        "weight-100": [w("v2", IMG.v2, 3, true), w("v3", IMG.v3, 3, true)],
        promoted: [w("v3", IMG.v3, 3, true)],
    },
};

export const MESH_ROUTES: Record<ReleaseName, Record<string, Route>> = {
    "v1->v2": {
        stable: { weights: { v1: 100 } },
        dark: { weights: { v1: 100 }, testers: "v2" },
        mirror: { weights: { v1: 100 }, mirror: { version: "v2", percent: 100 }, testers: "v2" },
        "weight-1": { weights: { v1: 99, v2: 1 }, testers: "v2" },
        "weight-5": { weights: { v1: 95, v2: 5 }, testers: "v2" },
        "weight-10": { weights: { v1: 90, v2: 10 }, testers: "v2" },
        "weight-25": { weights: { v1: 75, v2: 25 }, testers: "v2" },
        "weight-50": { weights: { v1: 50, v2: 50 }, testers: "v2" },
        "weight-100": { weights: { v2: 100 }, testers: "v2" },
        promoted: { weights: { v2: 100 } },
    },
    "v2->v3": {
        stable: { weights: { v2: 100 } },
        dark: { weights: { v2: 100 }, testers: "v3" },
        mirror: { weights: { v2: 100 }, mirror: { version: "v3", percent: 100 }, testers: "v3" },
        "weight-1": { weights: { v2: 99, v3: 1 }, testers: "v3" },
        "weight-5": { weights: { v2: 95, v3: 5 }, testers: "v3" },
        "weight-10": { weights: { v2: 90, v3: 10 }, testers: "v3" },
        "weight-25": { weights: { v2: 75, v3: 25 }, testers: "v3" },
        "weight-50": { weights: { v2: 50, v3: 50 }, testers: "v3" },
        "weight-100": { weights: { v3: 100 }, testers: "v3" },
        promoted: { weights: { v3: 100 } },
    },
};

/**
 * Live at `live` ("none": nothing deployed, no gate record), goal at `goal`, under istio (the live route read from
 * its VirtualService), for a release (default v1 -> v2).
 */
export function meshScenario(live: StageName | "none", goal: StageName, release: ReleaseName = "v1->v2"): Scenario {
    const s = scenario(release, live === "none" ? "none" : "stable", "stable");
    s.config = { ...s.config, stage: goal, traffic: structuredClone(MESH_TRAFFIC) };
    if (live !== "none") {
        s.live.fleet = MESH_SHAPES[release][live].map((x) => ({ ...x, ready: x.replicas }));
        s.live.route = { route: structuredClone(MESH_ROUTES[release][live]) };
    }
    s.goal = structuredClone(MESH_SHAPES[release][goal]);
    s.route = structuredClone(MESH_ROUTES[release][goal]);
    return s;
}

const HOST = "reviews.bookinfo.svc.cluster.local";

/** The DestinationRule and VirtualService `reviews` as components/service-mesh.ts declares them, for a route. */
export function meshResources(release: StageConfig["release"], route: Route): TestResource[] {
    const versions = [release.stable.version, ...(release.candidate ? [release.candidate.version] : [])];
    const to = (subset: string) => ({ host: HOST, subset });
    const testers = {
        name: "testers",
        match: [
            { headers: { "end-user": { exact: "jason" } } },
            { headers: { cookie: { regex: "^(.*?;\\s*)?user=jason(;.*)?$" } } },
        ],
        route: [{ destination: to(route.testers!) }],
    };
    const primary = {
        name: "primary",
        route: Object.entries(route.weights).map(([subset, weight]) => ({ destination: to(subset), weight })),
        ...(route.mirror
            ? { mirror: to(route.mirror.version), mirrorPercentage: { value: route.mirror.percent } }
            : {}),
    };
    const metadata = { name: "reviews", namespace: NAMESPACE_NAME };
    return [
        {
            type: DESTINATION_RULE,
            name: "reviews-rollout-mesh-destination-rule",
            props: {
                apiVersion: "networking.istio.io/v1",
                kind: "DestinationRule",
                metadata,
                spec: { host: HOST, subsets: versions.map((v) => ({ name: v, labels: { version: v } })) },
            },
        },
        {
            type: VIRTUAL_SERVICE,
            name: "reviews-rollout-mesh-virtual-service",
            props: {
                apiVersion: "networking.istio.io/v1",
                kind: "VirtualService",
                metadata,
                spec: { hosts: [HOST], http: [...(route.testers ? [testers] : []), primary] },
            },
        },
    ];
}
