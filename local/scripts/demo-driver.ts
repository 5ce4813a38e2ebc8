// The demo's third part: a release driven by `rollout run` (driver/), in a Git repository of its own (a copy of the
// product at HEAD) and namespace `bookinfo-driver`, with the load generator sending steady traffic through
// productpage and a real Prometheus scraping the pods. First a broken v3 (its image fails every request for product
// 3, which the smoke gate never asks) is rolled back by the driver as a commit; then a good v3 is walked to
// promoted and closed, one commit per step. Prints the driver's output, `rollout status` and the Git log.
import fs from "node:fs";
import { clearFault, setFault } from "../cluster/faults";
import { kubectl } from "../cluster/kube";
import { backendDir, projectName, pulumiEnv } from "../lib/env";
import { startLoad } from "../lib/load";
import { ProjectRepo } from "../lib/project-repo";

const namespace = process.env.DEMO_DRIVER_NAMESPACE ?? "bookinfo-driver";
const stack = "demo-driver";
const stackFile = `Pulumi.${stack}.yaml`;
const image = (version: string, tag = "1.20.3") => `docker.io/istio/examples-bookinfo-reviews-${version}:${tag}`;
const V2 = { version: "v2", image: image("v2"), replicas: 3 };
const V3_BROKEN = { version: "v3", image: image("v3", "1.20.3-demo-broken"), replicas: 3, stars: "red" };
const V3 = { version: "v3", image: image("v3"), replicas: 3, stars: "red" };
/** Seconds where the tutorial says an hour: the same keys (docs/driver.md). */
const SCHEDULE = { minSeconds: 5, maxInconclusiveSeconds: 300, intervalSeconds: 3 };
/**
 * The default floor (0.1 %) needs about 7,000 candidate requests per stage, 9 minutes at canary's 12.5 per second:
 * the demo shows a candidate below 1 % errors instead (docs/analysis.md, sample sizes).
 */
const ANALYSIS = { errorRateFloor: 0.01 };
const LOAD = { namespace, rate: 50, concurrency: 8, products: [0, 1, 2, 3], seconds: 600 };

export async function driverDemo(): Promise<void> {
    const env = {
        ...process.env,
        ...pulumiEnv(),
        GIT_AUTHOR_NAME: "rollout driver",
        GIT_AUTHOR_EMAIL: "driver@localhost",
        GIT_COMMITTER_NAME: "rollout driver",
        GIT_COMMITTER_EMAIL: "driver@localhost",
    };
    const repo = ProjectRepo.create();
    // The rig's file backend, which a fresh checkout does not have yet.
    fs.mkdirSync(backendDir, { recursive: true });
    repo.linkBuild();
    /** A command, shown with its last lines only (a first `up` prints every resource). */
    const shell = (cmd: string, args: string[], ok = [0], lines = 30) => {
        console.log(`\n$ ${[cmd, ...args].join(" ")}`);
        const r = repo.run(cmd, args, env, 20 * 60_000);
        console.log(
            r.output
                .trimEnd()
                .split("\n")
                .slice(-lines)
                .map((l) => `   ${l}`)
                .join("\n"),
        );
        if (!ok.includes(r.status)) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}`);
        return r;
    };
    /** `npx rollout ...`, its output shown as it comes; the event loop stays free for the load generator. */
    const rollout = async (...args: string[]) => {
        console.log(`\n$ npx rollout ${args.join(" ")}`);
        const r = await repo.runAsync(
            "node_modules/.bin/ts-node",
            ["--transpile-only", "driver/cli.ts", ...args],
            env,
            (l) => console.log(`   ${l}`),
        );
        if (![0, 1].includes(r.status)) throw new Error(`rollout ${args.join(" ")} exited ${r.status}`);
        return r;
    };
    const commitStack = (release: object, message: string) => {
        repo.writeStackFile(stack, { namespace, stage: "stable", release, schedule: SCHEDULE, analysis: ANALYSIS });
        repo.commitAll(message);
    };
    console.log(`\n## Part 3: a release driven by \`rollout run\` (repository ${repo.dir}, namespace ${namespace})`);
    // A previous demo's stack and namespace: the namespace is protected (the program's default), so it goes by hand.
    repo.run(
        "pulumi",
        ["stack", "rm", "--yes", "--force", "--non-interactive", "--stack", `organization/${projectName}/${stack}`],
        env,
    );
    kubectl(["delete", "namespace", namespace, "--ignore-not-found", "--wait"], { timeoutMs: 180_000 });
    shell("pulumi", ["stack", "init", `organization/${projectName}/${stack}`, "--non-interactive"]);
    commitStack({ stable: V2 }, "stack: v2 at stable");
    shell("pulumi", ["up", "--yes", "--skip-preview", "--stack", stack, "--policy-pack", "policy"], [0], 4);

    /** One part under steady load (at most 600 s each: the load generator's bound). */
    const underLoad = async (part: () => Promise<void>) => {
        const load = startLoad(LOAD);
        try {
            await part();
        } finally {
            const summary = await load.stop();
            console.log(
                `\nload: ${summary.sent} requests in ${summary.seconds.toFixed(0)}s, by status ${JSON.stringify(summary.byStatus)}`,
            );
        }
    };
    console.log(`\n### a broken v3 (${V3_BROKEN.image}: every request for product 3 fails): the driver rolls it back`);
    setFault(V3_BROKEN.image, { kind: "product", id: 3, fault: "http-500" });
    try {
        commitStack({ stable: V2, candidate: V3_BROKEN }, "release: v3 (broken) as the candidate");
        await underLoad(async () => {
            if ((await rollout("run", stack)).status !== 1)
                throw new Error("the driver did not roll the broken v3 back");
        });
    } finally {
        clearFault(V3_BROKEN.image);
    }
    await rollout("status", stack);

    console.log(`\n### a good v3 (${V3.image}): the driver walks it to promoted and closes the release`);
    commitStack({ stable: V2, candidate: V3 }, "release: v3 (fixed) as the candidate");
    await underLoad(async () => {
        if ((await rollout("run", stack)).status !== 0) throw new Error("the driver did not promote the good v3");
    });
    await rollout("status", stack);
    shell("git", ["log", "--format=%h %an: %s%n%b", "--", stackFile], [0], 200);
    console.log(`\nthe repository stays in ${repo.dir}; its stack ${stack} in the rig's backend (.state/backend)`);
}
