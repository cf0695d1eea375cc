import * as github from "@pulumi/github";
import { ConfigError, loadStackSet, type StackConfig } from "./config";
import { githubServer } from "./config/checks/githubServer";
import { iamRoleQuotaProblem } from "./components/accountQuotas";
import { ContainerRepository } from "./components/containerRepository";
import type { StackContext } from "./components/context";
import { DeploymentLedger } from "./components/deploymentLedger";
import { EncryptionKey } from "./components/encryptionKey";
import { lookUpGithubIds, type GithubIds } from "./components/githubLookups";
import { LambdaRolloutRole } from "./components/lambdaRollout";
import { Monitoring } from "./components/monitoring";
import { GithubOidcProvider } from "./components/githubOidc";
import { namingOf } from "./config/naming";
import { boundaryPolicyArn } from "./shared/arns";
import { roleName } from "./shared/names";
import { backendUrl, bootstrapRoleNames } from "./components/permissions";
import { PermissionsBoundary } from "./components/permissionsBoundary";
import { pulumiCloudBootstrapRoleNames, pulumiCloudResources } from "./components/pulumiCloud";
import { declareGithubSide } from "./components/githubOwner";
import { accountRoleQuotaProblem } from "./components/shardQuotas";
import { declareShard, sameShard } from "./components/shardStack";
import { RepositoryAccess, repositoryOutputs } from "./components/repositoryAccess";
import { StateBackend } from "./components/stateBackend";

/** The program: config -> context -> components -> stack outputs. Runs per stack, one environment per AWS account. */
export = async () => {
    const { config, others } = loadStackSet();
    const quota = iamRoleQuotaProblem(config) ?? accountRoleQuotaProblem(config, others);
    if (quota) throw new ConfigError(config.stackFile, [quota]);
    // On a GitHub Enterprise Server the API and the Actions issuer are the server's (config/checks/githubServer.ts).
    const server = githubServer(config.githubBaseUrl);
    // Without a token in config the provider reads GITHUB_TOKEN. Registering it touches nothing in GitHub. Only
    // the stack that owns the GitHub side (prod's) may hold a write token (config.ts refuses one elsewhere).
    const githubProvider = new github.Provider("github", { owner: config.githubOwner, token: config.githubToken, baseUrl: server.apiUrl });
    // Every lookup is resolved, and every failure reported, before any resource is declared.
    const context = stackContext(config, githubProvider, await lookUpGithubIds(config, githubProvider));
    // A shard's stack holds its repositories' roles and GitHub side, and nothing of the foundation tier.
    if (config.sharding?.shard !== undefined) return declareShard(context, others);
    return declareFoundation(context, others);
};

/**
 * The stack's context, built once and passed whole to the components (components/context.ts). The foundation
 * tier declares the permissions boundary here, first of its resources, since every role names it; a shard's
 * stack names the tier's boundary and bootstrap role by their names, which are the tier's (config/shards.ts holds
 * a shard to the tier's account, prefix and region). Synchronous, so the tier's resources are declared in one
 * run, as they always were.
 */
function stackContext(config: StackConfig, githubProvider: github.Provider, githubIds: GithubIds): StackContext {
    const naming = namingOf(config);
    const facts = { config, naming, githubProvider, githubIds };
    const sharding = config.sharding;
    if (sharding?.shard !== undefined) {
        // The foundation's deployer is a bootstrap role of the tier: no shard's role may touch it.
        const bootstrap = [roleName(naming, "deployer", sharding.foundationRepository)];
        const boundary = { arn: boundaryPolicyArn(naming), dependsOn: [] };
        return { ...facts, foundationRepository: sharding.foundationRepository, bootstrapRoleNames: bootstrap, boundary };
    }
    // The administrator-owned bootstrap tier: the boundary, and the deployer roles of this program's repository.
    const bootstrap = [...bootstrapRoleNames(naming, config.repositories), ...pulumiCloudBootstrapRoleNames(config, naming)];
    const boundary = new PermissionsBoundary("pipeline-boundary", {
        naming,
        bootstrapRoleNames: bootstrap,
        deployableServices: config.deployableServices,
    });
    return {
        ...facts,
        foundationRepository: githubIds.foundationRepository,
        bootstrapRoleNames: bootstrap,
        boundary: { arn: boundary.arn, dependsOn: [boundary.policy] },
    };
}

