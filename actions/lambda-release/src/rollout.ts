import {
    CreateApplicationCommand,
    CreateDeploymentCommand,
    CreateDeploymentGroupCommand,
    GetApplicationCommand,
    GetDeploymentCommand,
    GetDeploymentGroupCommand,
    UpdateDeploymentGroupCommand,
    type CodeDeployClient,
    type DeploymentInfo,
} from "@aws-sdk/client-codedeploy";
import { DescribeAlarmsCommand, type CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import {
    AttachRolePolicyCommand,
    CreateRoleCommand,
    GetRoleCommand,
    ListAttachedRolePoliciesCommand,
    type IAMClient,
} from "@aws-sdk/client-iam";
import {
    CreateAliasCommand,
    CreateFunctionCommand,
    GetAliasCommand,
    GetFunctionConfigurationCommand,
    PublishVersionCommand,
    UpdateFunctionCodeCommand,
    UpdateFunctionConfigurationCommand,
    type LambdaClient,
} from "@aws-sdk/client-lambda";
import type { Clock } from "../../lib/clock";
import { codeSha256, ReleaseError, versionDescription, waitUntilUpdated, type Target } from "./release";

/**
 * A release through CodeDeploy: the runner checks, publishes and starts; CodeDeploy shifts the alias (canary,
 * linear or all at once), watches the alarms and rolls back by itself, so a runner lost mid-shift leaves the
 * rollout to finish or roll back on its own. The first deploy of a declared function creates the function,
 * its `live` alias, its execution role (with the boundary and only its declared policies) and its rollout group.
 */

/** Everything a release of one function needs, derived from the foundation's names and the repository's declaration. */
export interface FunctionPlan {
    readonly functionName: string;
    readonly alias: string;
    /** Created on the first deploy when missing: `<prefix>-lambda-<repository>@<function>`. */
    readonly executionRoleName: string;
    readonly executionRoleArn: string;
    readonly boundaryArn: string;
    /** The declared managed policies; the deployer may attach no other. */
    readonly policies: readonly string[];
    /** For the first deploy only (the function's runtime and handler afterwards are its own). */
    readonly runtime?: string;
    readonly handler?: string;
    readonly application: string;
    readonly codeDeployRoleArn: string;
    /** A predefined configuration, e.g. CodeDeployDefault.LambdaCanary10Percent5Minutes. */
    readonly deploymentConfig: string;
    /** The function's error alarm (the foundation's) and the service's own; any in ALARM rolls back. */
    readonly alarms: readonly string[];
    readonly hooks: { readonly beforeAllowTraffic?: string; readonly afterAllowTraffic?: string };
}

export interface RolloutClients {
    readonly lambda: LambdaClient;
    readonly codedeploy: CodeDeployClient;
    readonly iam: IAMClient;
    readonly cloudwatch: CloudWatchClient;
}

/** Only Lambda may assume an execution role. */
export const LAMBDA_TRUST = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

const isNamed = (error: unknown, ...names: string[]) => error instanceof Error && names.includes(error.name);

/** Creates the execution role with the boundary when missing, then attaches the declared policies it lacks. */
export async function ensureExecutionRole(iam: IAMClient, plan: FunctionPlan, log: (line: string) => void): Promise<void> {
    try {
        await iam.send(new GetRoleCommand({ RoleName: plan.executionRoleName }));
    } catch (error) {
        if (!isNamed(error, "NoSuchEntityException", "NoSuchEntity")) throw error;
        await iam.send(
            new CreateRoleCommand({
                RoleName: plan.executionRoleName,
                AssumeRolePolicyDocument: LAMBDA_TRUST,
                PermissionsBoundary: plan.boundaryArn,
                Description: `Execution role of ${plan.functionName}`,
            }),
        );
        log(`created execution role ${plan.executionRoleName} (boundary ${plan.boundaryArn})`);
    }
    const { AttachedPolicies = [] } = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: plan.executionRoleName }));
    const attached = new Set(AttachedPolicies.map((p) => p.PolicyArn));
    for (const arn of plan.policies.filter((p) => !attached.has(p))) {
        await iam.send(new AttachRolePolicyCommand({ RoleName: plan.executionRoleName, PolicyArn: arn }));
        log(`attached ${arn} to ${plan.executionRoleName}`);
    }
}

