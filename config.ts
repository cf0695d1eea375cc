/**
 * The program's front door: a stack file's config, validated and typed. The schema is declared once
 * (config/schema.ts, zod) and the types here are inferred from it; rules that need the environment, the
 * cloud's limits (config/rules.ts) or the other stacks (config/crossStack.ts) run on what it parsed.
 * Every problem of a run is reported at once, each naming its key and the file, before any resource exists.
 */
import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { containerRepositoryProblems } from "./config/container";
import { crossStackProblems, type StackSummary } from "./config/crossStack";
import { alarmProblems } from "./config/checks/alarms";
import { githubServer, githubServerAcrossStacks, githubServerProblems } from "./config/checks/githubServer";
import { parseBackendConfig, type PulumiCloudConfig } from "./config/pulumiCloud";
import { lambdaFunctionProblems } from "./components/permissions/lambda";
import { resolveRepositories, withEnvironment } from "./config/repositories";
import { oidcProviderArn, pulumiOidcProviderArn } from "./shared/arns";
import { servedRepositories, shardProblems, stackEnvironment, type ShardStack } from "./config/shards";
import { iamDocumentProblems } from "./components/permissions/limits";
import {
    alarmPeriodProblem,
    alarmRangeProblem,
    bucketNameProblem,
    bucketPatternProblem,
    deployableServiceProblem,
    refPatternProblem,
    SCOPE_KEYS,
    mixedServiceProblems,
    scopeProblems,
    secretNamedPaths,
    serviceScopeProblems,
} from "./config/rules";
import {
    AWS_KEYS,
    ENVIRONMENTS,
    KNOWN_NAMESPACES,
    LOG_RETENTION_DAYS,
    PROJECT,
    PROJECT_KEYS,
    RETIRED_KEYS,
    SECRET_KEYS,
    SEVERITIES,
    type alarmSchema,
    type Backend,
    type deployScopeSchema,
    type DeployWindow,
    type Environment,
    type GithubPlan,
    type ProjectKey,
    type repositorySchema,
    type slackChannelSchema,
} from "./config/schema";
import {
    configOrigin,
    displayName,
    projectRoot,
    readStackFile,
    siblingStackFiles,
    STACK_FILE_VARIABLE,
    StackFileError,
    stackFilePath,
    type RawConfig,
} from "./config/stackFiles";

export {
    COMPARISONS,
    ENVIRONMENTS,
    KNOWN_REGIONS,
    LOG_RETENTION_DAYS,
    PROJECT,
    REPOSITORY_KINDS,
    SEVERITIES,
    type Backend,
    type ComparisonOperator,
    type Environment,
    type RepositoryKind,
    type Severity,
} from "./config/schema";
export type { RawConfig } from "./config/stackFiles";

/** Approvals each environment needs at least: dev one, sit two, prod three. */
export const MINIMUM_APPROVALS: Readonly<Record<Environment, number>> = { dev: 1, sit: 2, prod: 3 };

/** GitHub accepts at most six reviewers (users and teams together) on an environment. */
export const MAX_ENVIRONMENT_REVIEWERS = 6;

/** Prod keeps audit records seven years. */
const PROD_LOG_RETENTION_DAYS = 2557;

/** Resource name patterns a repository's deployer role may manage, per service. */
export type DeployScope = Readonly<z.infer<typeof deployScopeSchema>>;
export type RepositoryConfig = Readonly<z.infer<typeof repositorySchema>>;
export type SlackChannel = Readonly<z.infer<typeof slackChannelSchema>>;
export type DeclaredAlarm = Readonly<Omit<z.infer<typeof alarmSchema>, "description"> & { description: string }>;

/** An OIDC provider the account already has: `adopt` looks it up and leaves it alone, `import` manages it from now on. */
export interface ExistingOidcProvider {
    readonly mode: "adopt" | "import";
    readonly arn: string;
}

export interface EnvironmentProtection {
    /** Met by the reviewers plus the repository ruleset: GitHub environments take one approval (see README). */
    readonly requiredApprovals: number;
    readonly reviewerTeams: readonly string[];
    readonly reviewerUsers: readonly string[];
    readonly preventSelfReview: boolean;
    readonly waitTimerMinutes: number;
    readonly branchPatterns: readonly string[];
    readonly tagPatterns: readonly string[];
    /** The days and local hours deploys may start in; none: any time. */
    readonly deployWindow?: DeployWindow;
}

