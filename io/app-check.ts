// The app check through the mesh (istio strategy), run by the ReviewsRollout's second Command once the route is in
// place: from the sleep pod, each ready productpage pod by IP is asked for reviews (productpage calls reviews
// through the mesh) as a plain user and as the tester. Plain answers must come only from versions the route
// weighs, the tester's from the candidate when the route sends testers there. The mesh takes a moment to serve a
// changed route (istiod batches changes for 100 ms), so the check retries every RETRY_MS until WAIT_MS; then it fails with
// "app check failed: <what> on pod <name>: <detail>". Inputs: io/gate-env.ts APP_CHECK_ENV; kubectl on PATH.
import { APP_LABEL, VERSION_LABEL } from "../rollout/labels";
import type { Route } from "../rollout/route";
import type { AppGate } from "../rollout/stages";
import type { Testers } from "../rollout/traffic";
import { APP_CHECK_ENV } from "./gate-env";
import { kubectlFor, labelled, readyPods } from "./kubectl";

const WAIT_MS = 30_000;
const RETRY_MS = 100;
const env = (name: string) => process.env[name] ?? "";
const kubectl = kubectlFor(env(APP_CHECK_ENV.kubeconfig), env(APP_CHECK_ENV.context));

const END = "--app-check-answer-end--";

/** `count` requests in one exec; each answer's reviews pod, mapped to its version ("" when no pod named). */
function versionsAnswered(namespace: string, sleep: string, url: string, count: number, headers: string[], versionOf: Map<string, string>): string[] {
    const out = kubectl(["exec", sleep, "-n", namespace, "-c", "sleep", "--", "curl", "-sS", "-m", "5", ...headers.flatMap((h) => ["-H", h]),
        "-w", `\\n%{http_code}\\n${END}\\n`, ...Array<string>(count).fill(url)]);
    return out.split(`\n${END}\n`).slice(0, -1).map((answer) => {
        const cut = answer.lastIndexOf("\n");
        const [body, code] = [answer.slice(0, cut), answer.slice(cut + 1).trim()];
        if (code !== "200") return `HTTP ${code}`;
        try {
            return versionOf.get(JSON.parse(body).podname) ?? `unknown pod ${JSON.parse(body).podname}`;
        } catch {
            return "no JSON";
        }
    });
}

/** One pass over every productpage pod; returns what was wrong, or nothing. */
function check(namespace: string, gate: AppGate, route: Route, testers: Testers): string | undefined {
    const ready = readyPods(kubectl, namespace);
    const sleep = ready.find(labelled({ [APP_LABEL]: "sleep" }));
    if (!sleep) return `no ready pod with ${APP_LABEL}=sleep in namespace ${namespace}`;
    const pages = ready.filter(labelled({ [APP_LABEL]: "productpage" }));
    if (pages.length === 0) return `no ready productpage pod in namespace ${namespace}`;
    const versionOf = new Map(ready.filter(labelled({ [APP_LABEL]: "reviews" })).map((p) => [p.metadata.name, p.metadata.labels?.[VERSION_LABEL] ?? ""]));
    const plainOk = new Set(Object.keys(route.weights));
    for (const page of pages) {
        const url = `http://${page.status.podIP}:${gate.port}${gate.path}`;
        const plain = versionsAnswered(namespace, sleep.metadata.name, url, gate.requests, [], versionOf);
        const wrong = plain.filter((v) => !plainOk.has(v));
        if (wrong.length) return `plain users got ${wrong.join(", ")} on pod ${page.metadata.name}, the route weighs only ${[...plainOk].join(", ")}`;
        const tester = versionsAnswered(namespace, sleep.metadata.name, url, gate.requests, [`${testers.header}: ${testers.value}`], versionOf);
        const testerOk = route.testers ? new Set([route.testers]) : plainOk;
        const off = tester.filter((v) => !testerOk.has(v));
        if (off.length) return `the tester (${testers.header}: ${testers.value}) got ${off.join(", ")} on pod ${page.metadata.name}, expected ${[...testerOk].join(", ")}`;
        console.log(`ok   ${page.metadata.name}: plain ${plain.join(",")}; tester ${tester.join(",")}`);
    }
    return undefined;
}

async function main(): Promise<void> {
    const namespace = env(APP_CHECK_ENV.namespace);
    const gate = JSON.parse(env(APP_CHECK_ENV.spec) || "null") as AppGate | null;
    const route = JSON.parse(env(APP_CHECK_ENV.route) || "null") as Route | null;
    const testers = JSON.parse(env(APP_CHECK_ENV.testers) || "null") as Testers | null;
    if (!namespace || !gate || !route || !testers) throw new Error(`inputs: set ${Object.values(APP_CHECK_ENV).join(", ")}`);
    const deadline = Date.now() + WAIT_MS;
    const started = Date.now();
    for (;;) {
        const problem = check(namespace, gate, route, testers);
        if (!problem) break;
        if (Date.now() > deadline) throw new Error(`${problem} (still after ${WAIT_MS / 1000} s)`);
        await new Promise((r) => setTimeout(r, RETRY_MS));
    }
    console.log(`app check passed: productpage serves reviews through the mesh as the route says (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

main().catch((e: { stderr?: string; message: string }) => {
    console.error(`app check failed: ${(e.stderr || e.message).trim()}`);
    process.exit(1);
});