/** The rollout group's settings: the plan's configuration, alarms, automatic rollback, hooks' role. */
function groupSettings(plan: FunctionPlan) {
    return {
        applicationName: plan.application,
        deploymentGroupName: plan.functionName,
        serviceRoleArn: plan.codeDeployRoleArn,
        deploymentConfigName: plan.deploymentConfig,
        deploymentStyle: { deploymentType: "BLUE_GREEN" as const, deploymentOption: "WITH_TRAFFIC_CONTROL" as const },
        alarmConfiguration: { enabled: true, ignorePollAlarmFailure: false, alarms: plan.alarms.map((name) => ({ name })) },
        autoRollbackConfiguration: { enabled: true, events: ["DEPLOYMENT_FAILURE" as const, "DEPLOYMENT_STOP_ON_ALARM" as const] },
    };
}

/** Creates the service's application and the function's group when missing; brings the group to the plan. */
export async function ensureRolloutGroup(codedeploy: CodeDeployClient, plan: FunctionPlan, log: (line: string) => void): Promise<void> {
    if (plan.alarms.length === 0) throw new ReleaseError(`a rollout of ${plan.functionName} needs at least one alarm to roll back on`);
    try {
        await codedeploy.send(new GetApplicationCommand({ applicationName: plan.application }));
    } catch (error) {
        if (!isNamed(error, "ApplicationDoesNotExistException")) throw error;
        await codedeploy.send(new CreateApplicationCommand({ applicationName: plan.application, computePlatform: "Lambda" }));
        log(`created CodeDeploy application ${plan.application}`);
    }
    const settings = groupSettings(plan);
    let group;
    try {
        ({ deploymentGroupInfo: group } = await codedeploy.send(
            new GetDeploymentGroupCommand({ applicationName: plan.application, deploymentGroupName: plan.functionName }),
        ));
    } catch (error) {
        if (!isNamed(error, "DeploymentGroupDoesNotExistException")) throw error;
        await codedeploy.send(new CreateDeploymentGroupCommand(settings));
        log(`created rollout group ${plan.application}/${plan.functionName} (${plan.deploymentConfig}, alarms ${plan.alarms.join(", ")})`);
        return;
    }
    const alarms = (group?.alarmConfiguration?.alarms ?? []).map((a) => a.name ?? "").sort();
    const same =
        group?.deploymentConfigName === plan.deploymentConfig &&
        group?.serviceRoleArn === plan.codeDeployRoleArn &&
        group?.alarmConfiguration?.enabled === true &&
        group?.autoRollbackConfiguration?.enabled === true &&
        JSON.stringify(alarms) === JSON.stringify([...plan.alarms].sort());
    if (!same) {
        const { deploymentGroupName, ...rest } = settings;
        await codedeploy.send(new UpdateDeploymentGroupCommand({ ...rest, currentDeploymentGroupName: deploymentGroupName }));
        log(`updated rollout group ${plan.application}/${plan.functionName} to ${plan.deploymentConfig}, alarms ${plan.alarms.join(", ")}`);
    }
}

/** The plan's alarms in ALARM; an alarm that does not exist is an error (a rollout needs alarms it can watch). */
export async function firingAlarms(cloudwatch: CloudWatchClient, alarms: readonly string[]): Promise<string[]> {
    const { MetricAlarms = [], CompositeAlarms = [] } = await cloudwatch.send(
        new DescribeAlarmsCommand({ AlarmNames: [...alarms], AlarmTypes: ["MetricAlarm", "CompositeAlarm"] }),
    );
    const states = new Map([...MetricAlarms, ...CompositeAlarms].map((a) => [a.AlarmName ?? "", a.StateValue ?? ""]));
    const missing = alarms.filter((name) => !states.has(name));
    if (missing.length > 0) throw new ReleaseError(`alarm ${missing.join(", ")} does not exist: a rollout needs alarms it can watch`);
    return alarms.filter((name) => states.get(name) === "ALARM");
}

async function waitUntilActive(target: Target, attempts = 150, intervalMs = 2_000): Promise<void> {
    for (let i = 0; ; i++) {
        const c = await target.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: target.functionName }));
        if (c.State === "Active" && c.LastUpdateStatus !== "InProgress") return;
        if (c.State === "Failed") throw new ReleaseError(`${target.functionName} failed to create: ${c.StateReason ?? "no reason given"}`);
        if (i >= attempts) throw new ReleaseError(`${target.functionName} did not become active`);
        await target.clock.sleep(intervalMs);
    }
}

