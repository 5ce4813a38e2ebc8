// The io/ scripts a ServiceRollout runs after its Deployments, as data derived from the plan: which script, its
// inputs (io/gate-env.ts) and what it judges (its Command re-runs exactly when that changes). The component only
// wires them to their Commands and orders them.
import { createHash } from "crypto";
import * as path from "path";
import { APP_CHECK_ENV, GATE_ENV, SETTLE_ENV } from "../io/gate-env";
import { Workload } from "../rollout/fleet";
import { Plan } from "../rollout/plan";

/**
 * The compiled script (`npm run build`), relative to the working directory the engine gives the program and its
 * providers alike, so the command text is the same in every checkout and never re-runs a check by itself.
 */
export function scriptCommand(script: string): string {
    return `node ${path.relative(process.cwd(), path.join(__dirname, "..", "io", `${script}.js`))}`;
}

/** One run of an io/ script: its Command's name suffix, the script, its inputs, and what it judges. */
export interface RolloutStep {
    suffix: "gate" | "retire" | "app-check" | "settle";
    script: "gate" | "settle" | "app-check";
    /** The script's environment names for namespace, kubeconfig and context. */
    env: { namespace: string; kubeconfig: string; context: string };
    inputs: Record<string, string>;
    judged: unknown;
}

/** What a step judges, as a short hash: its Command's trigger. */
export const fingerprint = (judged: unknown) =>
    createHash("sha256").update(JSON.stringify(judged)).digest("hex").slice(0, 16);

/** The candidate's smoke test on every one of its pods; records a pass (or the failure) for its image. */
export function gateStep(plan: Plan, candidate: Workload): RolloutStep {
    const { service, release, smoke } = plan;
    const stars = release.candidate!.stars;
    return {
        suffix: "gate",
        script: "gate",
        env: GATE_ENV,
        inputs: {
            [GATE_ENV.service]: service.name,
            [GATE_ENV.version]: candidate.version,
            [GATE_ENV.image]: candidate.image,
            [GATE_ENV.pods]: String(candidate.replicas),
            [GATE_ENV.stars]: stars,
            [GATE_ENV.spec]: JSON.stringify(smoke),
        },
        judged: { stage: plan.stage.name, w: candidate, stars, smoke },
    };
}

/**
 * The settle script: deletes the Deployments of the service the stage does not run (`keep`: the versions it runs),
 * then writes the rollout record; with `only: "retire"` it only deletes.
 */
function settleScript(plan: Plan, suffix: "retire" | "settle"): RolloutStep {
    const keep = plan.fleet.map((w) => w.version);
    const rest: Record<string, string> =
        suffix === "retire" ? { [SETTLE_ENV.only]: "retire" } : { [SETTLE_ENV.record]: JSON.stringify(plan.record) };
    return {
        suffix,
        script: "settle",
        env: SETTLE_ENV,
        inputs: { [SETTLE_ENV.service]: plan.service.name, [SETTLE_ENV.keep]: JSON.stringify(keep), ...rest },
        judged: suffix === "retire" ? { keep } : { keep, record: plan.record },
    };
}

/** `pods`: deletes the versions the stage no longer runs before the app check (the Service still sends to them). */
export const retireStep = (plan: Plan) => settleScript(plan, "retire");

/** The app check: re-runs whenever what answers may change (the stage, a pod behind the Service, the route). */
export function appCheckStep(plan: Plan): RolloutStep {
    const appCheck = plan.appCheck!;
    return {
        suffix: "app-check",
        script: "app-check",
        env: APP_CHECK_ENV,
        inputs: {
            [APP_CHECK_ENV.service]: plan.service.name,
            [APP_CHECK_ENV.spec]: JSON.stringify(appCheck.gate),
            [APP_CHECK_ENV.expected]: JSON.stringify(appCheck.expected),
        },
        judged: {
            stage: plan.stage.name,
            fleet: plan.fleet,
            route: plan.mesh?.route,
            appGate: appCheck.gate,
            expected: appCheck.expected,
        },
    };
}

/** The last step: retires what the stage does not run, then writes the rollout record. */
export const settleStep = (plan: Plan) => settleScript(plan, "settle");

/** Why the gate did not run, when it has no Command. */
export const gateNotRun = (plan: Plan, candidate: Workload | undefined) =>
    `not run: ${candidate ? "render mode" : `no candidate in stage ${plan.stage.name}`}`;

/** Why the app check did not run, when it has no Command. */
export function appCheckNotRun(plan: Plan): string {
    if (plan.appCheck) return "not run: render mode";
    if (!plan.service.appPath) return `not run: ${plan.service.name}'s answers do not name their pod`;
    return `not run: no app check in stage ${plan.stage.name}`;
}
