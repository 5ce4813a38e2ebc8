// A rule of this pack: a resource check (blocks a step before it runs) plus, where a rule needs to see several
// resources at once, a stack check (runs after the resources changed, so it reports rather than prevents).
import { ResourceValidationPolicy, StackValidation } from "@pulumi/policy";

export type RolloutPolicy = ResourceValidationPolicy & { validateStack?: StackValidation };
