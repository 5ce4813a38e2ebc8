// A mandatory rule that is one view onto THE verdict (rollout/verdict.ts judge): it judges the change against the
// pack's own read of the live cluster and reports the violations tagged with its name, as judge() words them.
import { allowedText } from "../../rollout/move-reasons";
import { isReviewsDeployment } from "../../rollout/workload-of";
import { judge, Rule, RULES, Verdict, Violation } from "../../rollout/verdict";
import { cannotJudge, loadContext } from "./context";
import { DEPLOYMENT } from "./kubernetes";
import { PolicyFactory } from "./policy";
import { requestedOf, stepOf } from "./requested";

/** The message of one violation: judge()'s sentence; the stage-move rule adds the moves allowed from the live stage. */
export function violationText(v: Violation, verdict: Verdict): string {
    return v.rule === RULES.move ? `${v.message} ${allowedText(verdict.from)}` : v.message;
}

/** Deployments whose step this rule judges: the reviews ones; the other services' rule judges every Deployment. */
function judges(rule: Rule, type: string, props: Record<string, any>): boolean {
    return type === DEPLOYMENT && (rule === RULES.services || isReviewsDeployment(props));
}

export function verdictRule(rule: Rule, description: string): PolicyFactory {
    return (source) => ({
        name: rule,
        description,
        enforcementLevel: "mandatory",
        validateResource: async (args, reportViolation) => {
            if (!judges(rule, args.type, args.props)) return;
            const ctx = await loadContext(source);
            if ("error" in ctx) return reportViolation(cannotJudge(ctx.error));
            if (ctx.mode === "render") return;
            const requested = stepOf(ctx.config, ctx.live, args);
            if (!requested) return;
            const verdict = judge(ctx.live, requested, ctx.config.bounds, ctx.config.namespace);
            for (const v of verdict.violations) if (v.rule === rule) reportViolation(violationText(v, verdict));
        },
        validateStack: async (args, reportViolation) => {
            const ctx = await loadContext(source);
            if ("error" in ctx) return reportViolation(cannotJudge(ctx.error));
            if (ctx.mode === "render") return;
            const requested = requestedOf(ctx.config, args.resources);
            const verdict = judge(ctx.live, requested, ctx.config.bounds, ctx.config.namespace);
            for (const v of verdict.violations) if (v.rule === rule) reportViolation(violationText(v, verdict));
        },
    });
}
