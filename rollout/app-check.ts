// The app check's judgement, pure: what productpage's answers may show (which reviews versions, derived from the
// plan: under `pods` the versions whose pods the reviews Service selects, under `istio` the versions the route
// weighs, and the testers' version), and the answers of one batch of requests -> what was wrong, or nothing.
// io/app-check.ts sends the requests and reads the pods; this file decides.
import type { Fleet } from "./fleet";
import type { Route } from "./route";
import { Answer } from "./smoke-check";
import type { Stage } from "./stages";
import type { Testers } from "./traffic";

/** Versions whose pods may answer a kind of request; `by`: what says so, for messages ("<by> only v1"). */
export interface Allowed {
    versions: string[];
    by: string;
}

/** Which reviews versions may answer productpage's requests in a stage. */
export interface AppExpectation {
    /** Plain requests: never empty where the stage has an app check. */
    plain: Allowed;
    /** `istio`: the testers' requests (header: value) and who may answer them. Absent: no tester requests. */
    testers?: Allowed & { header: string; value: string };
}

/**
 * What the app check expects in `stage`: with a mesh route, plain requests go to the versions it weighs and the
 * testers' to their version (or, without one, where plain requests go); without one (`pods`), the reviews Service
 * sends every request to a serving pod of `fleet`, so exactly the serving versions may answer (a dark candidate
 * never, the stable never once it is deleted).
 */
export function appExpectationOf(
    stage: Stage,
    fleet: Fleet,
    mesh?: { route: Route; testers: Testers },
): AppExpectation {
    if (mesh) {
        const plain: Allowed = { versions: Object.keys(mesh.route.weights), by: "the route weighs" };
        const testers = mesh.route.testers
            ? { versions: [mesh.route.testers], by: "the route sends testers to" }
            : plain;
        return { plain, testers: { header: mesh.testers.header, value: mesh.testers.value, ...testers } };
    }
    return {
        plain: { versions: fleet.filter((w) => w.serving).map((w) => w.version), by: `stage ${stage.name} serves` },
    };
}

/** One batch of requests to one productpage pod, and its answers in order. */
export interface AnsweredBatch {
    /** The productpage pod asked. */
    page: string;
    /** Who asked, for messages: "plain users", "the tester (end-user: jason)". */
    who: string;
    /** Requests sent. */
    requests: number;
    answers: readonly Answer[];
}

const clip = (s: string) => (s.length > 120 ? `${s.slice(0, 120)}...` : s);

/**
 * What one answer shows: the version of the reviews pod that answered (by the body's `podname`, looked up in
 * `versionOf`: reviews pod name -> its version label), or what keeps it from showing one ("HTTP 503", "no JSON",
 * "no podname", "unknown pod <name>").
 */
export function answeredBy(answer: Answer, versionOf: ReadonlyMap<string, string>): string {
    if (answer.httpCode !== "200") return `HTTP ${answer.httpCode || "(no status)"}`;
    let doc: unknown;
    try {
        doc = JSON.parse(answer.body);
    } catch {
        return "no JSON";
    }
    const pod = (doc as { podname?: unknown } | null)?.podname;
    if (typeof pod !== "string" || pod === "") return "no podname";
    return versionOf.get(pod) || `unknown pod ${pod}`;
}

/** "v1 7, v2 3": how many answers each version (or failure) gave, in the order first seen. */
export function tally(labels: readonly string[]): string {
    const counts = new Map<string, number>();
    for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
    return [...counts].map(([l, n]) => `${l} ${n}`).join(", ");
}

/**
 * Judges one batch: every request answered, every answer HTTP 200 from a reviews pod of an `allowed` version.
 * Returns what was wrong, naming each version (or failure) that should not have answered and how many times, e.g.
 * "plain users got v2 (3 of 10) on pod productpage-v1-abc; stage dark serves only v1", or undefined.
 */
export function judgeBatch(
    batch: AnsweredBatch,
    allowed: Allowed,
    versionOf: ReadonlyMap<string, string>,
): string | undefined {
    const { page, who, requests, answers } = batch;
    if (answers.length !== requests)
        return `${who} got ${answers.length} answers to ${requests} requests on pod ${page}`;
    if (allowed.versions.length === 0) return `${allowed.by} no version: nothing may answer ${who} on pod ${page}`;
    const labels = answers.map((a) => answeredBy(a, versionOf));
    const ok = new Set(allowed.versions);
    const wrong = [...new Set(labels.filter((l) => !ok.has(l)))];
    if (wrong.length === 0) return undefined;
    const counted = wrong.map((l) => `${l} (${labels.filter((x) => x === l).length} of ${requests})`).join(", ");
    // An answer that names no version: its body says why.
    const unreadable = answers.find(
        (a, i) => !ok.has(labels[i]) && (a.httpCode !== "200" || labels[i] === "no JSON" || labels[i] === "no podname"),
    );
    const body = unreadable
        ? `; first ${answeredBy(unreadable, versionOf)} answer: ${JSON.stringify(clip(unreadable.body))}`
        : "";
    return `${who} got ${counted} on pod ${page}; ${allowed.by} only ${allowed.versions.join(", ")}${body}`;
}