/**
 * The first deploy of a function: the built zip as version 1 (created and published in one call, so nothing
 * unpublished ever exists), and the alias on it. A role IAM has not yet propagated to Lambda is retried.
 */
async function createFunction(target: Target, plan: FunctionPlan, zip: Uint8Array, digest: string, description: string) {
    if (!plan.runtime || !plan.handler) {
        throw new ReleaseError(`${plan.functionName} does not exist yet: give runtime and handler for its first deploy`);
    }
    let created;
    for (let attempt = 1; ; attempt++) {
        try {
            created = await target.lambda.send(
                new CreateFunctionCommand({
                    FunctionName: plan.functionName,
                    Role: plan.executionRoleArn,
                    Runtime: plan.runtime as never,
                    Handler: plan.handler,
                    Code: { ZipFile: zip },
                    Description: description,
                    Publish: true,
                }),
            );
            break;
        } catch (error) {
            // A new role takes a few seconds to reach Lambda; the message says it cannot be assumed yet.
            if (attempt >= 10 || !isNamed(error, "InvalidParameterValueException") || !/cannot be assumed/.test(String(error))) throw error;
            await target.clock.sleep(5_000);
        }
    }
    if (created.CodeSha256 !== digest || !created.Version || created.Version === "$LATEST") {
        throw new ReleaseError(
            `creating ${plan.functionName} returned version ${created.Version ?? "(none)"} with code ${created.CodeSha256}`,
        );
    }
    await waitUntilActive(target);
    await target.lambda.send(
        new CreateAliasCommand({ FunctionName: plan.functionName, Name: plan.alias, FunctionVersion: created.Version }),
    );
    target.log(`created ${plan.functionName} version ${created.Version} (code ${digest}) and alias ${plan.alias} on it`);
    return created.Version;
}

/**
 * Uploads the zip and publishes it as a NEW version: the function's description is set to this deploy's tag
 * first, so even unchanged code makes a version of its own (a retried deploy never reuses the version a
 * failed run published and tagged).
 */
async function publishNewVersion(target: Target, zip: Uint8Array, digest: string, description: string): Promise<string> {
    await target.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: target.functionName, ZipFile: zip, Publish: false }));
    const updated = await waitUntilUpdated(target);
    if (updated.CodeSha256 !== digest) {
        throw new ReleaseError(`${target.functionName} reports code ${updated.CodeSha256 ?? "(none)"} after the update, not ${digest}`);
    }
    await target.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: target.functionName, Description: description }));
    await waitUntilUpdated(target);
    const published = await target.lambda.send(
        new PublishVersionCommand({ FunctionName: target.functionName, CodeSha256: digest, Description: description }),
    );
    if (!published.Version || published.CodeSha256 !== digest || published.Description !== description) {
        throw new ReleaseError(
            `publishing ${target.functionName} returned version ${published.Version ?? "(none)"} (${published.Description ?? "no description"}), not a new version of ${description}`,
        );
    }
    target.log(`published ${target.functionName} version ${published.Version} (code ${digest}, ${description})`);
    return published.Version;
}

/** The AppSpec CodeDeploy reads for a Lambda alias shift. */
export function appSpec(plan: FunctionPlan, current: string, target: string): string {
    const hooks = [
        ...(plan.hooks.beforeAllowTraffic ? [{ BeforeAllowTraffic: plan.hooks.beforeAllowTraffic }] : []),
        ...(plan.hooks.afterAllowTraffic ? [{ AfterAllowTraffic: plan.hooks.afterAllowTraffic }] : []),
    ];
    return JSON.stringify({
        version: 0.0,
        Resources: [
            {
                function: {
                    Type: "AWS::Lambda::Function",
                    Properties: { Name: plan.functionName, Alias: plan.alias, CurrentVersion: current, TargetVersion: target },
                },
            },
        ],
        ...(hooks.length > 0 ? { Hooks: hooks } : {}),
    });
}

/** What a release started: the version, the one before, and the rollout CodeDeploy runs (none on a first deploy). */
export interface Started {
    readonly version: string;
    readonly previousVersion: string;
    readonly deploymentId?: string;
}

/**
 * Checks, then publishes, then starts the rollout. Before anything changes: the zip is the build's, the alias
 * is not mid-shift, and no watched alarm is in ALARM. Returns once CodeDeploy has the rollout; `report` follows it.
 */
