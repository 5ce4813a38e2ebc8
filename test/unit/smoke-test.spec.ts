// The smoke test script end to end against a stand-in kubectl: one line per check, 10 requests in a row, and
// "smoke test failed: <check> on pod <name> (<ip>): <detail>" with a non-zero exit on failure.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { SMOKE_ENV } from "../../rollout/smoke-env";

const ROOT = path.join(__dirname, "../..");
const IMAGE = "docker.io/istio/examples-bookinfo-reviews-v2:1.20.3";

function runSmokeTest(mode: string, env: Record<string, string> = {}) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "smoke-"));
    fs.copyFileSync(path.join(__dirname, "fixtures/fake-kubectl.js"), path.join(dir, "kubectl"));
    fs.chmodSync(path.join(dir, "kubectl"), 0o755);
    const log = path.join(dir, "log");
    fs.writeFileSync(log, "");
    const result = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "rollout/smoke-test.ts"], {
        cwd: ROOT,
        encoding: "utf8",
        env: {
            ...process.env,
            PATH: `${dir}:${process.env.PATH}`,
            FAKE_LOG: log,
            FAKE_MODE: mode,
            FAKE_IMAGE: IMAGE,
            [SMOKE_ENV.namespace]: "bookinfo",
            [SMOKE_ENV.kubeconfig]: "/tmp/kc.yaml",
            [SMOKE_ENV.context]: "kwok-bookinfo",
            [SMOKE_ENV.image]: IMAGE,
            [SMOKE_ENV.pods]: "1",
            ...env,
        },
    });
    const calls = fs.readFileSync(log, "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as string[]);
    fs.rmSync(dir, { recursive: true, force: true });
    return { ...result, calls };
}

describe("smoke test script", function () {
    this.timeout(60_000);

    it("passes a healthy v2 pod: checks, then 10 requests in a row, through kubectl with config's kubeconfig and context", () => {
        const r = runSmokeTest("healthy");
        assert.strictEqual(r.status, 0, r.stderr);
        for (const check of ["http-200", "json", "podname", "ratings", "black-stars"]) {
            assert.match(r.stdout, new RegExp(`ok +${check} on pod reviews-v2-a \\(10\\.0\\.0\\.7\\)`));
        }
        assert.match(r.stdout, /ok +10 requests in a row on pod reviews-v2-a/);
        // One exec for the first request, one whose curl sends the 10 in a row.
        const execs = r.calls.filter((c) => c.includes("exec"));
        const url = "http://10.0.0.7:9080/reviews/7";
        assert.deepStrictEqual(execs.map((c) => c.filter((a) => a === url).length), [1, 10]);
        assert.deepStrictEqual(execs[0].slice(execs[0].indexOf("exec")), [
            "exec", "sleep-1", "-n", "bookinfo", "-c", "sleep", "--",
            "curl", "-sS", "-m", "5", "-w", "\\n%{http_code}\\n--smoke-answer-end--\\n", url,
        ]);
        for (const call of r.calls) {
            assert.deepStrictEqual(call.slice(0, 4), ["--kubeconfig", "/tmp/kc.yaml", "--context", "kwok-bookinfo"]);
        }
    });

    it("fails on a ratings error and names the check and the pod", () => {
        const r = runSmokeTest("ratings-error");
        assert.strictEqual(r.status, 1);
        assert.match(r.stderr, /smoke test failed: ratings on pod reviews-v2-a \(10\.0\.0\.7\): ratings: Reviewer1: ratings error/);
    });

    it("fails when one of the 10 requests in a row fails", () => {
        const r = runSmokeTest("flaky");
        assert.strictEqual(r.status, 1);
        assert.match(r.stderr, /smoke test failed: http-200 \(request 4\/10 in a row\) on pod reviews-v2-a \(10\.0\.0\.7\): http-200: HTTP 500/);
    });

    it("fails when the pod runs another image or the v2 pod count is off", () => {
        const image = runSmokeTest("healthy", { [SMOKE_ENV.image]: "reviews:other" });
        assert.strictEqual(image.status, 1);
        assert.match(image.stderr, /smoke test failed: image on pod reviews-v2-a \(10\.0\.0\.7\): runs .*1\.20\.3, expected reviews:other/);
        const count = runSmokeTest("healthy", { [SMOKE_ENV.pods]: "3" });
        assert.strictEqual(count.status, 1);
        assert.match(count.stderr, /smoke test failed: v2-pods-ready: expected 3 ready pods .* found 1/);
    });
});
