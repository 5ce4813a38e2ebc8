// The policy's limits as the program applies them: the pack config's entry for the limits rule in
// policy/config.json (the file `pulumi up --policy-pack policy --policy-pack-config policy/config.json` hands the
// pack, and the base branch's in review), or the defaults. A plain `up` without the pack keeps the same limits.
import * as fs from "fs";
import * as path from "path";
import { Limits, limitsOf, LIMITS_RULE } from "../rollout/limits";

export function readLimits(projectDir = process.cwd()): Limits {
    const file = path.join(projectDir, "policy", "config.json");
    if (!fs.existsSync(file)) return limitsOf(undefined);
    let config: Record<string, unknown>;
    try {
        config = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
        throw new Error(`${file} is not JSON: ${(e as Error).message}`, { cause: e });
    }
    return limitsOf(config[LIMITS_RULE]);
}
