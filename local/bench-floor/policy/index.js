// A pack as small as @pulumi/policy allows: one rule, which never reports.
const { PolicyPack } = require("@pulumi/policy");

new PolicyPack("bench-floor", {
    policies: [
        {
            name: "judges-nothing",
            description: "Never reports: the pack is here for its start-up cost",
            enforcementLevel: "mandatory",
            validateResource: () => undefined,
        },
    ],
});
