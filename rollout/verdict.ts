// The guard's one verdict: is this change of the reviews workloads safe, judged against what really runs in the
// cluster (live Deployments, ready pods) and the gate record, not against what the program says about itself.
// The program runs it before declaring any resource; every mandatory rule of the policy pack reports its own part
// of it. Pure: the callers read the cluster and the config.
import { Bounds } from "./bounds";
import { describeFleet, Fleet, servingPods, sharePercent, stageOf, Workload } from "./fleet";
import { Release } from "./release";
import { failureOf, GateView, passOf } from "./gate-record";
import { DEFAULT_LIMITS, limitProblems, Limits, LIMITS_RULE } from "./limits";
import { GATE_RECORD_NAME } from "./labels";
import type { RouteReading } from "./mesh-objects";
import { LiveStage, MoveKind, moveKind } from "./moves";
import { allowedText, darkStages, list, moveName, releaseName, whyRefused } from "./move-reasons";
import { describeRoute, exposedVersions } from "./route";
import { RecordView, Yardstick } from "./rollout-record";
import type { AnalysisConfig } from "../analysis/config";
import { baseStage, StageName, stageIn, StageTable, stageTableOf } from "./stages";
import { Traffic } from "./traffic";
import { judgeYardstick, YARDSTICK_RULE } from "./yardstick";
import { deploymentName, RolledService } from "./service";

/** What runs now, read from the cluster. */
export interface LiveView {
    fleet: Fleet;
    /** Images of the other Bookinfo Deployments (not the rolled-out service's), by Deployment name. */
    services: Record<string, string>;
    gate: GateView;
    /** The reviews route read from the live VirtualService and DestinationRule; undefined when neither exists. */
    route?: RouteReading;
    /**
     * The rollout record of the last `up`: the yardstick the change is measured with. The cluster read always sets
     * it; a view without one (a hand-built table of shapes) is measured with the requested yardstick.
     */
    record?: RecordView;
    /** This stack deployed here before (a rollout record exists, or its outputs recorded a target). */
    deployed?: boolean;
}

/** What this change asks for. */
export interface Requested {
    /** The service rolled out: whose Deployments `fleet` holds, and how messages name them. */
    service: RolledService;
    /** The stage table of the configured traffic strategy. */
    table: StageTable;
    /** The configured traffic strategy (`table` is its table). */
    traffic: Traffic;
    release: Release;
    /** The configured analysis (part of the yardstick); absent in hand-built fixtures: the defaults. */
    analysis?: AnalysisConfig;
    fleet: Fleet;
    /**
     * The reviews route the change makes (istio strategy), or why it makes none the guard can read: such a route
     * fits no stage, so the move is refused with the reason.
     */
    route?: RouteReading;
    services: Record<string, string>;
}

/** The mandatory rules, named as the policy pack names them (one file each in policy/rules/). */
export const RULES = {
    move: "reviews-stage-move-allowed",
    ready: "reviews-moves-on-only-from-ready-pods",
    capacity: "reviews-capacity-floor-kept",
    gate: "reviews-serves-only-gate-passed-images",
    stable: "reviews-stable-fixed-during-rollout",
    services: "bookinfo-services-fixed-during-rollout",
    bounds: "reviews-replicas-within-bounds",
    yardstick: YARDSTICK_RULE,
    limits: LIMITS_RULE,
} as const;
export type Rule = (typeof RULES)[keyof typeof RULES];

export interface Violation {
    rule: Rule;
    message: string;
}

export interface Verdict {
    from: LiveStage;
    /** The stage the requested workloads fit; undefined when they fit none. */
    to?: StageName;
    kind?: MoveKind;
    violations: Violation[];
    /** The stage table the change was measured with (the deployed one). */
    table: StageTable;
}

const key = (w: Workload) => `${w.version}\u0000${w.image}`;

/**
 * The workloads that get live requests (or copies of them): the serving ones, or with a mesh route the versions it
 * weighs or mirrors to. A route that cannot be read counts every serving workload, as the Service would.
 */
function exposedKeys(fleet: Fleet, route: RouteReading | undefined): Set<string> {
    const versions = route && "route" in route ? exposedVersions(route.route) : undefined;
    return new Set(fleet.filter((w) => w.serving && (!versions || versions.has(w.version))).map(key));
}