export async function startRelease(
    clients: RolloutClients,
    plan: FunctionPlan,
    zip: Uint8Array,
    builtSha256: string,
    tag: string,
    commit: string,
    clock: Clock,
    log: (line: string) => void,
): Promise<Started> {
    const digest = codeSha256(zip);
    if (digest !== builtSha256) {
        throw new ReleaseError(
            `the package's SHA-256 is ${digest}, the build's ${builtSha256}: not the artifact that was built; nothing was changed`,
        );
    }
    const target: Target = { lambda: clients.lambda, functionName: plan.functionName, alias: plan.alias, clock, log };
    const description = versionDescription(tag, commit);
    const exists = await clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: plan.functionName })).then(
        () => true,
        (error: unknown) => {
            if (isNamed(error, "ResourceNotFoundException")) return false;
            throw error;
        },
    );
    await ensureRolloutGroup(clients.codedeploy, plan, log);
    if (!exists) {
        if (!plan.runtime || !plan.handler) {
            throw new ReleaseError(`${plan.functionName} does not exist yet: give runtime and handler for its first deploy`);
        }
        await ensureExecutionRole(clients.iam, plan, log);
        return { version: await createFunction(target, plan, zip, digest, description), previousVersion: "" };
    }

    const alias = await clients.lambda.send(new GetAliasCommand({ FunctionName: plan.functionName, Name: plan.alias }));
    const routed = Object.entries(alias.RoutingConfig?.AdditionalVersionWeights ?? {});
    if (routed.length > 0) {
        throw new ReleaseError(
            `alias ${plan.alias} of ${plan.functionName} still routes ${Math.round(routed[0][1] * 100)}% to version ${routed[0][0]}: ` +
                `a rollout is under way; nothing was published`,
        );
    }
    const firing = await firingAlarms(clients.cloudwatch, plan.alarms);
    if (firing.length > 0) {
        throw new ReleaseError(`alarm ${firing.join(", ")} is in ALARM before the rollout; nothing was published`);
    }
    const previous = alias.FunctionVersion ?? "";
    const version = await publishNewVersion(target, zip, digest, description);
    const { deploymentId } = await clients.codedeploy.send(
        new CreateDeploymentCommand({
            applicationName: plan.application,
            deploymentGroupName: plan.functionName,
            description: `${tag}: ${plan.functionName} ${previous} -> ${version}`,
            revision: { revisionType: "AppSpecContent", appSpecContent: { content: appSpec(plan, previous, version) } },
        }),
    );
    if (!deploymentId) throw new ReleaseError(`CodeDeploy started no rollout of ${plan.functionName} version ${version}`);
    log(
        `rollout ${deploymentId}: ${plan.functionName} ${previous} -> ${version} (${plan.deploymentConfig}); CodeDeploy shifts and rolls back`,
    );
    return { version, previousVersion: previous, deploymentId };
}

const TERMINAL = new Set(["Succeeded", "Failed", "Stopped"]);

/**
 * Follows a rollout until CodeDeploy ends it, and says how it ended: a failed or stopped rollout is an error
 * naming CodeDeploy's reason and where the alias went back. Nothing here changes the rollout: if the
 * reporter is lost, CodeDeploy finishes or rolls back all the same.
 */
export async function reportRollout(
    codedeploy: CodeDeployClient,
    deploymentId: string,
    clock: Clock,
    log: (line: string) => void,
    pollMs = 15_000,
    timeoutMs = 3_300_000,
): Promise<DeploymentInfo> {
    const deadline = clock.now().getTime() + timeoutMs;
    let last = "";
    for (;;) {
        const { deploymentInfo: info = {} } = await codedeploy.send(new GetDeploymentCommand({ deploymentId }));
        const status = info.status ?? "Unknown";
        if (status !== last) log(`rollout ${deploymentId}: ${status}`);
        last = status;
        if (status === "Succeeded") return info;
        if (TERMINAL.has(status)) {
            throw new ReleaseError(
                `rollout ${deploymentId} ${status.toLowerCase()}: ${info.errorInformation?.message ?? "no reason given"}` +
                    (info.rollbackInfo?.rollbackMessage ? `; ${info.rollbackInfo.rollbackMessage}` : "; CodeDeploy rolled the alias back"),
            );
        }
        if (clock.now().getTime() >= deadline) {
            throw new ReleaseError(
                `rollout ${deploymentId} is still ${status} after ${timeoutMs / 60_000} min; CodeDeploy finishes or rolls it back on its own`,
            );
        }
        await clock.sleep(pollMs);
    }
}
