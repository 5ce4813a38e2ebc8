// A seeded PRNG for the simulations that prove the statistics (the unit specs and local/bench): runs repeat exactly.

/** mulberry32: a small seeded PRNG, uniform on (0, 1). */
export function mulberry32(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = Math.imul(a ^ (a >>> 15), 1 | a);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
    };
}
