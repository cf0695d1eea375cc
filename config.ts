import * as pulumi from "@pulumi/pulumi";
import { parseBackendConfig, type Backend, type PulumiCloudConfig } from "./config/pulumiCloud";

/** The project's config namespace; every key of ours is `cicd-foundation:<key>`. */
export const PROJECT = "cicd-foundation";

export const ENVIRONMENTS = ["dev", "sit", "prod"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** Approvals each environment needs at least (seeds 002 §7.4: dev 1, sit 2, prod 3). */
export const MINIMUM_APPROVALS: Readonly<Record<Environment, number>> = { dev: 1, sit: 2, prod: 3 };

/** GitHub accepts at most six reviewers (users and teams together) on an environment. */
export const MAX_ENVIRONMENT_REVIEWERS = 6;

export const SEVERITIES = ["critical", "warning", "info"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Retention values CloudWatch Logs accepts; anything else is rejected by the API at `pulumi up`. */
export const LOG_RETENTION_DAYS = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Regions where the resources of this program exist; a typo here would only fail at `pulumi up`. */
export const KNOWN_REGIONS = [
    "af-south-1",
    "ap-east-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
] as const;

/** Resource name patterns a repository's deployer role may manage, per service. */
export interface DeployScope {
    readonly dynamodbTables: readonly string[];
    readonly s3Buckets: readonly string[];
    readonly lambdaFunctions: readonly string[];
    /** The repository that holds this program: its deployer manages the foundation itself. */
    readonly foundation: boolean;
}

export interface RepositoryConfig {
    /** Repository name under the owner, e.g. `2_1_bbws_dynamodb_schemas`. */
    readonly name: string;
    /**
     * Repositories created after 2026-07-15 present immutable OIDC subjects
     * (`repo:OWNER@OWNER_ID/REPO@REPO_ID:...`); when true the ids are looked up and both forms are trusted.
     */
    readonly immutableSubject: boolean;
    readonly deploys: DeployScope;
}

export interface EnvironmentProtection {
    /** Approvals the seeds require; met by the reviewers plus the repository ruleset (see README). */
    readonly requiredApprovals: number;
    readonly reviewerTeams: readonly string[];
    readonly reviewerUsers: readonly string[];
    readonly preventSelfReview: boolean;
    readonly waitTimerMinutes: number;
    readonly branchPatterns: readonly string[];
    readonly tagPatterns: readonly string[];
}

export interface SlackChannel {
    readonly name: string;
    readonly workspaceId: string;
    readonly channelId: string;
    readonly severities: readonly Severity[];
}

export type ComparisonOperator =
    "GreaterThanOrEqualToThreshold" | "GreaterThanThreshold" | "LessThanThreshold" | "LessThanOrEqualToThreshold";

export interface DeclaredAlarm {
    /** Stable key: the alarm's resource name and CloudWatch name derive from it. */
    readonly name: string;
    readonly description: string;
    readonly namespace: string;
    readonly metricName: string;
    readonly dimensions: Readonly<Record<string, string>>;
    /** `Sum`, `Average`, `Maximum`, `Minimum`, `SampleCount`, or a percentile such as `p99`. */
    readonly statistic: string;
    readonly threshold: number;
    readonly comparison: ComparisonOperator;
    readonly periodSeconds: number;
    readonly evaluationPeriods: number;
    readonly severity: Severity;
    readonly treatMissingData: "missing" | "ignore" | "breaching" | "notBreaching";
}

export interface StackConfig {
    readonly stack: string;
    readonly stackFile: string;
    readonly environment: Environment;
    readonly accountId: string;
    readonly region: string;
    readonly prefix: string;
    readonly githubOwner: string;
    readonly repositories: readonly RepositoryConfig[];
    readonly state: {
        readonly noncurrentVersionDays: number;
        readonly abortIncompleteUploadDays: number;
        readonly terraformLockTable: boolean;
    };
    readonly protection: EnvironmentProtection;
    /** Exactly one stack owns the repository rulesets, so three stacks never fight over them. */
    readonly ownsRepositoryRuleset: boolean;
    /** Environment whose gated jobs may read this environment's ledger (promotion checks). */
    readonly ledgerReaderEnvironment?: Environment;
    readonly permissionsBoundaryArn?: string;
    readonly slackWebhook?: pulumi.Output<string>;
    readonly githubToken?: pulumi.Output<string>;
    readonly notifications: {
        readonly emails: Readonly<Record<Severity, readonly string[]>>;
        readonly slackChannels: readonly SlackChannel[];
    };
    readonly monitoring: {
        readonly logRetentionDays: number;
        readonly cloudTrailLogGroup?: string;
        readonly alarms: readonly DeclaredAlarm[];
    };
    /** `s3` (default) or `pulumi-cloud`; see config/pulumiCloud.ts. */
    readonly backend: Backend;
    /** Present exactly in pulumi-cloud mode. */
    readonly pulumiCloud?: PulumiCloudConfig;
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

/** Raw config as the engine hands it over: fully qualified keys, values as strings (JSON for structures). */
export interface RawConfig {
    readonly values: Readonly<Record<string, string>>;
    readonly secretKeys: readonly string[];
}

const KEYS = {
    environment: "environment",
    accountId: "accountId",
    prefix: "prefix",
    githubOwner: "githubOwner",
    repositories: "repositories",
    state: "state",
    environmentProtection: "environmentProtection",
    ownsRepositoryRuleset: "ownsRepositoryRuleset",
    ledgerReaderEnvironment: "ledgerReaderEnvironment",
    permissionsBoundaryArn: "permissionsBoundaryArn",
    slackWebhook: "slackWebhook",
    githubToken: "githubToken",
    notifications: "notifications",
    monitoring: "monitoring",
    backend: "backend",
    pulumiCloud: "pulumiCloud",
} as const;
const SECRET_KEYS: readonly string[] = [KEYS.slackWebhook, KEYS.githubToken];

const ACCOUNT_ID = /^\d{12}$/;
const PREFIX = /^[a-z][a-z0-9-]{1,19}$/;
const GITHUB_LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const REPOSITORY_NAME = /^[A-Za-z0-9._-]{1,100}$/;
const RESOURCE_PATTERN = /^[A-Za-z0-9._*-]{1,255}$/;
const TEAM_SLUG = /^[a-z0-9][a-z0-9_-]{0,99}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const SLACK_WORKSPACE = /^T[A-Z0-9]{6,}$/;
const SLACK_CHANNEL = /^C[A-Z0-9]{6,}$/;
const METRIC_STATISTIC = /^(Sum|Average|Maximum|Minimum|SampleCount|p\d{1,2}(\.\d+)?)$/;
const COMPARISONS: readonly ComparisonOperator[] = [
    "GreaterThanOrEqualToThreshold",
    "GreaterThanThreshold",
    "LessThanThreshold",
    "LessThanOrEqualToThreshold",
];
const MISSING_DATA = ["missing", "ignore", "breaching", "notBreaching"] as const;
const IAM_ARN = /^arn:aws:iam::\d{12}:policy\/[\w+=,.@/-]+$/;

/** Collects every problem of one file so that all are reported at once. */
class Problems {
    readonly list: string[] = [];
    constructor(private readonly stackFile: string) {}
    add(key: string, message: string): void {
        this.list.push(`${this.stackFile}: ${key} ${message}`);
    }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(value: unknown): value is JsonObject {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Reads typed fields of one config object, reporting wrong types against the full key path. */
class Reader {
    constructor(
        private readonly problems: Problems,
        readonly path: string,
        private readonly obj: JsonObject,
        allowed: readonly string[],
    ) {
        for (const key of Object.keys(obj)) {
            if (!allowed.includes(key)) problems.add(this.key(key), `is not a known key (known: ${allowed.join(", ")})`);
        }
    }

    /** Top-level keys read `cicd-foundation:key`; nested ones `cicd-foundation:key.sub`. */
    private key(name: string): string {
        return this.path.endsWith(":") ? `${this.path}${name}` : `${this.path}.${name}`;
    }

    has(name: string): boolean {
        return this.obj[name] !== undefined && this.obj[name] !== null;
    }

    string(name: string, fallback: string, pattern?: RegExp, shape?: string): string {
        const value = this.obj[name];
        if (value === undefined || value === null) return fallback;
        if (typeof value !== "string") {
            this.problems.add(this.key(name), "must be a string");
            return fallback;
        }
        if (pattern && !pattern.test(value)) {
            this.problems.add(this.key(name), `must be ${shape ?? `a string matching ${pattern}`}, got '${value}'`);
        }
        return value;
    }

    boolean(name: string, fallback: boolean): boolean {
        const value = this.obj[name];
        if (value === undefined || value === null) return fallback;
        if (typeof value !== "boolean") {
            this.problems.add(this.key(name), `must be true or false, got ${JSON.stringify(value)}`);
            return fallback;
        }
        return value;
    }

    integer(name: string, fallback: number, min: number, max: number): number {
        const value = this.obj[name];
        if (value === undefined || value === null) return fallback;
        if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
            this.problems.add(this.key(name), `must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
            return fallback;
        }
        return value;
    }

    number(name: string, fallback: number): number {
        const value = this.obj[name];
        if (value === undefined || value === null) {
            this.problems.add(this.key(name), "is required");
            return fallback;
        }
        if (typeof value !== "number" || !Number.isFinite(value)) {
            this.problems.add(this.key(name), `must be a number, got ${JSON.stringify(value)}`);
            return fallback;
        }
        return value;
    }

    strings(name: string, pattern: RegExp, shape: string): string[] {
        const value = this.obj[name];
        if (value === undefined || value === null) return [];
        if (!Array.isArray(value)) {
            this.problems.add(this.key(name), "must be a list");
            return [];
        }
        const out: string[] = [];
        value.forEach((item, i) => {
            if (typeof item !== "string" || !pattern.test(item)) {
                this.problems.add(`${this.key(name)}[${i}]`, `must be ${shape}, got ${JSON.stringify(item)}`);
            } else if (out.includes(item)) {
                this.problems.add(`${this.key(name)}[${i}]`, `repeats '${item}'`);
            } else {
                out.push(item);
            }
        });
        return out;
    }

    /** A free-form map of string values, such as metric dimensions. */
    stringMap(name: string): Record<string, string> {
        const value = this.obj[name];
        const out: Record<string, string> = {};
        if (value === undefined || value === null) return out;
        if (!isObject(value)) {
            this.problems.add(this.key(name), "must be an object");
            return out;
        }
        for (const [k, v] of Object.entries(value)) {
            if (typeof v !== "string") this.problems.add(`${this.key(name)}.${k}`, "must be a string");
            else out[k] = v;
        }
        return out;
    }

    oneOf<T extends string>(name: string, options: readonly T[], fallback: T): T {
        const value = this.obj[name];
        if (value === undefined || value === null) return fallback;
        if (typeof value !== "string" || !(options as readonly string[]).includes(value)) {
            this.problems.add(this.key(name), `must be one of ${options.join(", ")}, got ${JSON.stringify(value)}`);
            return fallback;
        }
        return value as T;
    }

    object(name: string, allowed: readonly string[]): Reader {
        const value = this.obj[name];
        if (value !== undefined && value !== null && !isObject(value)) {
            this.problems.add(this.key(name), "must be an object");
        }
        return new Reader(this.problems, this.key(name), isObject(value) ? value : {}, allowed);
    }

    list(name: string): { reader: (allowed: readonly string[]) => Reader }[] {
        const value = this.obj[name];
        if (value === undefined || value === null) return [];
        if (!Array.isArray(value)) {
            this.problems.add(this.key(name), "must be a list");
            return [];
        }
        return value.map((item, index) => ({
            reader: (allowed: readonly string[]) => {
                if (!isObject(item)) this.problems.add(`${this.key(name)}[${index}]`, "must be an object");
                return new Reader(this.problems, `${this.key(name)}[${index}]`, isObject(item) ? item : {}, allowed);
            },
        }));
    }
}

function parseJson(problems: Problems, key: string, text: string): Json {
    try {
        return JSON.parse(text) as Json;
    } catch {
        // Plain strings are stored unquoted by `pulumi config set`.
        if (text.trimStart().startsWith("{") || text.trimStart().startsWith("[")) {
            problems.add(key, "is not valid JSON");
        }
        return text;
    }
}

function isResourcePattern(value: string): boolean {
    return RESOURCE_PATTERN.test(value) && value.replace(/\*/g, "").length > 0;
}

/**
 * Parses and validates one stack's config. Pure: no resource is created from a bad config, and every
 * problem of the file is reported at once, each naming its key and the stack file.
 */
export function parseStackConfig(raw: RawConfig, stack: string, stackFile = `Pulumi.${stack}.yaml`): StackConfig {
    const problems = new Problems(stackFile);
    const ns = (key: string) => `${PROJECT}:${key}`;

    const ours: JsonObject = {};
    for (const [fullKey, text] of Object.entries(raw.values)) {
        const [namespace, ...rest] = fullKey.split(":");
        const key = rest.join(":");
        if (namespace !== PROJECT) continue;
        if (!(Object.values(KEYS) as string[]).includes(key)) {
            problems.add(fullKey, `is not a known key (known: ${Object.values(KEYS).join(", ")})`);
            continue;
        }
        if (SECRET_KEYS.includes(key)) {
            if (!raw.secretKeys.includes(fullKey)) {
                problems.add(fullKey, `must be set with 'pulumi config set --secret ${key}', never in plain text`);
            }
            continue;
        }
        ours[key] = parseJson(problems, fullKey, text);
    }
    const top = new Reader(problems, `${PROJECT}:`, ours, Object.values(KEYS));
    // Top-level keys are reported as `cicd-foundation:key`, nested ones as `cicd-foundation:key.sub`.
    const topKey = (key: string) => ns(key);

    // Environment
    const environmentRaw = ours[KEYS.environment];
    let environment: Environment = "prod";
    if (typeof environmentRaw !== "string" || !(ENVIRONMENTS as readonly string[]).includes(environmentRaw)) {
        problems.add(topKey(KEYS.environment), `must be one of ${ENVIRONMENTS.join(", ")}, got ${JSON.stringify(environmentRaw ?? null)}`);
    } else {
        environment = environmentRaw as Environment;
        if (environment !== stack) {
            problems.add(topKey(KEYS.environment), `must match the stack name '${stack}', got '${environment}'`);
        }
    }

    // AWS account and region
    // Read as the engine passes it: a leading zero (prod's 093646564004) must survive.
    const accountId = raw.values[ns(KEYS.accountId)] ?? "";
    if (!ACCOUNT_ID.test(accountId)) {
        problems.add(
            topKey(KEYS.accountId),
            `must be a 12-digit AWS account id in quotes, got ${JSON.stringify(raw.values[ns(KEYS.accountId)] ?? null)}`,
        );
    }
    const region = raw.values["aws:region"] ?? "";
    if (!(KNOWN_REGIONS as readonly string[]).includes(region)) {
        problems.add("aws:region", `must be a known AWS region, got ${JSON.stringify(raw.values["aws:region"] ?? null)}`);
    }
    const allowedText = raw.values["aws:allowedAccountIds"];
    const allowed = allowedText === undefined ? undefined : parseJson(problems, "aws:allowedAccountIds", allowedText);
    // Checked against a valid account id only; a bad accountId is already reported above.
    if (ACCOUNT_ID.test(accountId) && (!Array.isArray(allowed) || allowed.length !== 1 || allowed[0] !== accountId)) {
        problems.add(
            "aws:allowedAccountIds",
            `must be exactly ["${accountId}"] so this stack can never touch another account, got ${allowedText ?? "nothing"}`,
        );
    }
    const tagsText = raw.values["aws:defaultTags"];
    const tags = tagsText === undefined ? undefined : parseJson(problems, "aws:defaultTags", tagsText);
    const environmentTag = isObject(tags) && isObject(tags.tags) ? tags.tags.Environment : undefined;
    // The stack decides the environment; a mismatched `environment` key is reported once, above.
    const expectedTag = (ENVIRONMENTS as readonly string[]).includes(stack) ? stack : environment;
    if (environmentTag !== expectedTag) {
        problems.add("aws:defaultTags", `must set tags.Environment to '${expectedTag}', got ${JSON.stringify(environmentTag ?? null)}`);
    }

    const prefix = top.string(KEYS.prefix, "", PREFIX, "2 to 20 lowercase letters, digits or hyphens, starting with a letter");
    if (!top.has(KEYS.prefix)) problems.add(topKey(KEYS.prefix), "is required");
    const githubOwner = top.string(KEYS.githubOwner, "", GITHUB_LOGIN, "a GitHub user or organisation login");
    if (!top.has(KEYS.githubOwner)) problems.add(topKey(KEYS.githubOwner), "is required");

    // Repositories
    const repositories: RepositoryConfig[] = [];
    const repoItems = top.list(KEYS.repositories);
    if (repoItems.length === 0) problems.add(topKey(KEYS.repositories), "must list at least one repository");
    for (const item of repoItems) {
        const r = item.reader(["name", "immutableSubject", "deploys"]);
        const name = r.string("name", "", REPOSITORY_NAME, "a GitHub repository name (letters, digits, '.', '_', '-')");
        if (!r.has("name")) problems.add(`${r.path}.name`, "is required");
        if (name === "." || name === "..") problems.add(`${r.path}.name`, `must be a repository name, got '${name}'`);
        if (repositories.some((existing) => existing.name === name)) problems.add(`${r.path}.name`, `repeats '${name}'`);
        const d = r.object("deploys", ["dynamodbTables", "s3Buckets", "lambdaFunctions", "foundation"]);
        const shape = "a resource name pattern (letters, digits, '.', '_', '-', '*'), not '*' alone";
        const patterns = (key: string) => {
            const list = d.strings(key, RESOURCE_PATTERN, shape);
            list.forEach((p, i) => {
                if (!isResourcePattern(p)) problems.add(`${d.path}.${key}[${i}]`, `must be ${shape}, got '${p}'`);
            });
            return list;
        };
        repositories.push({
            name,
            immutableSubject: r.boolean("immutableSubject", false),
            deploys: {
                dynamodbTables: patterns("dynamodbTables"),
                s3Buckets: patterns("s3Buckets"),
                lambdaFunctions: patterns("lambdaFunctions"),
                foundation: d.boolean("foundation", false),
            },
        });
    }

    // State backend
    const s = top.object(KEYS.state, ["noncurrentVersionDays", "abortIncompleteUploadDays", "terraformLockTable"]);
    const state = {
        noncurrentVersionDays: s.integer("noncurrentVersionDays", 90, 1, 3650),
        abortIncompleteUploadDays: s.integer("abortIncompleteUploadDays", 7, 1, 365),
        terraformLockTable: s.boolean("terraformLockTable", false),
    };

    // Environment protection
    const p = top.object(KEYS.environmentProtection, [
        "requiredApprovals",
        "reviewers",
        "preventSelfReview",
        "waitTimerMinutes",
        "branchPatterns",
        "tagPatterns",
    ]);
    const reviewers = p.object("reviewers", ["teams", "users"]);
    const branchPatternShape = "a branch name pattern";
    const protection: EnvironmentProtection = {
        requiredApprovals: p.integer("requiredApprovals", MINIMUM_APPROVALS[environment], 1, MAX_ENVIRONMENT_REVIEWERS),
        reviewerTeams: reviewers.strings("teams", TEAM_SLUG, "a team slug (lowercase letters, digits, '-', '_')"),
        reviewerUsers: reviewers.strings("users", GITHUB_LOGIN, "a GitHub username"),
        preventSelfReview: p.boolean("preventSelfReview", environment !== "dev"),
        waitTimerMinutes: p.integer("waitTimerMinutes", 0, 0, 43200),
        branchPatterns: p.has("branchPatterns") ? p.strings("branchPatterns", /^\S{1,255}$/, branchPatternShape) : ["main"],
        tagPatterns: p.strings("tagPatterns", /^\S{1,255}$/, "a tag name pattern"),
    };
    const protectionKey = `${PROJECT}:${KEYS.environmentProtection}`;
    if (protection.requiredApprovals < MINIMUM_APPROVALS[environment]) {
        problems.add(
            `${protectionKey}.requiredApprovals`,
            `must be at least ${MINIMUM_APPROVALS[environment]} in ${environment}, got ${protection.requiredApprovals}`,
        );
    }
    const reviewerCount = protection.reviewerTeams.length + protection.reviewerUsers.length;
    if (reviewerCount > MAX_ENVIRONMENT_REVIEWERS) {
        problems.add(
            `${protectionKey}.reviewers`,
            `lists ${reviewerCount}; GitHub allows at most ${MAX_ENVIRONMENT_REVIEWERS} per environment`,
        );
    } else if (reviewerCount < protection.requiredApprovals) {
        problems.add(
            `${protectionKey}.reviewers`,
            `lists ${reviewerCount} but requiredApprovals is ${protection.requiredApprovals}: name at least that many teams or users`,
        );
    }
    if (environment !== "dev" && !protection.preventSelfReview) {
        problems.add(
            `${protectionKey}.preventSelfReview`,
            `must be true in ${environment}: a deployer cannot approve their own deployment`,
        );
    }
    if (protection.branchPatterns.length + protection.tagPatterns.length === 0) {
        problems.add(
            `${protectionKey}.branchPatterns`,
            "must name at least one branch or tag pattern: an empty policy blocks every deployment",
        );
    }
    protection.branchPatterns.forEach((pattern, i) => {
        const key = `${protectionKey}.branchPatterns[${i}]`;
        if (/^\*+$/.test(pattern)) {
            problems.add(key, `'${pattern}' lets every branch deploy, pull-request branches included; name the branches (default: main)`);
        } else if (/^(refs\/)?pull\//.test(pattern)) {
            problems.add(
                key,
                `'${pattern}' targets pull-request refs; previews run without an environment and never need a deployment branch`,
            );
        }
    });

    const ownsRepositoryRuleset = top.boolean(KEYS.ownsRepositoryRuleset, false);
    // The ruleset carries the largest approval count of all environments: prod's.
    if (ownsRepositoryRuleset && protection.requiredApprovals < MINIMUM_APPROVALS.prod) {
        problems.add(
            topKey(KEYS.ownsRepositoryRuleset),
            `needs environmentProtection.requiredApprovals of at least ${MINIMUM_APPROVALS.prod} (the largest environment's count), got ${protection.requiredApprovals}`,
        );
    }
    const ledgerReaderEnvironment = top.has(KEYS.ledgerReaderEnvironment)
        ? top.oneOf<Environment>(KEYS.ledgerReaderEnvironment, ENVIRONMENTS, "prod")
        : undefined;
    if (ledgerReaderEnvironment !== undefined) {
        const next = ENVIRONMENTS[ENVIRONMENTS.indexOf(environment) + 1];
        if (ledgerReaderEnvironment !== next) {
            problems.add(
                topKey(KEYS.ledgerReaderEnvironment),
                next
                    ? `must be '${next}', the environment ${environment} promotes to`
                    : `must be absent in ${environment}: nothing promotes from it`,
            );
        }
    }
    const permissionsBoundaryArn = top.has(KEYS.permissionsBoundaryArn)
        ? top.string(KEYS.permissionsBoundaryArn, "", IAM_ARN, "an IAM managed policy ARN")
        : undefined;

    // Secrets
    const secretValue = (key: string) => {
        const fullKey = ns(key);
        return raw.secretKeys.includes(fullKey) && raw.values[fullKey] !== undefined ? pulumi.secret(raw.values[fullKey]) : undefined;
    };
    const slackWebhook = secretValue(KEYS.slackWebhook);
    if (environment === "prod" && slackWebhook === undefined && raw.values[ns(KEYS.slackWebhook)] === undefined) {
        problems.add(
            ns(KEYS.slackWebhook),
            "is required in prod (seeds 002 §7.5.1): run 'pulumi config set --secret slackWebhook <url>' on the prod stack",
        );
    }

    // Notifications
    const n = top.object(KEYS.notifications, ["emails", "slackChannels"]);
    const e = n.object("emails", SEVERITIES);
    const emails = {
        critical: e.strings("critical", EMAIL, "an email address"),
        warning: e.strings("warning", EMAIL, "an email address"),
        info: e.strings("info", EMAIL, "an email address"),
    };
    const slackChannels: SlackChannel[] = n.list("slackChannels").map((item) => {
        const c = item.reader(["name", "workspaceId", "channelId", "severities"]);
        for (const required of ["name", "workspaceId", "channelId"]) {
            if (!c.has(required)) problems.add(`${c.path}.${required}`, "is required: AWS Chatbot needs the workspace and channel ids");
        }
        const severities = c.strings("severities", /^(critical|warning|info)$/, `one of ${SEVERITIES.join(", ")}`) as Severity[];
        return {
            name: c.string("name", "", /^#[a-z0-9_-]{1,80}$/, "a Slack channel name such as '#prod-alerts'"),
            workspaceId: c.string("workspaceId", "", SLACK_WORKSPACE, "a Slack workspace id such as 'T0123ABCD'"),
            channelId: c.string("channelId", "", SLACK_CHANNEL, "a Slack channel id such as 'C0123ABCD'"),
            severities: severities.length > 0 ? severities : ["critical"],
        };
    });

    // Monitoring
    const m = top.object(KEYS.monitoring, ["logRetentionDays", "cloudTrailLogGroup", "alarms"]);
    const defaultRetention = environment === "prod" ? 2557 : 90;
    const logRetentionDays = m.integer("logRetentionDays", defaultRetention, 1, 3653);
    if (!(LOG_RETENTION_DAYS as readonly number[]).includes(logRetentionDays)) {
        problems.add(
            `${m.path}.logRetentionDays`,
            `must be one of CloudWatch's values (${LOG_RETENTION_DAYS.join(", ")}), got ${logRetentionDays}`,
        );
    } else if (environment === "prod" && logRetentionDays < 2557) {
        problems.add(`${m.path}.logRetentionDays`, `must be at least 2557 (7 years) in prod for audit records, got ${logRetentionDays}`);
    }
    const cloudTrailLogGroup = m.has("cloudTrailLogGroup")
        ? m.string("cloudTrailLogGroup", "", /^[\w#/.-]{1,512}$/, "a CloudWatch log group name")
        : undefined;
    const alarmNames = new Set<string>();
    const alarms: DeclaredAlarm[] = m.list("alarms").map((item) => {
        const a = item.reader([
            "name",
            "description",
            "namespace",
            "metricName",
            "dimensions",
            "statistic",
            "threshold",
            "comparison",
            "periodSeconds",
            "evaluationPeriods",
            "severity",
            "treatMissingData",
        ]);
        for (const required of ["name", "namespace", "metricName", "statistic", "severity"]) {
            if (!a.has(required)) problems.add(`${a.path}.${required}`, "is required");
        }
        const name = a.string("name", "", /^[a-z0-9][a-z0-9-]{0,62}$/, "lowercase letters, digits and hyphens");
        if (alarmNames.has(name)) problems.add(`${a.path}.name`, `repeats '${name}'`);
        alarmNames.add(name);
        return {
            name,
            description: a.string("description", name),
            namespace: a.string("namespace", "", /^[^:\s][^:]{0,254}$/, "a CloudWatch namespace"),
            metricName: a.string("metricName", "", /^\S{1,255}$/, "a metric name"),
            dimensions: a.stringMap("dimensions"),
            statistic: a.string(
                "statistic",
                "Sum",
                METRIC_STATISTIC,
                "Sum, Average, Maximum, Minimum, SampleCount or a percentile such as p99",
            ),
            threshold: a.number("threshold", 0),
            comparison: a.oneOf("comparison", COMPARISONS, "GreaterThanOrEqualToThreshold"),
            periodSeconds: a.integer("periodSeconds", 300, 10, 86400),
            evaluationPeriods: a.integer("evaluationPeriods", 1, 1, 100),
            severity: a.oneOf("severity", SEVERITIES, "warning"),
            treatMissingData: a.oneOf("treatMissingData", MISSING_DATA, "notBreaching"),
        };
    });
    // Backend: validated by its own schema, its problems reported with the rest of the file's.
    const backendConfig = parseBackendConfig(
        { backend: raw.values[ns(KEYS.backend)], pulumiCloud: raw.values[ns(KEYS.pulumiCloud)] },
        {
            environment,
            githubOwner,
            foundationRepository: repositories.find((repository) => repository.deploys.foundation)?.name,
            slackWebhookSet: raw.values[ns(KEYS.slackWebhook)] !== undefined,
        },
    );
    for (const problem of backendConfig.problems) problems.add(problem.key, problem.message);
    if (problems.list.length > 0) throw new ConfigError(stackFile, problems.list);

    return {
        stack,
        stackFile,
        environment,
        accountId,
        region,
        prefix,
        githubOwner,
        repositories,
        state,
        protection,
        ownsRepositoryRuleset,
        ledgerReaderEnvironment,
        permissionsBoundaryArn,
        slackWebhook,
        githubToken: secretValue(KEYS.githubToken),
        notifications: { emails, slackChannels },
        monitoring: { logRetentionDays, cloudTrailLogGroup, alarms },
        ...backendConfig.value,
    };
}

/** Reads the running stack's config from the engine and validates it. */
export function loadConfig(): StackConfig {
    const values = pulumi.runtime.allConfig();
    // The SDK exports isConfigSecret at run time but not in its typings; it reads the secret keys the CLI passes.
    const runtimeConfig = pulumi.runtime as unknown as { isConfigSecret(key: string): boolean };
    const secretKeys = Object.keys(values).filter((key) => runtimeConfig.isConfigSecret(key));
    return parseStackConfig({ values, secretKeys }, pulumi.getStack());
}
