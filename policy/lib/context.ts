// What the verdict rules judge by: the stack's config and the live cluster as the pack itself read them. Rules get
// it through a source (the seam): index.ts wires the real read (lib/pack-context.ts), specs hand in fixture facts.
import type { NamespaceFacts } from "../../io/cluster";
import type { StageConfig } from "../../rollout/config";
import type { LiveView } from "../../rollout/verdict";

export type PackContext =
    /** The stack deploys to a cluster: what runs there now, read by the pack before anything changes. */
    | {
          mode: "cluster";
          config: StageConfig;
          live: LiveView;
          /** The configured namespace as it is in the cluster (undefined: absent). */
          namespace?: NamespaceFacts;
          /** This stack's value of the namespace's stack label; undefined when the engine did not name the stack. */
          stackLabel?: string;
          /** The backend that holds the stack's state (io/backend.ts). */
          backend?: string;
      }
    /** Render mode (renderYamlTo): manifests are written to files, nothing reaches a cluster. */
    | { mode: "render"; config: StageConfig };

/** Where the rules get their context. It rejects when the pack cannot know it (config invalid, cluster unreadable). */
export type PackSource = () => Promise<PackContext>;

/** The first call's promise, for every later call: the pack reads the cluster once per process (one preview or up). */
export function memoize(source: PackSource): PackSource {
    let once: Promise<PackContext> | undefined;
    return () => (once ??= source());
}

/** The context, or why there is none (as text for a violation). Never throws. */
export async function loadContext(source: PackSource): Promise<PackContext | { error: string }> {
    try {
        return await source();
    } catch (e) {
        return { error: e instanceof Error ? e.message : String(e) };
    }
}

/** A mandatory rule's violation when the pack has no trusted view to judge by: it refuses rather than pass. */
export function cannotJudge(error: string): string {
    return `the policy pack cannot judge this change, so it refuses it: ${error.replace(/\.?\s*$/, "")}. It judges only from the stack config and what it reads from the cluster itself; fix that, then preview again.`;
}
