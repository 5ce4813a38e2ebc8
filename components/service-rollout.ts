import * as command from "@pulumi/command";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { sharePercent, Workload } from "../rollout/fleet";
import { APP_LABEL, VERSION_LABEL, WORKLOAD_LABEL } from "../rollout/labels";
import { LiveStage } from "../rollout/moves";
import { Plan } from "../rollout/plan";
import { deploymentName, RolledService } from "../rollout/service";
import { DEPLOYMENT_TIMEOUTS, podTemplate, SERVICE_ANNOTATIONS, WORKLOAD_ANNOTATIONS } from "./pod-template";
import {
    appCheckNotRun,
    appCheckStep,
    fingerprint,
    gateNotRun,
    gateStep,
    retireStep,
    RolloutStep,
    scriptCommand,
    settleStep,
} from "./rollout-steps";
import { ServiceMesh } from "./service-mesh";

/** Where the gate runs kubectl and which pod it curls from. */
export interface GateArgs {
    /** kubeconfig path and context for kubectl ("" = kubectl's defaults). */
    kubeconfig: pulumi.Input<string>;
    context: pulumi.Input<string>;
    /** The Deployment of the client pod (Bookinfo's `sleep`) the gate's requests come from. */
    client: pulumi.Resource;
    /** The Deployment of productpage, which the app check asks for the service's answers. */
    productpage: pulumi.Resource;
}

export interface ServiceRolloutArgs {
    /** Namespace of every object (an Output of the Namespace resource, so it is created first). */
    namespace: pulumi.Input<string>;
    /** The namespace's name, plain: the mesh route names the service's host by it. */
    namespaceName: string;
    /**
     * The configured stage's plan (rollout/plan.ts): the service, its Deployments, the route, the gates, the record. A
     * plain value, not an Input: which resources exist depends on it, and resources cannot be declared inside an apply.
     */
    plan: Plan;
    /** The stage the live workloads were in, as the guard judged it before this `up`. */
    from: LiveStage;
    /** The engine leaves the ServiceAccount and the Service in the cluster when it deletes them. */
    retainOnDelete: boolean;
    /** The candidate's gate; undefined where no pod runs (render mode). */
    gate?: GateArgs;
}

/** ServiceAccount of every version's pods, named like upstream's (`bookinfo-reviews`). */
const accountArgs = (service: RolledService, namespace: pulumi.Input<string>): k8s.core.v1.ServiceAccountArgs => ({
    metadata: { name: `bookinfo-${service.name}`, namespace, labels: { account: service.name } },
});

/** The Service selects the service's `app` label only: each stage decides which pods serve by that label. */
const serviceArgs = (service: RolledService, namespace: pulumi.Input<string>): k8s.core.v1.ServiceArgs => ({
    metadata: {
        name: service.name,
        namespace,
        labels: { [APP_LABEL]: service.name, service: service.name },
        annotations: SERVICE_ANNOTATIONS,
    },
    spec: { ports: [{ name: "http", port: service.port }], selector: { [APP_LABEL]: service.name } },
});

/** `<service>-<version>`: selector {workload, version} in every stage; `app` decides whether it serves. */
function deploymentArgs(
    service: RolledService,
    w: Workload,
    namespace: pulumi.Input<string>,
    account: pulumi.Input<string>,
): k8s.apps.v1.DeploymentArgs {
    const selector = { [WORKLOAD_LABEL]: service.name, [VERSION_LABEL]: w.version };
    const labels = { [APP_LABEL]: w.serving ? service.name : service.darkApp, ...selector };
    return {
        metadata: { name: deploymentName(service, w.version), namespace, labels, annotations: WORKLOAD_ANNOTATIONS },
        spec: {
            replicas: w.replicas,
            selector: { matchLabels: selector },
            template: podTemplate({
                labels,
                serviceAccountName: account,
                name: service.name,
                image: w.image,
                port: service.port,
                ...service.pod,
            }),
        },
    };
}

/** A check's verdict: its last line. No output when a targeted `up` left it out: then it did not run (nor record). */
const lastLine = (check: command.local.Command) =>
    check.stdout.apply((out) => (out ?? "").trim().split("\n").pop() || "not run: left out of this up (--target)");

/**
 * The rolled-out service's Service and one Deployment per version of the release, shaped by the stage table, with
 * the candidate's gate. Deployments are named by version (`reviews-v1`, `reviews-v2`, ...) and select on
 * {workload, version}, the same in every stage and every release, so a stage change, and a candidate becoming the
 * stable, is an in-place update or a delete, never a replacement: the `app` label that moves a version in and out
 * of service is not part of the selector.
 */
