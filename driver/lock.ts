// One driver per stack: a Kubernetes Lease in the rollout's namespace names the driver that holds it (host and
// pid) and when it last renewed. A second driver refuses, naming the first; a holder whose process is gone (same
// host) or that stopped renewing (another host, after the lease's duration) is taken over, so a driver killed
// with -9 is simply started again.
import os from "node:os";
import { Kubectl } from "../io/kubectl";

export const LEASE_NAME = "reviews-rollout-driver";
const DURATION_SECONDS = 60;

interface Lease {
    metadata?: { resourceVersion?: string };
    spec?: { holderIdentity?: string; renewTime?: string; leaseDurationSeconds?: number };
}

export const me = () => `${os.hostname()}/${process.pid}`;

function alive(holder: string): boolean {
    const [host, pid] = holder.split("/");
    if (host !== os.hostname()) return true;
    try {
        process.kill(Number(pid), 0);
        return true;
    } catch {
        return false;
    }
}

const manifest = (namespace: string) => ({
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: { name: LEASE_NAME, namespace },
    spec: {
        holderIdentity: me(),
        leaseDurationSeconds: DURATION_SECONDS,
        renewTime: new Date().toISOString().replace("Z", "000Z"),
    },
});

export class LockedError extends Error {}

/** Takes or renews the lease; throws LockedError naming the live holder. */
export function hold(kubectl: Kubectl, namespace: string): void {
    let lease: Lease | undefined;
    try {
        lease = JSON.parse(kubectl(["get", "lease", LEASE_NAME, "-n", namespace, "-o", "json"]));
    } catch (e) {
        if (!String((e as { stderr?: string }).stderr ?? "").includes("NotFound")) throw e;
    }
    const holder = lease?.spec?.holderIdentity;
    if (lease && holder && holder !== me()) {
        const renewed = Date.parse(lease.spec?.renewTime ?? "") || 0;
        const fresh = Date.now() - renewed < 1000 * (lease.spec?.leaseDurationSeconds ?? DURATION_SECONDS);
        const [host] = holder.split("/");
        if (alive(holder) && (host === os.hostname() || fresh)) {
            throw new LockedError(
                `another driver holds this rollout: ${holder} (Lease ${namespace}/${LEASE_NAME}, renewed ${lease.spec?.renewTime}); stop it first`,
            );
        }
    }
    // replace with the read resourceVersion: of two drivers taking over at once, only one succeeds.
    const m = manifest(namespace) as ReturnType<typeof manifest> & { metadata: { resourceVersion?: string } };
    if (lease?.metadata?.resourceVersion) {
        m.metadata.resourceVersion = lease.metadata.resourceVersion;
        kubectl(["replace", "-f", "-"], JSON.stringify(m));
    } else {
        kubectl(["create", "-f", "-"], JSON.stringify(m));
    }
}

/** Gives the lease up if this process holds it. */
export function release(kubectl: Kubectl, namespace: string): void {
    try {
        const lease = JSON.parse(kubectl(["get", "lease", LEASE_NAME, "-n", namespace, "-o", "json"])) as Lease;
        if (lease.spec?.holderIdentity === me())
            kubectl(["delete", "lease", LEASE_NAME, "-n", namespace, "--ignore-not-found"]);
    } catch {
        // gone already
    }
}
