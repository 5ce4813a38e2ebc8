// Which backend holds this stack's state: $PULUMI_BACKEND_URL, else the current login of the Pulumi CLI
// ($PULUMI_HOME or ~/.pulumi, credentials.json), the same lookup the CLI makes. Two stacks of the same name in two
// backends are two stacks: the namespace's ownership mark carries this beside the stack's name.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export function backendIdentity(env: NodeJS.ProcessEnv = process.env): string {
    if (env.PULUMI_BACKEND_URL) return env.PULUMI_BACKEND_URL;
    const home = env.PULUMI_HOME || path.join(os.homedir(), ".pulumi");
    try {
        const current = JSON.parse(fs.readFileSync(path.join(home, "credentials.json"), "utf8")).current;
        return typeof current === "string" ? current : "";
    } catch {
        return "";
    }
}
