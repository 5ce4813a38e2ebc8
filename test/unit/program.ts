// Runs the program (program.ts, what index.ts runs) under the mocks, with recorded facts in place of the cluster
// and the stack's recorded target: the same wiring as a real run, without a cluster.
import * as pulumi from "@pulumi/pulumi";
import { declaredResources, promiseOf, reset, tick } from "./harness";
import { ClusterFacts } from "../../io/cluster";
import { readStageConfig } from "../../io/config";
import { runProgram } from "../../program";
import { GateView } from "../../rollout/gate-record";
import { DEFAULT_LIMITS } from "../../rollout/limits";
import { Target } from "../../rollout/target";
import { RolledService, REVIEWS } from "../../rollout/service";
import { Fleet } from "../../rollout/fleet";
import { BACKEND } from "../../policy/testing/fixtures";
import { SERVICES } from "./shapes";

export const STACK_LABEL_VALUE = "organization.bookinfo-rollout.unit";
/** The backend the unit runs pretend to use (the namespace's backend annotation), as the pack's fixtures do. */
export { BACKEND };
export const SERVER = "https://10.0.0.1:6443";

/** Live facts: these reviews Deployments (all pods ready), Bookinfo's other images, this gate record. */
export function facts(
    fleet: Fleet,
    gate: GateView = { trust: "absent" },
    namespace?: ClusterFacts["namespace"],
): ClusterFacts {
    return {
        namespace:
            namespace ??
            (fleet.length
                ? {
                      uid: "ns-uid-1",
                      labels: { "rollout.bookinfo.dev/stack": STACK_LABEL_VALUE },
                      annotations: { "rollout.bookinfo.dev/backend": BACKEND },
                  }
                : undefined),
        live: { fleet: fleet.map((w) => ({ ...w, ready: w.replicas })), services: fleet.length ? SERVICES : {}, gate },
    };
}

export const DEPLOYED: Target = { namespace: "bookinfo", namespaceUid: "ns-uid-1", server: SERVER, context: "unit" };

/** Config values as `pulumi config set` leaves them: text, structured keys as JSON text. */
export function config(values: Record<string, unknown>): Record<string, string> {
    return Object.fromEntries(
        Object.entries(values).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
    );
}

/**
 * Runs the program rolling out `service` (Bookinfo's reviews unless told); resolves with its outputs and every
 * resource it declared, or rejects with its refusal.
 */
export async function run(
    values: Record<string, unknown>,
    live: ClusterFacts = facts([]),
    previous?: Target,
    service: RolledService = REVIEWS,
) {
    reset(config(values));
    const outputs = await runProgram(
        {
            config: () => readStageConfig(),
            previousTarget: async () => previous,
            limits: () => DEFAULT_LIMITS,
            backend: () => BACKEND,
            cluster: async () => ({
                access: { context: "unit", server: SERVER, client: undefined as never },
                facts: live,
            }),
        },
        service,
    );
    const resolved = await promiseOf(pulumi.output(outputs));
    await tick();
    return { outputs: resolved, resources: declaredResources() };
}
