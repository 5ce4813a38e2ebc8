// `pulumi up` of the stack through the Automation API, with the project's policy pack and its config: the same
// program verdict and pack that judge a person's `up` judge the driver's. The caller's environment picks the CLI
// (`pulumi` on PATH) and the backend (PULUMI_BACKEND_URL, PULUMI_CONFIG_PASSPHRASE ...).
import fs from "node:fs";
import path from "node:path";
import { LocalWorkspace, PulumiCommand } from "@pulumi/pulumi/automation";

/**
 * The lines of an `up` worth a driver's log: each finished resource step (with what a gate, check or settle step
 * said), the summary, and anything the engine or the pack reports as an error. The rest is the engine's progress.
 */
const WORTH_SHOWING =
    /\b(created|updated|deleted|replaced) \(|^\s*Resources:|^\s+\d+ (changes?|unchanged|to create)|^\s*Duration:|error|mandatory/;

export async function up(dir: string, stack: string, onLine: (line: string) => void): Promise<void> {
    const pulumiCommand = await PulumiCommand.get({ skipVersionCheck: true });
    const s = await LocalWorkspace.selectStack({ stackName: stack, workDir: dir }, { pulumiCommand });
    const policy = path.join(dir, "policy");
    const config = path.join(policy, "config.json");
    await s.up({
        policyPacks: [policy],
        ...(fs.existsSync(config) ? { policyPackConfigs: [config] } : {}),
        color: "never",
        onOutput: (out) =>
            out
                .split("\n")
                .filter((l) => WORTH_SHOWING.test(l))
                .forEach((l) => onLine(l.trim())),
    });
}
