// The driver's schedule, as stack config (key `schedule`): how long each stage runs at least, how long an
// inconclusive analysis may last before a person is asked, which stages wait for an approval, and where decisions
// are announced. The tutorial's "1 %, then +1 % every hour" is traffic.steps [1, 2, ..., 99] with minSeconds 3600.
import { z } from "zod";

export interface Schedule {
    /** Minimum time in a stage before the driver advances, in seconds (per stage: `stages.<name>.minSeconds`). */
    minSeconds: number;
    stages: Record<string, { minSeconds?: number }>;
    /** An analysis still inconclusive this long after its stage began pauses the rollout and asks a person. */
    maxInconclusiveSeconds: number;
    /** Stages the driver enters only after `rollout approve <stack> <stage>`. */
    approve: string[];
    /** Seconds between looks of `rollout run`. */
    intervalSeconds: number;
    /** At `promoted`, close the release (the candidate becomes release.stable). */
    close: boolean;
    /** One JSON event per decision is POSTed here; empty: none. */
    webhook: string;
}

export const DEFAULT_SCHEDULE: Schedule = {
    minSeconds: 60,
    stages: {},
    maxInconclusiveSeconds: 3600,
    approve: [],
    intervalSeconds: 30,
    close: true,
    webhook: "",
};

const asNumber = (v: unknown) => (typeof v === "string" && /^\s*\d+(\.\d+)?\s*$/.test(v) ? Number(v) : v);
const seconds = (min: number) =>
    z.preprocess(
        asNumber,
        z
            .number({ invalid_type_error: "wrong type, expected seconds" })
            .min(min, `less than ${min}`)
            .max(7 * 86400, "more than a week"),
    );

export const scheduleSchema = z
    .object({
        minSeconds: seconds(0),
        stages: z.record(
            z
                .object({ minSeconds: seconds(0) })
                .partial()
                .strict(),
        ),
        maxInconclusiveSeconds: seconds(1),
        approve: z.array(z.string().regex(/^[a-z0-9-]{1,40}$/, "not a stage name")),
        intervalSeconds: seconds(1),
        close: z.preprocess(
            (v) => (v === "true" ? true : v === "false" ? false : v),
            z.boolean({ invalid_type_error: "wrong type, expected true or false" }),
        ),
        webhook: z.string().refine((u) => u === "" || /^https?:\/\/\S+$/.test(u), "not an http(s) URL"),
    })
    .partial()
    .strict();

export const SCHEDULE_ALLOWED =
    `{minSeconds (default ${DEFAULT_SCHEDULE.minSeconds}), stages.<stage>.minSeconds, maxInconclusiveSeconds (default ${DEFAULT_SCHEDULE.maxInconclusiveSeconds}), ` +
    `approve (stage names, default none), intervalSeconds (default ${DEFAULT_SCHEDULE.intervalSeconds}), close (default true), webhook (URL, default none)}; ` +
    "seconds are numbers; set with `pulumi config set --path schedule.minSeconds 3600` (docs/driver.md)";

export const scheduleOf = (partial: Partial<Schedule> | undefined): Schedule => ({
    ...DEFAULT_SCHEDULE,
    ...(partial ?? {}),
});
export const minSecondsIn = (s: Schedule, stage: string) => s.stages[stage]?.minSeconds ?? s.minSeconds;