export class ServiceRollout extends pulumi.ComponentResource {
    public readonly serviceAccount: k8s.core.v1.ServiceAccount;
    public readonly service: k8s.core.v1.Service;
    /** One Deployment per version the stage runs, keyed by version label. */
    public readonly deployments: Record<string, k8s.apps.v1.Deployment>;
    /** The candidate's gate; present when the stage runs the candidate (except in render mode). */
    public readonly gate?: command.local.Command;
    /** The istio strategy's route. */
    public readonly mesh?: ServiceMesh;
    /** `pods` strategy: retires the versions the stage does not run before the app check (they would still serve). */
    public readonly retire?: command.local.Command;
    /** The app check, where the stage has one: through the route (istio), or once the retired versions are gone. */
    public readonly appCheck?: command.local.Command;
    /** The settle step: retires the versions the stage does not run, then records what was deployed. */
    public readonly settle?: command.local.Command;
    /** The stage converged to, and the one the live workloads were in before. */
    public readonly stage: pulumi.Output<string>;
    public readonly fromStage: pulumi.Output<string>;
    /** Share per version in percent: of the serving pods (pods strategy), of the requests (istio). */
    public readonly servingShares: pulumi.Output<Record<string, number>>;
    /** The gate's last line ("gate passed: ..."), or why it did not run. */
    public readonly gateResult: pulumi.Output<string>;
    /** The app check's last line, or why it did not run. */
    public readonly appCheckResult: pulumi.Output<string>;

    constructor(name: string, args: ServiceRolloutArgs, opts: pulumi.ComponentResourceOptions = {}) {
        // The type token of the first releases, kept: every Deployment's URN hangs off it, and a new one would make
        // the engine replace them.
        super("bookinfo:index:ReviewsRollout", name, {}, opts);
        const childOpts = { parent: this, provider: opts.provider, retainOnDelete: args.retainOnDelete };
        const plan = args.plan;
        const { service, release, fleet, mesh } = plan;

        this.serviceAccount = new k8s.core.v1.ServiceAccount(
            `${name}-sa`,
            accountArgs(service, args.namespace),
            childOpts,
        );
        this.service = new k8s.core.v1.Service(`${name}-service`, serviceArgs(service, args.namespace), childOpts);
        const account = this.serviceAccount.metadata.name;
        // Retained on delete, always: a version leaves the cluster only through the settle step.
        const deploymentOpts = { ...childOpts, retainOnDelete: true, customTimeouts: DEPLOYMENT_TIMEOUTS };
        this.deployments = Object.fromEntries(
            fleet.map((w) => [
                w.version,
                new k8s.apps.v1.Deployment(
                    `${name}-${w.version}`,
                    deploymentArgs(service, w, args.namespace, account),
                    deploymentOpts,
                ),
            ]),
        );
        const deployments = Object.values(this.deployments);

        const candidate = release.candidate && fleet.find((w) => w.version === release.candidate!.version);
        const gate = args.gate;
        const run = (step: RolloutStep, after: (pulumi.Resource | undefined)[]) =>
            this.script(`${name}-${step.suffix}`, step, args.namespace, gate!, after);
        if (candidate && gate && plan.smoke) {
            this.gate = run(gateStep(plan, candidate), [this.deployments[candidate.version], gate.client]);
        }
        if (mesh) {
            // The route moves only once the pods are in place and gated; a rollback moves it before pods go.
            const versions = [release.stable.version, ...(release.candidate ? [release.candidate.version] : [])];
            const after = [...deployments, ...(this.gate ? [this.gate] : [])];
            this.mesh = new ServiceMesh(
                `${name}-mesh`,
                { service, namespace: args.namespaceName, versions, route: mesh.route, testers: mesh.testers, after },
                { parent: this, provider: opts.provider },
            );
        }
        if (plan.appCheck && gate) {
            // What answers is what the check judges: under istio the route decides, so the check runs once it is in
            // place; under pods the Service sends requests to every serving pod, so a version the stage no longer
            // runs (the stable at promoted) is retired first, once the candidate passed its gate.
            if (!this.mesh) this.retire = run(retireStep(plan), [...deployments, this.gate]);
            this.appCheck = run(appCheckStep(plan), [this.mesh ?? this.retire, gate.client, gate.productpage]);
        }
        if (gate) {
            this.settle = run(settleStep(plan), [...deployments, this.gate, this.mesh, this.retire, this.appCheck]);
        }

        this.stage = pulumi.output(plan.stage.name);
        this.fromStage = pulumi.output(args.from);
        this.servingShares = pulumi.output(
            mesh
                ? mesh.route.weights
                : Object.fromEntries(fleet.map((w) => [w.version, sharePercent(fleet, w.version)])),
        );
        this.gateResult = this.gate ? lastLine(this.gate) : pulumi.output(gateNotRun(plan, candidate));
        this.appCheckResult = this.appCheck ? lastLine(this.appCheck) : pulumi.output(appCheckNotRun(plan));
        this.registerOutputs({
            stage: this.stage,
            fromStage: this.fromStage,
            servingShares: this.servingShares,
            gateResult: this.gateResult,
            appCheckResult: this.appCheckResult,
        });
    }

    /** One io/ script run by a Command against the stack's cluster once `after` converged. */
    private script(
        name: string,
        step: RolloutStep,
        namespace: pulumi.Input<string>,
        gate: GateArgs,
        after: (pulumi.Resource | undefined)[],
    ): command.local.Command {
        const environment = {
            [step.env.namespace]: namespace,
            [step.env.kubeconfig]: gate.kubeconfig,
            [step.env.context]: gate.context,
            ...step.inputs,
        };
        const dependsOn = after.filter((r): r is pulumi.Resource => r !== undefined);
        return new command.local.Command(
            name,
            { create: scriptCommand(step.script), environment, triggers: [fingerprint(step.judged)] },
            { parent: this, dependsOn },
        );
    }
}