export interface StackConfig {
    readonly stack: string;
    /** The stack file as errors name it. */
    readonly stackFile: string;
    readonly environment: Environment;
    readonly accountId: string;
    readonly region: string;
    readonly prefix: string;
    readonly githubOwner: string;
    readonly repositories: readonly RepositoryConfig[];
    /** The organisation's allow-list of IAM service prefixes Terraform repositories may declare (the boundary's ceiling). */
    readonly deployableServices: readonly string[];
    readonly state: {
        readonly noncurrentVersionDays: number;
        readonly abortIncompleteUploadDays: number;
        readonly terraformLockTable: boolean;
    };
    readonly protection: EnvironmentProtection;
    /** Exactly one stack owns the repository rulesets, so three stacks never fight over them. */
    readonly ownsRepositoryRuleset: boolean;
    /** Derived: the environment promoted to, whose gated jobs read this environment's ledger. None in prod. */
    readonly ledgerReaderEnvironment?: Environment;
    readonly backend: Backend;
    /** Pulumi Cloud settings, present exactly in `pulumi-cloud` mode (config/pulumiCloud.ts). */
    readonly pulumiCloud?: PulumiCloudConfig;
    readonly slackWebhook?: pulumi.Output<string>;
    readonly githubToken?: pulumi.Output<string>;
    readonly notifications: {
        readonly emails: Readonly<Record<(typeof SEVERITIES)[number], readonly string[]>>;
        readonly slackChannels: readonly SlackChannel[];
    };
    readonly monitoring: {
        readonly logRetentionDays: number;
        readonly cloudTrailLogGroup?: string;
        readonly alarms: readonly DeclaredAlarm[];
    };
    /** What prod's stack grants each repository in GitHub (only the stack that owns the GitHub side acts on it). */
    readonly githubAccess: { readonly appInstallationIds: readonly string[]; readonly grantReviewerTeams: boolean };
    /** A GitHub Enterprise Server's `https://HOST/`; undefined on github.com (config/checks/githubServer.ts). */
    readonly githubBaseUrl?: string;
    /** The organisation's GitHub plan as the stack file states it, for a token GitHub hides it from. */
    readonly githubPlan?: GithubPlan;
    /** OIDC providers that already exist in the account, adopted or imported instead of created. */
    readonly oidcProviders: { readonly github?: ExistingOidcProvider; readonly pulumi?: ExistingOidcProvider };
    /** The account's IAM role quota and the roles the pipelines will create (components/accountQuotas.ts). */
    readonly accountQuotas: { readonly iamRoles: number; readonly executionRolesPerLambdaPattern: number };
    /** Present when the project uses shards (config/shards.ts): `repositories` then holds this stack's only. */
    readonly sharding?: Sharding;
}

/** A stack's place among the shards. */
export interface Sharding {
    /** The shard this stack holds; undefined in the foundation tier's stack. */
    readonly shard?: string;
    /** The repository holding this program, served by the foundation tier: a shard's roles trust its workflows. */
    readonly foundationRepository: string;
    /** Every entry the stack's config lists, its own and other shards'. */
    readonly listed: readonly RepositoryConfig[];
}

/**
 * Thrown for a bad stack config; `problems` lists every one of them, each naming its key and file.
 * A RunError, so the Pulumi CLI prints the message without a stack trace.
 */
export class ConfigError extends pulumi.RunError {
    constructor(
        public readonly stackFile: string,
        public readonly problems: readonly string[],
    ) {
        super(`${stackFile} has ${problems.length} problem(s):\n  - ${problems.join("\n  - ")}`);
        this.name = "ConfigError";
    }

    /**
     * By name, not by class: the program runs compiled from bin/ while the tools and tests import this
     * source, so one error meets two copies of the class.
     */
    static override [Symbol.hasInstance](value: unknown): boolean {
        return value instanceof Error && value.name === "ConfigError" && Array.isArray((value as Partial<ConfigError>).problems);
    }
}

const ns = (key: string) => `${PROJECT}:${key}`;
const PROJECT_KEY_NAMES = Object.keys(PROJECT_KEYS) as ProjectKey[];

/** `cicd-foundation:a.b[2].c` from a key and a zod path. */
function keyPath(top: string, path: readonly PropertyKey[]): string {
    return path.reduce<string>((out, part) => (typeof part === "number" ? `${out}[${part}]` : `${out}.${String(part)}`), top);
}

