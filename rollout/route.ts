// The mesh route of reviews (istio strategy) as the guard sees it: by version label, what answers plain requests
// (weights), who gets copies (mirror) and where testers go. The program's goal, the pack's view of the goal and the
// live VirtualService are all read into this shape, beside the reviews workloads (rollout/fleet.ts).
import type { Release } from "./release";
import type { Stage } from "./stages";

export interface Route {
    /** Percent of the plain requests per version, only versions above 0; they sum to 100. */
    weights: Record<string, number>;
    /** The version that receives copies of the plain requests, and what percentage is copied. */
    mirror?: { version: string; percent: number };
    /** The version the testers' requests go to. */
    testers?: string;
}

/** The route a stage of the istio table asks for, for a release (mirrorPercent: Traffic.mirrorPercent). */
export function routeOf(stage: Stage, release: Release, mirrorPercent: number): Route {
    const spec = stage.route ?? { testers: false, mirror: false, weight: 0 };
    const candidate = release.candidate?.version;
    const weights: Record<string, number> = {};
    const stableWeight = stage.stable ? 100 - (stage.candidate ? spec.weight : 0) : 0;
    if (stableWeight > 0) weights[release.stable.version] = stableWeight;
    if (candidate && stage.candidate && spec.weight > 0) weights[candidate] = stage.stable ? spec.weight : 100;
    return {
        weights,
        ...(candidate && spec.mirror ? { mirror: { version: candidate, percent: mirrorPercent } } : {}),
        ...(candidate && spec.testers ? { testers: candidate } : {}),
    };
}

/** Does `route` give exactly what `stage` gives (mirror percentages aside: they are config, not a stage)? */
export function routeFits(route: Route, stage: Stage, release: Release): boolean {
    const want = routeOf(stage, release, 0);
    const keys = (r: Record<string, number>) => Object.keys(r).sort().join(",");
    return (
        keys(route.weights) === keys(want.weights) &&
        Object.entries(want.weights).every(([v, w]) => route.weights[v] === w) &&
        route.mirror?.version === want.mirror?.version &&
        route.testers === want.testers
    );
}

/** Versions that receive live requests or copies of them through the route. */
export function exposedVersions(route: Route): Set<string> {
    return new Set([...Object.keys(route.weights), ...(route.mirror ? [route.mirror.version] : [])]);
}

/** "v1 95%, v2 5%; mirror 100% to v2; testers to v2": how messages name a route. */
export function describeRoute(route: Route | undefined): string {
    if (!route) return "no route";
    const parts = [
        Object.entries(route.weights)
            .map(([v, w]) => `${v} ${w}%`)
            .join(", ") || "no weights",
    ];
    if (route.mirror) parts.push(`mirror ${route.mirror.percent}% to ${route.mirror.version}`);
    if (route.testers) parts.push(`testers to ${route.testers}`);
    return parts.join("; ");
}
