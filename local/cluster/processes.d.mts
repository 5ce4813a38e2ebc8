// Types for the part of processes.mjs that TypeScript (the cluster specs) imports.
export declare const sleep: (ms: number) => Promise<void>;
export declare function waitFor<T>(
    what: string,
    check: () => Promise<T | undefined | false> | T | undefined | false,
    options?: { timeoutMs?: number; intervalMs?: number },
): Promise<T>;