/**
 * What served before the change: the exposed workloads, and the release's stable wherever its pods are in the
 * Service, even at weight 0 (weight-100): it served until then, and it is what a rollback returns to.
 */
function servedBefore(live: LiveView, req: Requested): Set<string> {
    const keys = exposedKeys(live.fleet, live.route);
    for (const w of live.fleet) if (w.serving && w.version === req.release.stable.version) keys.add(key(w));
    // An emptied namespace of a deployed stack: the stable it ran is what a rollback restores.
    if (emptied(live) && live.record?.trust === "trusted")
        keys.add(key({ ...live.record.record.release.stable, serving: true }));
    return keys;
}

/** A deployed stack's namespace without reviews Deployments: never a first deployment. */
const emptied = (live: LiveView) => live.fleet.length === 0 && live.deployed === true;

/** How messages name a route reading. */
const describeReading = (r: RouteReading | undefined) =>
    !r ? describeRoute(undefined) : "route" in r ? describeRoute(r.route) : `unreadable (${r.problem})`;

/** The candidate's share in percent: of the serving pods (pods), or of the plain requests by the route (istio). */
function candidateShare(table: StageTable, fleet: Fleet, route: RouteReading | undefined, release: Release): number {
    const version = release.candidate?.version;
    if (table.strategy === "pods") return sharePercent(fleet, version);
    return route && "route" in route && version ? (route.route.weights[version] ?? 0) : 0;
}

function moveRule(
    from: LiveStage,
    to: StageName | undefined,
    kind: MoveKind | undefined,
    live: LiveView,
    req: Requested,
): string[] {
    if (emptied(live) && kind !== "rollback") {
        return [
            `this stack deployed here before, but the namespace has no ${req.service.name} Deployment (deleted outside an up, or dropped from the state): that is not a first deployment, and only restoring the deployed stable at ${baseStage(req.table).name} is allowed.`,
        ];
    }
    if (to === undefined) {
        const route = req.table.strategy === "pods" ? "" : ` with route ${describeReading(req.route)}`;
        return [
            `the requested ${req.service.name} workloads (${describeFleet(req.fleet, req.service)})${route} fit no stage of release ${releaseName(req.release)} for traffic strategy ${req.table.strategy}: every stage has a fixed shape (rollout/stages.ts), and a candidate count, a dark or serving label, a route or a version outside the release that differs from it is not a stage.`,
        ];
    }
    if (kind === undefined) {
        const before = candidateShare(req.table, live.fleet, live.route, req.release);
        const after = candidateShare(req.table, req.fleet, req.route, req.release);
        return [`${moveName(from, to)} is refused: ${whyRefused(req.table, from, to, before, after, req.release)}.`];
    }
    if (kind === "rollback") {
        const liveServing = servedBefore(live, req);
        const added = req.fleet.filter((w) => exposedKeys([w], req.route).size > 0 && !liveServing.has(key(w)));
        if (added.length > 0) {
            return [
                `${moveName(from, to)} is a rollback, and a rollback only removes: it may not put ${added.map((w) => `${deploymentName(req.service, w.version)} (${w.image})`).join(", ")} in service.`,
            ];
        }
    }
    return [];
}

/** A forward move or a restore: the rollout moves on, into a stage whose gates must have passed on entry. */
const movesOn = (kind: MoveKind | undefined) => kind === "forward" || kind === "restore";

function readyRule(kind: MoveKind | undefined, live: LiveView, req: Requested): string[] {
    if (!movesOn(kind)) return [];
    const unready = live.fleet.filter((w) => (w.ready ?? w.replicas) < w.replicas);
    return unready.map(
        (w) =>
            `${deploymentName(req.service, w.version)} has ${w.ready ?? 0} of ${w.replicas} pods ready: the rollout moves on only from a stage whose pods are all ready (wait, fix it, or roll back).`,
    );
}

/** Serving pods of every state the engine passes through: each Deployment changed alone, then all of them. */
function servingDuring(live: Fleet, requested: Fleet): number {
    const versions = new Set([...live, ...requested].map((w) => w.version));
    const states = [...versions].map((v) => [
        ...live.filter((w) => w.version !== v),
        ...requested.filter((w) => w.version === v),
    ]);
    return Math.min(...[requested, ...states].map(servingPods));
}

