// One attempt on the guard, as the e2e suites run it: make the change, run preview and/or up, expect each refused by
// the rule it names, and the cluster (by uid and resourceVersion) and the Pulumi state left exactly as they were.
import assert from "node:assert/strict";
import { ClusterView } from "../../../lib/observe";
import { RolloutStack, RunOptions } from "../../../lib/stack";
import { stateOf } from "./state";

export interface Attempt {
    name: string;
    /** The change under test (config, cluster edits), made after the "before" snapshot where it is config only. */
    change: (r: RolloutStack) => Promise<void>;
    /** What the refusal must name. */
    refusedBy: RegExp;
    /** How to run it: preview and up (default) or up only, with these options. */
    runs?: ("preview" | "up")[];
    run?: RunOptions;
    /** Puts things back for the next attempt. */
    undo: (r: RolloutStack) => Promise<void>;
}

export async function expectRefused(view: ClusterView, rollout: RolloutStack, a: Attempt): Promise<void> {
    await a.change(rollout);
    try {
        const before = await Promise.all([view.settled(), stateOf(rollout)]);
        for (const kind of a.runs ?? ["preview", "up"]) {
            const run = kind === "up" ? rollout.up(a.run) : rollout.preview(a.run);
            await assert.rejects(
                run,
                (e: Error) => a.refusedBy.test(e.message),
                `${a.name}: ${kind} must be refused by ${a.refusedBy}`,
            );
        }
        assert.deepEqual(
            await Promise.all([view.snapshot(), stateOf(rollout)]),
            before,
            `${a.name} changed the cluster or the state`,
        );
    } finally {
        await a.undo(rollout);
    }
}
