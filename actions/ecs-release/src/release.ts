/**
 * The container release: the pushed image's scan, a new task definition revision that runs the image by its
 * digest, the service's rollout under the deployment circuit breaker and alarms (rolled back by ECS, and by
 * this action when an alarm fires or the rollout does not finish in time), and the rollback to the previous
 * revision a deployment left. Pure logic over SDK clients: the tests point them at loopback fakes.
 */
import { CloudWatchClient, DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeImageScanFindingsCommand, type ECRClient } from "@aws-sdk/client-ecr";
import type { Clock } from "../../lib/clock";
import {
    DescribeServicesCommand,
    DescribeTaskDefinitionCommand,
    ListTaskDefinitionsCommand,
    RegisterTaskDefinitionCommand,
    UpdateServiceCommand,
    type ECSClient,
    type Service,
    type Tag,
    type TaskDefinition,
} from "@aws-sdk/client-ecs";

/** A stopped release; the message says what happened and what state the service is left in. */
export class ReleaseError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ReleaseError";
    }
}

/** The tags a deployment writes on the revision it registers: how a rollback finds it again. */
export const REVISION_TAGS = { tag: "deploy-tag", commit: "commit", digest: "image-digest" } as const;

// ---------------------------------------------------------------------------------------------- scan

export interface ScanLimits {
    /** Critical findings tolerated; above it the image does not deploy. */
    readonly maxCritical: number;
    /** High findings tolerated; undefined: not limited. */
    readonly maxHigh?: number;
    readonly timeoutMs: number;
    readonly pollMs: number;
}

const STILL_SCANNING = new Set(["IN_PROGRESS", "PENDING"]);

/**
 * Waits for ECR's scan on push of one image and judges its findings. A scan that failed, was not done or is
 * unsupported stops the release: an image nobody scanned never deploys (fail closed). Returns the counts.
 */
export async function awaitScan(
    ecr: ECRClient,
    repository: string,
    digest: string,
    limits: ScanLimits,
    clock: Clock,
    log: (line: string) => void,
): Promise<Record<string, number>> {
    const deadline = clock.now().getTime() + limits.timeoutMs;
    for (;;) {
        let status: string | undefined;
        let description = "";
        let counts: Record<string, number> = {};
        try {
            const found = await ecr.send(
                new DescribeImageScanFindingsCommand({ repositoryName: repository, imageId: { imageDigest: digest } }),
            );
            status = found.imageScanStatus?.status;
            description = found.imageScanStatus?.description ?? "";
            counts = (found.imageScanFindings?.findingSeverityCounts ?? {}) as Record<string, number>;
        } catch (error) {
            // Right after a push the scan may not exist yet.
            if ((error as { name?: string }).name !== "ScanNotFoundException") throw error;
            status = "PENDING";
        }
        if (status === "COMPLETE") {
            const critical = counts.CRITICAL ?? 0;
            const high = counts.HIGH ?? 0;
            const summary = Object.entries(counts)
                .map(([severity, n]) => `${severity} ${n}`)
                .join(", ");
            log(`scan of ${repository}@${digest}: ${summary || "no findings"}`);
            if (critical > limits.maxCritical)
                throw new ReleaseError(
                    `${repository}@${digest} has ${critical} critical findings, more than the ${limits.maxCritical} allowed; it does not deploy`,
                );
            if (limits.maxHigh !== undefined && high > limits.maxHigh)
                throw new ReleaseError(
                    `${repository}@${digest} has ${high} high findings, more than the ${limits.maxHigh} allowed; it does not deploy`,
                );
            return counts;
        }
        if (!STILL_SCANNING.has(status ?? ""))
            throw new ReleaseError(
                `the scan of ${repository}@${digest} ended ${status ?? "without a status"}${description ? ` (${description})` : ""}; an image without a finished scan does not deploy`,
            );
        if (clock.now().getTime() >= deadline)
            throw new ReleaseError(
                `the scan of ${repository}@${digest} did not finish in time; an image without a finished scan does not deploy`,
            );
        await clock.sleep(limits.pollMs);
    }
}

// -------------------------------------------------------------------------------------------- rollout

export interface ServiceTarget {
    readonly ecs: ECSClient;
    readonly cloudwatch: CloudWatchClient;
    readonly cluster: string;
    readonly service: string;
    readonly clock: Clock;
    readonly log: (line: string) => void;
}

export interface RolloutPlan {
    /** Alarms that roll the rollout back (ECS watches them, and so does this action). */
    readonly alarms: readonly string[];
    readonly timeoutMs: number;
    readonly pollMs: number;
}

async function describeService(t: ServiceTarget): Promise<Service> {
    const { services = [], failures = [] } = await t.ecs.send(new DescribeServicesCommand({ cluster: t.cluster, services: [t.service] }));
    const service = services.find((s) => s.serviceName === t.service);
    if (!service || service.status !== "ACTIVE") {
        const reason = failures[0]?.reason ?? service?.status ?? "not found";
        throw new ReleaseError(`ECS service ${t.service} in cluster ${t.cluster}: ${reason}; nothing was changed`);
    }
    return service;
}

