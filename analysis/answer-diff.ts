// The Diffy-style comparison of mirrored answers: the same requests sent to a candidate pod, a stable pod (primary)
// and a second stable pod (secondary), answers flattened to field paths and compared field by field. Pure: the driver
// sends the requests and prints the result.
//
// The rule. Per field and request, c = "candidate differs from primary", n = "secondary differs from primary". If the
// candidate is just another stable pod, candidate and secondary are exchangeable given the primary, so on the
// requests where exactly one of c and n holds (discordant), each is c with probability 1/2 (McNemar's sign test). A
// field differs when the exact one-sided binomial tail P(X >= b | b + d, 1/2) is at most alpha / m: b, d the
// discordant counts, m the unignored fields with any discordant request (Bonferroni over the fields that can reject;
// conditioned on the discordant sets, the others cannot). So a good candidate has some field reported with
// probability at most alpha. Noise that hits every pod (podname, timestamps) is concordant and drops out.
// Diffy (twitter/diffy JoinedDifferences) reports raw > noise with relative > 20 % and absolute > 0.03 % instead:
// no error bound, and it reports random noise at small counts (the spec measures both).
import type { Outcome } from "./judge";
import { logSumExp } from "./stats";

/** One answer: the HTTP status and the body, parsed JSON or the text when it is not JSON. No answer: status 0. */
export interface Answer {
    status: number;
    body?: unknown;
}

export interface MirroredRequest {
    /** The request, e.g. `/reviews/7`: names the example of a difference. */
    path: string;
    candidate: Answer;
    primary: Answer;
    secondary: Answer;
}

export interface AnswerDiffSettings {
    /** Bound on the probability that a candidate answering like the stable has any field reported as differing. */
    alpha: number;
    /** Requests compared below which the outcome is inconclusive, whatever the fields say. */
    minRequests: number;
    /** Fields that differ by design in this release (e.g. `reviews[*].rating`), candidate vs primary only. */
    ignore: readonly string[];
}

export const DEFAULT_ANSWER_DIFF_SETTINGS: AnswerDiffSettings = { alpha: 0.01, minRequests: 30, ignore: [] };

export type FieldVerdict = "differs" | "noise" | "same" | "ignored";

export interface FieldResult {
    /** `@status`, `@body` (a text or scalar body), or a JSON path such as `reviews[0].rating.stars`. */
    path: string;
    /** Requests where the candidate's value differs from the primary's (absent vs present counts). */
    candidateDiffs: number;
    /** Requests where the secondary's value differs from the primary's: the noise. */
    noiseDiffs: number;
    /** Requests where any of the three answers has the field. */
    requests: number;
    /** "noise": differences seen, not clearly more than stable-vs-stable; "ignored": declared, not judged. */
    verdict: FieldVerdict;
    /** The sign test's one-sided p-value (1 when ignored or nothing discordant); differs at most `fieldAlpha`. */
    pValue: number;
    /** The first request where the candidate differs from the primary, with the two values (JSON, or "absent"). */
    example?: { request: string; candidate: string; primary: string };
}

export interface AnswerDiff {
    outcome: Outcome;
    /** One line: the differing fields with an example each, or why it passed or cannot decide. */
    reason: string;
    requests: number;
    fields: FieldResult[];
    /** Each declared pattern and the fields it ignored: an empty list is a pattern that matched nothing. */
    patterns: { pattern: string; fields: string[] }[];
    /** alpha / m: the level each field's test is held to. */
    fieldAlpha: number;
    /** Inconclusive: more requests to compare. */
    needs?: number;
}

// Path and pattern segments. Keys of identifier characters print as `.key`, others as `["key"]`; indices `[n]`.
type Segment = { key: string } | { index: number };
type PatternSegment = Segment | { anyKey: true } | { anyIndex: true } | { anyDepth: true };

const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/;
const PSEUDO = { status: "@status", body: "@body" };

function render(segments: readonly Segment[]): string {
    return segments
        .map((s, i) =>
            "index" in s
                ? `[${s.index}]`
                : PLAIN_KEY.test(s.key)
                  ? `${i > 0 ? "." : ""}${s.key}`
                  : `[${JSON.stringify(s.key)}]`,
        )
        .join("");
}

interface Leaf {
    segments: Segment[];
    /** JSON of the value: compared as text so 1 and "1" differ; empty objects and arrays are leaves too. */
    value: string;
}

/** The fields of an answer by path: `@status`, then the body's leaves (`@body` for a text or scalar body). */
export function flatten(answer: Answer): Map<string, string> {
    return new Map([...leaves(answer)].map(([path, leaf]) => [path, leaf.value]));
}

