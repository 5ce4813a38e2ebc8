// The program: reads the stack config, reads what is deployed (the stack's recorded target, the live cluster), runs
// the guard's verdict, and only then declares Bookinfo. index.ts runs it with the real reads; the unit tests run it
// with recorded facts, so the same wiring is tested that runs.
import * as pulumi from "@pulumi/pulumi";
import { Bookinfo, Destination, serviceImages } from "./components/bookinfo";
import type { ClusterAccess, ClusterFacts } from "./io/cluster";
import { TARGET_OUTPUT } from "./io/previous";
import { StageConfig } from "./rollout/config";
import { sharePercent } from "./rollout/fleet";
import { LiveStage } from "./rollout/moves";
import { planOf, requestOf } from "./rollout/plan";
import { judgeTarget, stackLabelValue, Target } from "./rollout/target";
import { describeLive, judge, refusalText } from "./rollout/verdict";
import { Limits } from "./rollout/limits";
import { RolledService } from "./rollout/service";

/** What the program reads before it declares anything. */
export interface ProgramReads {
    config(): StageConfig;
    /** The target the last deploying `up` recorded (undefined: never deployed). */
    previousTarget(): Promise<Target | undefined>;
    /** Connects with the configured kubeconfig and context and reads the live facts of `namespace` for `service`. */
    cluster(config: StageConfig, service: RolledService): Promise<{ access: ClusterAccess; facts: ClusterFacts }>;
    /** The policy's limits on the stack's own yardstick (policy/config.json, or the defaults). */
    limits(): Limits;
    /** The backend that holds this stack's state: with the stack's name, its identity on the namespace. */
    backend(): string;
}

function refuse(lines: string[]): never {
    throw new pulumi.RunError(lines.join("\n"));
}

/** Runs the program rolling out `service` (Bookinfo's: reviews, index.ts). */
export async function runProgram(reads: ProgramReads, service: RolledService) {
    const config = reads.config();
    const previous = await reads.previousTarget();
    const stackLabel = stackLabelValue(pulumi.getOrganization(), pulumi.getProject(), pulumi.getStack());
    const backend = reads.backend();
    const plan = planOf(config, service);
    let destination: Destination;
    let from: LiveStage = "none";
    let target: Target | undefined;

    if (config.renderYamlTo) {
        // Render mode writes manifests and touches no cluster, so only a never-deployed stack may use it.
        const refused = judgeTarget({ previous, stackLabel, backend });
        if (refused.length) refuse(refused.map((r) => `[${r.rule}] ${r.message}`));
        destination = { renderYamlTo: config.renderYamlTo };
    } else {
        const { access, facts } = await reads.cluster(config, service);
        const targetRefusals = judgeTarget({
            previous,
            namespace: config.namespace,
            live: facts.namespace,
            server: access.server,
            context: access.context,
            stackLabel,
            backend,
        });
        // A stack whose outputs recorded a target has deployed: an emptied namespace is not a first deployment.
        const live = { ...facts.live, deployed: facts.live.deployed || previous !== undefined };
        const requested = requestOf(plan, serviceImages(config.imageRegistry, config.imageTag, service));
        const verdict = judge(live, requested, config.bounds, config.namespace, reads.limits());
        if (targetRefusals.length || verdict.violations.length) {
            refuse([
                ...(verdict.violations.length
                    ? [refusalText(verdict, requested, live)]
                    : [`${service.name} rollout refused; nothing was changed. Live: ${describeLive(live, service)}.`]),
                ...targetRefusals.map((r) => `  - [${r.rule}] ${r.message}`),
            ]);
        }
        from = verdict.from;
        destination = {
            kubeconfigText: access.kubeconfigText,
            kubeconfigPath: config.kubeconfig,
            context: config.context,
        };
        target = { namespace: config.namespace, namespaceUid: "", server: access.server, context: access.context };
    }

    const bookinfo = new Bookinfo("bookinfo", {
        namespace: config.namespace,
        stackLabel,
        backend,
        imageRegistry: config.imageRegistry,
        imageTag: config.imageTag,
        plan,
        from,
        extraServices: config.extraServices,
        protect: config.protect,
        destination,
    });
    const { rollout } = bookinfo;
    return {
        service: service.name,
        stage: rollout.stage,
        fromStage: rollout.fromStage,
        release: config.release,
        namespace: bookinfo.namespace.metadata.name,
        servingShares: rollout.servingShares,
        traffic: config.traffic.strategy,
        candidateSharePercent: plan.mesh
            ? (plan.mesh.route.weights[config.release.candidate?.version ?? ""] ?? 0)
            : sharePercent(plan.fleet, config.release.candidate?.version),
        gate: rollout.gateResult,
        appCheck: rollout.appCheckResult,
        // Read back by the next run (io/previous.ts): where this stack's app lives.
        [TARGET_OUTPUT]:
            target && bookinfo.namespace.metadata.uid.apply((namespaceUid) => ({ ...target!, namespaceUid })),
    };
}
