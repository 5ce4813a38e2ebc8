// The tutorial's v2 smoke test, run by the ReviewsRollout's Command after reviews-v2 is ready: from the sleep pod,
// curl every ready v2 pod by IP on port 9080 `/reviews/7`, check the answer, then send REQUESTS_IN_A_ROW more
// that must all pass. Prints one line per check; the first failure exits 1 with
// "smoke test failed: <check> on pod <name> (<ip>): <detail>".
// Inputs come from the environment (rollout/smoke-env.ts); kubectl must be on PATH.
import { execFileSync } from "child_process";
import { APP_LABEL, VERSION_LABEL, WORKLOAD_LABEL } from "./labels";
import { ANSWER_CHECKS, checkReviewsAnswer, parseCurlOutput } from "./smoke-check";
import { SMOKE_ENV } from "./smoke-env";

const REQUESTS_IN_A_ROW = 10;
const PRODUCT_ID = 7;
const PORT = 9080;

class SmokeTestFailure extends Error {}

function env(name: string): string {
    return process.env[name] ?? "";
}

function kubectl(args: string[]): string {
    const cluster = [
        ...(env(SMOKE_ENV.kubeconfig) ? ["--kubeconfig", env(SMOKE_ENV.kubeconfig)] : []),
        ...(env(SMOKE_ENV.context) ? ["--context", env(SMOKE_ENV.context)] : []),
    ];
    return execFileSync("kubectl", [...cluster, "--request-timeout=30s", ...args], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
        timeout: 60_000,
    });
}

interface Pod {
    metadata: { name: string; deletionTimestamp?: string };
    spec: { containers: { name: string; image: string }[] };
    status: { phase?: string; podIP?: string; conditions?: { type: string; status: string }[] };
}

/** Running, Ready and not on its way out: what a Deployment counts as available. */
function readyPods(namespace: string, selector: string): Pod[] {
    const list = JSON.parse(kubectl(["get", "pods", "-n", namespace, "-l", selector, "-o", "json"])) as { items: Pod[] };
    return list.items.filter(
        (p) =>
            !p.metadata.deletionTimestamp &&
            p.status.phase === "Running" &&
            !!p.status.podIP &&
            (p.status.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True"),
    );
}

function fail(check: string, pod: Pod | undefined, detail: string): never {
    const where = pod ? ` on pod ${pod.metadata.name} (${pod.status.podIP})` : "";
    throw new SmokeTestFailure(`smoke test failed: ${check}${where}: ${detail}`);
}

/** Ends each answer in curl's output, so one `kubectl exec` can carry several requests. */
const ANSWER_END = "--smoke-answer-end--";

/**
 * `count` requests in a row from the sleep pod to a v2 pod, in one `kubectl exec` (curl fetches its URLs one after
 * another, the tutorial's raw load test): the checks each answer fails. A transport error fails at once.
 */
function requests(namespace: string, sleepPod: string, pod: Pod, count: number) {
    const url = `http://${pod.status.podIP}:${PORT}/reviews/${PRODUCT_ID}`;
    let output = "";
    try {
        output = kubectl(["exec", sleepPod, "-n", namespace, "-c", "sleep", "--", "curl", "-sS", "-m", "5",
            "-w", `\\n%{http_code}\\n${ANSWER_END}\\n`, ...Array<string>(count).fill(url)]);
    } catch (e) {
        const err = e as { stderr?: string; message: string };
        fail("request", pod, `GET ${url} from ${sleepPod}: ${(err.stderr || err.message).trim()}`);
    }
    const answers = output.split(`\n${ANSWER_END}\n`).slice(0, -1);
    if (answers.length !== count) fail("request", pod, `GET ${url} x${count} from ${sleepPod}: ${answers.length} answers`);
    return answers.map((a) => checkReviewsAnswer(parseCurlOutput(a), pod.metadata.name));
}

function main(): void {
    const namespace = env(SMOKE_ENV.namespace);
    const image = env(SMOKE_ENV.image);
    const expectedPods = Number(env(SMOKE_ENV.pods));
    if (!namespace || !image || !Number.isInteger(expectedPods) || expectedPods < 1) {
        throw new SmokeTestFailure(
            `smoke test failed: inputs: set ${SMOKE_ENV.namespace}, ${SMOKE_ENV.image} and ${SMOKE_ENV.pods} (a whole number >= 1)`,
        );
    }

    const sleep = readyPods(namespace, `${APP_LABEL}=sleep`)[0];
    if (!sleep) fail("sleep-pod-ready", undefined, `no ready pod with ${APP_LABEL}=sleep in namespace ${namespace}`);
    console.log(`ok   sleep-pod-ready: ${sleep.metadata.name}`);

    const v2Selector = `${WORKLOAD_LABEL}=reviews,${VERSION_LABEL}=v2`;
    const pods = readyPods(namespace, v2Selector);
    if (pods.length !== expectedPods) {
        fail("v2-pods-ready", undefined, `expected ${expectedPods} ready pods with ${v2Selector} in ${namespace}, found ${pods.length}`);
    }
    console.log(`ok   v2-pods-ready: ${pods.map((p) => p.metadata.name).join(", ")}`);

    for (const pod of pods) {
        const running = pod.spec.containers.find((c) => c.name === "reviews")?.image;
        if (running !== image) fail("image", pod, `runs ${running}, expected ${image}`);
        console.log(`ok   image on pod ${pod.metadata.name} (${pod.status.podIP}): ${image}`);

        const [failed] = requests(namespace, sleep.metadata.name, pod, 1);
        if (failed.length > 0) fail(failed[0].check, pod, failed.map((f) => `${f.check}: ${f.detail}`).join("; "));
        for (const check of ANSWER_CHECKS) {
            console.log(`ok   ${check} on pod ${pod.metadata.name} (${pod.status.podIP})`);
        }

        for (const [i, again] of requests(namespace, sleep.metadata.name, pod, REQUESTS_IN_A_ROW).entries()) {
            if (again.length > 0) {
                fail(`${again[0].check} (request ${i + 1}/${REQUESTS_IN_A_ROW} in a row)`, pod, again.map((f) => `${f.check}: ${f.detail}`).join("; "));
            }
        }
        console.log(`ok   ${REQUESTS_IN_A_ROW} requests in a row on pod ${pod.metadata.name} (${pod.status.podIP})`);
    }
    console.log(`smoke test passed: ${pods.length} v2 pod(s) running ${image}`);
}

try {
    main();
} catch (e) {
    console.error(e instanceof SmokeTestFailure ? e.message : `smoke test failed: ${(e as Error).message}`);
    process.exit(1);
}