function leaves(answer: Answer): Map<string, Leaf> {
    const out = new Map<string, Leaf>();
    out.set(PSEUDO.status, { segments: [{ key: PSEUDO.status }], value: JSON.stringify(answer.status) });
    // Arrays keyed by index: reviews' arrays have a fixed order (Reviewer1, Reviewer2), so a reordering is a real
    // difference and shows as one.
    const walk = (v: unknown, at: Segment[]) => {
        if (Array.isArray(v) && v.length > 0) v.forEach((x, index) => walk(x, [...at, { index }]));
        else if (v !== null && typeof v === "object" && Object.keys(v).length > 0) {
            for (const [key, x] of Object.entries(v)) walk(x, [...at, { key }]);
        } else {
            const segments = at.length === 0 ? [{ key: PSEUDO.body }] : at;
            out.set(at.length === 0 ? PSEUDO.body : render(at), { segments, value: JSON.stringify(v) });
        }
    };
    if (answer.body !== undefined) walk(answer.body, []);
    return out;
}

export const IGNORE_SYNTAX =
    'a field path of keys joined by "." and indices "[n]", where "*" is any one key, "[*]" any one index and "**" ' +
    "any depth (zero or more keys or indices); it ignores the field and everything under it; at least one key or " +
    'index must be literal; "@status" and "@body" name the status and a text body (e.g. "reviews[*].rating")';

// A key, a `*` / `**` segment, or a bracketed index, in that order; a key after the first needs its dot.
const TOKEN = /(?:(^|\.)(@status|@body|[A-Za-z_$][\w$-]*|\*\*|\*))|\[(\d+|\*)\]/y;

function parsePattern(pattern: string): PatternSegment[] | string {
    const segments: PatternSegment[] = [];
    TOKEN.lastIndex = 0;
    while (TOKEN.lastIndex < pattern.length) {
        const at = TOKEN.lastIndex;
        const m = TOKEN.exec(pattern);
        if (!m || (m[1] === "." && at === 0)) return `unexpected "${pattern.slice(at)}" at character ${at + 1}`;
        if (m[3] !== undefined) segments.push(m[3] === "*" ? { anyIndex: true } : { index: Number(m[3]) });
        else if (m[2] === "**") segments.push({ anyDepth: true });
        else if (m[2] === "*") segments.push({ anyKey: true });
        else segments.push({ key: m[2] });
    }
    if (segments.length === 0) return "empty";
    // A pattern of wildcards only would ignore whole answers: nothing not named may be hidden.
    if (!segments.some((s) => "key" in s || "index" in s)) return "only wildcards: it would ignore every field";
    return segments;
}

/** Problems of declared ignore patterns, one message per bad pattern naming it and the syntax; [] when all good. */
export function validateIgnorePatterns(patterns: readonly unknown[]): string[] {
    return patterns.flatMap((p) => {
        if (typeof p !== "string") return [`ignore pattern ${JSON.stringify(p)}: not a string; ${IGNORE_SYNTAX}`];
        const parsed = parsePattern(p);
        return typeof parsed === "string" ? [`ignore pattern "${p}": ${parsed}; ${IGNORE_SYNTAX}`] : [];
    });
}

/** Whether the pattern matches a prefix of the path: a pattern names a field and everything under it. */
function matches(pattern: readonly PatternSegment[], path: readonly Segment[], pi = 0, si = 0): boolean {
    if (pi === pattern.length) return true;
    const p = pattern[pi];
    if ("anyDepth" in p) {
        for (let s = si; s <= path.length; s++) if (matches(pattern, path, pi + 1, s)) return true;
        return false;
    }
    if (si === path.length) return false;
    const s = path[si];
    const ok =
        "anyKey" in p
            ? "key" in s
            : "anyIndex" in p
              ? "index" in s
              : "key" in p
                ? "key" in s && s.key === p.key
                : "index" in s && s.index === p.index;
    return ok && matches(pattern, path, pi + 1, si + 1);
}

/** log P(X >= b) for X ~ Binomial(n, 1/2), exactly, in log space (n reaches the thousands). */
export function logSignTail(b: number, n: number): number {
    if (b <= 0) return 0;
    if (b > n) return -Infinity;
    const terms: number[] = [];
    let logC = 0; // log C(n, k), built up from k = 0
    for (let k = 0; k <= n; k++) {
        if (k >= b) terms.push(logC - n * Math.LN2);
        logC += Math.log(n - k) - Math.log(k + 1);
    }
    return logSumExp(terms);
}

interface Tally {
    segments: Segment[];
    candidateDiffs: number;
    noiseDiffs: number;
    /** Discordant requests: candidate differs and noise does not (b), and the reverse (d). */
    b: number;
    d: number;
    requests: number;
    example?: FieldResult["example"];
}

const shown = (v: string | undefined) => (v === undefined ? "absent" : v.length > 60 ? `${v.slice(0, 57)}...` : v);