/** The foundation tier's stack: key, state backend, ledger, monitoring, every repository's roles and stores. */
async function declareFoundation(context: StackContext, others: readonly StackConfig[]) {
    const { config, naming } = context;
    const key = new EncryptionKey("key", { context });
    const githubOidc = new GithubOidcProvider("github-oidc", { context });
    const state = new StateBackend("state", { context, keyArn: key.key.arn });
    const ledger = new DeploymentLedger("ledger", { context, keyArn: key.key.arn });
    const monitoring = new Monitoring("monitoring", {
        naming,
        keyArn: key.key.arn,
        tables: [
            { tableName: ledger.tableName, operations: ["PutItem", "UpdateItem", "GetItem", "Query"] },
            ...(state.lockTableName ? [{ tableName: state.lockTableName, operations: ["GetItem", "PutItem", "DeleteItem"] }] : []),
        ],
        emails: config.notifications.emails,
        slackChannels: config.notifications.slackChannels,
        logRetentionDays: config.monitoring.logRetentionDays,
        cloudTrailLogGroup: config.monitoring.cloudTrailLogGroup,
        declaredAlarms: config.monitoring.alarms,
        lambdaFunctions: config.repositories.flatMap((entry) => (entry.deploys.functions ?? []).map((f) => f.name)),
        permissionsBoundaryArn: context.boundary.arn,
        rolesDependOn: [...context.boundary.dependsOn],
    });

    // Every role trusting GitHub's provider waits for it, so a first `up` never names a missing provider.
    const access = config.repositories.map(
        (entry) => new RepositoryAccess(entry.name, { context, entry, rolesDependOn: githubOidc.dependencies }),
    );
    // The role CodeDeploy acts as for each Lambda service that declares its functions.
    for (const entry of config.repositories.filter((e) => (e.deploys.functions ?? []).length > 0)) {
        new LambdaRolloutRole(`${entry.name}-rollout`, { context, entry });
    }
    // Each container service's container repository; its deployer (above) pushes to it alone.
    for (const entry of config.repositories.filter((e) => e.kind === "container")) {
        new ContainerRepository(`${entry.name}-images`, { context, repository: entry.name, keyArn: key.key.arn });
    }
    // Every environment's GitHub side, written from this stack alone (prod's): dev and sit declare none.
    if (config.ownsRepositoryRuleset) await declareGithubSide(context, [...sameShard(config, others), config]);

    // Nothing in s3 mode: the default stacks' resources stay as they are.
    const pulumiCloud = pulumiCloudResources(context);

    return {
        environment: config.environment,
        keyAlias: key.aliasName,
        ledgerTable: ledger.tableName,
        alertTopics: Object.fromEntries(Object.entries(monitoring.topics).map(([route, topic]) => [route, topic.arn])),
        auditLogGroup: monitoring.auditLogGroup.name,
        permissionsBoundary: context.boundary.arn,
        stateAccessLogBucket: state.accessLog.bucketName,
        backend: backendOutputs(state, config.region),
        ...(pulumiCloud ? { pulumiCloud } : {}),
        repositories: repositoryOutputs(access),
    };
}

/** Where every repository keeps its Pulumi or Terraform state: the stack output `backend`. */
function backendOutputs(state: StateBackend, region: string) {
    return {
        bucket: state.bucketName,
        keyPrefix: "<repository>/",
        region,
        lockTable: state.lockTableName,
        pulumiLoginUrl: backendUrl(state.bucketName, "<repository>", region),
        // Terraform keeps every key, workspaces included, under the repository's prefix: the only one its roles reach.
        terraformKey: "<repository>/terraform.tfstate",
        terraformWorkspaceKeyPrefix: "<repository>",
    };
}
