// The driver's decision from a situation written out by hand: each case names what the cluster, the stack file,
// Git and the analysis say, and the one decision the tutorial's operator would take.
import type { LiveStage } from "../../rollout/moves";
import * as assert from "assert";
import type { Judgement } from "../../analysis/judge";
import { decide, Situation } from "../../driver/decide";
import { withKey } from "../../driver/stack-file";
import { DEFAULT_SCHEDULE } from "../../rollout/schedule";
import { POD_TABLE } from "../../rollout/stages";

const NOW = new Date("2026-12-03T12:00:00Z");
const secondsAgo = (s: number) => new Date(NOW.getTime() - 1000 * s).toISOString();
const verdict = (outcome: Judgement["outcome"], reason = `error-rate: ${outcome}`): Judgement =>
    outcome === "inconclusive"
        ? { outcome, metrics: [], reason, needs: { candidateRequests: 120, seconds: 60 } }
        : { outcome, metrics: [], reason };
const at = (live: LiveStage, over: Partial<Situation> = {}): Situation => ({
    table: POD_TABLE,
    live,
    configured: live,
    hasCandidate: true,
    recordedAt: secondsAgo(120),
    now: NOW,
    analysis: "none",
    schedule: DEFAULT_SCHEDULE,
    pause: "",
    approved: "",
    rolledBack: false,
    ...over,
});

describe("driver: the decision", () => {
    it("finishes a step whose up was cut short after the pods moved but before it settled (the record a stage behind)", () => {
        assert.deepStrictEqual(decide(at("half", { recordedStage: "canary", recordedAt: undefined })), {
            kind: "apply",
            to: "half",
            why: "finishing the up of half: its pods run, but the rollout record still says canary (the up was cut short before it settled)",
        });
        assert.notStrictEqual(decide(at("half", { recordedStage: "half" })).kind, "apply");
    });

    it("advances to the next stage once the analysis passed and the minimum time elapsed", () => {
        assert.deepStrictEqual(decide(at("canary", { analysis: verdict("pass", "error-rate: 0/400") })), {
            kind: "advance",
            to: "half",
            why: "120s at canary; error-rate: 0/400",
        });
        assert.deepStrictEqual(decide(at("stable")), {
            kind: "advance",
            to: "dark",
            why: "120s at stable; stable has no analysis",
        });
    });

    it("holds before the stage's minimum time, saying until when", () => {
        const d = decide(at("canary", { analysis: verdict("pass"), recordedAt: secondsAgo(20) }));
        assert.deepStrictEqual(d, {
            kind: "hold",
            why: "canary for 20s of its 60s",
            until: "2026-12-03T12:00:40.000Z",
        });
        const perStage = { ...DEFAULT_SCHEDULE, stages: { canary: { minSeconds: 3600 } } };
        assert.strictEqual(decide(at("canary", { analysis: verdict("pass"), schedule: perStage })).kind, "hold");
    });

    it("rolls back to the table's first stage on a failed analysis, with the judge's reason", () => {
        assert.deepStrictEqual(decide(at("half", { analysis: verdict("fail", "error-rate: candidate 9/300") })), {
            kind: "rollback",
            to: "stable",
            why: "error-rate: candidate 9/300",
        });
    });

    it("never passes or rolls back on no data: inconclusive holds, and pauses for a person after maxInconclusiveSeconds", () => {
        assert.deepStrictEqual(decide(at("canary", { analysis: verdict("inconclusive") })), {
            kind: "hold",
            why: "analysis inconclusive at canary: needs 120 more candidate requests, about 60s at the current rate",
        });
        const d = decide(
            at("canary", { analysis: verdict("inconclusive", "error-rate: no data"), recordedAt: secondsAgo(4000) }),
        );
        assert.deepStrictEqual(d, {
            kind: "pause",
            why: "analysis inconclusive after 4000s at canary (schedule.maxInconclusiveSeconds 3600): error-rate: no data",
        });
        assert.deepStrictEqual(decide(at("canary", { analysis: { error: "cannot reach Prometheus" } })), {
            kind: "hold",
            why: "the analysis could not run: cannot reach Prometheus",
        });
    });

    it("a person's commit wins: another configured stage stops the driver and names the commit", () => {
        const person = { sha: "abcdef0123456789", date: "", author: "ana", subject: "roll back by hand" };
        const d = decide(at("canary", { configured: "stable", lastCommit: person }));
        assert.strictEqual(d.kind, "stop");
        assert.match(
            d.why,
            /^the stack file asks for stable while canary runs, set by commit abcdef01 \(ana: roll back by hand\): a person's change wins/,
        );
    });

    it("its own committed step not yet applied (killed after the commit) is applied, not decided again", () => {
        const own = {
            sha: "0123456789abcdef",
            date: "",
            author: "driver",
            subject: "advance",
            decision: "advance",
            stage: "half",
        };
        assert.deepStrictEqual(decide(at("canary", { configured: "half", lastCommit: own })), {
            kind: "apply",
            to: "half",
            why: "finishing advance to half (commit 01234567)",
        });
    });

    it("after a rollback of this candidate it does not start it again; paused it holds; approvals gate their stage", () => {
        assert.deepStrictEqual(decide(at("stable", { rolledBack: true })).kind, "done");
        assert.deepStrictEqual(decide(at("canary", { pause: "looking at logs" })), {
            kind: "hold",
            why: "paused: looking at logs (rollout resume)",
        });
        const gated = { ...DEFAULT_SCHEDULE, approve: ["promoted"] };
        assert.match(
            (decide(at("half", { analysis: verdict("pass"), schedule: gated })) as { why: string }).why,
            /^promoted waits for an approval/,
        );
        assert.strictEqual(
            decide(at("half", { analysis: verdict("pass"), schedule: gated, approved: "promoted" })).kind,
            "advance",
        );
    });

    it("closes a promoted release after its minimum time, unless the schedule leaves closing to a person", () => {
        assert.deepStrictEqual(decide(at("promoted")), {
            kind: "close",
            to: "stable",
            why: "promoted for 120s: the candidate becomes the stable",
        });
        assert.strictEqual(decide(at("promoted", { schedule: { ...DEFAULT_SCHEDULE, close: false } })).kind, "done");
        assert.strictEqual(decide(at("stable", { hasCandidate: false })).kind, "done");
    });
});

describe("driver: the stack file edit", () => {
    const file =
        "config:\n  bookinfo-rollout:stage: canary\n  bookinfo-rollout:release:\n    stable:\n      version: v1\n";
    it("replaces the key's one line and keeps every other byte", () => {
        assert.strictEqual(
            withKey(file, "bookinfo-rollout", "stage", "half"),
            file.replace("stage: canary", 'stage: "half"'),
        );
    });
    it("adds a missing key under config:", () => {
        assert.strictEqual(
            withKey(file, "bookinfo-rollout", "pause", "db migration"),
            file.replace("config:\n", 'config:\n  bookinfo-rollout:pause: "db migration"\n'),
        );
    });
});
