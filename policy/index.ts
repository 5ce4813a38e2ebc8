// The bookinfo-rollout policy pack: refuses unsafe moves between reviews rollout stages and goal states that drop
// reviews capacity, and advises on workload hygiene. One rule per file under rules/; docs/policy.md lists them.
import { PolicyPack } from "@pulumi/policy";
import { POLICIES } from "./policies";

new PolicyPack("bookinfo-rollout", {
    description: "Refuses unsafe moves between the reviews v2 rollout stages and goal states that drop reviews capacity",
    policies: POLICIES,
});
