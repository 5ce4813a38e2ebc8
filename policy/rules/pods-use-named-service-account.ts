// What this rule enforces, and why: its `description`; the README and docs/policy.md list it from there.
import { describe, podSpecOf } from "../lib/kubernetes";
import { RolloutPolicy } from "../lib/policy";

export const podsUseNamedServiceAccount: RolloutPolicy = {
    name: "pods-use-named-service-account",
    description: "Every pod template names its own ServiceAccount: the namespace default is a shared identity.",
    enforcementLevel: "advisory",
    validateResource: (args, reportViolation) => {
        const spec = podSpecOf(args.type, args.props);
        if (!spec) return;
        const account = spec.serviceAccountName ?? spec.serviceAccount;
        if (account && account !== "default") return;
        reportViolation(
            `${describe(args.type, args.name, args.props)} runs its pods as the namespace's default ServiceAccount: every workload in the namespace shares that identity and whatever is granted to it. Set spec.serviceAccountName to a ServiceAccount of its own (Bookinfo uses bookinfo-<service>).`,
        );
    },
};
