import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import type { Environment, EnvironmentProtection, RepositoryConfig } from "../config";
import type { RepositoryIds } from "./githubOidc";
import type { Naming } from "./naming";
import { RepositoryRoles } from "./repositoryRoles";

/** Arguments for {@link RepositoryEnvironment}. */
export interface RepositoryEnvironmentArgs {
    readonly naming: Naming;
    readonly owner: string;
    readonly repository: RepositoryConfig;
    readonly protection: EnvironmentProtection;
    /** Reviewers as GitHub's numeric ids (the stack file names slugs and logins). */
    readonly reviewers: { readonly teams: readonly number[]; readonly users: readonly number[] };
    readonly ids?: RepositoryIds;
    readonly terraformLockTable: boolean;
    readonly ledgerReaderEnvironment?: Environment;
    readonly permissionsBoundaryArn: string;
    /** Deployer role names of the administrator-owned bootstrap tier. */
    readonly bootstrapRoleNames: readonly string[];
    readonly cloudTrailLogGroup?: string;
    /** Resources the roles wait for, such as the boundary policy. */
    readonly rolesDependOn?: pulumi.Resource[];
    /** Becomes `SLACK_WEBHOOK_<ENV>`; stays a Pulumi secret. Defaults to none. */
    readonly slackWebhook?: pulumi.Output<string>;
    /** This repository's Pulumi backend in the environment's state bucket. */
    readonly backendUrl: string;
    /** Plain variables of the environment, such as AWS_REGION. */
    readonly variables: Readonly<Record<string, pulumi.Input<string>>>;
    /** When set, this stack owns the default-branch ruleset requiring that many approvals. */
    readonly defaultBranchApprovals?: number;
    readonly provider: github.Provider;
}

/**
 * One repository in one environment: the GitHub environment, the deployer role its gated jobs assume and
 * the `AWS_ROLE_<ENV>` secret holding that role's ARN. The environment's name is read once, here, for
 * the environment, the role's trust subject and the secret, so the three can never disagree.
 */
export class RepositoryEnvironment extends pulumi.ComponentResource {
    public readonly environment: github.RepositoryEnvironment;
    public readonly roles: RepositoryRoles;
    public readonly roleSecret: github.ActionsEnvironmentSecret;

    constructor(name: string, args: RepositoryEnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
        super("cicd:github:RepositoryEnvironment", name, {}, opts);
        const environmentName = args.naming.environment;
        const suffix = environmentName.toUpperCase();
        const repository = args.repository.name;
        const gh = { parent: this, provider: args.provider };

        this.roles = new RepositoryRoles(
            name,
            {
                naming: args.naming,
                owner: args.owner,
                repository,
                kind: args.repository.kind,
                scope: args.repository.deploys,
                terraformLockTable: args.terraformLockTable,
                deployEnvironment: environmentName,
                ids: args.ids,
                ledgerReaderEnvironment: args.ledgerReaderEnvironment,
                permissionsBoundaryArn: args.permissionsBoundaryArn,
                bootstrapRoleNames: args.bootstrapRoleNames,
                cloudTrailLogGroup: args.cloudTrailLogGroup,
                dependsOn: args.rolesDependOn,
            },
            { parent: this },
        );

        this.environment = new github.RepositoryEnvironment(
            `${name}-${environmentName}`,
            {
                repository,
                environment: environmentName,
                reviewers: [{ teams: [...args.reviewers.teams], users: [...args.reviewers.users] }],
                preventSelfReview: args.protection.preventSelfReview,
                // GitHub lets administrators bypass by default; only dev keeps that escape hatch.
                canAdminsBypass: environmentName === "dev",
                waitTimer: args.protection.waitTimerMinutes,
                deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true },
            },
            gh,
        );
        // Children below take the environment's name from the resource, so they are created after it.
        const environment = this.environment.environment;
        for (const branchPattern of args.protection.branchPatterns) {
            new github.RepositoryEnvironmentDeploymentPolicy(
                `${name}-${environmentName}-branch-${branchPattern}`,
                { repository, environment, branchPattern },
                gh,
            );
        }
        for (const tagPattern of args.protection.tagPatterns) {
            new github.RepositoryEnvironmentDeploymentPolicy(
                `${name}-${environmentName}-tag-${tagPattern}`,
                { repository, environment, tagPattern },
                gh,
            );
        }

        this.roleSecret = new github.ActionsEnvironmentSecret(
            `${name}-${environmentName}-aws-role`,
            { repository, environment, secretName: `AWS_ROLE_${suffix}`, value: this.roles.deployer.arn },
            gh,
        );
        if (args.slackWebhook) {
            new github.ActionsEnvironmentSecret(
                `${name}-${environmentName}-slack-webhook`,
                { repository, environment, secretName: `SLACK_WEBHOOK_${suffix}`, value: pulumi.secret(args.slackWebhook) },
                gh,
            );
        }
        const variables = { ...args.variables, PULUMI_BACKEND_URL: args.backendUrl };
        for (const [variableName, value] of Object.entries(variables)) {
            new github.ActionsEnvironmentVariable(
                `${name}-${environmentName}-${variableName}`,
                { repository, environment, variableName, value },
                gh,
            );
        }
        // Pull-request previews and promotion checks run without this environment: repository variables,
        // one name per environment, so the three stacks never write the same one.
        new github.ActionsVariable(
            `${name}-preview-role-${environmentName}`,
            { repository, variableName: `AWS_PREVIEW_ROLE_${suffix}`, value: this.roles.previewer.arn },
            gh,
        );
        new github.ActionsVariable(
            `${name}-backend-url-${environmentName}`,
            { repository, variableName: `PULUMI_BACKEND_URL_${suffix}`, value: args.backendUrl },
            gh,
        );
        if (this.roles.ledgerReader) {
            new github.ActionsVariable(
                `${name}-ledger-reader-role-${environmentName}`,
                { repository, variableName: `AWS_LEDGER_READER_ROLE_${suffix}`, value: this.roles.ledgerReader.arn },
                gh,
            );
        }
        if (args.defaultBranchApprovals !== undefined) {
            new github.RepositoryRuleset(
                `${name}-default-branch`,
                {
                    repository,
                    name: "default-branch-approvals",
                    target: "branch",
                    enforcement: "active",
                    conditions: { refName: { includes: ["~DEFAULT_BRANCH"], excludes: [] } },
                    rules: {
                        deletion: true,
                        nonFastForward: true,
                        pullRequest: {
                            requiredApprovingReviewCount: args.defaultBranchApprovals,
                            requireLastPushApproval: true,
                            dismissStaleReviewsOnPush: true,
                            requiredReviewThreadResolution: true,
                        },
                    },
                },
                gh,
            );
        }
        this.registerOutputs({ environment: environmentName, deployerArn: this.roles.deployer.arn });
    }
}
