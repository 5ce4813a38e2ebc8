// What this rule enforces, and why: its `description`; the README and docs/policy.md list it from there.
import { allContainers, describe, podSpecOf } from "../lib/kubernetes";
import { RolloutPolicy } from "../lib/policy";

const REQUIRED = ["requests.cpu", "requests.memory", "limits.cpu", "limits.memory"] as const;

export const containersSetRequestsAndLimits: RolloutPolicy = {
    name: "containers-set-requests-and-limits",
    description:
        "Every container sets cpu and memory requests and limits: the stable and the candidate run side by side, and one pod must not starve the others.",
    enforcementLevel: "advisory",
    validateResource: (args, reportViolation) => {
        const spec = podSpecOf(args.type, args.props);
        if (!spec) return;
        for (const container of allContainers(spec)) {
            const missing = REQUIRED.filter((path) => {
                const [group, resource] = path.split(".") as ["requests" | "limits", string];
                return container.resources?.[group]?.[resource] === undefined;
            });
            if (missing.length === 0) continue;
            reportViolation(
                `container ${container.name ?? "(unnamed)"} of ${describe(args.type, args.name, args.props)} sets no ${missing.join(", ")}: without requests the scheduler may place the pod where it cannot run, and without limits one pod can starve its neighbours while the stable and the candidate run side by side. Set resources.requests and resources.limits for cpu and memory.`,
            );
        }
    },
};
