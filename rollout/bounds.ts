// Limits on replica counts, from stack config (rollout/config.ts has the defaults, rollout/limits.ts the policy's).
export interface Bounds {
    /** Most pods any reviews version may ask for. */
    maxReplicas: number;
    /** Largest change of one version's pod count in one `up`. */
    maxReplicaChange: number;
    /** Fewest reviews pods that serve, during and after a change (once that many served). */
    minServingPods: number;
}
