// Where a rollout stands: the stack file (configured), the cluster (deployed: rollout record, pods, route, gate
// record), the analysis of the live stage, and the decisions in Git. One object, printed for people or as JSON.
import { connect, readClusterFacts } from "../io/cluster";
import { kubectlFor } from "../io/kubectl";
import { lookAt, LookResult } from "../io/analysis";
import { Release } from "../rollout/release";
import { ROLLED_OUT, serviceHost } from "../rollout/service";
import { allowedNext, LiveStage, MoveKind } from "../rollout/moves";
import { darkStages, list } from "../rollout/move-reasons";
import { Route } from "../rollout/route";
import { servedDifferences, ServedRoute } from "../rollout/served-route";
import { readServedRoute } from "../io/envoy";
import { analysisOf } from "../analysis/config";
import { stageIn, StageName, StageTable, stageTableOf } from "../rollout/stages";
import { stageOf } from "../rollout/fleet";
import { failureOf, GatePass, GateFailure, GateView, passOf } from "../rollout/gate-record";
import { Commit, historyOf } from "./git";
import { StackFile } from "./stack-file";

/** `status --json`: this shape is documented in docs/driver.md; fields are only ever added. */
export interface Status {
    stack: string;
    stackFile: string;
    namespace: string;
    /** The release as deployed (rollout record), or as configured before the first `up`. */
    release: Release;
    stage: {
        /** The stage the live pods and route have under the deployed release ("none": nothing deployed). */
        live: LiveStage;
        /** The stage the settle step recorded, and when (the analysis window starts there). */
        recorded?: { stage: string; at: string };
        configured: string;
        /** The stack file asks for another stage than runs: an `up` is due (or was refused). */
        differs: boolean;
    };
    /** The moves the guard allows from the live stage. */
    next: { to: string; kind: MoveKind }[];
    /** The table's other moves from there, which the guard refuses for the candidate's image, and why. */
    refused: { to: string; kind: MoveKind; why: string }[];
    pods: { version: string; image: string; ready: number; desired: number; serving: boolean }[];
    /** istio: the live route read back from the VirtualService and DestinationRule. */
    route?: Route | { problem: string };
    /**
     * istio: the route Envoy serves (analysis.envoyAdmin's config_dump), which lags the declared one until istiod
     * has pushed it; `differences` from the declared route, in words ([]: Envoy serves what is declared).
     */
    served?: (ServedRoute & { differences: string[] }) | { problem: string };
    gate: { trust: string; passes?: GatePass[]; failures?: GateFailure[]; why?: string };
    record: { trust: string; why?: string };
    analysis?: LookResult | { error: string };
    decisions: Commit[];
}

/**
 * The table's moves from the live stage, as the guard judges them: the candidate's image enters a stage that gives
 * it live requests (a restore or a step forward) only with a gate pass for exactly that image, and not while it is
 * quarantined (failed since its last pass); its gate runs in a dark stage. Those moves are listed apart, with the
 * reason, so status never offers what the guard refuses.
 */
export function movesFrom(
    table: StageTable,
    live: LiveStage,
    release: Release,
    gate: GateView,
): Pick<Status, "next" | "refused"> {
    // Without a candidate no stage but the stable's is reachable: the next step is a release with a candidate.
    const c = release.candidate;
    if (!c) return { next: [], refused: [] };
    const moves = allowedNext(table, live).filter((m) => m.kind !== "stay");
    const failed = failureOf(gate, c.version, c.image);
    const passed = passOf(gate, c.version, c.image);
    if (passed && !failed) return { next: moves, refused: [] };
    const dark = darkStages(table);
    const exposes = (m: { to: StageName; kind: MoveKind }) =>
        m.kind !== "rollback" && stageIn(table, m.to).candidate !== undefined && !dark.includes(m.to);
    const why = failed
        ? `image ${c.image} failed at ${failed.failedAt} (${failed.failure}): quarantined until its gate passes again, in ${list(dark)}`
        : `image ${c.image} has no gate pass (${gate.trust === "trusted" ? "none recorded for it" : `gate record ${gate.trust}`}): its gate runs in ${list(dark)} first`;
    return {
        next: moves.filter((m) => !exposes(m)),
        refused: moves.filter(exposes).map((m) => ({ ...m, why })),
    };
}

/**
 * The release the next moves are for: the deployed one, or, where it has no candidate and the stack file names one
 * beside the same stable, the configured one (a new release: the guard lets a candidate start where none runs).
 */
function nextRelease(deployed: Release, configured: Release): Release {
    const sameStable =
        configured.stable.version === deployed.stable.version && configured.stable.image === deployed.stable.image;
    return !deployed.candidate && configured.candidate && sameStable ? configured : deployed;
}

/**
 * `served`: also read the route Envoy serves (status asks; a driver's decision does not use it, and an unreachable
 * admin address would cost each look its timeout).
 */
export async function readStatus(
    sf: StackFile,
    opts: { analyze?: boolean; served?: boolean; now?: Date } = {},
): Promise<Status> {
    const { config } = sf;
    const access = await connect(config.kubeconfig, config.context);
    const { live } = await readClusterFacts(access, config.namespace, config.traffic, ROLLED_OUT);
    const record = live.record?.trust === "trusted" ? live.record.record : undefined;
    const release = record?.release ?? config.release;
    const table = stageTableOf(record?.traffic ?? config.traffic);
    const liveStage: LiveStage = stageOf(live.fleet, release, table, live.route) ?? "off-table";
    let analysis: Status["analysis"];
    if (opts.analyze !== false && record) {
        try {
            analysis = await lookAt(
                record,
                config.namespace,
                ROLLED_OUT,
                kubectlFor(config.kubeconfig, config.context),
                opts.now,
            );
        } catch (e) {
            analysis = { error: (e as Error).message };
        }
    }
    let served: Status["served"];
    if (opts.served && config.traffic.strategy === "istio") {
        const read = await readServedRoute(
            analysisOf(config.analysis).envoyAdmin,
            serviceHost(ROLLED_OUT, config.namespace),
            String(ROLLED_OUT.port),
        );
        const declared = live.route && "route" in live.route ? live.route.route : undefined;
        served =
            "problem" in read
                ? read
                : { ...read, differences: declared ? servedDifferences(read.route, declared) : ["no declared route"] };
    }
    return {
        stack: sf.stack,
        stackFile: sf.file,
        namespace: config.namespace,
        release,
        stage: {
            live: liveStage,
            ...(record ? { recorded: { stage: record.stage, at: record.recordedAt } } : {}),
            configured: config.stage,
            differs: config.stage !== liveStage,
        },
        ...movesFrom(table, liveStage, nextRelease(release, config.release), live.gate),
        pods: live.fleet.map((w) => ({
            version: w.version,
            image: w.image,
            ready: w.ready ?? 0,
            desired: w.replicas,
            serving: w.serving,
        })),
        ...(live.route ? { route: "route" in live.route ? live.route.route : { problem: live.route.problem } } : {}),
        ...(served ? { served } : {}),
        gate:
            live.gate.trust === "trusted"
                ? { trust: "trusted", passes: live.gate.passes, failures: live.gate.failures ?? [] }
                : live.gate,
        record:
            live.record?.trust === "untrusted"
                ? { trust: "untrusted", why: live.record.why }
                : { trust: live.record?.trust ?? "absent" },
        ...(analysis ? { analysis } : {}),
        decisions: historyOf(sf.file, 5),
    };
}