async function describeRevision(t: ServiceTarget, arn: string): Promise<{ definition: TaskDefinition; tags: Tag[] }> {
    const { taskDefinition, tags = [] } = await t.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ["TAGS"] }));
    if (!taskDefinition) throw new ReleaseError(`task definition ${arn} was not found`);
    return { definition: taskDefinition, tags };
}

/** The revision's fields RegisterTaskDefinition takes back: everything but what ECS sets itself. */
function registerable(d: TaskDefinition) {
    return {
        family: d.family,
        taskRoleArn: d.taskRoleArn,
        executionRoleArn: d.executionRoleArn,
        networkMode: d.networkMode,
        containerDefinitions: d.containerDefinitions,
        volumes: d.volumes,
        placementConstraints: d.placementConstraints,
        requiresCompatibilities: d.requiresCompatibilities,
        cpu: d.cpu,
        memory: d.memory,
        pidMode: d.pidMode,
        ipcMode: d.ipcMode,
        proxyConfiguration: d.proxyConfiguration,
        inferenceAccelerators: d.inferenceAccelerators,
        ephemeralStorage: d.ephemeralStorage,
        runtimePlatform: d.runtimePlatform,
        enableFaultInjection: d.enableFaultInjection,
    };
}

/** What a deployment runs: the image of one container, by digest, and the names that identify it. */
export interface Release {
    readonly container: string;
    readonly repositoryUri: string;
    readonly digest: string;
    readonly commit: string;
    readonly tag: string;
}

/**
 * The service's current revision with one container's image replaced by `<repository>@<digest>` (never a tag:
 * a digest names exactly the image the scan and the reviewers saw), registered as a new revision of the same
 * family, tagged with the deployment.
 */
export async function registerRevision(t: ServiceTarget, current: string, release: Release): Promise<string> {
    const { definition } = await describeRevision(t, current);
    const containers = definition.containerDefinitions ?? [];
    if (!containers.some((c) => c.name === release.container))
        throw new ReleaseError(
            `task definition ${current} has no container named ${release.container} (it has ${containers.map((c) => c.name).join(", ") || "none"}); nothing was changed`,
        );
    const image = `${release.repositoryUri}@${release.digest}`;
    const { taskDefinition } = await t.ecs.send(
        new RegisterTaskDefinitionCommand({
            ...registerable(definition),
            containerDefinitions: containers.map((c) => (c.name === release.container ? { ...c, image } : c)),
            family: definition.family,
            tags: [
                { key: REVISION_TAGS.tag, value: release.tag },
                { key: REVISION_TAGS.commit, value: release.commit },
                { key: REVISION_TAGS.digest, value: release.digest },
            ],
        }),
    );
    if (!taskDefinition?.taskDefinitionArn) throw new ReleaseError(`ECS registered no revision of ${definition.family}`);
    t.log(`registered ${taskDefinition.taskDefinitionArn}: ${release.container} runs ${image}`);
    return taskDefinition.taskDefinitionArn;
}

async function firingAlarms(t: ServiceTarget, alarms: readonly string[]): Promise<string[]> {
    if (alarms.length === 0) return [];
    const { MetricAlarms = [], CompositeAlarms = [] } = await t.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [...alarms] }));
    const found = [...MetricAlarms, ...CompositeAlarms];
    const missing = alarms.filter((name) => !found.some((a) => a.AlarmName === name));
    // An alarm that does not exist watches nothing: the rollout would have no guard (fail closed).
    if (missing.length > 0)
        throw new ReleaseError(`alarm(s) ${missing.join(", ")} do not exist in this account; nothing watches the rollout`);
    return found.filter((a) => a.StateValue === "ALARM").map((a) => a.AlarmName ?? "");
}

/** Points the service at a revision, with the circuit breaker and the alarms set to roll it back. */
async function pointService(t: ServiceTarget, service: Service, revision: string, alarms: readonly string[]): Promise<void> {
    await t.ecs.send(
        new UpdateServiceCommand({
            cluster: t.cluster,
            service: t.service,
            taskDefinition: revision,
            deploymentConfiguration: {
                ...service.deploymentConfiguration,
                deploymentCircuitBreaker: { enable: true, rollback: true },
                alarms:
                    alarms.length > 0 ? { alarmNames: [...alarms], enable: true, rollback: true } : service.deploymentConfiguration?.alarms,
            },
        }),
    );
}

/**
 * Waits until the service runs `revision` to completion. Resolves when its deployment is COMPLETED; throws
 * when ECS fails it (the circuit breaker or an alarm: ECS rolls back by itself), when one of the alarms fires
 * first, or when time runs out: in those two cases this action points the service back at `previous` itself
 * (a rollback, which has no `previous`, only reports).
 */
