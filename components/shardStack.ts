/**
 * A shard's stack (`<environment>-<shard>`, config/shards.ts): the roles of the repositories its entries name,
 * and in prod their GitHub side for all three environments. Nothing of the foundation tier is declared here.
 *
 * The tier's resources the roles name (the permissions boundary, the state bucket, the ledger and lock tables,
 * the key's alias, the foundation's deployer role) are derived by name from the environment's prefix, account
 * and region (shared/names.ts), not read through a StackReference: a name is known in a first preview, so
 * the pack judges the trust and the boundary on real values; a shard's previewer needs no read of the tier's
 * state; and a shard cannot be pointed at another stack's outputs. The shard rules (config/shards.ts) hold a
 * shard to the tier's account, prefix and region, so the names are the tier's.
 */
import type * as github from "@pulumi/github";
import type { StackConfig } from "../config";
import { lookUpGithubIds } from "./githubLookups";
import { declareGithubSide } from "./githubOwner";
import { boundaryPolicyArn } from "../shared/arns";
import { roleName, type Naming } from "../shared/names";
import { stateKeyPrefix } from "./permissions";
import { RepositoryAccess } from "./repositoryAccess";

/** The stacks of one shard (or of the foundation tier): those whose shard is the given stack's. */
export function sameShard(config: StackConfig, others: readonly StackConfig[]): StackConfig[] {
    return others.filter((o) => o.sharding?.shard === config.sharding?.shard);
}

/** Declares a shard's stack and returns its outputs. */
export async function declareShard(config: StackConfig, others: readonly StackConfig[], githubProvider: github.Provider) {
    const sharding = config.sharding;
    if (sharding?.shard === undefined) throw new Error(`${config.stackFile}: declareShard runs for a shard's stack only`);
    const naming: Naming = { prefix: config.prefix, environment: config.environment, accountId: config.accountId, region: config.region };
    const ids = await lookUpGithubIds(config, githubProvider);
    // The foundation's deployer is a bootstrap role of the tier: no shard's role may touch it.
    const bootstrapRoles = [roleName(naming, "deployer", sharding.foundationRepository)];
    const access = config.repositories.map(
        (repository) =>
            new RepositoryAccess(repository.name, {
                naming,
                owner: config.githubOwner,
                repository,
                ids: ids.repositories[repository.name],
                foundationRepository: sharding.foundationRepository,
                terraformLockTable: config.state.terraformLockTable,
                ledgerReaderEnvironment: config.ledgerReaderEnvironment,
                permissionsBoundaryArn: boundaryPolicyArn(naming),
                bootstrapRoleNames: bootstrapRoles,
                cloudTrailLogGroup: config.monitoring.cloudTrailLogGroup,
            }),
    );
    // The shard's GitHub side for all three environments, from its prod stack only.
    if (config.ownsRepositoryRuleset) await declareGithubSide(config, [...sameShard(config, others), config], githubProvider);
    return {
        environment: config.environment,
        shard: sharding.shard,
        repositories: Object.fromEntries(
            config.repositories.map((repository, i) => [
                repository.name,
                {
                    deployerRoleArn: access[i].roles.deployer.arn,
                    previewerRoleArn: access[i].roles.previewer.arn,
                    stateKeyPrefix: stateKeyPrefix(repository.name),
                },
            ]),
        ),
    };
}
