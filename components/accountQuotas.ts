/**
 * IAM roles per account are limited (1,000 unless raised): counted at synthesis for the roles this program
 * creates in the environment's account and the execution roles the Lambda pipelines will create there, so a
 * growing repository list fails in preview with the count, not half-way through an `up`.
 */
import { PROJECT, type StackConfig } from "../config";

export interface RoleCount {
    /** Roles this program declares in the account. */
    readonly program: number;
    /** Execution roles the Lambda pipelines create (`<prefix>-lambda-<repository>-*`). */
    readonly pipelines: number;
    readonly total: number;
}

/** Pure: the same count the synthesized graph shows for the program's roles (tested against it). */
export function iamRoleCount(config: StackConfig): RoleCount {
    const perRepository = 2 + (config.ledgerReaderEnvironment === undefined ? 0 : 1);
    const program =
        config.repositories.length * perRepository +
        (config.notifications.slackChannels.length > 0 ? 1 : 0) +
        (config.backend === "pulumi-cloud" ? 1 : 0);
    const pipelines = config.repositories
        .filter((r) => r.kind === "lambda")
        .reduce((n, r) => n + r.deploys.lambdaFunctions.length * config.accountQuotas.executionRolesPerLambdaPattern, 0);
    return { program, pipelines, total: program + pipelines };
}

/** The problem, naming the count and the key, when the account's role quota would be exceeded. */
export function iamRoleQuotaProblem(config: StackConfig): string | undefined {
    const count = iamRoleCount(config);
    const quota = config.accountQuotas.iamRoles;
    if (count.total <= quota) return undefined;
    return `${config.stackFile}: ${PROJECT}:accountQuotas.iamRoles is ${quota}, but account ${config.accountId} needs ${count.total} IAM roles (${count.program} this program creates, ${count.pipelines} the Lambda pipelines will create): raise "Roles per account" in Service Quotas (IAM) and set accountQuotas.iamRoles to the granted value (docs/runbooks/administrator.md#iam-role-quota)`;
}
