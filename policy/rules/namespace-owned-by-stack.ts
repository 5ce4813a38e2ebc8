// The stack never adopts a namespace: the configured namespace is either absent from the cluster (the stack creates
// it) or marked as this stack's (its name and its backend). Otherwise a later destroy would delete another team's (or stack's) objects.
// Judged as the program judges it (rollout/target.ts), from the pack's own read of the namespace.
import { judgeTarget, TARGET_RULES } from "../../rollout/target";
import { cannotJudge, loadContext } from "../lib/context";
import { NAMESPACE, objectName } from "../lib/kubernetes";
import { PolicyFactory } from "../lib/policy";

export const namespaceOwnedByStack: PolicyFactory = (source) => ({
    name: TARGET_RULES.owned,
    description: "The configured namespace is new or labelled as this stack's: the stack never adopts a namespace it did not create, which a destroy would delete.",
    enforcementLevel: "mandatory",
    validateResource: async (args, reportViolation) => {
        if (args.type !== NAMESPACE) return;
        const ctx = await loadContext(source);
        if ("error" in ctx) return reportViolation(cannotJudge(ctx.error));
        if (ctx.mode === "render") return;
        const name = objectName(args.name, args.props);
        if (name !== ctx.config.namespace) {
            return reportViolation(`the stack declares Namespace ${name}, but the configured namespace is ${ctx.config.namespace} (config key namespace): the pack read only that one, so it cannot tell whether ${name} belongs to this stack; declare the configured namespace.`);
        }
        if (ctx.stackLabel === undefined) {
            return reportViolation(cannotJudge("the engine did not name this stack's organization, so the pack cannot tell its label on the namespace"));
        }
        const refusals = judgeTarget({ namespace: ctx.config.namespace, live: ctx.namespace, stackLabel: ctx.stackLabel, backend: ctx.backend ?? "" });
        for (const r of refusals) if (r.rule === TARGET_RULES.owned) reportViolation(r.message);
    },
});
