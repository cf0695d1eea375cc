import { createHash } from "crypto";
import {
    GetAliasCommand,
    GetFunctionConfigurationCommand,
    ListVersionsByFunctionCommand,
    PublishVersionCommand,
    UpdateAliasCommand,
    UpdateFunctionCodeCommand,
    type AliasConfiguration,
    type LambdaClient,
} from "@aws-sdk/client-lambda";
import { DescribeAlarmsCommand, type CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { parseDeployTag } from "../../../shared/formats";
import type { Clock } from "../../lib/clock";

/** A release that must stop: the message says what happened and what was left behind. */
export class ReleaseError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ReleaseError";
    }
}

/** The function and alias a release moves. */
export interface Target {
    readonly lambda: LambdaClient;
    readonly functionName: string;
    readonly alias: string;
    readonly clock: Clock;
    readonly log: (line: string) => void;
}

/** Lambda's CodeSha256: the base64 SHA-256 of the zip, as GetFunctionConfiguration reports it. */
export function codeSha256(zip: Uint8Array): string {
    return createHash("sha256").update(zip).digest("base64");
}

/** A published version's description: the deploy tag and the commit, so a version says where it came from. */
export function versionDescription(tag: string, commit: string): string {
    return `${tag} ${commit}`;
}

/** The tag and commit a version's description carries, or undefined for a version this release did not publish. */
export function parseVersionDescription(description: string | undefined): { tag: string; commit: string } | undefined {
    const [tag = "", commit = "", ...rest] = (description ?? "").split(" ");
    return parseDeployTag(tag) && /^[0-9a-f]{40}$/.test(commit) && rest.length === 0 ? { tag, commit } : undefined;
}

function routedWeights(alias: AliasConfiguration): [string, number][] {
    return Object.entries(alias.RoutingConfig?.AdditionalVersionWeights ?? {});
}

/** Polls until an update of the function's code is done; a failed update is an error with Lambda's reason. */
export async function waitUntilUpdated(target: Target, timeoutMs = 300_000, intervalMs = 2_000) {
    const deadline = target.clock.now().getTime() + timeoutMs;
    for (;;) {
        const configuration = await target.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: target.functionName }));
        if (configuration.LastUpdateStatus === "Successful") return configuration;
        if (configuration.LastUpdateStatus === "Failed") {
            throw new ReleaseError(
                `the code update of ${target.functionName} failed: ${configuration.LastUpdateStatusReason ?? "no reason given"}`,
            );
        }
        if (target.clock.now().getTime() >= deadline) {
            throw new ReleaseError(`the code update of ${target.functionName} did not finish within ${timeoutMs / 1000} s`);
        }
        await target.clock.sleep(intervalMs);
    }
}

/**
 * Uploads the built zip, waits for the update, and publishes it as a version whose code is exactly the
 * built one: the zip's digest must equal the build's, Lambda's must equal the zip's, and PublishVersion
 * is conditional on that digest, so nothing uploaded in between can be published instead.
 */
export async function publish(
    target: Target,
    zip: Uint8Array,
    builtSha256: string,
    description: string,
): Promise<{ version: string; codeSha256: string }> {
    const digest = codeSha256(zip);
    if (digest !== builtSha256) {
        throw new ReleaseError(
            `the package's SHA-256 is ${digest}, the build's ${builtSha256}: not the artifact that was built; nothing was changed`,
        );
    }
    await target.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: target.functionName, ZipFile: zip, Publish: false }));
    const updated = await waitUntilUpdated(target);
    if (updated.CodeSha256 !== digest) {
        throw new ReleaseError(`${target.functionName} reports code ${updated.CodeSha256 ?? "(none)"} after the update, not ${digest}`);
    }
    const published = await target.lambda.send(
        new PublishVersionCommand({ FunctionName: target.functionName, CodeSha256: digest, Description: description }),
    );
    if (!published.Version || published.CodeSha256 !== digest) {
        throw new ReleaseError(
            `publishing ${target.functionName} returned version ${published.Version ?? "(none)"} with code ${published.CodeSha256}`,
        );
    }
    target.log(`published ${target.functionName} version ${published.Version} (code ${digest})`);
    return { version: published.Version, codeSha256: digest };
}

async function currentAlias(target: Target): Promise<AliasConfiguration> {
    return target.lambda.send(new GetAliasCommand({ FunctionName: target.functionName, Name: target.alias }));
}

async function setAlias(target: Target, version: string, weights: Record<string, number> = {}): Promise<void> {
    await target.lambda.send(
        new UpdateAliasCommand({
            FunctionName: target.functionName,
            Name: target.alias,
            FunctionVersion: version,
            RoutingConfig: { AdditionalVersionWeights: weights },
        }),
    );
}

