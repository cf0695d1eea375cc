/**
 * Every ARN the foundation writes, built here and nowhere else (a lint rule keeps `arn:` literals in this
 * file): policy documents name resources before they exist, so each ARN is derived from the names in
 * `names.ts` and the account and region in config, never from a resource's output.
 */
import {
    boundaryPolicyName,
    codeDeployApplicationName,
    GITHUB_OIDC_HOST,
    keyAliasName,
    NAME_DELIMITER,
    PULUMI_OIDC_HOST,
    pulumiDeployerRoleName,
    type Naming,
} from "./names";

type Account = Pick<Naming, "accountId">;
type Regional = Pick<Naming, "accountId" | "region">;

/** `arn:aws:<service>:<region>:<account>:<resource>`; global services leave the region (and S3 the account) empty. */
export function arn(service: string, region: string, accountId: string, resource: string): string {
    return `arn:aws:${service}:${region}:${accountId}:${resource}`;
}

/**
 * The offline synthesis' stand-in for an ARN the provider would return: its partition says it is not one,
 * so nothing mistakes it for a real resource.
 */
export const placeholderArn = (service: string, name: string) => `arn:placeholder:${service}:${name}`;

// IAM
export const accountRootArn = (accountId: string) => arn("iam", "", accountId, "root");
export const roleArn = (n: Account, name: string) => arn("iam", "", n.accountId, `role/${name}`);
/** Every role the pipeline may create or change is named `<prefix>-*`. */
export const pipelineRolesArn = (n: Naming) => roleArn(n, `${n.prefix}-*`);
export const policyArn = (n: Account, name: string) => arn("iam", "", n.accountId, `policy/${name}`);
/** A policy AWS manages, such as `service-role/AWSLambdaBasicExecutionRole`. */
export const awsManagedPolicyArn = (path: string) => arn("iam", "", "aws", `policy/${path}`);
export const boundaryPolicyArn = (n: Naming) => policyArn(n, boundaryPolicyName(n));
/** The customer managed policies of one Lambda service: written by an administrator, attached by its pipeline. */
export const lambdaServicePolicyArn = (n: Naming, repository: string, name = "*") =>
    policyArn(n, `${n.prefix}-lambda-${repository}${NAME_DELIMITER}${name}`);
export const oidcProviderArn = (accountId: string, host = GITHUB_OIDC_HOST) => arn("iam", "", accountId, `oidc-provider/${host}`);
export const pulumiOidcProviderArn = (accountId: string) => arn("iam", "", accountId, `oidc-provider/${PULUMI_OIDC_HOST}`);
export const pulumiDeployerRoleArn = (naming: Pick<Naming, "prefix" | "environment" | "accountId">) =>
    roleArn(naming, pulumiDeployerRoleName(naming));

// Storage and keys
export const bucketArn = (bucket: string) => arn("s3", "", "", bucket);
export const tableArn = (n: Regional, table: string) => arn("dynamodb", n.region, n.accountId, `table/${table}`);
export const keyArns = (n: Regional) => arn("kms", n.region, n.accountId, "key/*");
/** The environment key, named through its alias (known before the key exists). */
export const keyAliasArn = (n: Naming) => arn("kms", n.region, n.accountId, keyAliasName(n));
export const containerRepositoryArn = (n: Regional, name: string) => arn("ecr", n.region, n.accountId, `repository/${name}`);
/** Every ECR repository the foundation creates: `<prefix>/*`. */
export const containerRepositoriesArn = (n: Naming) => containerRepositoryArn(n, `${n.prefix}/*`);

// Compute and deployment
export const functionArn = (n: Regional, pattern: string) => arn("lambda", n.region, n.accountId, `function:${pattern}`);
export const codeDeployApplicationArn = (n: Naming, repository: string) =>
    arn("codedeploy", n.region, n.accountId, `application:${codeDeployApplicationName(n, repository)}`);
export const codeDeployGroupArn = (n: Naming, repository: string, group = "*") =>
    arn("codedeploy", n.region, n.accountId, `deploymentgroup:${codeDeployApplicationName(n, repository)}/${group}`);
/** The predefined deployment configurations (`CodeDeployDefault.Lambda*`) the groups use. */
export const codeDeployConfigArn = (n: Regional) => arn("codedeploy", n.region, n.accountId, "deploymentconfig:CodeDeployDefault.Lambda*");
/** `arn:aws:ecs:<region>:<account>:service/<any cluster>/<pattern>` for each declared service pattern. */
export const ecsServiceArns = (n: Regional, patterns: readonly string[]) =>
    patterns.map((p) => arn("ecs", n.region, n.accountId, `service/*/${p}`));
/** Task definition families are named as the services they run: `task-definition/<pattern>:<revision>`. */
export const taskDefinitionArns = (n: Regional, patterns: readonly string[]) =>
    patterns.map((p) => arn("ecs", n.region, n.accountId, `task-definition/${p}:*`));

// Monitoring
export const topicArn = (n: Regional, name: string) => arn("sns", n.region, n.accountId, name);
export const alarmArn = (n: Regional, pattern: string) => arn("cloudwatch", n.region, n.accountId, `alarm:${pattern}`);
export const dashboardArn = (n: Account, pattern: string) => arn("cloudwatch", "", n.accountId, `dashboard/${pattern}`);
export const logGroupArn = (n: Regional, name: string) => arn("logs", n.region, n.accountId, `log-group:${name}`);
export const chatbotConfigurationArn = (n: Account, name: string) =>
    arn("chatbot", "", n.accountId, `chat-configuration/slack-channel/${name}`);
