/**
 * The stack files' schema, declared once: the program's types are inferred from it, its errors carry exact
 * paths, and `schema/stack-config.schema.json` (what editors validate and complete with) is generated from
 * it. A key's rules that need another key (the environment) or another stack live in `rules.ts` and
 * `crossStack.ts`.
 */
import { z } from "zod";
import { isKnownTimeZone, WINDOW_DAYS } from "../shared/deployWindow";
import { ENVIRONMENTS, REPOSITORY_NAME, REPOSITORY_NAME_SHAPE, type Environment } from "../shared/formats";

/** The project's config namespace; every key of ours is `cicd-foundation:<key>`. */
export const PROJECT = "cicd-foundation";

export { ENVIRONMENTS, type Environment };

export const SEVERITIES = ["critical", "warning", "info"] as const;
export type Severity = (typeof SEVERITIES)[number];

export const REPOSITORY_KINDS = ["terraform", "lambda", "container", "pulumi"] as const;
export type RepositoryKind = (typeof REPOSITORY_KINDS)[number];

export const BACKENDS = ["s3", "pulumi-cloud"] as const;
export type Backend = (typeof BACKENDS)[number];

/** GitHub's plans as its API names them (`plan.name`): only `enterprise` keeps required reviewers on private repositories. */
export const GITHUB_PLANS = ["enterprise", "team", "pro", "free"] as const;
export type GithubPlan = (typeof GITHUB_PLANS)[number];

export const COMPARISONS = [
    "GreaterThanOrEqualToThreshold",
    "GreaterThanThreshold",
    "LessThanThreshold",
    "LessThanOrEqualToThreshold",
] as const;
export type ComparisonOperator = (typeof COMPARISONS)[number];

const MISSING_DATA = ["missing", "ignore", "breaching", "notBreaching"] as const;

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

/** Namespaces a stack file may use; a key in any other (`cicd-foundaton:`) would vanish without a word. */
export const KNOWN_NAMESPACES = [PROJECT, "aws", "github", "pulumi", "pulumiservice"] as const;

const got = (value: unknown) => JSON.stringify(value);

/** One message for every check of a schema; a missing value reads "is required" (or `required`). */
function says(describe: (input: unknown) => string, required = "is required") {
    return { error: (issue: { input?: unknown }) => (issue.input === undefined ? required : describe(issue.input)) };
}

const text = (pattern: RegExp, shape: string, required?: string) =>
    z.string(says((v) => `must be ${shape}, got ${got(v)}`, required)).regex(pattern);
const wholeNumber = (min: number, max: number) =>
    z
        .number(says((v) => `must be a whole number from ${min} to ${max}, got ${got(v)}`))
        .int()
        .min(min)
        .max(max);
const flag = () => z.boolean(says((v) => `must be true or false, got ${got(v)}`));
const oneOf = <T extends readonly [string, ...string[]]>(options: T) =>
    z.enum(
        options,
        says((v) => `must be one of ${options.join(", ")}, got ${got(v)}`),
    );
/** A list without repeats, GitHub's case-insensitive names compared as GitHub compares them. */
const uniqueList = <T extends z.ZodType<string>>(item: T, caseInsensitive = false) =>
    z
        .array(
            item,
            says((v) => `must be a list, got ${got(v)}`),
        )
        .superRefine((list, ctx) => {
            const seen = new Map<string, string>();
            list.forEach((value, index) => {
                const key = caseInsensitive ? value.toLowerCase() : value;
                const first = seen.get(key);
                if (first === undefined) seen.set(key, value);
                else
                    ctx.addIssue({
                        code: "custom",
                        path: [index],
                        message: first === value ? `repeats '${value}'` : `repeats '${first}' as '${value}': GitHub names ignore case`,
                    });
            });
        });
/** An object that names every key it does not know, and the keys it does. */
const strict = <S extends z.core.$ZodLooseShape>(shape: S) =>
    z.strictObject(shape, {
        error: (issue) =>
            issue.code === "unrecognized_keys"
                ? `is not a known key (known: ${Object.keys(shape).join(", ")})`
                : issue.input === undefined
                  ? "is required"
                  : `must be an object, got ${got(issue.input)}`,
    });

