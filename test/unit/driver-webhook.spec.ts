// The driver's webhook against a real HTTP receiver on 127.0.0.1 (a random port): one JSON event per decision the
// driver announces (advance, hold for an approval, rollback, pause, promoted, done), each POSTed once, before the
// step is applied, in the shape docs/driver.md documents; a receiver that is down or answers 500 never throws and
// never stops the step: the failure is logged. The decisions go through `carryOut`, the driver's own path, in a
// real Git repository (no cluster: `apply` is a callback).
import type { LiveStage } from "../../rollout/moves";
import * as assert from "assert";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { carryOut } from "../../driver/commands";
import type { Decision } from "../../driver/decide";
import { historyOf } from "../../driver/git";
import { readStackFile } from "../../driver/stack-file";
import { DecisionEvent, notify } from "../../driver/webhook";
import { git, makeRepos, Repos } from "./driver-repo";

interface Received {
    method: string;
    contentType: string;
    body: DecisionEvent;
}

/** A receiver answering `status` to every POST, keeping what it got. */
async function receiver(status = 204): Promise<{ url: string; got: Received[]; close: () => Promise<void> }> {
    const got: Received[] = [];
    const server = http.createServer((req, res) => {
        let data = "";
        req.on("data", (c) => (data += c));
        req.on("end", () => {
            got.push({ method: req.method!, contentType: String(req.headers["content-type"]), body: JSON.parse(data) });
            res.statusCode = status;
            res.end();
        });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}/rollout`, got, close: () => new Promise((r) => server.close(() => r())) };
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe("driver: the webhook (a real receiver on 127.0.0.1)", () => {
    let r: Repos;
    let rx: Awaited<ReturnType<typeof receiver>>;
    let lines: string[];
    beforeEach(async () => {
        r = makeRepos();
        rx = await receiver();
        lines = [];
    });
    afterEach(async () => {
        await rx.close();
        r.remove();
    });

    /** One decision through the driver's path, local Git mode; `apply` notes how many events had arrived by then. */
    const applied: number[] = [];
    const step = (d: Decision, live: LiveStage, webhook = rx.url) => {
        const sf = readStackFile(r.driver, "dev");
        return carryOut(
            sf,
            d,
            { live, analysis: "none", lastCommit: historyOf(sf.file, 1)[0] },
            {
                git: { kind: "local" },
                webhook,
                log: (l) => lines.push(l),
                apply: async () => void applied.push(rx.got.length),
            },
        );
    };
    const head = () => git(r.driver, "rev-parse", "HEAD");
    /** The events' bodies with `at` checked and left out. */
    const events = () =>
        rx.got.map(({ method, contentType, body }) => {
            assert.strictEqual(method, "POST");
            assert.strictEqual(contentType, "application/json");
            const { at, ...rest } = body;
            assert.match(at, ISO);
            return rest;
        });

    it("notify POSTs the event as JSON, once", async () => {
        const event = {
            stack: "dev",
            decision: "advance",
            from: "canary",
            to: "half",
            why: "w",
            commit: "0123abcd",
            at: new Date().toISOString(),
        };
        await notify(rx.url, event, (l) => lines.push(l));
        assert.deepStrictEqual(
            rx.got.map((g) => g.body),
            [event],
        );
        assert.deepStrictEqual(lines, []);
        await notify("", event, (l) => lines.push(l));
        assert.strictEqual(rx.got.length, 1, "no webhook configured: no request");
    });

    it("one event per decision the driver announces, in the documented shape, before the step is applied", async () => {
        applied.length = 0;
        const approval = "promoted waits for an approval: npm run rollout -- approve <stack> promoted";
        await step({ kind: "hold", why: approval }, "half");
        await step({ kind: "hold", why: "canary for 20s of its 60s" }, "canary"); // a plain hold: no event
        const advance = await step({ kind: "advance", to: "half", why: "120s at canary; error-rate: pass" }, "canary");
        assert.strictEqual(advance, head());
        const pause = await step({ kind: "pause", why: "analysis inconclusive after 4000s at half" }, "half");
        const rollback = await step({ kind: "rollback", to: "stable", why: "error-rate: candidate 9/300" }, "half");
        const close = await step(
            { kind: "close", to: "stable", why: "promoted for 120s: the candidate becomes the stable" },
            "promoted",
        );
        await step({ kind: "done", outcome: "promoted", why: "promoted is the last stage" }, "promoted");

        assert.deepStrictEqual(events(), [
            { stack: "dev", decision: "hold", from: "half", why: approval },
            {
                stack: "dev",
                decision: "advance",
                from: "canary",
                to: "half",
                why: "120s at canary; error-rate: pass",
                commit: advance,
            },
            {
                stack: "dev",
                decision: "pause",
                from: "half",
                why: "analysis inconclusive after 4000s at half",
                commit: pause,
            },
            {
                stack: "dev",
                decision: "rollback",
                from: "half",
                to: "stable",
                why: "error-rate: candidate 9/300",
                commit: rollback,
            },
            {
                stack: "dev",
                decision: "promoted",
                from: "promoted",
                to: "stable",
                why: "promoted for 120s: the candidate becomes the stable",
                commit: close,
            },
            { stack: "dev", decision: "done", from: "promoted", why: "promoted is the last stage" },
        ]);
        assert.deepStrictEqual(applied, [2, 4, 5], "advance, rollback and close applied, each after its event arrived");
        assert.deepStrictEqual(
            lines.filter((l) => l.startsWith("webhook")),
            [],
        );
    });

    it("a receiver answering 500, or down, never throws: the failure is logged and the step goes on", async () => {
        const failing = await receiver(500);
        try {
            await notify(
                failing.url,
                { stack: "dev", decision: "pause", from: "half", why: "w", at: new Date().toISOString() },
                (l) => lines.push(l),
            );
            assert.strictEqual(failing.got.length, 1);
            assert.deepStrictEqual(lines, [`webhook ${failing.url}: HTTP 500`]);
        } finally {
            await failing.close();
        }

        const down = await receiver();
        await down.close(); // nothing listens on its port any more
        lines.length = 0;
        applied.length = 0;
        const sha = await step({ kind: "advance", to: "half", why: "120s at canary" }, "canary", down.url);
        assert.strictEqual(sha, head(), "the decision is committed");
        assert.deepStrictEqual(applied, [0], "and applied");
        assert.deepStrictEqual(
            lines.filter((l) => l.startsWith("webhook")),
            [`webhook ${down.url}: fetch failed`],
        );
    });
});
