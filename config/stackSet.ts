/**
 * Stacks validated together: each file on its own, then the rules only visible across them (config/crossStack.ts,
 * config/shards.ts), reading the other stacks' files beside the one a run is for. Pure but for reading those files.
 */
import { crossStackProblems, type StackSummary } from "./crossStack";
import { githubServerAcrossStacks } from "./checks/githubServer";
import { ConfigError } from "./errors";
import { parseStackConfig } from "./parse";
import { formatProblem, type ConfigProblem } from "./problems";
import { ENVIRONMENTS } from "./schema";
import { shardSetProblems, type ShardStack } from "./shards";
import { displayName, projectRoot, readStackFile, siblingStackFiles, StackFileError, stackFilePath, type RawConfig } from "./stackFiles";
import type { StackConfig } from "./types";

/** One stack file to validate, with the config the engine (or a tool) hands over for it. */
export interface StackInput {
    readonly stack: string;
    readonly raw: RawConfig;
    /** The file as errors name it; by default the raw config's file, else `Pulumi.<stack>.yaml`. */
    readonly stackFile?: string;
}

const summary = (c: StackConfig): StackSummary => ({
    stack: c.stack,
    file: c.stackFile,
    environment: c.environment,
    accountId: c.accountId,
    githubOwner: c.githubOwner,
    ownsRepositoryRuleset: c.ownsRepositoryRuleset,
    repositories: c.repositories,
});

/**
 * Each environment as a whole: its foundation tier's stack with the repositories of every stack of the
 * environment (its shards' included). Without shards, the stacks as they are.
 */
export function environmentViews(configs: readonly StackConfig[]): StackConfig[] {
    return configs
        .filter((c) => c.sharding?.shard === undefined)
        .map((c) => ({
            ...c,
            repositories: configs.filter((o) => o.environment === c.environment).flatMap((o) => o.repositories),
        }));
}

/** What the shard rules read of a stack (config/shards.ts). */
const shardStack = (c: StackConfig): ShardStack => ({
    stack: c.stack,
    file: c.stackFile,
    environment: c.environment,
    shard: c.sharding?.shard,
    listed: c.sharding?.listed ?? c.repositories,
    served: c.repositories,
    shared: {
        accountId: c.accountId,
        "aws:region": c.region,
        prefix: c.prefix,
        githubOwner: c.githubOwner,
        // One GitHub for the whole organisation: a shard talks to its tier's server and trusts its issuer.
        githubBaseUrl: c.githubBaseUrl,
        githubPlan: c.githubPlan,
        state: c.state,
        environmentProtection: c.protection,
        "monitoring.cloudTrailLogGroup": c.monitoring.cloudTrailLogGroup,
        accountQuotas: c.accountQuotas,
    },
    ownsRepositoryRuleset: c.ownsRepositoryRuleset,
    deploymentPolicies: c.protection.branchPatterns.length + c.protection.tagPatterns.length,
});

/** The rules across stacks, on stacks each valid on its own: each environment judged as a whole, the shards as shards. */
function stackSetProblems(configs: readonly StackConfig[]): ConfigProblem[] {
    const tiers = environmentViews(configs);
    const shards = configs.some((c) => c.sharding) ? shardSetProblems(configs.map(shardStack)) : [];
    const present = new Set(tiers.map((c) => c.environment));
    const missing = ENVIRONMENTS.filter((e) => !present.has(e));
    if (missing.length === 0)
        return [
            ...shards,
            ...crossStackProblems(tiers.map(summary)),
            ...githubServerAcrossStacks(tiers.map((c) => ({ file: c.stackFile, githubBaseUrl: c.githubBaseUrl }))),
        ];
    const absent: ConfigProblem = {
        file: tiers.map((c) => c.stackFile).join(", "),
        key: "",
        message: `${missing.map((e) => `Pulumi.${e}.yaml`).join(", ")} not found beside it: the rules across stacks need dev, sit and prod`,
    };
    return [...shards, absent];
}

/**
 * Validates stacks together: each file on its own, then, once every file is valid, the rules across them.
 * `primary` stacks report all their problems; `neighbours` (read only for the rules across stacks) are
 * summed up in one line each, so a run for one stack names what to fix without repeating another's list.
 */
export function validateStacks(
    primary: readonly StackInput[],
    neighbours: readonly StackInput[] = [],
): { configs: StackConfig[]; problems: string[]; neighbours: StackConfig[] } {
    const configs: StackConfig[] = [];
    const problems: string[] = [];
    for (const input of [...primary, ...neighbours]) {
        try {
            configs.push(parseStackConfig(input.raw, input.stack, input.stackFile));
        } catch (error) {
            if (!(error instanceof ConfigError)) throw error;
            if (primary.includes(input)) problems.push(...error.problems);
            else {
                problems.push(
                    `${error.stackFile}: has ${error.problems.length} problem(s) of its own, so the rules across stacks cannot be checked: run 'npm run synth -- --stack ${input.stack}' to list them`,
                );
            }
        }
    }
    if (problems.length > 0) return { configs: configs.slice(0, primary.length), problems, neighbours: [] };
    return {
        configs: configs.slice(0, primary.length),
        problems: stackSetProblems(configs).map((p) => formatProblem(p, p.file ?? "")),
        neighbours: configs.slice(primary.length),
    };
}

/** Reads another stack's file for the rules across stacks; an unreadable one is a problem of the run. */
function neighbourInput(stack: string, file: string): StackInput | string {
    try {
        return { stack, raw: readStackFile(file), stackFile: displayName(file) };
    } catch (error) {
        if (error instanceof StackFileError) return error.message;
        throw error;
    }
}

/**
 * Validates one stack's config together with the other stacks' files beside it (beside Pulumi.yaml, or
 * beside the file a tool runs), and returns it typed; throws a ConfigError listing every problem.
 */
export function validateStack(raw: RawConfig, stack: string, stackFile = raw.stackFile ?? stackFilePath(stack)): StackConfig {
    return validateStackSet(raw, stack, stackFile).config;
}

/**
 * {@link validateStack}, returning the other stacks' configs too: the stack that owns the GitHub side derives
 * every environment's names (accounts, prefixes, regions) from their files, never from their state.
 */
export function validateStackSet(
    raw: RawConfig,
    stack: string,
    stackFile = raw.stackFile ?? stackFilePath(stack),
): { config: StackConfig; others: StackConfig[] } {
    const file = displayName(stackFile);
    const neighbours: StackInput[] = [];
    const unreadable: string[] = [];
    for (const sibling of siblingStackFiles(stackFile, stack, projectRoot())) {
        const input = neighbourInput(sibling.stack, sibling.file);
        if (typeof input === "string") unreadable.push(input);
        else neighbours.push(input);
    }
    const { configs, problems, neighbours: others } = validateStacks([{ stack, raw, stackFile: file }], neighbours);
    if (problems.length > 0 || unreadable.length > 0) throw new ConfigError(file, [...problems, ...unreadable]);
    return { config: configs[0], others };
}
