// Runs a rule the way the policy engine does, with ResourceValidationArgs / StackValidationArgs built by hand
// (compliance-policies unit-test style), and collects the violation messages.
import { PolicyResource, PolicyResourceOptions, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import { RolloutPolicy } from "../lib/policy";

export interface TestResource {
    type: string;
    name: string;
    props: Record<string, any>;
}

const opts: PolicyResourceOptions = {
    protect: false,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
};

const urnOf = (r: TestResource) => `urn:pulumi:dev::bookinfo-rollout::${r.type}::${r.name}`;
const notApplicable = (reason?: string): never => {
    throw new Error(`policy reported not applicable: ${reason}`);
};
const noTypeChecks = () => {
    throw new Error("this pack compares type tokens; isType/asType are not used");
};

/** Violations of the rule's resource check for one resource. */
export async function checkResource(
    policy: RolloutPolicy,
    resource: TestResource,
    config: object = {},
): Promise<string[]> {
    const violations: string[] = [];
    const args: ResourceValidationArgs = {
        ...resource,
        urn: urnOf(resource),
        opts,
        stackTags: new Map(),
        isType: noTypeChecks,
        asType: noTypeChecks,
        getConfig: <T extends object>() => config as T,
        notApplicable,
    };
    const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource!];
    for (const validate of validations) await validate(args, (message) => violations.push(message));
    return violations;
}

/** Violations of the rule's resource check over every resource of a goal state. */
export async function checkEachResource(
    policy: RolloutPolicy,
    resources: TestResource[],
    config: object = {},
): Promise<string[]> {
    const all: string[] = [];
    for (const r of resources) all.push(...(await checkResource(policy, r, config)));
    return all;
}

/** Violations of the rule's stack check over a whole goal state. */
export async function checkStack(
    policy: RolloutPolicy,
    resources: TestResource[],
    config: object = {},
): Promise<string[]> {
    if (!policy.validateStack) throw new Error(`${policy.name} has no stack check`);
    const violations: string[] = [];
    const policyResources: PolicyResource[] = resources.map((r) => ({
        ...r,
        urn: urnOf(r),
        opts,
        dependencies: [],
        propertyDependencies: {},
        isType: noTypeChecks,
        asType: noTypeChecks,
    }));
    const args: StackValidationArgs = {
        resources: policyResources,
        stackTags: new Map(),
        getConfig: <T extends object>() => config as T,
        notApplicable,
    };
    await policy.validateStack(args, (message) => violations.push(message));
    return violations;
}

/** Violations of each rule's resource checks over every resource, by rule name (rules without any left out). */
export async function resourceViolationsByRule(
    policies: RolloutPolicy[],
    resources: TestResource[],
): Promise<Record<string, string[]>> {
    const found: Record<string, string[]> = {};
    for (const policy of policies) {
        const messages = await checkEachResource(policy, resources);
        if (messages.length > 0) found[policy.name] = messages;
    }
    return found;
}

/** Violations of each rule's stack check over a goal state, by rule name (rules without any left out). */
export async function stackViolationsByRule(
    policies: RolloutPolicy[],
    resources: TestResource[],
): Promise<Record<string, string[]>> {
    const found: Record<string, string[]> = {};
    for (const policy of policies) {
        if (!policy.validateStack) continue;
        const messages = await checkStack(policy, resources);
        if (messages.length > 0) found[policy.name] = messages;
    }
    return found;
}
