// The target the last deploying `up` recorded in the stack's own outputs, read through a StackReference to this
// stack: the engine's state, which neither config nor program code of the change under review can rewrite. A
// never-deployed stack reads as no target.
import * as pulumi from "@pulumi/pulumi";
import { Target } from "../rollout/target";

/** Name of the stack output that records the target. */
export const TARGET_OUTPUT = "target";

export async function readPreviousTarget(): Promise<Target | undefined> {
    const self = new pulumi.StackReference("deployed-target", {
        name: `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`,
    });
    const { value } = await self.getOutputDetails(TARGET_OUTPUT);
    const t = value as Partial<Target> | undefined;
    return t && typeof t.namespace === "string" && typeof t.namespaceUid === "string"
        ? {
              namespace: t.namespace,
              namespaceUid: t.namespaceUid,
              server: String(t.server ?? ""),
              context: String(t.context ?? ""),
          }
        : undefined;
}
