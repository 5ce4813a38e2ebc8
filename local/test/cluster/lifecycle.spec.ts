// cluster:down leaves nothing behind and cluster:up brings everything back quickly; both are idempotent.
// Assumes the test runner started the cluster; leaves it running whatever happens.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import {
    clusterDir,
    faultTablePath,
    kwokWorkdir,
    NETNS,
    NODE_COUNT,
    pidFile,
    podTablePath,
    ROUTED_CIDR,
} from "../../cluster/paths";
import { setFault } from "../../cluster/faults";
import { kubectl, runScript } from "./helpers";

const netnsList = () => execFileSync("ip", ["netns", "list"], { encoding: "utf8" });
const routes = () => execFileSync("ip", ["route", "show"], { encoding: "utf8" });

/** Live processes whose command line names the cluster's state directory or our daemons' scripts. */
function clusterProcesses(): string[] {
    const marks = [clusterDir(), kwokWorkdir(), "local/cluster/agent.ts", "local/cluster/pod-server.ts"];
    return fs
        .readdirSync("/proc")
        .filter((d) => /^\d+$/.test(d) && Number(d) !== process.pid)
        .flatMap((pid) => {
            try {
                const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
                if (stat.includes(") Z ")) return [];
                const args = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
                return marks.some((m) => args.includes(m)) ? [`${pid}: ${args.slice(0, 160)}`] : [];
            } catch {
                return [];
            }
        });
}

describe("local cluster lifecycle (cluster:up / cluster:down)", function () {
    this.timeout(300_000);

    after(() => {
        runScript("local/cluster/up.ts");
    });

    it("cluster:down stops every process, removes the network namespace and the pod and fault tables, twice without error", () => {
        setFault("example.invalid/lifecycle-spec:1", "slow");
        runScript("local/cluster/down.ts");
        assert.deepEqual(clusterProcesses(), []);
        assert.ok(
            !netnsList()
                .split("\n")
                .some((l) => l.startsWith(NETNS)),
            `namespace ${NETNS} is still there`,
        );
        assert.ok(!routes().includes(ROUTED_CIDR), `a route to ${ROUTED_CIDR} is still there`);
        assert.ok(!fs.existsSync(pidFile("agent")) && !fs.existsSync(pidFile("pod-server")), "pid files are left");
        assert.ok(
            !fs.existsSync(podTablePath()) && !fs.existsSync(faultTablePath()),
            "the pod table or the fault table is left",
        );
        const again = runScript("local/cluster/down.ts");
        assert.match(again, /cluster is down/);
    });

    it("cluster:up starts it in under a minute with Ready nodes, and a second cluster:up keeps it as is", () => {
        const started = Date.now();
        runScript("local/cluster/up.ts");
        const seconds = (Date.now() - started) / 1000;
        assert.ok(seconds < 60, `cluster:up took ${seconds.toFixed(1)}s`);
        const nodes = JSON.parse(kubectl(["get", "nodes", "-o", "json"])).items;
        assert.equal(nodes.length, NODE_COUNT);
        const uids = nodes.map((n: any) => n.metadata.uid).sort();

        const second = runScript("local/cluster/up.ts");
        assert.match(second, /already running/);
        const after = JSON.parse(kubectl(["get", "nodes", "-o", "json"]))
            .items.map((n: any) => n.metadata.uid)
            .sort();
        assert.deepEqual(after, uids, "the second cluster:up replaced the nodes");
    });
});