const GITHUB_LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const RESOURCE_PATTERN = /^(?!\*+$)[A-Za-z0-9._*-]{1,255}$/;
const RESOURCE_PATTERN_SHAPE = "a resource name pattern (letters, digits, '.', '_', '-', '*'), not '*' alone";
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const resourcePatterns = () => uniqueList(text(RESOURCE_PATTERN, RESOURCE_PATTERN_SHAPE)).default([]);
const emails = () => uniqueList(text(EMAIL, "an email address")).default([]);

/** CodeDeploy's predefined Lambda rollouts (`CodeDeployDefault.<name>`): canary, linear, or all at once. */
export const LAMBDA_ROLLOUTS = [
    "LambdaCanary10Percent5Minutes",
    "LambdaCanary10Percent10Minutes",
    "LambdaCanary10Percent15Minutes",
    "LambdaCanary10Percent30Minutes",
    "LambdaLinear10PercentEvery1Minute",
    "LambdaLinear10PercentEvery2Minutes",
    "LambdaLinear10PercentEvery3Minutes",
    "LambdaAllAtOnce",
] as const;
const LAMBDA_FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const functionName = () => text(LAMBDA_FUNCTION_NAME, "a Lambda function name (letters, digits, '-', '_', at most 64)");

/**
 * A function the Lambda pipeline creates on its first deploy and releases through CodeDeploy: the foundation
 * declares its error alarm and its rollout role; the execution role gets exactly `policies`.
 */
export const lambdaFunctionSchema = strict({
    name: functionName(),
    policies: uniqueList(
        text(/^arn:aws:iam::(aws|\d{12}):policy\/[\w+=,.@/-]{1,512}$/, "a managed policy ARN (arn:aws:iam::<aws|account>:policy/...)"),
    ).default([]),
    rollout: oneOf(LAMBDA_ROLLOUTS).default("LambdaCanary10Percent5Minutes"),
    /** Alarms of the service's own, watched with the function's error alarm during every rollout. */
    alarms: uniqueList(text(/^[^,\s][^,]{0,254}$/, "a CloudWatch alarm name (no commas)")).default([]),
    hooks: strict({ beforeAllowTraffic: functionName().optional(), afterAllowTraffic: functionName().optional() }).default({}),
});
/** An IAM service prefix as AWS's service authorization reference spells it (`sqs`, `ec2`, `wafv2`). */
const SERVICE_PREFIX = /^[a-z0-9][a-z0-9-]{0,63}$/;
const servicePrefix = () => text(SERVICE_PREFIX, "an IAM service prefix such as 'sqs' or 'ec2' (lowercase)");

/** Resource name patterns a repository's deployer role may manage, per service. */
export const deployScopeSchema = strict({
    dynamodbTables: resourcePatterns(),
    s3Buckets: resourcePatterns(),
    lambdaFunctions: resourcePatterns(),
    /** Lambda: the functions the first deploy creates (each matches a `lambdaFunctions` pattern). */
    functions: z
        .array(
            lambdaFunctionSchema,
            says((v) => `must be a list, got ${got(v)}`),
        )
        .optional(),
    /** By IAM service prefix, the name patterns of the resources a Terraform repository manages (services whose ARNs carry names). */
    resources: z
        .record(
            servicePrefix(),
            resourcePatterns(),
            says((v) => `must be a map from an IAM service prefix to name patterns, got ${got(v)}`),
        )
        .optional(),
    /**
     * IAM service prefixes whose resources a Terraform repository manages by the foundation's repository tag: it
     * creates only resources tagged with its name and changes only resources that carry it (services whose ARNs carry ids).
     */
    tagged: uniqueList(servicePrefix()).optional(),
    /** ECS services a container repository's deployer updates (its ECR repository is derived from its name). */
    ecsServices: resourcePatterns(),
    /** The repository that holds this program: its deployer manages the foundation itself. */
    foundation: flag().default(false),
}).describe("Resource name patterns the repository's deployer may manage, per service.");

/** A shard's name: its stacks are `<environment>-<shard>` (config/shards.ts), so it reads well in a stack and a file name. */
const SHARD_NAME = /^[a-z][a-z0-9-]{0,29}$/;
const shardName = () => text(SHARD_NAME, "a shard name (1 to 30 lowercase letters, digits or '-', starting with a letter)");

