// Which stack the engine runs the pack for, and that stack's config. The engine sends both to every analyzer in
// its ConfigureStack call (organization, project, stack, config), before it asks for any validation. @pulumi/policy
// 1.21 answers that call but keeps only the stack tags, and the local language host (local/toolchain) starts the
// pack without PULUMI_CONFIG or PULUMI_NODEJS_STACK in its environment (measured with pulumi 3.248: getStack() reads
// "stack", getOrganization() throws, allConfig() is empty). So the pack listens in on that call itself; where a
// language host does set the environment (upstream pulumi-language-nodejs), that is read as well.
import * as path from "path";

export interface StackIdentity {
    /** Undefined when the engine did not name it. */
    organization?: string;
    project: string;
    stack: string;
    /** Config as the engine passes it: "<namespace>:<key>" -> value (text; structured values as JSON text). */
    config: Record<string, unknown>;
}

/** The fields read off the engine's AnalyzerStackConfigureRequest. */
export interface ConfigureStackRequest {
    getStack(): string;
    getProject(): string;
    getOrganization(): string;
    getConfigMap(): { entries(): Iterable<[string, string]> } | { forEach(cb: (v: string, k: string) => void): void };
}

export function identityFromRequest(req: ConfigureStackRequest): StackIdentity {
    const config: Record<string, unknown> = {};
    const map = req.getConfigMap();
    if ("forEach" in map) map.forEach((v, k) => (config[k] = v));
    else for (const [k, v] of map.entries()) config[k] = v;
    return { organization: req.getOrganization() || undefined, project: req.getProject(), stack: req.getStack(), config };
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
    const config = Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k.replace(/^([^:]+):config:/, "$1:"), v]));
    return { organization: env.PULUMI_NODEJS_ORGANIZATION || undefined, project, stack, config };
}

type Handler = (call: { request: ConfigureStackRequest }, callback: (...args: unknown[]) => void) => unknown;

/** `impl` with its configureStack handler reporting each request to `seen` first (the handler itself is kept). */
export function listeningToConfigureStack<T extends Record<string, unknown>>(impl: T, seen: (req: ConfigureStackRequest) => void): T {
    const original = impl?.configureStack as Handler | undefined;
    if (typeof original !== "function") return impl;
    const configureStack: Handler = (call, callback) => {
        try {
            seen(call.request);
        } catch {
            // A request the pack cannot read leaves the identity unknown; the rules then say so.
        }
        return original(call, callback);
    };
    return { ...impl, configureStack };
}

export interface EngineStack {
    /** The stack of the engine's ConfigureStack call, else of the environment; undefined if neither named one. */
    identity(): StackIdentity | undefined;
    /** Called once the engine's ConfigureStack call arrived. */
    onConfigured(listener: () => void): void;
}

/**
 * Listens in on ConfigureStack: wraps the handler that @pulumi/policy registers on its gRPC server. Call it before
 * `new PolicyPack(...)` starts that server.
 */
export function listenForEngineStack(env: NodeJS.ProcessEnv = process.env): EngineStack {
    let fromEngine: StackIdentity | undefined;
    const listeners: (() => void)[] = [];
    try {
        const policyDir = path.dirname(require.resolve("@pulumi/policy"));
        const grpc = require(require.resolve("@grpc/grpc-js", { paths: [policyDir] }));
        const addService = grpc.Server.prototype.addService;
        grpc.Server.prototype.addService = function (this: unknown, service: unknown, impl: Record<string, unknown>) {
            const wrapped = listeningToConfigureStack(impl, (req) => {
                fromEngine = identityFromRequest(req);
                for (const listener of listeners) listener();
            });
            return addService.call(this, service, wrapped);
        };
    } catch {
        // @pulumi/policy or grpc-js laid out differently: only the environment can name the stack then.
    }
    return {
        identity: () => fromEngine ?? identityFromEnv(env),
        onConfigured: (listener) => listeners.push(listener),
    };
}
