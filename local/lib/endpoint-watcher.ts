// Samples the reviews Service's ready endpoints in a tight loop for as long as a walk runs, so a test can prove
// serving capacity never dipped (a replaced Deployment or a label flip done wrong would show as a dip).
import { sleep } from "../cluster/processes";
import { ClusterView } from "./observe";

/** perSecond is the average sampling rate; maxGapMs the longest stretch without a sample (a stall hides dips). */
export interface WatchReport {
    samples: number;
    seconds: number;
    perSecond: number;
    maxGapMs: number;
    minReady: number;
    errors: number;
}

export class EndpointWatcher {
    private running = false;
    private loop?: Promise<void>;
    private samples = 0;
    private errors = 0;
    private minReady = Number.POSITIVE_INFINITY;
    private started = 0;
    private lastSample = 0;
    private maxGapMs = 0;

    constructor(
        private readonly view: ClusterView,
        private readonly intervalMs = 50,
    ) {}

    start(): void {
        this.running = true;
        this.started = Date.now();
        this.loop = (async () => {
            while (this.running) {
                const t0 = Date.now();
                try {
                    const ready = (await this.view.readyEndpoints()).length;
                    const now = Date.now();
                    this.maxGapMs = Math.max(this.maxGapMs, now - (this.lastSample || this.started));
                    this.lastSample = now;
                    this.samples++;
                    this.minReady = Math.min(this.minReady, ready);
                } catch {
                    this.errors++;
                }
                await sleep(Math.max(0, this.intervalMs - (Date.now() - t0)));
            }
        })();
    }

    async stop(): Promise<WatchReport> {
        this.running = false;
        await this.loop;
        const seconds = (Date.now() - this.started) / 1000;
        return {
            samples: this.samples,
            seconds,
            perSecond: this.samples / seconds,
            maxGapMs: this.maxGapMs,
            minReady: this.minReady,
            errors: this.errors,
        };
    }
}
