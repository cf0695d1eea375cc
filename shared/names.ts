import type { Environment } from "./formats";

/** Names the foundation gives the AWS resources it owns; policy documents are built from them before anything exists. */
export interface Naming {
    readonly prefix: string;
    readonly environment: Environment;
    readonly accountId: string;
    readonly region: string;
    /** The Actions OIDC issuer's host and path on a GitHub Enterprise Server; github.com's when absent. */
    readonly githubOidcHost?: string;
}

export const stateBucketName = (n: Naming) => `${n.prefix}-state-${n.environment}`;
export const lockTableName = (n: Naming) => `${n.prefix}-state-lock-${n.environment}`;
export const ledgerTableName = (n: Naming) => `${n.prefix}-deployments-${n.environment}`;
export const keyAliasName = (n: Naming) => `alias/${n.prefix}-${n.environment}`;
/** Receives the state bucket's S3 server access logs. */
export const accessLogBucketName = (n: Naming) => `${n.prefix}-state-access-logs-${n.environment}`;
/** The managed policy that bounds every role the program creates (administrator-owned, see README "Security"). */
export const boundaryPolicyName = (n: Naming) => `${n.prefix}-pipeline-boundary-${n.environment}`;
/**
 * Ends every name a pattern derives from a repository name. GitHub repository names hold only letters,
 * digits, '.', '_' and '-', and IAM role names may hold '@': so `<...>-svc@*` never matches a name derived
 * from `svc-v2` (whereas `<...>-svc-*` would).
 */
export const NAME_DELIMITER = "@";
/** The execution-role space of the Lambda services: reserved for roles that carry the boundary. */
export const lambdaExecutionRoleSpace = (n: Naming) => `${n.prefix}-lambda-*`;
/**
 * Execution roles of a Lambda service's functions: `<prefix>-lambda-<repository>@*`. The repository names
 * the service and the delimiter ends it, so a Lambda deployer may pass its own service's roles and no other's.
 */
export const lambdaExecutionRolePattern = (n: Naming, repository: string) => `${n.prefix}-lambda-${repository}${NAME_DELIMITER}*`;
/** The task and execution-role space of the container services: reserved for roles that carry the boundary. */
export const ecsTaskRoleSpace = (n: Naming) => `${n.prefix}-ecs-*`;
/**
 * Task and execution roles of a container service: `<prefix>-ecs-<repository>@*` (the delimiter ends the
 * repository's name), so a container deployer passes its own service's roles and no other's.
 */
export const ecsTaskRolePattern = (n: Naming, repository: string) => `${n.prefix}-ecs-${repository}${NAME_DELIMITER}*`;
/**
 * A container repository's ECR repository: `<prefix>/<repository in lowercase>` (ECR takes lowercase only;
 * config refuses a repository name that makes no ECR name, and two names that differ only in case).
 */
export const containerRepositoryName = (n: Pick<Naming, "prefix">, repository: string) => `${n.prefix}/${repository.toLowerCase()}`;
/** AWS Chatbot's Slack channel configuration of one channel (its ARN: `chat-configuration/slack-channel/<name>`). */
export const chatbotConfigurationName = (n: Naming, channel: string) => `${n.prefix}-${n.environment}-${channel}`;
/** IAM role names are at most 64 characters; long repository names are cut and kept unique by a hash. */
export function roleName(n: Naming, kind: "deployer" | "previewer" | "ledger-reader" | "chatbot", repository: string): string {
    const full = `${n.prefix}-${kind}-${n.environment}-${repository}`;
    if (full.length <= 64) return full;
    return `${full.slice(0, 55)}-${shortHash(full)}`;
}

export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
/** Pulumi Cloud's OIDC issuer is `https://api.pulumi.com/oidc`; IAM names its provider and condition keys by host and path. */
export const PULUMI_OIDC_HOST = "api.pulumi.com/oidc";
export const GITHUB_OIDC_AUDIENCE = "sts.amazonaws.com";

/** The audit log group the deployment records are mirrored to. */
export const auditLogGroupName = (n: Naming) => `/${n.prefix}/deployments/${n.environment}`;

/** The role Pulumi Deployments assume in an environment's account; the next stack's settings name it by this. */
export const pulumiDeployerRoleName = (naming: Pick<Naming, "prefix" | "environment">) =>
    `${naming.prefix}-pulumi-deployer-${naming.environment}`;

/** CodeDeploy application of a Lambda service: one per repository and account, its groups named for the functions. */
export const codeDeployApplicationName = (n: Pick<Naming, "prefix">, repository: string) => `${n.prefix}-lambda-${repository}`;

/**
 * The role CodeDeploy acts as while it shifts a service's aliases: `<prefix>-codedeploy-<env>-<repository>`,
 * made by the foundation (bounded, trusted by CodeDeploy only); cut and hashed like the other role names.
 */
export function codeDeployRoleName(n: Pick<Naming, "prefix" | "environment">, repository: string): string {
    const full = `${n.prefix}-codedeploy-${n.environment}-${repository}`;
    return full.length <= 64 ? full : `${full.slice(0, 55)}-${shortHash(full)}`;
}

/**
 * A function's execution role: `<prefix>-lambda-<repository>@<function>`, inside the service's own space (so
 * its deployer passes it and no other service's); the function's name is replaced by its hash when the whole
 * would pass IAM's 64 characters. Undefined when even that is too long (the config check reports it).
 */
export function lambdaExecutionRoleName(n: Pick<Naming, "prefix">, repository: string, functionName: string): string | undefined {
    const space = `${n.prefix}-lambda-${repository}${NAME_DELIMITER}`;
    for (const name of [`${space}${functionName}`, `${space}${shortHash(functionName)}`]) if (name.length <= 64) return name;
    return undefined;
}

/** The error alarm the foundation declares for each declared function: the one every rollout watches. */
export const lambdaErrorAlarmName = (n: Pick<Naming, "prefix" | "environment">, functionName: string) =>
    `${n.prefix}-${n.environment}-lambda-${functionName}-errors`;

/** 32-bit FNV-1a: stable across runs and machines. */
export function fnv1a(text: string): number {
    let hash = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) {
        hash ^= text.charCodeAt(i);
        hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    return hash;
}

/** Eight hex digits of FNV-1a, enough to keep cut names apart. */
export function shortHash(text: string): string {
    return fnv1a(text).toString(16).padStart(8, "0");
}