export const repositorySchema = strict({
    name: text(REPOSITORY_NAME, REPOSITORY_NAME_SHAPE),
    kind: oneOf(REPOSITORY_KINDS).describe("What the repository deploys: decides its deployer's permissions and workflows."),
    immutableSubject: flag()
        .default(false)
        .describe("Created after 2026-07-15: its OIDC tokens carry `repo:OWNER@ID/REPO@ID:...`; both forms are trusted."),
    deploys: deployScopeSchema.default({ dynamodbTables: [], s3Buckets: [], lambdaFunctions: [], ecsServices: [], foundation: false }),
    shard: shardName()
        .optional()
        .describe(
            "The shard whose stacks (`<environment>-<shard>`) hold this repository's roles and GitHub side; missing: the foundation tier's stacks (`dev`, `sit`, `prod`).",
        ),
});

/** What an entry may change for one environment: each field named replaces the entry's (`deploys` as a whole). */
export const repositoryOverrideSchema = strict({
    deploys: deployScopeSchema.optional(),
});

/** The placeholder a name pattern may carry; each stack reads it as its own environment. */
export const ENVIRONMENT_PLACEHOLDER = "{environment}";

/**
 * A repository as declared once for every stack (Pulumi.yaml's project-level config, or a stack file): the
 * environments it is served in and what differs per environment. The loader resolves it into one
 * {@link repositorySchema} entry per stack (config/repositories.ts).
 */
export const repositoryEntrySchema = strict({
    ...repositorySchema.shape,
    environments: uniqueList(oneOf(ENVIRONMENTS))
        .min(1, "must name at least one environment (leave the key out for all three)")
        .optional()
        .describe("The environments the repository is served in; all three when left out."),
    overrides: z
        .partialRecord(
            oneOf(ENVIRONMENTS),
            repositoryOverrideSchema,
            says((v) => `must be an object keyed by environment, got ${got(v)}`),
        )
        .optional()
        .describe("Per environment, the fields that differ (deploys replaces the entry's deploys as a whole)."),
});

export const stateSchema = strict({
    noncurrentVersionDays: wholeNumber(1, 3650).default(90),
    abortIncompleteUploadDays: wholeNumber(1, 365).default(7),
    terraformLockTable: flag().default(false),
});

const WINDOW_FROM = /^([01]\d|2[0-3]):[0-5]\d$/;
const WINDOW_TO = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;
/** Read by the gated jobs' request check through the foundation's map (actions/check-request). */
export const deployWindowSchema = strict({
    timeZone: z
        .string(says((v) => `must be an IANA time zone such as Europe/Berlin, got ${got(v)}`))
        .superRefine((zone, ctx) => {
            if (!isKnownTimeZone(zone))
                ctx.addIssue({ code: "custom", message: `must be an IANA time zone such as Europe/Berlin, got ${got(zone)}` });
        })
        .describe("The IANA time zone the hours are local to; its own rules (daylight saving included) apply."),
    days: uniqueList(oneOf(WINDOW_DAYS)).min(1, "must name at least one day").describe("The days deploys may start on."),
    hours: strict({
        from: text(WINDOW_FROM, "a local time HH:MM from 00:00 to 23:59"),
        to: text(WINDOW_TO, "a local time HH:MM from 00:01 to 24:00"),
    })
        .superRefine((hours, ctx) => {
            // Only two well-formed times are compared; a malformed one has its own message.
            if (WINDOW_FROM.test(hours.from) && WINDOW_TO.test(hours.to) && hours.from >= hours.to)
                ctx.addIssue({ code: "custom", message: `must end after it starts, got from ${hours.from} to ${hours.to}` });
        })
        .describe("Local hours deploys may start in: from inside, to outside."),
});
export type DeployWindow = Readonly<z.infer<typeof deployWindowSchema>>;

