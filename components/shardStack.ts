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
import type { StackConfig } from "../config";
import type { StackContext } from "./context";
import { declareGithubSide } from "./githubOwner";
import { RepositoryAccess, repositoryOutputs } from "./repositoryAccess";

/** The stacks of one shard (or of the foundation tier): those whose shard is the given stack's. */
export function sameShard(config: StackConfig, others: readonly StackConfig[]): StackConfig[] {
    return others.filter((o) => o.sharding?.shard === config.sharding?.shard);
}

/**
 * Declares a shard's stack and returns its outputs. Its context names the tier's boundary and the
 * foundation's deployer by name (`stackContext` in index.ts): the shard declares neither.
 */
export async function declareShard(context: StackContext, others: readonly StackConfig[]) {
    const { config } = context;
    const sharding = config.sharding;
    if (sharding?.shard === undefined) throw new Error(`${config.stackFile}: declareShard runs for a shard's stack only`);
    const access = config.repositories.map((entry) => new RepositoryAccess(entry.name, { context, entry }));
    // The shard's GitHub side for all three environments, from its prod stack only.
    if (config.ownsRepositoryRuleset) await declareGithubSide(context, [...sameShard(config, others), config]);
    return {
        environment: config.environment,
        shard: sharding.shard,
        repositories: repositoryOutputs(access),
    };
}