/** Compares the answers of one batch of mirrored requests, judged once (the test is for a fixed batch). */
export function compareAnswers(
    requests: readonly MirroredRequest[],
    settings: Partial<AnswerDiffSettings> = {},
): AnswerDiff {
    const s = { ...DEFAULT_ANSWER_DIFF_SETTINGS, ...settings };
    checkSettings(s);
    const patterns = s.ignore.map((p) => ({
        pattern: p,
        segments: parsePattern(p) as PatternSegment[],
        fields: [] as string[],
    }));

    const tallies = new Map<string, Tally>();
    for (const r of requests) {
        const [c, p, x] = [leaves(r.candidate), leaves(r.primary), leaves(r.secondary)];
        for (const answer of [p, c, x]) {
            for (const [path, leaf] of answer) {
                if (tallies.has(path)) continue;
                tallies.set(path, {
                    segments: leaf.segments,
                    candidateDiffs: 0,
                    noiseDiffs: 0,
                    b: 0,
                    d: 0,
                    requests: 0,
                });
            }
        }
        for (const [path, t] of tallies) {
            const [cv, pv, xv] = [c.get(path)?.value, p.get(path)?.value, x.get(path)?.value];
            if (cv === undefined && pv === undefined && xv === undefined) continue;
            t.requests++;
            const cd = cv !== pv;
            const nd = xv !== pv;
            if (cd) t.candidateDiffs++;
            if (nd) t.noiseDiffs++;
            if (cd && !nd) t.b++;
            if (nd && !cd) t.d++;
            if (cd && !t.example) t.example = { request: r.path, candidate: shown(cv), primary: shown(pv) };
        }
    }

    const ignoredBy = (t: Tally) => patterns.filter((p) => matches(p.segments, t.segments));
    const judged = [...tallies].filter(([path, t]) => {
        const by = ignoredBy(t);
        for (const p of by) p.fields.push(path);
        return by.length === 0;
    });
    const judgedPaths = new Set(judged.map(([path]) => path));
    const m = judged.filter(([, t]) => t.b + t.d > 0).length;
    const fieldAlpha = s.alpha / Math.max(1, m);
    const fields: FieldResult[] = [...tallies].map(([path, t]) => {
        const ignored = !judgedPaths.has(path);
        const logP = ignored ? 0 : logSignTail(t.b, t.b + t.d);
        const verdict: FieldVerdict = ignored
            ? "ignored"
            : logP <= Math.log(fieldAlpha)
              ? "differs"
              : t.candidateDiffs + t.noiseDiffs > 0
                ? "noise"
                : "same";
        const { candidateDiffs, noiseDiffs } = t;
        return {
            path,
            candidateDiffs,
            noiseDiffs,
            requests: t.requests,
            verdict,
            pValue: Math.exp(logP),
            example: t.example,
        };
    });

    const n = requests.length;
    const result = (outcome: Outcome, reason: string, needs?: number): AnswerDiff => ({
        outcome,
        reason,
        requests: n,
        fields,
        fieldAlpha,
        needs,
        patterns: patterns.map((p) => ({ pattern: p.pattern, fields: p.fields })),
    });
    const unused = patterns.filter((p) => p.fields.length === 0).map((p) => `"${p.pattern}"`);
    const unusedNote = unused.length > 0 ? `; ignore pattern ${unused.join(", ")} matched nothing` : "";
    const differing = fields.filter((f) => f.verdict === "differs");
    const diffText = differing
        .map(
            (f) =>
                `${f.path} (${f.candidateDiffs} vs noise ${f.noiseDiffs} of ${f.requests}; e.g. ${f.example!.request}: ${f.example!.candidate} vs ${f.example!.primary})`,
        )
        .join(", ");

    // Enough: at least the minimum, and enough that a field differing on every request (d = 0, p = 2^-n) would be
    // reported at alpha / (every unignored field), so a pass never rests on a batch too small to show anything.
    const enough = Math.max(s.minRequests, Math.ceil(Math.log2(Math.max(1, judged.length) / s.alpha) - 1e-9));
    if (n < enough) {
        const sofar = differing.length > 0 ? `; so far ${diffText}` : "";
        return result(
            "inconclusive",
            `${n} requests compared, below the minimum of ${enough}: needs ${enough - n} more${sofar}${unusedNote}`,
            enough - n,
        );
    }
    if (differing.length > 0) {
        return result(
            "fail",
            `${n} requests compared: ${differing.length} field(s) differ beyond noise: ${diffText}${unusedNote}`,
        );
    }
    const list = (v: FieldVerdict) => fields.filter((f) => f.verdict === v).map((f) => f.path);
    const noise = list("noise").length > 0 ? `; noise: ${list("noise").join(", ")}` : "";
    const ignored = list("ignored").length > 0 ? `; ignored as declared: ${list("ignored").join(", ")}` : "";
    return result("pass", `${n} requests compared: no field differs beyond noise${noise}${ignored}${unusedNote}`);
}

function checkSettings(s: AnswerDiffSettings): void {
    const bad = [
        !(s.alpha > 0 && s.alpha < 1) && "alpha must be in (0, 1)",
        !(Number.isInteger(s.minRequests) && s.minRequests >= 1) && "minRequests must be a whole number, at least 1",
        ...validateIgnorePatterns(s.ignore),
    ].filter((b): b is string => typeof b === "string");
    if (bad.length > 0) throw new RangeError(`answer diff settings: ${bad.join("; ")}`);
}
