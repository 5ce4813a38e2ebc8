// The app check (the tutorial's "check the application still works"), run by the ServiceRollout's app-check Command
// once the stage is in place (under `istio`, the route; under `pods`, the Deployments, the gate and the retired
// versions gone): from the sleep pod, each ready productpage pod by IP is asked for the service's answers (productpage
// calls the service through its Service, and under `istio` through the mesh) as a plain user and, under `istio`, as
// the tester. Every answer must be 200 and come from a version the plan says may answer (rollout/app-check.ts
// judges; the expectation is the plan's). The Service's endpoints and the mesh take a moment to follow a change
// (istiod batches changes for 100 ms), so the check retries every RETRY_MS until WAIT_MS; then it fails with
// "app check failed: <who> got <version> (<n> of <requests>) on pod <name>; <why only others> (still after 30 s)".
// Inputs: io/gate-env.ts APP_CHECK_ENV; kubectl on PATH.
import { answeredBy, AppExpectation, judgeBatch, tally } from "../rollout/app-check";
import { APP_LABEL, VERSION_LABEL, WORKLOAD_LABEL } from "../rollout/labels";
import { Answer } from "../rollout/smoke-check";
import type { AppTest } from "../rollout/plan";
import { APP_CHECK_ENV } from "./gate-env";
import { curlFromSleep, isReady, kubectlFor, labelled, listPods } from "./kubectl";

const WAIT_MS = 30_000;
const RETRY_MS = 100;
const env = (name: string) => process.env[name] ?? "";
const kubectl = kubectlFor(env(APP_CHECK_ENV.kubeconfig), env(APP_CHECK_ENV.context));

/** `count` requests in one exec; each answer as curl printed it, or what kept the exec from answering. */
function ask(namespace: string, sleep: string, url: string, count: number, headers: string[]): Answer[] | string {
    const urls = Array<string>(count).fill(url);
    try {
        return curlFromSleep(kubectl, { namespace, sleepPod: sleep, urls, headers, answersDespiteFailure: true });
    } catch (e) {
        const err = e as { stderr?: string; message: string };
        return `GET ${url} from ${sleep}: ${(err.stderr || err.message).trim()}`;
    }
}

/** One pass over every ready productpage pod: what was wrong, or how many pods answered as expected. */
function check(
    namespace: string,
    service: string,
    gate: AppTest,
    expected: AppExpectation,
): { problem: string } | { pages: number } {
    const pods = listPods(kubectl, namespace);
    const ready = pods.filter(isReady);
    const sleep = ready.find(labelled({ [APP_LABEL]: "sleep" }));
    if (!sleep) return { problem: `no ready pod with ${APP_LABEL}=sleep in namespace ${namespace}` };
    const pages = ready.filter(labelled({ [APP_LABEL]: "productpage" }));
    if (pages.length === 0) return { problem: `no ready productpage pod in namespace ${namespace}` };
    // Every pod of the service, dark or on its way out too: an answer from one is named by its version.
    const versionOf = new Map(
        pods
            .filter(labelled({ [WORKLOAD_LABEL]: service }))
            .map((p) => [p.metadata.name, p.metadata.labels?.[VERSION_LABEL] ?? ""]),
    );
    const kinds = [
        { who: "plain users", headers: [] as string[], allowed: expected.plain },
        ...(expected.testers
            ? [
                  {
                      who: `the tester (${expected.testers.header}: ${expected.testers.value})`,
                      headers: [`${expected.testers.header}: ${expected.testers.value}`],
                      allowed: expected.testers,
                  },
              ]
            : []),
    ];
    for (const page of pages) {
        const url = `http://${page.status.podIP}:${gate.port}${gate.path}`;
        const seen: string[] = [];
        for (const { who, headers, allowed } of kinds) {
            const answers = ask(namespace, sleep.metadata.name, url, gate.requests, headers);
            if (typeof answers === "string") return { problem: answers };
            const problem = judgeBatch(
                { page: page.metadata.name, who, requests: gate.requests, answers },
                allowed,
                versionOf,
            );
            if (problem) return { problem };
            seen.push(`${who} ${tally(answers.map((a) => answeredBy(a, versionOf)))}`);
        }
        console.log(`ok   ${page.metadata.name}: ${seen.join("; ")}`);
    }
    return { pages: pages.length };
}

async function main(): Promise<void> {
    const namespace = env(APP_CHECK_ENV.namespace);
    const service = env(APP_CHECK_ENV.service);
    const gate = JSON.parse(env(APP_CHECK_ENV.spec) || "null") as AppTest | null;
    const expected = JSON.parse(env(APP_CHECK_ENV.expected) || "null") as AppExpectation | null;
    if (!namespace || !service || !gate || !expected?.plain)
        throw new Error(`inputs: set ${Object.values(APP_CHECK_ENV).join(", ")}`);
    const deadline = Date.now() + WAIT_MS;
    const started = Date.now();
    let passed: { pages: number };
    for (;;) {
        const result = check(namespace, service, gate, expected);
        if ("pages" in result) {
            passed = result;
            break;
        }
        if (Date.now() > deadline) throw new Error(`${result.problem} (still after ${WAIT_MS / 1000} s)`);
        await new Promise((r) => setTimeout(r, RETRY_MS));
    }
    const testers = expected.testers ? `, the tester's from ${expected.testers.versions.join(" or ")}` : "";
    console.log(
        `app check passed: ${passed.pages} productpage pod(s), ${gate.requests} requests each, every answer 200 from ${service} ${expected.plain.versions.join(" or ")}${testers} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
    );
}

main().catch((e: { stderr?: string; message: string }) => {
    console.error(`app check failed: ${(e.stderr || e.message).trim()}`);
    process.exit(1);
});
