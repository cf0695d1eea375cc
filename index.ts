import * as github from "@pulumi/github";
import { ConfigError, loadStackSet } from "./config";
import { githubServer } from "./config/checks/githubServer";
import { iamRoleQuotaProblem } from "./components/accountQuotas";
import { ContainerRepository } from "./components/containerRepository";
import { DeploymentLedger } from "./components/deploymentLedger";
import { EncryptionKey } from "./components/encryptionKey";
import { lookUpGithubIds } from "./components/githubLookups";
import { LambdaRolloutRole } from "./components/lambdaRollout";
import { Monitoring } from "./components/monitoring";
import { GithubOidcProvider } from "./components/githubOidc";
import { backendUrl, bootstrapRoleNames, stateKeyPrefix } from "./components/permissions";
import { PermissionsBoundary } from "./components/permissionsBoundary";
import { pulumiCloudBootstrapRoleNames, pulumiCloudResources } from "./components/pulumiCloud";
import { declareGithubSide } from "./components/githubOwner";
import { accountRoleQuotaProblem } from "./components/shardQuotas";
import { declareShard, sameShard } from "./components/shardStack";
import { RepositoryAccess } from "./components/repositoryAccess";
import { StateBackend } from "./components/stateBackend";

/** The program: config -> components -> stack outputs. Runs per stack, one environment per AWS account. */
export = async () => {
    const { config, others } = loadStackSet();
    const quota = iamRoleQuotaProblem(config) ?? accountRoleQuotaProblem(config, others);
    if (quota) throw new ConfigError(config.stackFile, [quota]);
    // On a GitHub Enterprise Server the Actions issuer is the server's own (config/checks/githubServer.ts).
    const server = githubServer(config.githubBaseUrl);
    const naming = {
        prefix: config.prefix,
        environment: config.environment,
        accountId: config.accountId,
        region: config.region,
        ...(config.githubBaseUrl ? { githubOidcHost: server.oidcHost } : {}),
    };

    // Without a token in config the provider reads GITHUB_TOKEN. Registering it touches nothing in GitHub. Only
    // the stack that owns the GitHub side (prod's) may hold a write token (config.ts refuses one elsewhere).
    const githubProvider = new github.Provider("github", { owner: config.githubOwner, token: config.githubToken, baseUrl: server.apiUrl });
    // Every lookup is resolved, and every failure reported, before any resource is declared.
    // A shard's stack holds its repositories' roles and GitHub side, and nothing of the foundation tier.
    if (config.sharding?.shard !== undefined) return declareShard(config, others, githubProvider);
    const ids = await lookUpGithubIds(config, githubProvider);

    // The administrator-owned bootstrap tier: the boundary, and the deployer roles of this program's repository.
    const bootstrapRoles = [...bootstrapRoleNames(naming, config.repositories), ...pulumiCloudBootstrapRoleNames(config, naming)];
    const boundary = new PermissionsBoundary("pipeline-boundary", {
        naming,
        bootstrapRoleNames: bootstrapRoles,
        deployableServices: config.deployableServices,
    });
    const rolesDependOn = [boundary.policy];

    const key = new EncryptionKey("key", { naming });
    const githubOidc = new GithubOidcProvider("github-oidc", {
        environment: config.environment,
        existing: config.oidcProviders.github,
        host: naming.githubOidcHost,
    });
    const state = new StateBackend("state", {
        naming,
        keyArn: key.key.arn,
        noncurrentVersionDays: config.state.noncurrentVersionDays,
        abortIncompleteUploadDays: config.state.abortIncompleteUploadDays,
        terraformLockTable: config.state.terraformLockTable,
        // The state access log is kept as long as the audit logs.
        accessLogRetentionDays: config.monitoring.logRetentionDays,
    });
    const ledger = new DeploymentLedger("ledger", { naming, keyArn: key.key.arn });
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
        lambdaFunctions: config.repositories.flatMap((r) => (r.deploys.functions ?? []).map((f) => f.name)),
        permissionsBoundaryArn: boundary.arn,
        rolesDependOn,
    });

    const environments = config.repositories.map(
        (repository) =>
            new RepositoryAccess(repository.name, {
                naming,
                owner: config.githubOwner,
                repository,
                ids: ids.repositories[repository.name],
                foundationRepository: ids.foundationRepository,
                terraformLockTable: config.state.terraformLockTable,
                ledgerReaderEnvironment: config.ledgerReaderEnvironment,
                permissionsBoundaryArn: boundary.arn,
                bootstrapRoleNames: bootstrapRoles,
                cloudTrailLogGroup: config.monitoring.cloudTrailLogGroup,
                // Every role trusting GitHub's provider waits for it, so a first `up` never names a missing provider.
                rolesDependOn: [...rolesDependOn, ...githubOidc.dependencies],
            }),
    );
    // The role CodeDeploy acts as for each Lambda service that declares its functions.
    for (const repository of config.repositories.filter((r) => (r.deploys.functions ?? []).length > 0)) {
        new LambdaRolloutRole(`${repository.name}-rollout`, {
            naming,
            owner: config.githubOwner,
            repository: repository.name,
            scope: repository.deploys,
            permissionsBoundaryArn: boundary.arn,
            rolesDependOn,
        });
    }
    // Each container service's image repository; its deployer (above) pushes to it alone.
    for (const repository of config.repositories.filter((r) => r.kind === "container")) {
        new ContainerRepository(`${repository.name}-images`, { naming, repository: repository.name, keyArn: key.key.arn });
    }
    // Every environment's GitHub side, written from this stack alone (prod's): dev and sit declare none.
    if (config.ownsRepositoryRuleset) await declareGithubSide(config, [...sameShard(config, others), config], githubProvider);

    // Nothing in s3 mode: the default stacks' resources stay as they are.
    const pulumiCloud = pulumiCloudResources(config, naming, {
        permissionsBoundaryArn: boundary.arn,
        bootstrapRoleNames: bootstrapRoles,
        rolesDependOn,
    });

    return {
        environment: config.environment,
        keyAlias: key.aliasName,
        ledgerTable: ledger.tableName,
        alertTopics: Object.fromEntries(Object.entries(monitoring.topics).map(([route, topic]) => [route, topic.arn])),
        auditLogGroup: monitoring.auditLogGroup.name,
        permissionsBoundary: boundary.arn,
        stateAccessLogBucket: state.accessLog.bucketName,
        backend: {
            bucket: state.bucketName,
            keyPrefix: "<repository>/",
            region: config.region,
            lockTable: state.lockTableName,
            pulumiLoginUrl: backendUrl(state.bucketName, "<repository>", config.region),
            // Terraform keeps every key, workspaces included, under the repository's prefix: the only one its roles reach.
            terraformKey: "<repository>/terraform.tfstate",
            terraformWorkspaceKeyPrefix: "<repository>",
        },
        ...(pulumiCloud ? { pulumiCloud } : {}),
        repositories: Object.fromEntries(
            config.repositories.map((repository, i) => [
                repository.name,
                {
                    deployerRoleArn: environments[i].roles.deployer.arn,
                    previewerRoleArn: environments[i].roles.previewer.arn,
                    stateKeyPrefix: stateKeyPrefix(repository.name),
                },
            ]),
        ),
    };
};
