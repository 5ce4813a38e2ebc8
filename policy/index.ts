// The bookinfo-rollout policy pack: judges each change of the stack against the live cluster, read by the pack
// itself (the staged rollout of reviews, gate passes, capacity, bounds, the namespace's owner), and checks the
// goal state's structure. One rule per file under rules/; docs/policy.md lists them.
import { PolicyPack } from "@pulumi/policy";
import { memoize } from "./lib/context";
import { hearConfigureStack } from "./lib/configure-stack-shim";
import { engineStack } from "./lib/engine-stack";
import { packContext, readLiveCluster } from "./lib/pack-context";
import { policies } from "./policies";

// The engine names the stack and sends its config in ConfigureStack; the language host hands them on.
const engine = engineStack();
// Stand-in shim (lib/configure-stack-shim.ts), before the PolicyPack starts its gRPC server.
hearConfigureStack(engine.heard);
const source = memoize(() => packContext(engine.identity(), readLiveCluster));
// Read the cluster as soon as the stack is known, before the first step of an `up` can change anything; a failed
// read is reported by the rules that await it.
engine.onConfigured(() => void source().catch(() => undefined));

new PolicyPack("bookinfo-rollout", {
    description:
        "Judges each change of the bookinfo-rollout stack against the live cluster: the staged rollout of reviews, gate passes, capacity, bounds",
    policies: policies(source),
});