/** An alias must not be mid-canary when a release starts: that traffic split belongs to another run. */
function refuseUnfinishedCanary(target: Target, alias: AliasConfiguration): void {
    const routed = routedWeights(alias);
    if (routed.length > 0) {
        const [version, weight] = routed[0];
        throw new ReleaseError(
            `alias ${target.alias} of ${target.functionName} still routes ${Math.round(weight * 100)}% to version ${version}: ` +
                `an unfinished canary; roll it back before releasing again`,
        );
    }
}

/** Points the alias at a version with all traffic; returns the version it served before. */
export async function pointAlias(target: Target, version: string): Promise<string> {
    const alias = await currentAlias(target);
    refuseUnfinishedCanary(target, alias);
    const previous = alias.FunctionVersion ?? "";
    await setAlias(target, version);
    target.log(`alias ${target.alias} of ${target.functionName}: version ${previous} -> ${version} (all traffic)`);
    return previous;
}

/** What a canary watches and for how long. */
export interface CanaryPlan {
    readonly cloudwatch: CloudWatchClient;
    /** Alarms that roll the canary back when any of them is in ALARM. */
    readonly alarmNames: readonly string[];
    /** Percentages of traffic on the new version before it takes all of it, ascending; e.g. [10]. */
    readonly weights: readonly number[];
    /** How long each weight bakes while the alarms are watched. */
    readonly bakeMs: number;
    /** How often the alarms are read during the bake. */
    readonly pollMs: number;
}

/** The named alarms in state ALARM; a named alarm that does not exist is an error (fail closed). */
async function firingAlarms(plan: CanaryPlan): Promise<string[]> {
    const { MetricAlarms = [], CompositeAlarms = [] } = await plan.cloudwatch.send(
        new DescribeAlarmsCommand({ AlarmNames: [...plan.alarmNames], AlarmTypes: ["MetricAlarm", "CompositeAlarm"] }),
    );
    const states = new Map([...MetricAlarms, ...CompositeAlarms].map((alarm) => [alarm.AlarmName ?? "", alarm.StateValue ?? ""]));
    const missing = plan.alarmNames.filter((name) => !states.has(name));
    if (missing.length > 0) throw new ReleaseError(`alarm ${missing.join(", ")} does not exist: a canary needs alarms it can watch`);
    return plan.alarmNames.filter((name) => states.get(name) === "ALARM");
}

/** An alarm fired during a canary's bake; the message already says where the alias went back to. */
class AlarmFired extends ReleaseError {}

/** Watches the alarms for the bake time; throws when one fires (the caller restores the alias). */
async function bake(target: Target, plan: CanaryPlan, weight: number, version: string, previous: string): Promise<void> {
    const until = target.clock.now().getTime() + plan.bakeMs;
    for (;;) {
        const firing = await firingAlarms(plan);
        if (firing.length > 0) {
            throw new AlarmFired(
                `alarm ${firing.join(", ")} fired with ${weight}% of traffic on version ${version}: ` +
                    `alias ${target.alias} of ${target.functionName} rolled back to version ${previous} (all traffic)`,
            );
        }
        const left = until - target.clock.now().getTime();
        if (left <= 0) return;
        await target.clock.sleep(Math.min(plan.pollMs, left));
    }
}

/**
 * Shifts the alias to a new version in steps (weighted routing: the old version stays primary, the new
 * one takes each weight in turn), baking each while the alarms are watched, then gives it all traffic.
 * When an alarm fires, the routing is removed (all traffic back on the old version) and the release fails.
 * Returns the version the alias served before.
 */
export async function canary(target: Target, version: string, plan: CanaryPlan): Promise<string> {
    if (plan.alarmNames.length === 0) throw new ReleaseError("a canary needs at least one alarm to watch");
    const alias = await currentAlias(target);
    refuseUnfinishedCanary(target, alias);
    const previous = alias.FunctionVersion ?? "";
    if (previous === version) {
        target.log(`alias ${target.alias} of ${target.functionName} already serves version ${version}; nothing to shift`);
        return previous;
    }
    const already = await firingAlarms(plan);
    if (already.length > 0) {
        throw new ReleaseError(`alarm ${already.join(", ")} is in ALARM before the canary starts; alias ${target.alias} was not changed`);
    }
    for (const weight of plan.weights) {
        await setAlias(target, previous, { [version]: weight / 100 });
        target.log(`alias ${target.alias}: ${weight}% on version ${version}, ${100 - weight}% on version ${previous}; baking`);
        try {
            await bake(target, plan, weight, version, previous);
        } catch (error) {
            // Whatever stopped the bake (an alarm, an alarm gone, CloudWatch unreachable), the new version
            // must not keep its share of traffic unwatched.
            await setAlias(target, previous);
            if (error instanceof AlarmFired) throw error;
            throw new ReleaseError(
                `the canary of version ${version} stopped (${error instanceof Error ? error.message : String(error)}): ` +
                    `alias ${target.alias} of ${target.functionName} rolled back to version ${previous} (all traffic)`,
            );
        }
    }
    await setAlias(target, version);
    target.log(`alias ${target.alias} of ${target.functionName}: version ${previous} -> ${version} (all traffic, canary green)`);
    return previous;
}