/** Every problem a schema finds in one value, each as `key message`. */
function schemaProblems(top: string, issues: readonly z.core.$ZodIssue[]): string[] {
    return issues.flatMap((issue) =>
        issue.code === "unrecognized_keys"
            ? issue.keys.map((k) => `${keyPath(top, [...issue.path, k])} ${issue.message}`)
            : [`${keyPath(top, issue.path)} ${issue.message}`],
    );
}

/** A value as the engine passes it (a string) turned back into the stack file's value. */
function decode(text: string): { value: unknown } | { invalid: true } {
    const trimmed = text.trimStart();
    if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
        try {
            return { value: JSON.parse(text) as unknown };
        } catch {
            return { invalid: true };
        }
    }
    if (text === "true" || text === "false") return { value: text === "true" };
    return { value: text };
}

/** The closest of our keys to a misspelt one (same letters, case aside), for a hint. */
function nearestKey(name: string): string | undefined {
    const bare = name.toLowerCase().replace(/[^a-z]/g, "");
    return PROJECT_KEY_NAMES.find((k) => k.toLowerCase() === bare);
}

/**
 * Parses and validates one stack's config. Pure: no resource is created from a bad config, and every
 * problem of the file is reported at once, each naming its key and the stack file.
 */
export function parseStackConfig(raw: RawConfig, stack: string, stackFile?: string): StackConfig {
    const file = stackFile ?? (raw.stackFile ? displayName(raw.stackFile) : `Pulumi.${stack}.yaml`);
    const problems: string[] = [];
    const add = (key: string, message: string) => problems.push(`${file}: ${key} ${message}`);
    // Repositories declared once in Pulumi.yaml: their problems name that file.
    const repositoriesFile = raw.projectFile && raw.projectKeys?.includes(ns("repositories")) ? displayName(raw.projectFile) : file;
    const addRepository = (key: string, message: string) => problems.push(`${repositoriesFile}: ${key} ${message}`);
    // The environment a stack's name gives (`prod`, or `prod-<shard>` for a shard's stack), for `{environment}`.
    const namedEnvironment = ENVIRONMENTS.find((e) => stack === e || stack.startsWith(`${e}-`));

    // 1. Every key: its namespace known, its name known, secrets encrypted, structures valid JSON.
    const document: Partial<Record<ProjectKey, unknown>> = {};
    for (const [fullKey, value] of Object.entries(raw.values)) {
        const colon = fullKey.indexOf(":");
        if (colon < 0) {
            add(fullKey, `has no namespace, so nothing reads it; write '${ns(fullKey)}'`);
            continue;
        }
        const namespace = fullKey.slice(0, colon);
        const key = fullKey.slice(colon + 1);
        if (!(KNOWN_NAMESPACES as readonly string[]).includes(namespace)) {
            const hint = nearestKey(key) ? `; did you mean '${ns(nearestKey(key) as string)}'?` : "";
            add(fullKey, `is in namespace '${namespace}', which nothing reads (known: ${KNOWN_NAMESPACES.join(", ")})${hint}`);
            continue;
        }
        // A credential in plain text is readable by anyone who can read the repository: refused in every namespace.
        // Our own secret keys say so through their schema.
        if (!raw.secretKeys.includes(fullKey) && !(namespace === PROJECT && (SECRET_KEYS as string[]).includes(key))) {
            const decodedValue = decode(value);
            for (const path of secretNamedPaths(fullKey, "value" in decodedValue ? decodedValue.value : value)) {
                add(path, `names a secret, so it must be set with 'pulumi config set --secret ${fullKey}', never in plain text`);
            }
        }
        if (namespace !== PROJECT) continue;
        if (RETIRED_KEYS[key]) {
            add(fullKey, RETIRED_KEYS[key]);
            continue;
        }
        if (!(PROJECT_KEY_NAMES as string[]).includes(key)) {
            add(fullKey, `is not a known key (known: ${PROJECT_KEY_NAMES.join(", ")})`);
            continue;
        }
        if ((SECRET_KEYS as string[]).includes(key)) {
            // The schema sees a secret's shape, never its value.
            document[key as ProjectKey] = raw.secretKeys.includes(fullKey) ? { secure: "[secret]" } : value;
            continue;
        }
        const decoded = decode(value);
        if ("invalid" in decoded) add(fullKey, "is not valid JSON");
        else document[key as ProjectKey] = decoded.value;
    }
    // Name patterns may say `{environment}`; the schema checks them as this stack reads them.
    if (namedEnvironment) document.repositories = withEnvironment(document.repositories, namedEnvironment);

    // 2. Each of our keys against its schema; a key that fails leaves the rules below that need it unchecked.
    const parsed: { -readonly [K in ProjectKey]?: z.infer<(typeof PROJECT_KEYS)[K]> } = {};
    for (const key of PROJECT_KEY_NAMES) {
        const result = PROJECT_KEYS[key].safeParse(document[key], { reportInput: true });
        if (result.success) (parsed as Record<string, unknown>)[key] = result.data;
        else
            problems.push(
                ...schemaProblems(ns(key), result.error.issues).map((p) => `${key === "repositories" ? repositoriesFile : file}: ${p}`),
            );
    }

    // 3. Rules that need more than one key. The stack decides the environment; a mismatch is reported once.
    // A shard's stack is `<environment>-<shard>` (config/shards.ts).
    const shard = parsed.shard;
    const shape = stackEnvironment(stack, shard);
    const knownStack = "environment" in shape;
    const environment: Environment = "environment" in shape ? shape.environment : (parsed.environment ?? "prod");
    if ("problem" in shape) add(ns(shard === undefined ? "environment" : "shard"), shape.problem);
    else if (parsed.environment !== undefined && parsed.environment !== environment) {
        add(ns("environment"), `must match the stack name '${stack}', got '${parsed.environment}'`);
    }

    const accountId = parsed.accountId ?? "";
    const region = raw.values["aws:region"] ?? "";
    if (!AWS_KEYS["aws:region"].safeParse(region).success) {
        add("aws:region", `must be a known AWS region, got ${JSON.stringify(raw.values["aws:region"] ?? null)}`);
    }
    const allowedText = raw.values["aws:allowedAccountIds"];
    const allowed = allowedText === undefined ? undefined : decode(allowedText);
    if (allowed && "invalid" in allowed) add("aws:allowedAccountIds", "is not valid JSON");
    else if (parsed.accountId !== undefined) {
        const list = allowed?.value;
        if (!Array.isArray(list) || list.length !== 1 || list[0] !== accountId) {
            add(
                "aws:allowedAccountIds",
                `must be exactly ["${accountId}"] so this stack can never touch another account, got ${allowedText ?? "nothing"}`,
            );
        }
    }
    const tagsText = raw.values["aws:defaultTags"];
    const tags = tagsText === undefined ? undefined : decode(tagsText);
    if (tags && "invalid" in tags) add("aws:defaultTags", "is not valid JSON");
    else {
        const environmentTag = (tags?.value as { tags?: { Environment?: unknown } } | undefined)?.tags?.Environment;
        if (environmentTag !== environment) {
            add("aws:defaultTags", `must set tags.Environment to '${environment}', got ${JSON.stringify(environmentTag ?? null)}`);
        }
    }

    // Every bucket name the program derives from the prefix must be one S3 takes.
    const prefix = parsed.prefix ?? "";
    let prefixRefused = false;
    if (parsed.prefix !== undefined) {
        for (const bucket of [`${prefix}-state-${environment}`, `${prefix}-state-access-logs-${environment}`]) {
            const problem = bucketNameProblem(bucket);
            if (problem) {
                add(ns("prefix"), `'${prefix}' makes the bucket name '${bucket}', which S3 refuses: a bucket name ${problem}`);
                prefixRefused = true;
                break;
            }
        }
    }

    const deployableServices = parsed.deployableServices ?? [];
    deployableServices.forEach((service, i) => {
        const problem = deployableServiceProblem(service);
        if (problem) add(ns(`deployableServices[${i}]`), problem);
    });
    // The declared entries resolved into this stack's list; errors name the entry as declared.
    const resolved = resolveRepositories(parsed.repositories ?? [], environment);
    const repositories: RepositoryConfig[] = resolved.map((r) => r.repository);
    const entryOf = (i: number) => resolved[i].entryIndex;
    if (parsed.repositories) {
        const seen = new Map<string, string>();
        repositories.forEach((r, i) => {
            const key = ns(`repositories[${entryOf(i)}]`);
            const first = seen.get(r.name.toLowerCase());
            if (first === undefined) seen.set(r.name.toLowerCase(), r.name);
            else if (first === r.name) addRepository(`${key}.name`, `repeats '${r.name}'`);
            else addRepository(`${key}.name`, `repeats '${first}' as '${r.name}': GitHub repository names ignore case`);
            r.deploys.s3Buckets.forEach((pattern, j) => {
                const problem = bucketPatternProblem(pattern);
                if (problem)
                    addRepository(`${key}.deploys.s3Buckets[${j}]`, `'${pattern}' names no bucket S3 takes: a bucket name ${problem}`);
            });
            if (r.kind === "lambda" && !r.deploys.foundation && r.deploys.lambdaFunctions.length === 0) {
                addRepository(
                    `${key}.deploys.lambdaFunctions`,
                    `is empty for Lambda repository '${r.name}': its deployer deploys only the functions named here, and IAM refuses a policy with an empty Resource list; list its functions' name patterns`,
                );
            }
            for (const problem of lambdaFunctionProblems({ prefix, accountId }, r)) addRepository(`${key}.${problem.key}`, problem.message);
            if (parsed.deployableServices !== undefined) {
                const scope = { name: r.name, kind: r.kind, resources: r.deploys.resources, tagged: r.deploys.tagged };
                for (const problem of serviceScopeProblems(scope, deployableServices, file))
                    addRepository(`${key}.deploys.${problem.key}`, problem.message);
            }
            for (const problem of containerRepositoryProblems(r, prefixRefused ? undefined : parsed.prefix))
                addRepository(`${key}.${problem.key}`, problem.message);
            if (r.deploys.foundation && r.shard !== undefined) {
                addRepository(
                    `${key}.shard`,
                    `is '${r.shard}' for the foundation's repository '${r.name}': it stays in the foundation tier's stacks, whose boundary its deployer administers`,
                );
            }
            if (r.deploys.foundation && r.kind !== "pulumi") {
                addRepository(
                    `${key}.kind`,
                    `must be 'pulumi' for the foundation's repository (deploys.foundation: true), got '${r.kind}'`,
                );
            }
        });
        if (parsed.prefix !== undefined) {
            const entries = repositories.flatMap((r, i) => [
                ...SCOPE_KEYS.flatMap((service) =>
                    r.deploys[service].map((pattern, position) => ({ repository: r.name, index: entryOf(i), service, position, pattern })),
                ),
                ...Object.entries(r.deploys.resources ?? {}).flatMap(([name, patterns]) =>
                    patterns.map((pattern, position) => ({
                        repository: r.name,
                        index: entryOf(i),
                        service: `resources.${name}` as const,
                        position,
                        pattern,
                    })),
                ),
            ]);
            for (const problem of scopeProblems(prefix, ENVIRONMENTS, entries)) addRepository(ns(problem.key), problem.message);
            const declared = repositories.map((r) => ({ name: r.name, resources: r.deploys.resources, tagged: r.deploys.tagged }));
            for (const problem of mixedServiceProblems(declared)) {
                addRepository(ns(`repositories[${entryOf(problem.index)}].deploys.${problem.key}`), problem.message);
            }
        }
        const foundations = repositories.map((r, i) => ({ r, i: entryOf(i) })).filter(({ r }) => r.deploys.foundation);
        if (repositories.length === 0) {
            addRepository(
                ns("repositories"),
                `serves no repository in ${environment}: list at least one entry whose 'environments' include it`,
            );
        } else if (foundations.length === 0) {
            addRepository(
                ns("repositories"),
                "must mark exactly one repository with deploys.foundation: true (the repository holding this program), got none",
            );
        }
        for (const { r, i } of foundations.slice(1)) {
            addRepository(
                ns(`repositories[${i}].deploys.foundation`),
                `is true for '${r.name}' too, after '${foundations[0].r.name}': only the repository holding this program gets the foundation's IAM and KMS rights`,
            );
        }
    }

    const p = parsed.environmentProtection;
    const protectionKey = ns("environmentProtection");
    const protection: EnvironmentProtection = {
        requiredApprovals: p?.requiredApprovals ?? MINIMUM_APPROVALS[environment],
        reviewerTeams: p?.reviewers.teams ?? [],
        reviewerUsers: p?.reviewers.users ?? [],
        preventSelfReview: p?.preventSelfReview ?? environment !== "dev",
        waitTimerMinutes: p?.waitTimerMinutes ?? 0,
        branchPatterns: p?.branchPatterns ?? ["main"],
        tagPatterns: p?.tagPatterns ?? [],
        deployWindow: p?.deployWindow,
    };
    if (p) {
        if (protection.requiredApprovals < MINIMUM_APPROVALS[environment]) {
            add(
                `${protectionKey}.requiredApprovals`,
                `must be at least ${MINIMUM_APPROVALS[environment]} in ${environment}, got ${protection.requiredApprovals}`,
            );
        }
        const reviewerCount = protection.reviewerTeams.length + protection.reviewerUsers.length;
        if (reviewerCount > MAX_ENVIRONMENT_REVIEWERS) {
            add(`${protectionKey}.reviewers`, `lists ${reviewerCount}; GitHub allows at most ${MAX_ENVIRONMENT_REVIEWERS} per environment`);
        } else if (reviewerCount < protection.requiredApprovals) {
            add(
                `${protectionKey}.reviewers`,
                `lists ${reviewerCount} but requiredApprovals is ${protection.requiredApprovals}: name at least that many teams or users`,
            );
        }
        if (environment !== "dev" && !protection.preventSelfReview) {
            add(`${protectionKey}.preventSelfReview`, `must be true in ${environment}: a deployer cannot approve their own deployment`);
        }
        if (protection.branchPatterns.length + protection.tagPatterns.length === 0) {
            add(`${protectionKey}.branchPatterns`, "must name at least one branch or tag pattern: an empty policy blocks every deployment");
        }
        protection.branchPatterns.forEach((pattern, i) => {
            const problem = refPatternProblem(pattern, "branch", environment);
            if (problem) add(`${protectionKey}.branchPatterns[${i}]`, problem);
        });
        protection.tagPatterns.forEach((pattern, i) => {
            const problem = refPatternProblem(pattern, "tag", environment);
            if (problem) add(`${protectionKey}.tagPatterns[${i}]`, problem);
        });
    }

    const ownsRepositoryRuleset = parsed.ownsRepositoryRuleset ?? false;
    // The GitHub side of all three environments is written by the stack deployed only after prod's reviewers.
    if (ownsRepositoryRuleset && knownStack && environment !== "prod") {
        add(
            ns("ownsRepositoryRuleset"),
            `is true in ${environment}, but only prod's stack may own the GitHub settings: it is deployed only after prod's reviewers, and a key that writes one environment's settings writes every environment's`,
        );
    }
    const access = parsed.githubAccess;
    if (access && (access.appInstallationIds.length > 0 || access.grantReviewerTeams) && !ownsRepositoryRuleset) {
        add(
            ns("githubAccess"),
            "is set in a stack that does not own the GitHub settings: only prod's stack (ownsRepositoryRuleset: true) writes to GitHub",
        );
    }
    if (raw.values[ns("githubToken")] !== undefined && parsed.ownsRepositoryRuleset === false) {
        add(
            ns("githubToken"),
            "is set in a stack that does not own the GitHub settings: only prod's stack (ownsRepositoryRuleset: true) holds a GitHub write credential; this stack only reads, with a read-only GITHUB_TOKEN",
        );
    }
    // The ruleset carries the largest approval count of all environments: prod's.
    if (ownsRepositoryRuleset && p && protection.requiredApprovals < MINIMUM_APPROVALS.prod) {
        add(
            ns("ownsRepositoryRuleset"),
            `needs environmentProtection.requiredApprovals of at least ${MINIMUM_APPROVALS.prod} (the largest environment's count), got ${protection.requiredApprovals}`,
        );
    }

    const secret = (key: ProjectKey) => {
        const fullKey = ns(key);
        return raw.secretKeys.includes(fullKey) && raw.values[fullKey] !== undefined ? pulumi.secret(raw.values[fullKey]) : undefined;
    };
    if (shard !== undefined && raw.values[ns("slackWebhook")] !== undefined) {
        add(
            ns("slackWebhook"),
            `is set in shard '${shard}''s stack: the organisation's SLACK_WEBHOOK_<ENV> secret is written by the foundation tier's stack alone; remove the key here`,
        );
    }
    if (shard !== undefined && parsed.backend === "pulumi-cloud") {
        add(ns("backend"), `is 'pulumi-cloud' in shard '${shard}''s stack: shards keep their state in the environment's S3 backend`);
    }
    if (environment === "prod" && shard === undefined && raw.values[ns("slackWebhook")] === undefined) {
        add(
            ns("slackWebhook"),
            "is required in prod, where deployment and alarm notices must reach Slack: run 'pulumi config set --secret slackWebhook <url>' on the prod stack",
        );
    }

    const m = parsed.monitoring;
    const logRetentionDays = m?.logRetentionDays ?? (environment === "prod" ? PROD_LOG_RETENTION_DAYS : 90);
    if (m) {
        const key = ns("monitoring");
        if (!(LOG_RETENTION_DAYS as readonly number[]).includes(logRetentionDays)) {
            add(
                `${key}.logRetentionDays`,
                `must be one of CloudWatch's values (${LOG_RETENTION_DAYS.join(", ")}), got ${logRetentionDays}`,
            );
        } else if (environment === "prod" && logRetentionDays < PROD_LOG_RETENTION_DAYS) {
            add(
                `${key}.logRetentionDays`,
                `must be at least ${PROD_LOG_RETENTION_DAYS} (7 years) in prod for audit records, got ${logRetentionDays}`,
            );
        }
        const names = new Set<string>();
        m.alarms.forEach((a, i) => {
            const alarmKey = `${key}.alarms[${i}]`;
            if (names.has(a.name)) add(`${alarmKey}.name`, `repeats '${a.name}'`);
            names.add(a.name);
            const period = alarmPeriodProblem(a.periodSeconds);
            if (period) add(`${alarmKey}.periodSeconds`, period);
            const range = period ? undefined : alarmRangeProblem(a.periodSeconds, a.evaluationPeriods);
            if (range) add(`${alarmKey}.evaluationPeriods`, `(${a.evaluationPeriods}) ${range}`);
        });
        for (const problem of alarmProblems(m.alarms)) add(problem.key, problem.message);
    }

    // The Pulumi Cloud object has rules across its fields and the rest of the file (the ring of stacks, prod never
    // deployed on push, the foundation repository): its own parser checks them. An unknown backend is already reported above.
    const backendKnown = raw.values[ns("backend")] === undefined || parsed.backend !== undefined;
    const backendConfig = parseBackendConfig(
        { backend: parsed.backend, pulumiCloud: raw.values[ns("pulumiCloud")] },
        {
            environment,
            githubOwner: parsed.githubOwner ?? "",
            foundationRepository: repositories.find((repository) => repository.deploys.foundation)?.name,
            slackWebhookSet: raw.values[ns("slackWebhook")] !== undefined,
            configKeys: Object.keys(raw.values),
        },
    );
    if (backendKnown) for (const problem of backendConfig.problems) add(problem.key, problem.message);

    // A provider's ARN is fixed by the account and the issuer: the trust policies name exactly that one.
    const existing: { github?: ExistingOidcProvider; pulumi?: ExistingOidcProvider } = {};
    const expectedArns = {
        github: oidcProviderArn(accountId, githubServer(parsed.githubBaseUrl).oidcHost),
        pulumi: pulumiOidcProviderArn(accountId),
    };
    // On a GitHub Enterprise Server the pipelines that attest their artifacts cannot run.
    const served = repositories.map((r, i) => ({ index: entryOf(i), name: r.name, kind: r.kind }));
    for (const problem of githubServerProblems(parsed.githubBaseUrl, served)) addRepository(problem.key, problem.message);
    for (const issuer of ["github", "pulumi"] as const) {
        const declared = parsed.oidcProviders?.[issuer];
        if (!declared) continue;
        const mode = declared.adopt !== undefined ? "adopt" : "import";
        const arn = (declared.adopt ?? declared.import) as string;
        const key = `${ns("oidcProviders")}.${issuer}.${mode}`;
        if (parsed.accountId !== undefined && arn !== expectedArns[issuer])
            add(key, `must be '${expectedArns[issuer]}' (the provider the roles' trust policies name), got '${arn}'`);
        else if (issuer === "pulumi" && (parsed.backend ?? "s3") !== "pulumi-cloud")
            add(key, "names Pulumi Cloud's provider, which only the pulumi-cloud backend uses: remove it or set backend: pulumi-cloud");
        else existing[issuer] = { mode, arn };
    }

    if (problems.length > 0) throw new ConfigError(file, problems);
    const n = parsed.notifications as NonNullable<typeof parsed.notifications>;
    const config: StackConfig = {
        stack,
        stackFile: file,
        environment,
        accountId,
        region,
        prefix,
        githubOwner: parsed.githubOwner as string,
        repositories,
        deployableServices,
        state: parsed.state as NonNullable<typeof parsed.state>,
        protection,
        ownsRepositoryRuleset,
        ledgerReaderEnvironment: ENVIRONMENTS[ENVIRONMENTS.indexOf(environment) + 1],
        ...backendConfig.value,
        slackWebhook: secret("slackWebhook"),
        githubToken: secret("githubToken"),
        notifications: { emails: n.emails, slackChannels: n.slackChannels },
        monitoring: {
            logRetentionDays,
            cloudTrailLogGroup: m?.cloudTrailLogGroup,
            alarms: (m?.alarms ?? []).map((a) => ({ ...a, description: a.description ?? a.name })),
        },
        accountQuotas: parsed.accountQuotas as NonNullable<typeof parsed.accountQuotas>,
        oidcProviders: existing,
        githubAccess: parsed.githubAccess as NonNullable<typeof parsed.githubAccess>,
        githubPlan: parsed.githubPlan,
        githubBaseUrl: parsed.githubBaseUrl,
    };
    const sharded = shard !== undefined || repositories.some((r) => r.shard !== undefined);
    const shardedConfig: StackConfig = sharded
        ? {
              ...config,
              repositories: servedRepositories(repositories, shard),
              sharding: {
                  shard,
                  foundationRepository: repositories.find((r) => r.deploys.foundation)?.name ?? PROJECT,
                  listed: repositories,
              },
          }
        : config;
    // Last, on a config that is otherwise valid: every IAM document derived from it must be one IAM accepts.
    const derived = iamDocumentProblems(config);
    if (derived.length > 0)
        throw new ConfigError(
            file,
            // Keys name the entry as declared, which may list repositories this environment does not serve.
            derived.map((p) => {
                const key = p.key.replace(/^repositories\[(\d+)\]/, (_, i: string) => `repositories[${entryOf(Number(i))}]`);
                return `${key.startsWith("repositories") ? repositoriesFile : file}: ${ns(key)} ${p.message}`;
            }),
        );
    return shardedConfig;
}

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
        state: c.state,
        environmentProtection: c.protection,
        "monitoring.cloudTrailLogGroup": c.monitoring.cloudTrailLogGroup,
        accountQuotas: c.accountQuotas,
    },
    ownsRepositoryRuleset: c.ownsRepositoryRuleset,
    deploymentPolicies: c.protection.branchPatterns.length + c.protection.tagPatterns.length,
});

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
    // The rules across stacks judge each environment as a whole; the shard rules judge the shards (config/shards.ts).
    const tiers = environmentViews(configs);
    if (configs.some((c) => c.sharding)) problems.push(...shardProblems(configs.map(shardStack)));
    const present = new Set(tiers.map((c) => c.environment));
    const missing = ENVIRONMENTS.filter((e) => !present.has(e));
    if (missing.length > 0) {
        const files = tiers.map((c) => c.stackFile).join(", ");
        problems.push(
            `${files}: ${missing.map((e) => `Pulumi.${e}.yaml`).join(", ")} not found beside it: the rules across stacks need dev, sit and prod`,
        );
    } else {
        problems.push(...crossStackProblems(tiers.map(summary)));
        problems.push(...githubServerAcrossStacks(tiers.map((c) => ({ file: c.stackFile, githubBaseUrl: c.githubBaseUrl }))));
    }
    return { configs: configs.slice(0, primary.length), problems, neighbours: configs.slice(primary.length) };
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

/** Reads the running stack's config from the engine and validates it, with the rules across stacks. */
export function loadConfig(): StackConfig {
    return loadStackSet().config;
}

/** {@link loadConfig} with the other stacks' validated configs (see {@link validateStackSet}). */
export function loadStackSet(): { config: StackConfig; others: StackConfig[] } {
    const values = pulumi.runtime.allConfig();
    // The SDK exports isConfigSecret at run time but not in its typings; it reads the secret keys the CLI passes.
    const runtimeConfig = pulumi.runtime as unknown as { isConfigSecret(key: string): boolean };
    const secretKeys = Object.keys(values).filter((key) => runtimeConfig.isConfigSecret(key));
    const stack = pulumi.getStack();
    const file = process.env[STACK_FILE_VARIABLE] || stackFilePath(stack);
    let origin: ReturnType<typeof configOrigin>;
    try {
        origin = configOrigin(file);
    } catch (error) {
        if (error instanceof StackFileError) throw new ConfigError(displayName(file), [error.message]);
        throw error;
    }
    return validateStackSet({ values, secretKeys, ...origin }, stack, file);
}
