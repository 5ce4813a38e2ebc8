// The whole pack on a scenario: every rule with the scenario's context as its source, over the scenario's goal.
import { RolloutPolicy } from "../lib/policy";
import { policies } from "../policies";
import { contextOf, ReleaseName, resourcesOf, Scenario, scenario, sourceOf } from "./fixtures";
import { resourceViolationsByRule, stackViolationsByRule } from "./harness";

export const packFor = (s: Scenario): RolloutPolicy[] => policies(sourceOf(contextOf(s)));

/** What the whole pack reports on a scenario: its stack checks and its resource checks, by rule. */
export async function verdictsOf(
    s: Scenario,
): Promise<{ stack: Record<string, string[]>; resources: Record<string, string[]> }> {
    const pack = packFor(s);
    const resources = resourcesOf(s);
    return {
        stack: await stackViolationsByRule(pack, resources),
        resources: await resourceViolationsByRule(pack, resources),
    };
}

/** Nothing reported by any rule. */
export const NOTHING = { stack: {}, resources: {} };

/** The baseline every verdict rule's spec changes one thing of: live at half, the goal promoted (a forward move). */
export const baseline = (release: ReleaseName): Scenario => scenario(release, "half", "promoted");
