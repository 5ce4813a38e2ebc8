// The candidate's gate, run by the ServiceRollout's Command once the candidate's Deployment is ready: the tutorial's
// smoke test (from the sleep pod, curl every ready candidate pod by IP, one request, then the gate's requests in a
// row, every answer checked), and on success a pass recorded for exactly that version and image in the gate record,
// written by server-side apply with the gate's own field manager. Every request goes out in one `kubectl exec`
// (curl fetches its URLs in turn, pod after pod), after one read of the namespace's pods: each kubectl call costs
// about 0.1 s of the stage change. Prints one line per check; the first failure of a check is recorded as the
// image's failure (it serves no more until it passes again) and exits 1 with
// "gate failed: <check> on pod <name> (<ip>): <detail>". Inputs: io/gate-env.ts; kubectl on PATH.
import { GateFailure as FailedGate, GatePass, gateRecordRef } from "../rollout/gate-record";
import { APP_LABEL, VERSION_LABEL, WORKLOAD_LABEL } from "../rollout/labels";
import { recordGateResult } from "./gate-record-write";
import type { SmokeTest } from "../rollout/plan";
import { Answer, checkAnswer, StarColor } from "../rollout/smoke-check";
import { GATE_ENV } from "./gate-env";
import { curlFromSleep, kubectlFor, labelled, Pod, readyPods } from "./kubectl";

class GateFailure extends Error {}

const env = (name: string) => process.env[name] ?? "";
const kubectl = kubectlFor(env(GATE_ENV.kubeconfig), env(GATE_ENV.context));

function fail(check: string, pod: Pod | undefined, detail: string): never {
    const where = pod ? ` on pod ${pod.metadata.name} (${pod.status.podIP})` : "";
    throw new GateFailure(`gate failed: ${check}${where}: ${detail}`);
}

const urlOf = (gate: SmokeTest, pod: Pod) => `http://${pod.status.podIP}:${gate.port}${gate.path}`;

/**
 * From the sleep pod, `count` requests in a row to each pod, in one `kubectl exec`; per pod, the failed checks of
 * each answer in order.
 */
function requests(gate: SmokeTest, namespace: string, sleepPod: string, pods: Pod[], count: number, stars: StarColor) {
    const urls = pods.flatMap((pod) => Array<string>(count).fill(urlOf(gate, pod)));
    let answers: Answer[] = [];
    try {
        answers = curlFromSleep(kubectl, { namespace, sleepPod, urls });
    } catch (e) {
        const err = e as { stderr?: string; message: string };
        fail(
            "request",
            pods.length === 1 ? pods[0] : undefined,
            `GET ${[...new Set(urls)].join(", ")} from ${sleepPod}: ${(err.stderr || err.message).trim()}`,
        );
    }
    if (answers.length !== urls.length)
        fail("request", undefined, `${urls.length} requests from ${sleepPod}: ${answers.length} answers`);
    return pods.map((pod, i) =>
        answers
            .slice(i * count, (i + 1) * count)
            .map((a) =>
                checkAnswer(gate.answers, a, pod.metadata.name, stars).filter((f) => gate.checks.includes(f.check)),
            ),
    );
}

const record = (namespace: string, result: GatePass | FailedGate) => recordGateResult(kubectl, namespace, result);

function main(): void {
    const namespace = env(GATE_ENV.namespace);
    const service = env(GATE_ENV.service);
    const version = env(GATE_ENV.version);
    const image = env(GATE_ENV.image);
    const stars = env(GATE_ENV.stars) as StarColor;
    const expectedPods = Number(env(GATE_ENV.pods));
    const gate = JSON.parse(env(GATE_ENV.spec) || "null") as SmokeTest | null;
    if (
        !namespace ||
        !service ||
        !version ||
        !image ||
        !stars ||
        !gate ||
        !Number.isInteger(expectedPods) ||
        expectedPods < 1
    ) {
        throw new GateFailure(
            `gate failed: inputs: set ${Object.values(GATE_ENV)
                .filter((n) => !n.includes("KUBE") && !n.includes("CONTEXT"))
                .join(", ")}`,
        );
    }

    const ready = readyPods(kubectl, namespace);
    const sleep = ready.find(labelled({ [APP_LABEL]: "sleep" }));
    if (!sleep) fail("sleep-pod-ready", undefined, `no ready pod with ${APP_LABEL}=sleep in namespace ${namespace}`);
    console.log(`ok   sleep-pod-ready: ${sleep.metadata.name}`);

    const selector = `${WORKLOAD_LABEL}=${service},${VERSION_LABEL}=${version}`;
    const pods = ready.filter(labelled({ [WORKLOAD_LABEL]: service, [VERSION_LABEL]: version }));
    if (pods.length !== expectedPods)
        fail(
            "pods-ready",
            undefined,
            `expected ${expectedPods} ready pods with ${selector} in ${namespace}, found ${pods.length}`,
        );
    console.log(`ok   pods-ready: ${pods.map((p) => p.metadata.name).join(", ")}`);
    for (const pod of pods) {
        const running = pod.spec.containers.find((c) => c.name === service)?.image;
        if (running !== image) fail("image", pod, `runs ${running}, expected ${image}`);
    }

    // The tutorial's order, pod by pod: one request, then the requests in a row; every answer judged in that order.
    const answers = requests(gate, namespace, sleep.metadata.name, pods, 1 + gate.requestsInARow, stars);
    pods.forEach((pod, p) => {
        const [first, ...again] = answers[p];
        if (first.length > 0) fail(first[0].check, pod, first.map((f) => `${f.check}: ${f.detail}`).join("; "));
        console.log(`ok   ${gate.checks.join(", ")} on pod ${pod.metadata.name} (${pod.status.podIP})`);
        again.forEach((failed, i) => {
            if (failed.length > 0)
                fail(
                    `${failed[0].check} (request ${i + 1}/${gate.requestsInARow} in a row)`,
                    pod,
                    failed.map((f) => `${f.check}: ${f.detail}`).join("; "),
                );
        });
        console.log(`ok   ${gate.requestsInARow} requests in a row on pod ${pod.metadata.name} (${pod.status.podIP})`);
    });
    record(namespace, {
        image,
        version,
        passedAt: new Date().toISOString(),
        pods: pods.length,
        requestsPerPod: 1 + gate.requestsInARow,
    });
    console.log(
        `gate passed: ${pods.length} pod(s) of ${service}-${version} running ${image}, recorded in ${gateRecordRef(namespace)}`,
    );
}

try {
    main();
} catch (e) {
    const err = e as { stderr?: string; message: string };
    const failure = e instanceof GateFailure ? err.message : `gate failed: ${(err.stderr || err.message).trim()}`;
    console.error(failure);
    // A check that failed on the candidate's pods is the image's failure; bad inputs or a broken kubectl are not.
    const [namespace, version, image] = [env(GATE_ENV.namespace), env(GATE_ENV.version), env(GATE_ENV.image)];
    if (e instanceof GateFailure && namespace && version && image && !failure.startsWith("gate failed: inputs")) {
        try {
            record(namespace, { image, version, failedAt: new Date().toISOString(), failure });
        } catch (r) {
            console.error(
                `the failure was not recorded: ${((r as { stderr?: string }).stderr || (r as Error).message).trim()}`,
            );
        }
    }
    process.exit(1);
}