export const environmentProtectionSchema = strict({
    /** Missing: the environment's minimum (dev 1, sit 2, prod 3). */
    requiredApprovals: wholeNumber(1, 6).optional(),
    reviewers: strict({
        teams: uniqueList(text(/^[a-z0-9][a-z0-9_-]{0,99}$/, "a team slug (lowercase letters, digits, '-', '_')"), true).default([]),
        users: uniqueList(text(GITHUB_LOGIN, "a GitHub username"), true).default([]),
    }).default({ teams: [], users: [] }),
    /** Missing: true except in dev. */
    preventSelfReview: flag().optional(),
    waitTimerMinutes: wholeNumber(0, 43200).default(0),
    branchPatterns: uniqueList(text(/^\S{1,255}$/, "a branch name pattern")).default(["main"]),
    tagPatterns: uniqueList(text(/^\S{1,255}$/, "a tag name pattern")).default([]),
    /** Missing: deploys at any time (rollbacks are never held to a window). */
    deployWindow: deployWindowSchema.optional(),
});

const CHATBOT_NEEDS = "is required: AWS Chatbot needs the workspace and channel ids";
export const slackChannelSchema = z.strictObject(
    {
        name: text(/^#[a-z0-9_-]{1,80}$/, "a Slack channel name such as '#prod-alerts'", CHATBOT_NEEDS),
        workspaceId: text(/^T[A-Z0-9]{6,}$/, "a Slack workspace id such as 'T0123ABCD'", CHATBOT_NEEDS),
        channelId: text(/^C[A-Z0-9]{6,}$/, "a Slack channel id such as 'C0123ABCD'", CHATBOT_NEEDS),
        severities: uniqueList(oneOf(SEVERITIES)).default(["critical"]),
    },
    {
        error: (issue) =>
            issue.code === "unrecognized_keys"
                ? "is not a known key (known: name, workspaceId, channelId, severities)"
                : `must be an object, got ${got(issue.input)}`,
    },
);

export const notificationsSchema = strict({
    emails: strict({ critical: emails(), warning: emails(), info: emails() }).default({ critical: [], warning: [], info: [] }),
    slackChannels: z
        .array(
            slackChannelSchema,
            says((v) => `must be a list, got ${got(v)}`),
        )
        .default([]),
});

export const alarmSchema = strict({
    /** Stable key: the alarm's resource name and CloudWatch name derive from it. */
    name: text(/^[a-z0-9][a-z0-9-]{0,62}$/, "lowercase letters, digits and hyphens"),
    description: z.string(says((v) => `must be a string, got ${got(v)}`)).optional(),
    namespace: text(/^[^:\s][^:]{0,254}$/, "a CloudWatch namespace"),
    metricName: text(/^\S{1,255}$/, "a metric name"),
    dimensions: z
        .record(
            z.string(),
            z.string(says((v) => `must be a string, got ${got(v)}`)),
            says((v) => `must be an object, got ${got(v)}`),
        )
        .default({}),
    /** Its form and CloudWatch's limits are checked in checks/alarms.ts, which names every form it takes. */
    statistic: text(/^\S{1,64}$/, "a CloudWatch statistic such as Sum, Average, p99 or tm90"),
    threshold: z.number(says((v) => `must be a number, got ${got(v)}`)),
    comparison: oneOf(COMPARISONS).default("GreaterThanOrEqualToThreshold"),
    /** CloudWatch takes 10, 20, 30 or a multiple of 60 (checked in rules.ts, with the evaluation range). */
    periodSeconds: wholeNumber(10, 604800).default(300),
    evaluationPeriods: wholeNumber(1, 100).default(1),
    severity: oneOf(SEVERITIES),
    treatMissingData: oneOf(MISSING_DATA).default("notBreaching"),
});

export const monitoringSchema = strict({
    /** Missing: 2557 (7 years) in prod, 90 elsewhere. */
    logRetentionDays: wholeNumber(1, 3653).optional(),
    cloudTrailLogGroup: text(/^[\w#/.-]{1,512}$/, "a CloudWatch log group name").optional(),
    alarms: z
        .array(
            alarmSchema,
            says((v) => `must be a list, got ${got(v)}`),
        )
        .default([]),
});

/** Limits of the environment's AWS account the program counts against at synthesis. */
export const accountQuotasSchema = strict({
    /** IAM roles the account may hold: 1,000 unless raised through Service Quotas. */
    iamRoles: wholeNumber(1, 5000).default(1000),
    /** Execution roles the Lambda pipelines create per `deploys.lambdaFunctions` pattern (one per function). */
    executionRolesPerLambdaPattern: wholeNumber(0, 1000).default(1),
}).describe("The account's IAM role quota and the roles the pipelines will create, counted at synthesis.");

const OIDC_PROVIDER_ARN = /^arn:aws:iam::\d{12}:oidc-provider\/[A-Za-z0-9./_-]{1,255}$/;
const OIDC_PROVIDER_SHAPE = "an IAM OIDC provider ARN (arn:aws:iam::<account>:oidc-provider/<host>)";

/** An OIDC provider that already exists in the account: IAM refuses a second one for the same issuer. */
export const existingOidcProviderSchema = strict({
    /** Looked up at every run and never managed: another tool or stack owns it. */
    adopt: text(OIDC_PROVIDER_ARN, OIDC_PROVIDER_SHAPE).optional(),
    /** Imported once into this stack, then managed (and in prod protected) as if the program had created it. */
    import: text(OIDC_PROVIDER_ARN, OIDC_PROVIDER_SHAPE).optional(),
}).superRefine((value, ctx) => {
    if ((value.adopt === undefined) === (value.import === undefined))
        ctx.addIssue({
            code: "custom",
            message:
                "must name exactly one of adopt (look the provider up and leave it to its owner) or import (manage the existing provider from now on)",
        });
});

/** The account's OIDC providers that already exist; any not named here is created by the program. */
export const oidcProvidersSchema = strict({
    github: existingOidcProviderSchema.optional().describe("GitHub's provider (token.actions.githubusercontent.com)."),
    pulumi: existingOidcProviderSchema.optional().describe("Pulumi Cloud's provider (api.pulumi.com/oidc), pulumi-cloud mode only."),
}).describe("OIDC providers the account already has: adopted (looked up) or imported, instead of created.");

/** What prod's stack grants each repository in GitHub, so onboarding needs no hand-made access. */
export const githubAccessSchema = strict({
    /** Installations of the GitHub Apps the pipelines use (read-only and writer): each repository is added to each. */
    appInstallationIds: uniqueList(text(/^[1-9]\d{0,19}$/, "a GitHub App installation id (digits)")).default([]),
    /** Give every reviewer and approver team read access to every repository: GitHub ignores a reviewer team without it. */
    grantReviewerTeams: flag().default(false),
}).describe("Access prod's stack grants each repository in GitHub: the Apps' installations and the reviewer teams' read access.");

/** A `secure:` value as a stack file holds it: ciphertext only `pulumi config set --secret` writes. */
const secretSchema = (key: string) =>
    z.strictObject(
        { secure: z.string() },
        {
            error: () => `must be set with 'pulumi config set --secret ${key}', never in plain text`,
        },
    );

/**
 * The `cicd-foundation:pulumiCloud` object is read here as it comes; `config/pulumiCloud.ts` validates it with
 * its rules across fields and stacks. The published JSON Schema carries its full shape.
 */
const PULUMI_CLOUD_AS_READ: z.ZodType<unknown> = z.unknown();

/**
 * Our keys, without the namespace, each with its schema. A function of the Pulumi Cloud sub-schema, so the
 * one who owns that object extends the schema without editing this file's rules.
 */
export function projectKeySchemas<P extends z.ZodType>(pulumiCloud: P) {
    return {
        environment: oneOf(ENVIRONMENTS).describe("Environment of this stack: dev, sit or prod; must equal the stack name."),
        accountId: text(/^\d{12}$/, "a 12-digit AWS account id in quotes").describe(
            "The 12-digit AWS account of this environment, quoted; aws:allowedAccountIds must list exactly it.",
        ),
        // "null" and "undefined" are what an empty value becomes on its way through text: never a name.
        prefix: text(
            /^(?!(null|undefined)$)[a-z][a-z0-9-]{1,19}$/,
            "2 to 20 lowercase letters, digits or hyphens, starting with a letter (not 'null' or 'undefined')",
        ).describe("Prefix of every AWS resource name (bucket <prefix>-state-<env>, tables, roles, topics)."),
        githubOwner: text(GITHUB_LOGIN, "a GitHub user or organisation login").describe(
            "GitHub organisation or user that owns every configured repository.",
        ),
        repositories: z
            .array(
                repositoryEntrySchema,
                says((v) => `must be a list, got ${got(v)}`),
            )
            .min(1, "must list at least one repository"),
        deployableServices: uniqueList(servicePrefix())
            .default([])
            .describe(
                "The organisation's allow-list of IAM service prefixes Terraform repositories may declare (deploys.resources, deploys.tagged): the permissions boundary's ceiling grows by exactly these.",
            ),
        state: stateSchema.default({ noncurrentVersionDays: 90, abortIncompleteUploadDays: 7, terraformLockTable: false }),
        environmentProtection: environmentProtectionSchema.default({
            reviewers: { teams: [], users: [] },
            waitTimerMinutes: 0,
            branchPatterns: ["main"],
            tagPatterns: [],
        }),
        ownsRepositoryRuleset: flag()
            .default(false)
            .describe(
                "True in prod's stack only, which then owns every repository's GitHub settings for all three environments (environments, reviewers, branch policies, rulesets, secrets).",
            ),
        backend: oneOf(BACKENDS).default("s3").describe("Where Pulumi keeps state: the S3 bucket of each environment, or Pulumi Cloud."),
        pulumiCloud: pulumiCloud.optional(),
        shard: shardName()
            .optional()
            .describe(
                "Set in a shard's stack (`<environment>-<shard>`) only: the stack holds the repositories whose entries name this shard, and no foundation tier.",
            ),
        slackWebhook: secretSchema("slackWebhook").optional(),
        githubToken: secretSchema("githubToken").optional(),
        notifications: notificationsSchema.default({ emails: { critical: [], warning: [], info: [] }, slackChannels: [] }),
        monitoring: monitoringSchema.default({ alarms: [] }),
        oidcProviders: oidcProvidersSchema.default({}),
        githubAccess: githubAccessSchema.default({ appInstallationIds: [], grantReviewerTeams: false }),
        githubBaseUrl: text(
            /^https:\/\/(?!github\.com\/)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+\/$/,
            "https://HOST/ of a GitHub Enterprise Server: lowercase host, ending in /; omit the key for github.com",
        )
            .optional()
            .describe(
                "A GitHub Enterprise Server's URL (https://HOST/): the GitHub provider's API (https://HOST/api/v3/) and the Actions OIDC issuer (https://HOST/_services/token). Omitted: github.com.",
            ),
        githubPlan: oneOf(GITHUB_PLANS)
            .optional()
            .describe(
                "The organisation's GitHub plan, for a token that may not read it (only owners may): judged like the plan GitHub reports, and must equal it when GitHub does report it.",
            ),
        accountQuotas: accountQuotasSchema.default({ iamRoles: 1000, executionRolesPerLambdaPattern: 1 }),
    };
}

export const PROJECT_KEYS = projectKeySchemas(PULUMI_CLOUD_AS_READ);
export type ProjectKey = keyof typeof PROJECT_KEYS;
/** Keys that only `pulumi config set --secret` may write. */
export const SECRET_KEYS: readonly ProjectKey[] = ["slackWebhook", "githubToken"];

/** The provider keys this program reads (other `aws:` keys, such as `aws:profile`, pass through). */
export const AWS_KEYS = {
    "aws:region": oneOf(KNOWN_REGIONS).describe("A known AWS region."),
    "aws:allowedAccountIds": z.array(z.string()).describe("Exactly [accountId], so this stack can never touch another account."),
    "aws:defaultTags": z.object({ tags: z.record(z.string(), z.string()) }).describe("tags.Environment must equal the stack."),
};

/** Keys the program no longer reads, with what replaced them. */
export const RETIRED_KEYS: Readonly<Record<string, string>> = {
    ledgerReaderEnvironment:
        "is derived, no longer configured: each environment's ledger is read by the next one's gated jobs (dev's by sit, sit's by prod); remove the key",
    permissionsBoundaryArn:
        "is no longer configured: the program creates the boundary <prefix>-pipeline-boundary-<env> and bounds every role with it; remove the key",
};