function capacityRule(live: LiveView, req: Requested, bounds: Bounds): string[] {
    const out: string[] = [];
    // During the change, no fewer than the floor, or than what served before if that was less (a first deployment).
    const floor = Math.min(bounds.minServingPods, servingPods(live.fleet));
    const after = servingPods(req.fleet);
    if (after < bounds.minServingPods) {
        out.push(
            `the change leaves ${after} serving ${req.service.name} pods, fewer than minServingPods ${bounds.minServingPods} (bounds.minServingPods): keep at least that many pods in service.`,
        );
    } else if (live.fleet.length > 0) {
        const during = servingDuring(live.fleet, req.fleet);
        if (during < floor)
            out.push(
                `while the change is applied, serving ${req.service.name} pods drop to ${during}, below minServingPods ${floor}: change one Deployment at a time, or scale up before removing.`,
            );
    }
    const stableLive = live.fleet.find((w) => w.version === req.release.stable.version && w.serving);
    const stableKept = req.fleet.some((w) => w.version === req.release.stable.version);
    if (stableLive && !stableKept && after < stableLive.replicas) {
        out.push(
            `removing the stable version ${deploymentName(req.service, stableLive.version)} (${stableLive.replicas} serving pods) leaves ${after} serving pods: the candidate must serve with at least the stable's count (release.candidate.replicas).`,
        );
    }
    return out;
}

/**
 * Which serving workloads need a gate pass: every one that newly serves, and on a forward move or a restore the
 * candidate too (each stage's gates must have passed on entry), even if it already served.
 */
function needsPass(kind: MoveKind | undefined, live: LiveView, req: Requested): Workload[] {
    // A first deployment's stable version is the baseline: nothing served before it, so nothing is put at risk.
    const baseline = (w: Workload) =>
        live.fleet.length === 0 && !live.deployed && w.version === req.release.stable.version;
    const liveServing = servedBefore(live, req);
    const entering = movesOn(kind);
    const exposed = exposedKeys(req.fleet, req.route);
    return req.fleet.filter(
        (w) =>
            !baseline(w) &&
            exposed.has(key(w)) &&
            (!liveServing.has(key(w)) || (entering && w.version === req.release.candidate?.version)),
    );
}

function gateRule(
    from: LiveStage,
    kind: MoveKind | undefined,
    live: LiveView,
    req: Requested,
    namespaceNote: string,
): string[] {
    const out: string[] = [];
    const needing = needsPass(kind, live, req);
    for (const w of needing) {
        if (passOf(live.gate, w.version, w.image)) continue;
        const failed = failureOf(live.gate, w.version, w.image);
        if (failed) {
            out.push(
                `${deploymentName(req.service, w.version)} would get more traffic with image ${w.image}, but that image failed its gate at ${failed.failedAt} (${failed.failure}): a failed image serves no more until it passes again; roll back to ${baseStage(req.table).name}, then walk it through ${list(darkStages(req.table))}, where its gate runs again.`,
            );
            continue;
        }
        const record =
            live.gate.trust === "absent"
                ? `there is no gate record (${GATE_RECORD_NAME}${namespaceNote})`
                : live.gate.trust === "untrusted"
                  ? `the gate record ${GATE_RECORD_NAME} is not trusted: ${live.gate.why} (delete it; the gate writes a new one)`
                  : `the gate record has no pass for exactly this version and image`;
        out.push(
            `${deploymentName(req.service, w.version)} would serve image ${w.image} in this stage, but ${record}: run the candidate through ${list(darkStages(req.table))} first, where its gate (the smoke test) runs and records a pass.`,
        );
    }
    // Moving on exposes the candidate's pods that run now until their Deployment's step replaces them, and a run may
    // leave that step out (--target): pods someone switched to an image without a pass get no more traffic.
    if (movesOn(kind)) {
        for (const w of needing.filter((x) => x.version === req.release.candidate?.version)) {
            const running = live.fleet.find((x) => x.version === w.version);
            if (!running || running.image === w.image || passOf(live.gate, running.version, running.image)) continue;
            out.push(
                `${deploymentName(req.service, w.version)} runs image ${running.image} in the cluster, not the configured ${w.image}, and that image has no gate pass: moving on would send it more traffic until its Deployment is replaced; first run pulumi up --refresh on ${from} (the refreshed Deployment gets the configured image back), or roll back.`,
            );
        }
    }
    return out;
}

