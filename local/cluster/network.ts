// The pod network: a network namespace joined to the host by a veth pair, with ROUTED_CIDR routed into it.
// Pod IPs are /32 addresses on the namespace's end (the agent adds them); nothing in the namespace routes out,
// so traffic to pod or Service IPs never leaves the machine.
import { cidrOverlaps } from "./cidr";
import { HOST_LINK_IP, HOST_VETH, LINK_PREFIX, NETNS, NS_LINK_IP, NS_VETH, ROUTED_CIDR } from "./paths";
import { run, tryRun } from "./processes";

const ip = (...args: string[]) => run("ip", args);
const inNs = (...args: string[]) => run("ip", ["-n", NETNS, ...args]);

export const netnsExists = () =>
    (tryRun("ip", ["netns", "list"]) ?? "").split("\n").some((l) => l.split(" ")[0] === NETNS);
export const hostVethExists = () => tryRun("ip", ["link", "show", "dev", HOST_VETH]) !== null;

interface Route {
    dst?: string;
    dev?: string;
    type?: string;
}
interface Link {
    ifname: string;
    addr_info?: { local: string; prefixlen: number }[];
}

/** Refuses to start when a route or address of this machine (other than ours) overlaps the pod network. */
export function checkNoOverlap() {
    const routes: Route[] = JSON.parse(ip("-j", "-4", "route", "show", "table", "all"));
    const clashes = routes
        .filter((r) => r.dst && r.dst !== "default" && r.dev !== HOST_VETH && r.type !== "broadcast")
        .filter((r) => !r.dst!.startsWith("127.") && cidrOverlaps(r.dst!, ROUTED_CIDR))
        .map((r) => `route ${r.dst} dev ${r.dev}`);
    const links: Link[] = JSON.parse(ip("-j", "-4", "addr", "show"));
    const addrs = links
        .filter((l) => l.ifname !== HOST_VETH)
        .flatMap((l) => (l.addr_info ?? []).map((a) => ({ dev: l.ifname, cidr: `${a.local}/${a.prefixlen}` })))
        .filter((a) => cidrOverlaps(a.cidr, ROUTED_CIDR))
        .map((a) => `address ${a.cidr} on ${a.dev}`);
    const all = [...clashes, ...addrs];
    if (all.length) {
        throw new Error(
            `the pod network ${ROUTED_CIDR} overlaps this machine's ${all.join(", ")}; ` +
                `change ROUTED_CIDR and the node pod CIDRs in local/cluster/paths.ts to a free private range`,
        );
    }
}

/** Creates (or completes) the namespace, the veth pair and the routes. Safe to run again. */
export function ensureNetwork() {
    if (!netnsExists()) ip("netns", "add", NETNS);
    if (!hostVethExists()) ip("link", "add", HOST_VETH, "type", "veth", "peer", "name", NS_VETH, "netns", NETNS);
    ip("addr", "replace", `${HOST_LINK_IP}/${LINK_PREFIX}`, "dev", HOST_VETH);
    ip("link", "set", HOST_VETH, "up");
    inNs("link", "set", "lo", "up");
    inNs("addr", "replace", `${NS_LINK_IP}/${LINK_PREFIX}`, "dev", NS_VETH);
    inNs("link", "set", NS_VETH, "up");
    // Unassigned pod and Service IPs fail at once instead of timing out: the namespace answers them with ICMP
    // unreachable, which it only does with forwarding on (it has no route anywhere else, so nothing is forwarded).
    inNs("route", "replace", "unreachable", ROUTED_CIDR);
    run("ip", ["netns", "exec", NETNS, "sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward"]);
    ip("route", "replace", ROUTED_CIDR, "via", NS_LINK_IP, "dev", HOST_VETH);
}

/** Removes the veth pair (and with it the host route) and the namespace. Safe when they are already gone. */
export function teardownNetwork() {
    if (hostVethExists()) ip("link", "del", HOST_VETH);
    if (netnsExists()) ip("netns", "del", NETNS);
}
