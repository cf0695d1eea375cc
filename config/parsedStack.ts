/**
 * What every check reads: one stack's keys as their schemas parsed them, with the values derived from them
 * (the environment, the repositories this stack serves, the protection with its defaults). Built once per
 * stack file; pure.
 */
import { readDocument, parseKeys, type ParsedKeys } from "./document";
import { parseBackendConfig, type BackendConfig } from "./pulumiCloud";
import { resolveRepositories, type ResolvedRepository } from "./repositories";
import { configKey, type ConfigProblem } from "./problems";
import { ENVIRONMENTS, type Environment } from "./schema";
import { stackEnvironment } from "./shards";
import type { RawConfig } from "./stackFiles";
import { MINIMUM_APPROVALS, PROD_LOG_RETENTION_DAYS, type EnvironmentProtection, type RepositoryConfig, type StackConfig } from "./types";

/** The facts a check shares with the typed config, as the typed config has them. */
type SharedFacts =
    "stack" | "stackFile" | "environment" | "accountId" | "region" | "prefix" | "deployableServices" | "repositories" | "protection";

export interface ParsedStack extends Pick<StackConfig, SharedFacts> {
    /** The config as the engine handed it over (strings), for the keys no schema of ours reads. */
    readonly raw: RawConfig;
    /** Our keys that passed their schemas; a failed key is absent, and the rules that need it stay unchecked. */
    readonly parsed: ParsedKeys;
    /** The shard this stack holds (config/shards.ts); undefined in the foundation tier's stack. */
    readonly shard?: string;
    /** Whether the stack's name decides the environment (`prod`, `prod-<shard>`); else the key or prod does. */
    readonly knownStack: boolean;
    /** Why the stack's name fits no environment, when it does not. */
    readonly stackNameProblem?: string;
    /** This environment's repositories, each with the position of the entry it was declared as. */
    readonly resolved: readonly ResolvedRepository[];
    readonly ownsRepositoryRuleset: boolean;
    readonly logRetentionDays: number;
    /** The backend and Pulumi Cloud keys through their own parser, with its problems. */
    readonly backend: { readonly value: BackendConfig; readonly problems: readonly ConfigProblem[] };
}

/** The protection the stack asks for, each field defaulted for its environment. */
function protectionOf(parsed: ParsedKeys, environment: Environment): EnvironmentProtection {
    const p = parsed.environmentProtection;
    return {
        requiredApprovals: p?.requiredApprovals ?? MINIMUM_APPROVALS[environment],
        reviewerTeams: p?.reviewers.teams ?? [],
        reviewerUsers: p?.reviewers.users ?? [],
        preventSelfReview: p?.preventSelfReview ?? environment !== "dev",
        waitTimerMinutes: p?.waitTimerMinutes ?? 0,
        branchPatterns: p?.branchPatterns ?? ["main"],
        tagPatterns: p?.tagPatterns ?? [],
        deployWindow: p?.deployWindow,
    };
}

/** The Pulumi Cloud settings through their parser, which checks them against the rest of the file. */
function backendOf(raw: RawConfig, parsed: ParsedKeys, environment: Environment, repositories: readonly RepositoryConfig[]) {
    return parseBackendConfig(
        { backend: parsed.backend, pulumiCloud: raw.values[configKey("pulumiCloud")] },
        {
            environment,
            githubOwner: parsed.githubOwner ?? "",
            foundationRepository: repositories.find((repository) => repository.deploys.foundation)?.name,
            slackWebhookSet: raw.values[configKey("slackWebhook")] !== undefined,
            configKeys: Object.keys(raw.values),
        },
    );
}

/** The stack's keys as parsed, and what follows from them. */
export function parsedStack(raw: RawConfig, stack: string, stackFile: string, parsed: ParsedKeys): ParsedStack {
    // A shard's stack is `<environment>-<shard>` (config/shards.ts); the stack's name decides the environment.
    const shape = stackEnvironment(stack, parsed.shard);
    const environment: Environment = "environment" in shape ? shape.environment : (parsed.environment ?? "prod");
    const resolved = resolveRepositories(parsed.repositories ?? [], environment);
    const repositories = resolved.map((r) => r.repository);
    return {
        stack,
        stackFile,
        raw,
        parsed,
        shard: parsed.shard,
        knownStack: "environment" in shape,
        stackNameProblem: "problem" in shape ? shape.problem : undefined,
        environment,
        accountId: parsed.accountId ?? "",
        region: raw.values["aws:region"] ?? "",
        prefix: parsed.prefix ?? "",
        deployableServices: parsed.deployableServices ?? [],
        resolved,
        repositories,
        protection: protectionOf(parsed, environment),
        ownsRepositoryRuleset: parsed.ownsRepositoryRuleset ?? false,
        logRetentionDays: parsed.monitoring?.logRetentionDays ?? (environment === "prod" ? PROD_LOG_RETENTION_DAYS : 90),
        backend: backendOf(raw, parsed, environment, repositories),
    };
}

/** The environment a stack's name gives (`prod`, or `prod-<shard>` for a shard's stack), for `{environment}`. */
export function namedEnvironment(stack: string): Environment | undefined {
    return ENVIRONMENTS.find((e) => stack === e || stack.startsWith(`${e}-`));
}

/** Reads a stack's config up to the rules: the keys' own problems, and the parsed stack the checks read. */
export function readStack(
    raw: RawConfig,
    stack: string,
    stackFile: string,
): { stack: ParsedStack; keyProblems: ConfigProblem[]; schemaProblems: ConfigProblem[] } {
    const { document, problems: keyProblems } = readDocument(raw, namedEnvironment(stack));
    const { parsed, problems: schemaProblems } = parseKeys(document);
    return { stack: parsedStack(raw, stack, stackFile, parsed), keyProblems, schemaProblems };
}
