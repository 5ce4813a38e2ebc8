// Collects the engine's steps across every `up` of a walk, to prove what the engine did (not what we hoped).
import { EngineEvent } from "@pulumi/pulumi/automation";

export interface Step {
    op: string;
    type: string;
    name: string;
}

const REPLACING_OPS = new Set(["replace", "create-replacement", "delete-replaced", "discard-replaced"]);

export class EngineLog {
    readonly steps: Step[] = [];
    readonly policyMessages: string[] = [];

    readonly onEvent = (e: EngineEvent): void => {
        const m = e.resOutputsEvent?.metadata ?? e.resOpFailedEvent?.metadata;
        if (m) this.steps.push({ op: m.op, type: m.type, name: m.urn.split("::").pop() ?? m.urn });
        if (e.policyEvent) this.policyMessages.push(`${e.policyEvent.policyName}: ${e.policyEvent.message}`);
    };

    replacements(type: string): Step[] {
        return this.steps.filter((s) => s.type === type && REPLACING_OPS.has(s.op));
    }
}
