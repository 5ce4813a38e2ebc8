// Which stack the engine runs the pack for, and that stack's config: what the language host puts in the pack's
// environment (upstream pulumi-language-nodejs sets PULUMI_NODEJS_* and PULUMI_CONFIG from the engine's
// ConfigureStack call), or what the pack heard of that call itself (lib/configure-stack-shim.ts, for our stand-in
// host, which sets neither).

export interface StackIdentity {
    /** Undefined when the engine did not name it. */
    organization?: string;
    project: string;
    stack: string;
    /** Config as the engine passes it: "<namespace>:<key>" -> value (text; structured values as JSON text). */
    config: Record<string, unknown>;
}

/** The identity a language host put in the environment (PULUMI_NODEJS_* and PULUMI_CONFIG), if it did. */
export function identityFromEnv(env: NodeJS.ProcessEnv): StackIdentity | undefined {
    const stack = env.PULUMI_NODEJS_STACK;
    const project = env.PULUMI_NODEJS_PROJECT;
    if (!stack || !project) return undefined;
    let parsed: Record<string, unknown> = {};
    if (env.PULUMI_CONFIG) {
        try {
            parsed = JSON.parse(env.PULUMI_CONFIG);
        } catch {
            throw new Error("PULUMI_CONFIG in the pack's environment is not JSON");
        }
    }
    // Older engines wrote keys as "<namespace>:config:<key>"; @pulumi/pulumi's allConfig() accepts both the same way.
    const config = Object.fromEntries(
        Object.entries(parsed).map(([k, v]) => [k.replace(/^([^:]+):config:/, "$1:"), v]),
    );
    return { organization: env.PULUMI_NODEJS_ORGANIZATION || undefined, project, stack, config };
}

export interface EngineStack {
    /** The stack of the ConfigureStack call heard, else of the environment; undefined if neither named one. */
    identity(): StackIdentity | undefined;
    /** Called once the engine's ConfigureStack call was heard. */
    onConfigured(listener: () => void): void;
    /** Records the stack of a ConfigureStack call the pack heard, and tells the listeners. */
    heard(identity: StackIdentity): void;
}

export function engineStack(env: NodeJS.ProcessEnv = process.env): EngineStack {
    let fromEngine: StackIdentity | undefined;
    const listeners: (() => void)[] = [];
    return {
        identity: () => fromEngine ?? identityFromEnv(env),
        onConfigured: (listener) => listeners.push(listener),
        heard: (identity) => {
            fromEngine = identity;
            for (const listener of listeners) listener();
        },
    };
}
