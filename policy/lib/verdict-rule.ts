// A mandatory rule that is one view onto THE verdict (rollout/verdict.ts judge): it judges the change against the
// pack's own read of the live cluster and reports the violations tagged with its name, as judge() words them.
import { PolicyConfigSchema } from "@pulumi/policy";
import { DEFAULT_LIMITS, limitsOf } from "../../rollout/limits";
import { allowedText } from "../../rollout/move-reasons";
import { judge, Rule, RULES, Verdict, Violation } from "../../rollout/verdict";
import { cannotJudge, loadContext } from "./context";
import { DEPLOYMENT, VIRTUAL_SERVICE } from "./kubernetes";
import { PolicyFactory } from "./policy";
import { GoalResource, isGuardedMesh, requestedOf, stepOf, isGuardedDeployment } from "./requested";

/** The message of one violation: judge()'s sentence; the stage-move rule adds the moves allowed from the live stage. */
export function violationText(v: Violation, verdict: Verdict): string {
    return v.rule === RULES.move ? `${v.message} ${allowedText(verdict.table, verdict.from)}` : v.message;
}

/** The rules about what serves: under istio the route's step alone can move the stage (mirror -> weight-1). */
const ROUTE_RULES: Rule[] = [RULES.move, RULES.ready, RULES.capacity, RULES.gate, RULES.yardstick, RULES.limits];

/**
 * Steps this rule judges: the reviews Deployments', the reviews VirtualService's for the rules about what serves;
 * the other services' rule judges every Deployment.
 */
function judges(rule: Rule, resource: GoalResource): boolean {
    if (isGuardedMesh(resource, VIRTUAL_SERVICE)) return ROUTE_RULES.includes(rule);
    return resource.type === DEPLOYMENT && (rule === RULES.services || isGuardedDeployment(resource.props));
}

/** The limits rule's config (policy/config.json): every limit optional, the defaults of rollout/limits.ts. */
const LIMITS_SCHEMA: PolicyConfigSchema = {
    properties: Object.fromEntries(
        Object.entries(DEFAULT_LIMITS).map(([k, v]) => [
            k,
            Array.isArray(v) ? { type: "array", items: { type: "string" } } : { type: "integer", minimum: 1 },
        ]),
    ),
};

export function verdictRule(rule: Rule, description: string): PolicyFactory {
    return (source) => ({
        name: rule,
        description,
        enforcementLevel: "mandatory",
        ...(rule === RULES.limits ? { configSchema: LIMITS_SCHEMA } : {}),
        validateResource: async (args, reportViolation) => {
            if (!judges(rule, args)) return;
            const ctx = await loadContext(source);
            if ("error" in ctx) return reportViolation(cannotJudge(ctx.error));
            if (ctx.mode === "render") return;
            const requested = stepOf(ctx.config, ctx.live, args);
            if (!requested) return;
            const verdict = judge(
                ctx.live,
                requested,
                ctx.config.bounds,
                ctx.config.namespace,
                limitsOf(args.getConfig()),
            );
            for (const v of verdict.violations) if (v.rule === rule) reportViolation(violationText(v, verdict));
        },
        validateStack: async (args, reportViolation) => {
            const ctx = await loadContext(source);
            if ("error" in ctx) return reportViolation(cannotJudge(ctx.error));
            if (ctx.mode === "render") return;
            const requested = requestedOf(ctx.config, args.resources);
            const verdict = judge(
                ctx.live,
                requested,
                ctx.config.bounds,
                ctx.config.namespace,
                limitsOf(args.getConfig()),
            );
            for (const v of verdict.violations) if (v.rule === rule) reportViolation(violationText(v, verdict));
        },
    });
}