const midRollout = (from: LiveStage, req: Requested) =>
    from !== "off-table" && from !== "none" && stageIn(req.table, from).candidate !== undefined;

function stableRule(from: LiveStage, live: LiveView, req: Requested): string[] {
    const liveStable = live.fleet.find((w) => w.version === req.release.stable.version);
    const wanted = req.fleet.find((w) => w.version === req.release.stable.version);
    if (!liveStable || !wanted) return [];
    const out: string[] = [];
    if (wanted.image !== liveStable.image) {
        out.push(
            `the stable version ${deploymentName(req.service, wanted.version)} would change image in place (${liveStable.image} -> ${wanted.image}), serving every user at once: a new image comes as the candidate of a release (release.candidate) and walks the stages.`,
        );
    }
    if (midRollout(from, req) && wanted.replicas < liveStable.replicas) {
        out.push(
            `the stable version ${deploymentName(req.service, wanted.version)} would drop from ${liveStable.replicas} to ${wanted.replicas} pods while a rollout is under way (${from}): the stable keeps its capacity until the release is closed or rolled back.`,
        );
    }
    return out;
}

function servicesRule(from: LiveStage, live: LiveView, req: Requested): string[] {
    if (!midRollout(from, req)) return [];
    return Object.entries(req.services)
        .filter(([name, image]) => live.services[name] !== undefined && live.services[name] !== image)
        .map(
            ([name, image]) =>
                `${name} would change image (${live.services[name]} -> ${image}) while the ${req.service.name} rollout is under way (${from}): the other services stay fixed until the release is closed or rolled back, so a failure is the candidate's alone.`,
        );
}

/** The config key that sets a version's pod count. */
const replicasKey = (version: string, release: Release, service: RolledService) =>
    version === release.stable.version
        ? "release.stable.replicas"
        : version === release.candidate?.version
          ? "release.candidate.replicas"
          : `the pods of ${deploymentName(service, version)}`;

function boundsRule(live: LiveView, req: Requested, bounds: Bounds): string[] {
    const out: string[] = [];
    for (const w of req.fleet) {
        const k = replicasKey(w.version, req.release, req.service);
        if (w.replicas > bounds.maxReplicas) {
            out.push(
                `${deploymentName(req.service, w.version)} asks for ${w.replicas} pods, more than bounds.maxReplicas ${bounds.maxReplicas}: set ${k} to ${bounds.maxReplicas} or fewer.`,
            );
            continue;
        }
        const before = live.fleet.find((x) => x.version === w.version)?.replicas ?? 0;
        if (Math.abs(w.replicas - before) > bounds.maxReplicaChange) {
            const near = before + Math.sign(w.replicas - before) * bounds.maxReplicaChange;
            out.push(
                `${deploymentName(req.service, w.version)} would go from ${before} to ${w.replicas} pods in one up, a change larger than bounds.maxReplicaChange ${bounds.maxReplicaChange}: set ${k} to ${near} first.`,
            );
        }
    }
    return out;
}

/** Without a trusted rollout record the guard cannot tell the roles or the table apart while a candidate runs. */
function unknownYardstick(live: LiveView, from: LiveStage, table: StageTable, service: RolledService): string[] {
    if (
        !live.record ||
        live.record.trust === "trusted" ||
        live.fleet.length === 0 ||
        from === "none" ||
        from === baseStage(table).name
    )
        return [];
    const why = live.record?.trust === "untrusted" ? `is not trusted: ${live.record.why}` : "is absent";
    return [
        `the rollout record ${why}, and the live ${service.name} workloads are not at ${baseStage(table).name}: without it the guard cannot tell which version is the stable or which stage table the rollout walks, so it refuses every change. Return to ${baseStage(table).name} by hand (delete the candidate's Deployment with kubectl), then pulumi up writes a new record.`,
    ];
}

