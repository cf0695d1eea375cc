/**
 * One stack's config from what the engine hands over to the typed {@link StackConfig}: read every key, parse
 * ours with their schemas, run the checks by area (config/checks/), and report every problem at once, each
 * naming its key and the file that declares it. Pure: no resource is created from a bad config.
 */
import * as pulumi from "@pulumi/pulumi";
import { awsProviderProblems, stackNameProblems } from "./checks/stack";
import { derivedDocumentProblems } from "./checks/iamDocuments";
import { githubOwnershipProblems } from "./checks/github";
import { githubServerStackProblems } from "./checks/githubServer";
import { monitoringProblems } from "./checks/monitoring";
import { notificationProblems } from "./checks/notifications";
import { declaredOidcProviders, oidcProviderProblems } from "./checks/oidcProviders";
import { prefixProblems } from "./checks/prefix";
import { protectionProblems } from "./checks/protection";
import { pulumiCloudProblems } from "./checks/pulumiCloud";
import { foundationRepositoryProblems, repositoryEntryProblems } from "./checks/repositories";
import { scopeOverlapProblems } from "./checks/scopes";
import { deployableServicesProblems } from "./checks/services";
import { shardKeyProblems } from "./checks/shards";
import { ConfigError } from "./errors";
import { readStack, type ParsedStack } from "./parsedStack";
import { configKey, formatProblem, type ConfigProblem } from "./problems";
import { ENVIRONMENTS, PROJECT, type ProjectKey } from "./schema";
import { servedRepositories } from "./shards";
import { displayName, type RawConfig } from "./stackFiles";
import type { StackConfig } from "./types";

/** A check: the parsed stack in, its problems out. */
type Check = (stack: ParsedStack) => ConfigProblem[];

/** The rules that need more than one key, by area, in the order their problems are listed. */
export const CHECKS: readonly Check[] = [
    stackNameProblems,
    awsProviderProblems,
    prefixProblems,
    deployableServicesProblems,
    repositoryEntryProblems,
    scopeOverlapProblems,
    foundationRepositoryProblems,
    protectionProblems,
    githubOwnershipProblems,
    shardKeyProblems,
    notificationProblems,
    monitoringProblems,
    pulumiCloudProblems,
    // On a GitHub Enterprise Server the pipelines that attest their artifacts cannot run.
    githubServerStackProblems,
    oidcProviderProblems,
];

/** Which file a problem names: repositories declared once in Pulumi.yaml are that file's, every other key the stack file's. */
function fileOfProblem(raw: RawConfig, file: string): (problem: ConfigProblem) => string {
    const key = configKey("repositories");
    const repositoriesFile = raw.projectFile && raw.projectKeys?.includes(key) ? displayName(raw.projectFile) : file;
    return (p) => (p.key === key || p.key.startsWith(`${key}.`) || p.key.startsWith(`${key}[`) ? repositoriesFile : file);
}

/** The typed config of a stack every check passed. */
function stackConfigOf(s: ParsedStack): StackConfig {
    const { parsed } = s;
    const secret = (key: ProjectKey) => {
        const fullKey = configKey(key);
        return s.raw.secretKeys.includes(fullKey) && s.raw.values[fullKey] !== undefined ? pulumi.secret(s.raw.values[fullKey]) : undefined;
    };
    const n = parsed.notifications as NonNullable<typeof parsed.notifications>;
    const m = parsed.monitoring;
    return {
        stack: s.stack,
        stackFile: s.stackFile,
        environment: s.environment,
        accountId: s.accountId,
        region: s.region,
        prefix: s.prefix,
        githubOwner: parsed.githubOwner as string,
        repositories: s.repositories,
        deployableServices: s.deployableServices,
        state: parsed.state as NonNullable<typeof parsed.state>,
        protection: s.protection,
        ownsRepositoryRuleset: s.ownsRepositoryRuleset,
        ledgerReaderEnvironment: ENVIRONMENTS[ENVIRONMENTS.indexOf(s.environment) + 1],
        ...s.backend.value,
        slackWebhook: secret("slackWebhook"),
        githubToken: secret("githubToken"),
        notifications: { emails: n.emails, slackChannels: n.slackChannels },
        monitoring: {
            logRetentionDays: s.logRetentionDays,
            cloudTrailLogGroup: m?.cloudTrailLogGroup,
            alarms: (m?.alarms ?? []).map((a) => ({ ...a, description: a.description ?? a.name })),
        },
        accountQuotas: parsed.accountQuotas as NonNullable<typeof parsed.accountQuotas>,
        oidcProviders: declaredOidcProviders(s),
        githubAccess: parsed.githubAccess as NonNullable<typeof parsed.githubAccess>,
        githubPlan: parsed.githubPlan,
        githubBaseUrl: parsed.githubBaseUrl,
    };
}

/** The config as this stack serves it: with shards, only its own repositories, and every entry listed beside. */
function shardedConfig(config: StackConfig, shard: string | undefined): StackConfig {
    const repositories = config.repositories;
    if (shard === undefined && !repositories.some((r) => r.shard !== undefined)) return config;
    return {
        ...config,
        repositories: servedRepositories(repositories, shard),
        sharding: { shard, foundationRepository: repositories.find((r) => r.deploys.foundation)?.name ?? PROJECT, listed: repositories },
    };
}

/**
 * Parses and validates one stack's config. Pure: no resource is created from a bad config, and every
 * problem of the file is reported at once, each naming its key and the stack file.
 */
export function parseStackConfig(raw: RawConfig, stack: string, stackFile?: string): StackConfig {
    const file = stackFile ?? (raw.stackFile ? displayName(raw.stackFile) : `Pulumi.${stack}.yaml`);
    const fileOf = fileOfProblem(raw, file);
    const { stack: parsed, keyProblems, schemaProblems } = readStack(raw, stack, file);
    // The keys' own problems name the stack file, where the engine read them; the rest name where the key is declared.
    const problems = [
        ...keyProblems.map((p) => formatProblem(p, file)),
        ...[...schemaProblems, ...CHECKS.flatMap((check) => check(parsed))].map((p) => formatProblem(p, fileOf(p))),
    ];
    if (problems.length > 0) throw new ConfigError(file, problems);
    const config = stackConfigOf(parsed);
    const derived = derivedDocumentProblems(config, parsed.resolved);
    if (derived.length > 0)
        throw new ConfigError(
            file,
            derived.map((p) => formatProblem(p, fileOf(p))),
        );
    return shardedConfig(config, parsed.shard);
}
