// Pulumi mocks for the unit tests: records every resource the program declares (type, name, inputs, provider,
// dependencies). test/unit/program.ts runs the program itself on top of them.
import * as pulumi from "@pulumi/pulumi";

export const PROJECT = "bookinfo-rollout";
/** What the mocked gate prints. */
export const GATE_STDOUT = "ok   pods-ready: reviews-v2-abc\ngate passed: 1 pod(s) of reviews-v2";

export interface Declared {
    type: string;
    name: string;
    custom: boolean;
    inputs: any;
    /** Provider reference (`<urn>::<id>`), "" when none was given. */
    provider: string;
    /** Names of the resources this one depends on (dependsOn and inputs). */
    dependencies: string[];
    /** Resource options as registered: `protect` and `retainOnDelete`. */
    protect: boolean;
    retainOnDelete: boolean;
}

let declared: Declared[] = [];
const dependenciesByKey = new Map<string, string[]>();
const optionsByKey = new Map<string, { protect: boolean; retainOnDelete: boolean }>();
const keyOf = (type: string, name: string) => `${type}::${name}`;
const nameOfUrn = (urn: string) => urn.split("::").pop() ?? urn;

// Must run before any component is built (the mocks replace the engine for the whole process).
pulumi.runtime.setMocks(
    {
        newResource: (args) => {
            declared.push({
                type: args.type,
                name: args.name,
                custom: args.custom ?? true,
                inputs: args.inputs,
                provider: args.provider ?? "",
                dependencies: [],
                protect: false,
                retainOnDelete: false,
            });
            const extra = args.type === "command:local:Command" ? { stdout: GATE_STDOUT, stderr: "" } : {};
            return { id: `${args.name}-id`, state: { ...args.inputs, ...extra } };
        },
        call: (args) => args.inputs,
    },
    PROJECT,
    "unit",
    false,
    "organization",
);

// The mocks do not hand dependencies to newResource: read them off the registration request.
const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource(req: any, callback: (err: unknown, res: unknown) => void): void;
};
const register = monitor.registerResource.bind(monitor);
monitor.registerResource = (req, callback) => {
    dependenciesByKey.set(keyOf(req.getType(), req.getName()), (req.getDependenciesList() as string[]).map(nameOfUrn));
    optionsByKey.set(keyOf(req.getType(), req.getName()), {
        protect: !!req.getProtect(),
        retainOnDelete: !!req.getRetainondelete(),
    });
    register(req, callback);
};

/** Starts a fresh recording and sets the stack config (keys without the project prefix, values as text). */
export function reset(config: Record<string, string>): void {
    declared = [];
    dependenciesByKey.clear();
    optionsByKey.clear();
    pulumi.runtime.setAllConfig(Object.fromEntries(Object.entries(config).map(([k, v]) => [`${PROJECT}:${k}`, v])));
}

/** Resources declared since the last reset, with their dependencies. */
export function declaredResources(): Declared[] {
    return declared.map((d) => ({
        ...d,
        dependencies: dependenciesByKey.get(keyOf(d.type, d.name)) ?? [],
        ...(optionsByKey.get(keyOf(d.type, d.name)) ?? { protect: false, retainOnDelete: false }),
    }));
}

/** Waits until every resource reachable through the public fields of `root` is registered. */
export async function settle(root: pulumi.Resource): Promise<void> {
    const seen = new Set<pulumi.Resource>();
    const walk = (r: pulumi.Resource) => {
        if (seen.has(r)) return;
        seen.add(r);
        for (const value of Object.values(r)) if (value instanceof pulumi.Resource) walk(value);
    };
    walk(root);
    await Promise.all([...seen].map((r) => (pulumi.CustomResource.isInstance(r) ? promiseOf(r.id) : promiseOf(r.urn))));
}

export function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply(resolve));
}

/** Lets pending registrations (if any were started) reach the mocks. */
export const tick = () => new Promise((resolve) => setTimeout(resolve, 50));