/**
 * The first step of a new release cut short: its `up` was killed after the candidate's pods were created and before
 * the settle step recorded the release. The deployed release has no candidate; under the requested one (the same
 * stable) the live workloads are a stage whose candidate pods no Service selects. For the yardstick that is still a
 * release where no candidate runs, so the same step may be applied again (its gate runs again); nothing else changes.
 */
function cutShortFirstStep(live: LiveView, deployed: Release, requested: Release, table: StageTable): boolean {
    if (deployed.candidate || !requested.candidate || emptied(live)) return false;
    if (requested.stable.version !== deployed.stable.version || requested.stable.image !== deployed.stable.image)
        return false;
    const under = stageOf(live.fleet, requested, table, live.route);
    return under !== "none" && under !== undefined && stageIn(table, under).candidate?.serving === false;
}

/**
 * Judges the change, measured with the deployed yardstick (the rollout record; the requested one for a first
 * deployment): `bounds` are the requested bounds, `limits` the policy's. `namespace` only names records in messages.
 */
export function judge(
    live: LiveView,
    req: Requested,
    bounds: Bounds,
    namespace = "",
    limits: Limits = DEFAULT_LIMITS,
): Verdict {
    const requested: Yardstick = { release: req.release, traffic: req.traffic, bounds, analysis: req.analysis };
    const deployed = live.record?.trust === "trusted" ? live.record.record : requested;
    const table = stageTableOf(deployed.traffic);
    const stageUnder = (release: Release) =>
        emptied(live) ? undefined : stageOf(live.fleet, release, table, live.route);
    const fitsRequested = stageOf(req.fleet, req.release, req.table, req.route);
    const ys = judgeYardstick(
        deployed,
        requested,
        table,
        cutShortFirstStep(live, deployed.release, req.release, table)
            ? baseStage(table).name
            : (stageUnder(deployed.release) ?? "off-table"),
        fitsRequested === "none" ? undefined : fitsRequested,
    );
    // The rest is judged with the deployed table and bounds, and the release the yardstick rule allows.
    const measured: Requested = { ...req, table, release: ys.release };
    const from: LiveStage = stageUnder(ys.release) ?? "off-table";
    const fits = stageOf(req.fleet, ys.release, table, req.route);
    const to = fits === "none" ? undefined : fits;
    const kind = to ? moveKind(table, from, to) : undefined;
    const note = namespace ? ` in namespace ${namespace}` : "";
    const found: [Rule, string[]][] = [
        [RULES.move, moveRule(from, to, kind, live, measured)],
        [RULES.ready, readyRule(kind, live, measured)],
        [RULES.capacity, capacityRule(live, measured, deployed.bounds)],
        [RULES.gate, gateRule(from, kind, live, measured, note)],
        [RULES.stable, stableRule(from, live, measured)],
        [RULES.services, servicesRule(from, live, measured)],
        [RULES.bounds, boundsRule(live, measured, deployed.bounds)],
        [RULES.yardstick, [...ys.messages, ...unknownYardstick(live, from, table, req.service)]],
        [RULES.limits, limitProblems(bounds, req.traffic, limits)],
    ];
    return {
        from,
        to,
        kind,
        table,
        violations: found.flatMap(([rule, messages]) => messages.map((message) => ({ rule, message }))),
    };
}

/** The live workloads of the service, and the route when there are Istio objects. */
export function describeLive(live: LiveView, service: RolledService): string {
    const fleet = describeFleet(live.fleet, service);
    return live.route ? `${fleet}; route: ${describeReading(live.route)}` : fleet;
}

/** The refusal as one message: what was asked, each broken rule and why, and what is allowed next. */
export function refusalText(verdict: Verdict, req: Requested, live: LiveView): string {
    const asked = verdict.to ? moveName(verdict.from, verdict.to) : `${verdict.from} -> (no stage)`;
    const lines = verdict.violations.map((v) => `  - [${v.rule}] ${v.message}`);
    return [
        `${req.service.name} rollout ${asked} for release ${releaseName(req.release)} refused; nothing was changed.`,
        `Live: ${describeLive(live, req.service)}.`,
        ...lines,
        allowedText(verdict.table, verdict.from),
    ].join("\n");
}
