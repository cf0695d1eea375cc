import { loadConfig } from "./config";
import { DeploymentLedger } from "./components/deploymentLedger";
import { EncryptionKey } from "./components/encryptionKey";
import { GithubOidcProvider } from "./components/githubOidc";
import { stateKeyPrefix } from "./components/permissions";
import { RepositoryRoles } from "./components/repositoryRoles";
import { StateBackend } from "./components/stateBackend";

/** The program: config -> components -> stack outputs. Runs per stack, one environment per AWS account. */
export = async () => {
    const config = loadConfig();
    const naming = { prefix: config.prefix, environment: config.environment, accountId: config.accountId, region: config.region };

    const key = new EncryptionKey("key", { naming });
    new GithubOidcProvider("github-oidc", { environment: config.environment });
    const state = new StateBackend("state", {
        naming,
        keyArn: key.key.arn,
        noncurrentVersionDays: config.state.noncurrentVersionDays,
        abortIncompleteUploadDays: config.state.abortIncompleteUploadDays,
        terraformLockTable: config.state.terraformLockTable,
    });
    const ledger = new DeploymentLedger("ledger", { naming, keyArn: key.key.arn });

    const roles = config.repositories.map(
        (repository) =>
            new RepositoryRoles(repository.name, {
                naming,
                owner: config.githubOwner,
                repository: repository.name,
                scope: repository.deploys,
                terraformLockTable: config.state.terraformLockTable,
                deployEnvironment: config.environment,
                ledgerReaderEnvironment: config.ledgerReaderEnvironment,
                permissionsBoundaryArn: config.permissionsBoundaryArn,
            }),
    );

    return {
        environment: config.environment,
        keyAlias: key.aliasName,
        ledgerTable: ledger.tableName,
        backend: {
            bucket: state.bucketName,
            keyPrefix: "<repository>/",
            region: config.region,
            lockTable: state.lockTableName,
            pulumiLoginUrl: `s3://${state.bucketName}/<repository>?region=${config.region}&awssdk=v2`,
        },
        repositories: Object.fromEntries(
            config.repositories.map((repository, i) => [
                repository.name,
                {
                    deployerRoleArn: roles[i].deployer.arn,
                    previewerRoleArn: roles[i].previewer.arn,
                    stateKeyPrefix: stateKeyPrefix(repository.name),
                },
            ]),
        ),
    };
};
