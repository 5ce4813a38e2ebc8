// One JSON event per decision, POSTed to schedule.webhook. A receiver that is down never stops the rollout: the
// decision is already in Git; the failure is printed.
export interface DecisionEvent {
    stack: string;
    decision: string;
    from: string;
    to?: string;
    why: string;
    commit?: string;
    at: string;
}

export async function notify(url: string, event: DecisionEvent, log: (line: string) => void): Promise<void> {
    if (!url) return;
    try {
        const res = await fetch(url, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(event),
            signal: AbortSignal.timeout(5000),
        });
        if (!res.ok) log(`webhook ${url}: HTTP ${res.status}`);
    } catch (e) {
        log(`webhook ${url}: ${(e as Error).message}`);
    }
}
