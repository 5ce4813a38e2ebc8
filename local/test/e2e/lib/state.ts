// The Pulumi state of a stack as a comparable value: every managed resource's URN, inputs and outputs, without the
// timestamps a no-op run may rewrite. The engine's own bookkeeping (the Stack resource, default providers, which
// manage nothing in the cluster, and the StackReference read of the stack's recorded target) is left out: a refused
// run registers those before it stops (e.g. the command plugin's default provider, when no Command existed).
// Equal values mean a refused run left every resource's state as it was.
import { RolloutStack } from "../../../lib/stack";

export async function stateOf(rollout: RolloutStack): Promise<string[]> {
    const { deployment } = await rollout.stack.exportStack();
    const resources = (deployment?.resources ?? []) as { urn: string; inputs?: unknown; outputs?: unknown }[];
    return resources
        .filter(
            (r) =>
                !/::pulumi:(pulumi:Stack|pulumi:StackReference)::|::pulumi:providers:[\w-]+::default(_[\w.-]+)?$/.test(
                    r.urn,
                ),
        )
        .map((r) => JSON.stringify({ urn: r.urn, inputs: r.inputs, outputs: r.outputs }))
        .sort();
}
