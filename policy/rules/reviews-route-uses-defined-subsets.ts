// What this rule enforces, and why: its `description`; the README and docs/policy.md list it from there.
import { VERSION_LABEL } from "../../rollout/labels";
import { DestinationRuleSpec, VirtualServiceSpec } from "../../rollout/mesh-objects";
import { DESTINATION_RULE, formatLabels, sameLabels, VIRTUAL_SERVICE } from "../lib/kubernetes";
import { RolloutPolicy } from "../lib/policy";
import { isGuardedMesh } from "../lib/requested";

type HttpRoute = VirtualServiceSpec["http"][number];
const routeName = (r: HttpRoute, i: number) => r.name ?? `#${i + 1}`;

/** A route's weight total as Istio reads it: a lone destination without weight takes everything. */
function weightSum(r: HttpRoute): number {
    const dests = r.route ?? [];
    return dests.length === 1 && dests[0].weight === undefined ? 100 : dests.reduce((n, d) => n + (d.weight ?? 0), 0);
}

/** What the VirtualService alone shows: every route weighs 100% of its requests. */
function weightProblems(vs: VirtualServiceSpec): string[] {
    return (vs.http ?? []).flatMap((r, i) => {
        const sum = weightSum(r);
        return sum === 100
            ? []
            : [
                  `VirtualService reviews route ${routeName(r, i)} weighs ${sum}% of its requests, not 100%: the rest would go nowhere the stage table knows.`,
              ];
    });
}

/** What the DestinationRule alone shows: each subset selects exactly {version: <its name>}. */
function subsetProblems(dr: DestinationRuleSpec): string[] {
    return (dr.subsets ?? [])
        .filter((s) => !sameLabels(s.labels, { [VERSION_LABEL]: s.name }))
        .map(
            (s) =>
                `DestinationRule reviews subset ${s.name} selects ${formatLabels(s.labels)}; it must select exactly ${formatLabels({ [VERSION_LABEL]: s.name })}: a subset is the version it is named after, or the route sends traffic where it does not say.`,
        );
}

/** What the two show together: one host, and every destination a subset the rule defines. */
function pairProblems(vs: VirtualServiceSpec, dr: DestinationRuleSpec | undefined): string[] {
    if (!dr)
        return [
            "VirtualService reviews routes to subsets, but the goal declares no DestinationRule reviews that defines them: Istio answers those requests with 503.",
        ];
    const hosts = vs.hosts ?? [];
    if (hosts.length !== 1 || hosts[0] !== dr.host) {
        return [
            `VirtualService reviews is for hosts ${JSON.stringify(hosts)} and DestinationRule reviews for host ${dr.host}: both must name the one reviews host, or the subsets do not apply to the route.`,
        ];
    }
    const defined = (dr.subsets ?? []).map((s) => s.name);
    return (vs.http ?? []).flatMap((r, i) =>
        [...(r.route ?? []).map((d) => d.destination), ...(r.mirror ? [r.mirror] : [])]
            .filter((d) => d?.host !== dr.host || !defined.includes(d.subset ?? ""))
            .map(
                (d) =>
                    `VirtualService reviews route ${routeName(r, i)} sends to ${JSON.stringify(d ?? null)}, not a subset of ${dr.host} that DestinationRule reviews defines (${defined.join(", ") || "none"}): Istio answers those requests with 503.`,
            ),
    );
}

export const reviewsRouteUsesDefinedSubsets: RolloutPolicy = {
    name: "reviews-route-uses-defined-subsets",
    description:
        "Under `istio`, the reviews VirtualService sends requests, copies and testers only to subsets its DestinationRule defines for the same host, each subset selects exactly the version it is named after, and each route's weights sum to 100: Istio answers an undefined subset with 503, and the guard reads a route as the versions its subsets name.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (isGuardedMesh(args, VIRTUAL_SERVICE))
            weightProblems(args.props.spec ?? {}).forEach((m) => reportViolation(m));
        if (isGuardedMesh(args, DESTINATION_RULE))
            subsetProblems(args.props.spec ?? {}).forEach((m) => reportViolation(m));
    },
    validateStack: (args, reportViolation) => {
        const vs = args.resources.find((r) => isGuardedMesh(r, VIRTUAL_SERVICE));
        const dr = args.resources.find((r) => isGuardedMesh(r, DESTINATION_RULE));
        if (vs) pairProblems(vs.props.spec ?? {}, dr?.props.spec).forEach((m) => reportViolation(m, vs.urn));
    },
};
