// Stand-in shim: upstream's language host puts ConfigureStack's stack and config in a pack's env; ours does not.
// Delete it and its call in index.ts once local/toolchain/go starts packs through sdk.NewPolicyProxy as upstream does.
import * as path from "path";
import { StackIdentity } from "./engine-stack";

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
    return {
        organization: req.getOrganization() || undefined,
        project: req.getProject(),
        stack: req.getStack(),
        config,
    };
}

type Handler = (call: { request: ConfigureStackRequest }, callback: (...args: unknown[]) => void) => unknown;

/** `impl` with its configureStack handler reporting each request to `seen` first (the handler itself is kept). */
export function listeningToConfigureStack<T extends Record<string, unknown>>(
    impl: T,
    seen: (req: ConfigureStackRequest) => void,
): T {
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

/**
 * Hands `heard` the stack of every ConfigureStack call the engine makes to this process (@pulumi/policy 1.21 answers
 * the call but keeps only the stack tags): wraps the handler that @pulumi/policy registers on its gRPC server
 * (grpc-js's Server.prototype.addService). Call it before `new PolicyPack(...)` starts that server. Does nothing if
 * @pulumi/policy or grpc-js are laid out differently.
 */
export function hearConfigureStack(heard: (identity: StackIdentity) => void): void {
    try {
        const policyDir = path.dirname(require.resolve("@pulumi/policy"));
        // The copy @pulumi/policy resolves (not ours): only a path-resolved require reaches it.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const grpc = require(require.resolve("@grpc/grpc-js", { paths: [policyDir] }));
        const addService = grpc.Server.prototype.addService;
        grpc.Server.prototype.addService = function (this: unknown, service: unknown, impl: Record<string, unknown>) {
            return addService.call(
                this,
                service,
                listeningToConfigureStack(impl, (req) => heard(identityFromRequest(req))),
            );
        };
    } catch {
        // Only the environment can name the stack then.
    }
}