/**
 * Ends an interrupted canary (a cancelled or failed job): removes the routing, so all traffic is on the
 * alias's primary version, the one it served before. Returns what was removed, or undefined if nothing.
 */
export async function abortCanary(target: Target): Promise<string | undefined> {
    const alias = await currentAlias(target);
    const routed = routedWeights(alias);
    if (routed.length === 0) {
        target.log(`alias ${target.alias} of ${target.functionName} routes nothing; nothing to undo`);
        return undefined;
    }
    await setAlias(target, alias.FunctionVersion ?? "");
    const removed = routed.map(([v, w]) => `${Math.round(w * 100)}% on version ${v}`).join(", ");
    target.log(`alias ${target.alias} of ${target.functionName}: removed ${removed}; all traffic on version ${alias.FunctionVersion}`);
    return removed;
}

/** A published version with what its description says about it. */
export interface PublishedVersion {
    readonly version: string;
    readonly codeSha256: string;
    readonly tag?: string;
    readonly commit?: string;
}

/** Every published version of the function (not $LATEST), oldest first. */
export async function publishedVersions(target: Target): Promise<PublishedVersion[]> {
    const versions: PublishedVersion[] = [];
    let marker: string | undefined;
    do {
        const page = await target.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: target.functionName, Marker: marker }));
        for (const v of page.Versions ?? []) {
            if (!v.Version || v.Version === "$LATEST") continue;
            versions.push({ version: v.Version, codeSha256: v.CodeSha256 ?? "", ...parseVersionDescription(v.Description) });
        }
        marker = page.NextMarker;
    } while (marker);
    return versions.sort((a, b) => Number(a.version) - Number(b.version));
}

/** Successful deployments of the service in the alias's environment, newest first: the rollback history. */
export interface DeploymentHistory {
    successfulDeployTags(): Promise<string[]>;
}

/** Where a rollback goes: a given version, the version a tag was deployed as, or the previous recorded deployment. */
export interface RollbackRequest {
    readonly version?: string;
    readonly tag?: string;
    readonly history?: DeploymentHistory;
}

/** The rollback's target and where the alias is now; nothing is changed. */
export async function rollbackTarget(target: Target, request: RollbackRequest): Promise<{ current: string; target: PublishedVersion }> {
    const alias = await currentAlias(target);
    const current = alias.FunctionVersion ?? "";
    const versions = await publishedVersions(target);
    let chosen: PublishedVersion | undefined;
    if (request.version) {
        chosen = versions.find((v) => v.version === request.version);
        if (!chosen) throw new ReleaseError(`${target.functionName} has no published version ${request.version}`);
    } else if (request.tag) {
        chosen = versions.filter((v) => v.tag === request.tag).pop();
        if (!chosen) throw new ReleaseError(`no published version of ${target.functionName} was deployed as ${request.tag}`);
    } else {
        if (!request.history) throw new ReleaseError("give a version or a tag to roll back to");
        const currentTag = versions.find((v) => v.version === current)?.tag;
        const tags = await request.history.successfulDeployTags();
        const at = currentTag ? tags.indexOf(currentTag) : -1;
        if (at < 0) {
            throw new ReleaseError(
                `version ${current} that alias ${target.alias} serves is not a recorded deployment; give a version or a tag to roll back to`,
            );
        }
        for (const tag of tags.slice(at + 1)) {
            chosen = versions.filter((v) => v.tag === tag).pop();
            if (chosen) break;
        }
        if (!chosen) throw new ReleaseError(`no deployment before ${currentTag} is recorded with a published version to roll back to`);
    }
    if (chosen.version === current) {
        throw new ReleaseError(`alias ${target.alias} of ${target.functionName} already serves version ${current}; nothing to roll back`);
    }
    return { current, target: chosen };
}

/** Points the alias back at the target version, all traffic, removing any canary routing. */
export async function rollback(target: Target, version: string): Promise<string> {
    const alias = await currentAlias(target);
    await setAlias(target, version);
    target.log(`alias ${target.alias} of ${target.functionName} rolled back: version ${alias.FunctionVersion} -> ${version} (all traffic)`);
    return alias.FunctionVersion ?? "";
}
