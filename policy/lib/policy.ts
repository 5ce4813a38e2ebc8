// A rule of this pack: a resource check (blocks a step before it runs) plus, where a rule needs to see several
// resources at once, a stack check (in `pulumi preview` it runs before anything changes; during `pulumi up` it runs
// after the resources changed, so there it reports rather than prevents).
import { ResourceValidationPolicy, StackValidation } from "@pulumi/policy";
import { PackSource } from "./context";

export type RolloutPolicy = ResourceValidationPolicy & { validateStack?: StackValidation };

/** A rule that judges by the pack's context (lib/context.ts): built once the source is known. */
export type PolicyFactory = (source: PackSource) => RolloutPolicy;
