// Policy config with the schema's own defaults applied: the engine fills defaults from configSchema, but a pack
// run without --policy-pack-config (and every spec) gets {} from getConfig(), so the defaults live in one place.
import { PolicyConfigSchema } from "@pulumi/policy";

export function configWithDefaults<T extends object>(schema: PolicyConfigSchema, given: Partial<T>): T {
    const defaults: Record<string, unknown> = {};
    for (const [key, prop] of Object.entries(schema.properties)) {
        if (typeof prop === "object" && prop.default !== undefined) defaults[key] = prop.default;
    }
    return { ...defaults, ...given } as T;
}