async function awaitRollout(t: ServiceTarget, revision: string, previous: string | undefined, plan: RolloutPlan): Promise<void> {
    const deadline = t.clock.now().getTime() + plan.timeoutMs;
    for (;;) {
        const service = await describeService(t);
        const deployment = (service.deployments ?? []).find((d) => d.taskDefinition === revision);
        if (deployment?.rolloutState === "COMPLETED") {
            t.log(`${t.service} runs ${revision}: rollout completed`);
            return;
        }
        if (!deployment || deployment.rolloutState === "FAILED") {
            const reason = deployment?.rolloutStateReason ?? "the deployment was replaced";
            throw new ReleaseError(
                `the rollout of ${revision} to ${t.service} failed (${reason}); ECS rolled the service back to ${service.taskDefinition}`,
            );
        }
        const firing = await firingAlarms(t, plan.alarms);
        const late = t.clock.now().getTime() >= deadline;
        // A rollback has nothing to go back to: it stops waiting and says where the service is.
        if (late && previous === undefined)
            throw new ReleaseError(`the rollout of ${revision} to ${t.service} did not complete in time; ECS goes on with it`);
        if (previous !== undefined && (firing.length > 0 || late)) {
            await pointService(t, service, previous, []);
            const why =
                firing.length > 0 ? `alarm(s) ${firing.join(", ")} fired during the rollout` : "the rollout did not complete in time";
            throw new ReleaseError(`${why}; ${t.service} was pointed back at ${previous}`);
        }
        await t.clock.sleep(plan.pollMs);
    }
}

/** Deploys a release; returns the new revision and the one the service ran before. */
export async function deploy(t: ServiceTarget, release: Release, plan: RolloutPlan): Promise<{ revision: string; previous: string }> {
    if (plan.alarms.length === 0) throw new ReleaseError("a rollout needs alarms that roll it back; none were given");
    const service = await describeService(t);
    const previous = service.taskDefinition ?? "";
    // Every alarm must exist and none may fire before anything changes.
    const firing = await firingAlarms(t, plan.alarms);
    if (firing.length > 0) throw new ReleaseError(`alarm(s) ${firing.join(", ")} already fire; nothing was changed`);
    const revision = await registerRevision(t, previous, release);
    await pointService(t, service, revision, plan.alarms);
    t.log(`${t.service}: rolling out ${revision} (was ${previous})`);
    await awaitRollout(t, revision, previous, plan);
    return { revision, previous };
}

// ------------------------------------------------------------------------------------------- rollback

const revisionOf = (arn: string) => Number(/:(\d+)$/.exec(arn)?.[1] ?? "0");
const familyOf = (arn: string) => /task-definition\/([^:]+):\d+$/.exec(arn)?.[1] ?? "";
const tagValue = (tags: readonly Tag[], key: string) => tags.find((t) => t.key === key)?.value;

export interface RollbackTarget {
    readonly current: string;
    readonly revision: string;
    readonly tag: string;
    readonly commit: string;
    readonly digest: string;
}

/**
 * The revision to roll back to: the newest revision of the service's family before the one it runs that a
 * deployment registered (it carries the deployment's tag) and, when the ledger's successful deployments are
 * given, whose deployment succeeded; with `tag`, the one that deployment registered. Revisions of failed deployments and hand-registered ones are skipped.
 */
export async function rollbackTarget(t: ServiceTarget, succeededTags?: ReadonlySet<string>, tag?: string): Promise<RollbackTarget> {
    const current = (await describeService(t)).taskDefinition ?? "";
    const family = familyOf(current);
    const older: string[] = [];
    let nextToken: string | undefined;
    do {
        const page = await t.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: family, sort: "DESC", nextToken }));
        // The prefix also matches longer families (`api` and `api-worker`): keep the family itself.
        older.push(...(page.taskDefinitionArns ?? []).filter((arn) => familyOf(arn) === family && revisionOf(arn) < revisionOf(current)));
        nextToken = page.nextToken;
    } while (nextToken);
    older.sort((a, b) => revisionOf(b) - revisionOf(a));
    for (const arn of older) {
        const { tags } = await describeRevision(t, arn);
        const deployed = tagValue(tags, REVISION_TAGS.tag);
        if (!deployed || (succeededTags && !succeededTags.has(deployed)) || (tag !== undefined && deployed !== tag)) continue;
        return {
            current,
            revision: arn,
            tag: deployed,
            commit: tagValue(tags, REVISION_TAGS.commit) ?? "",
            digest: tagValue(tags, REVISION_TAGS.digest) ?? "",
        };
    }
    const which = tag === undefined ? "" : ` tagged ${tag}`;
    throw new ReleaseError(
        `no earlier revision of ${family}${which} than ${current} was deployed successfully by a deployment; there is nothing to roll back to`,
    );
}

/** Points the service back at an earlier revision of its own family and waits for the rollout; returns the one it left. */
export async function rollback(t: ServiceTarget, revision: string, plan: Omit<RolloutPlan, "alarms">): Promise<string> {
    const service = await describeService(t);
    const current = service.taskDefinition ?? "";
    if (familyOf(revision) !== familyOf(current))
        throw new ReleaseError(`${revision} is not a revision of ${familyOf(current)}, the family ${t.service} runs; nothing was changed`);
    await pointService(t, service, revision, []);
    t.log(`${t.service}: rolling back to ${revision} (was ${current})`);
    await awaitRollout(t, revision, undefined, { ...plan, alarms: [] });
    return current;
}
