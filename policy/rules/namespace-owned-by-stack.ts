// What this rule enforces, and why: its `description`; the README and docs/policy.md list it from there.
import { BACKEND_ANNOTATION, STACK_LABEL } from "../../rollout/labels";
import { judgeTarget, TARGET_RULES } from "../../rollout/target";
import { cannotJudge, loadContext } from "../lib/context";
import { NAMESPACE, objectName } from "../lib/kubernetes";
import { PolicyFactory } from "../lib/policy";

export const namespaceOwnedByStack: PolicyFactory = (source) => ({
    name: TARGET_RULES.owned,
    description: `The configured namespace does not exist yet or is marked as this stack's (label \`${STACK_LABEL}\`, annotation \`${BACKEND_ANNOTATION}\`): the stack never adopts a namespace, which a later destroy would delete.`,
    enforcementLevel: "mandatory",
    validateResource: async (args, reportViolation) => {
        if (args.type !== NAMESPACE) return;
        const ctx = await loadContext(source);
        if ("error" in ctx) return reportViolation(cannotJudge(ctx.error));
        if (ctx.mode === "render") return;
        const name = objectName(args.name, args.props);
        if (name !== ctx.config.namespace) {
            return reportViolation(
                `the stack declares Namespace ${name}, but the configured namespace is ${ctx.config.namespace} (config key namespace): the pack read only that one, so it cannot tell whether ${name} belongs to this stack; declare the configured namespace.`,
            );
        }
        if (ctx.stackLabel === undefined) {
            return reportViolation(
                cannotJudge(
                    "the engine did not name this stack's organization, so the pack cannot tell its label on the namespace",
                ),
            );
        }
        const refusals = judgeTarget({
            namespace: ctx.config.namespace,
            live: ctx.namespace,
            stackLabel: ctx.stackLabel,
            backend: ctx.backend ?? "",
        });
        for (const r of refusals) if (r.rule === TARGET_RULES.owned) reportViolation(r.message);
    },
});
