/**
 * What a valid stack config is: the typed result every component reads, and the constants its rules hold it to.
 * The schema is declared once (config/schema.ts, zod) and the types here are inferred from it.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import type { PulumiCloudConfig } from "./pulumiCloud";
import type {
    alarmSchema,
    Backend,
    deployScopeSchema,
    DeployWindow,
    Environment,
    GithubPlan,
    repositorySchema,
    SEVERITIES,
    slackChannelSchema,
} from "./schema";

/** Approvals each environment needs at least: dev one, sit two, prod three. */
export const MINIMUM_APPROVALS: Readonly<Record<Environment, number>> = { dev: 1, sit: 2, prod: 3 };

/** GitHub accepts at most six reviewers (users and teams together) on an environment. */
export const MAX_ENVIRONMENT_REVIEWERS = 6;

/** Prod keeps audit records seven years. */
export const PROD_LOG_RETENTION_DAYS = 2557;

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
