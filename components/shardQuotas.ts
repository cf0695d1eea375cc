/**
 * The IAM role quota with shards: every stack of an environment (its foundation tier and its shards) creates
 * roles in the same account, so the quota is checked against their sum, from each stack's run. A shard's
 * stack declares no monitoring, so it creates no Chatbot role.
 */
import { PROJECT, type StackConfig } from "../config";
import { iamRoleCount } from "./accountQuotas";

/** Roles one stack of a sharded environment creates, and its pipelines will create, in the account. */
export function stackRoleCount(config: StackConfig): number {
    if (config.sharding?.shard === undefined) return iamRoleCount(config).total;
    return iamRoleCount({ ...config, notifications: { ...config.notifications, slackChannels: [] } }).total;
}

/** The problem, naming the count of every stack, when an environment's stacks together exceed the account's quota. */
export function accountRoleQuotaProblem(config: StackConfig, others: readonly StackConfig[]): string | undefined {
    if (config.sharding === undefined) return undefined;
    const stacks = [config, ...others].filter((c) => c.environment === config.environment);
    const counts = stacks.map((c) => ({ c, roles: stackRoleCount(c) }));
    const total = counts.reduce((n, { roles }) => n + roles, 0);
    const quota = config.accountQuotas.iamRoles;
    if (total <= quota) return undefined;
    const each = counts.map(({ c, roles }) => `${c.stackFile}: ${roles}`).join(", ");
    return `${config.stackFile}: ${PROJECT}:accountQuotas.iamRoles is ${quota}, but account ${config.accountId} needs ${total} IAM roles for ${config.environment}'s stacks together (${each}), the pipelines' Lambda execution roles included: raise "Roles per account" in Service Quotas (IAM) and set accountQuotas.iamRoles to the granted value in every ${config.environment} stack (docs/runbooks/administrator.md#iam-role-quota)`;
}
