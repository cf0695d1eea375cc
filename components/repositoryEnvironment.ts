import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import type { Environment, EnvironmentProtection, RepositoryConfig, RepositoryKind } from "../config";
import type { RepositoryIds } from "./githubOidc";
import type { Naming } from "./naming";
import { stateKeyPrefix } from "./permissions";
import { RepositoryRoles } from "./repositoryRoles";

/** What the stack knows that a repository's pipeline reads from GitHub variables. */
export interface PipelineFacts {
    readonly environment: Environment;
    readonly repository: string;
    readonly region: string;
    readonly stateBucket: string;
    /** The Terraform lock table, when the stack has one (`state.terraformLockTable`). */
    readonly lockTable?: string;
    readonly backendUrl: string;
}

/** Environment variables only a kind's pipeline reads; the others are left out of its environments. */
const KIND_ONLY: Readonly<Record<string, RepositoryKind>> = { PULUMI_STACK: "pulumi", STATE_BUCKET: "terraform" };

/**
 * The variables a repository's pipeline reads, by kind. Environment variables reach only the gated jobs
 * of that environment (the apply job). Pull-request plans, previews and scheduled drift jobs name no
 * environment (their OIDC subject is `pull_request` or `ref:refs/heads/main`, which the previewer trusts),
 * so what they need is a repository variable with the environment in its name: three stacks never write
 * the same one. Pure, so the table is tested as data.
 */
export function pipelineVariables(
    kind: RepositoryKind,
    facts: PipelineFacts,
    common: Readonly<Record<string, pulumi.Input<string>>>,
): { environment: Record<string, pulumi.Input<string>>; repository: Record<string, pulumi.Input<string>> } {
    const suffix = facts.environment.toUpperCase();
    const environment: Record<string, pulumi.Input<string>> = {};
    for (const [name, value] of Object.entries(common)) {
        const only = KIND_ONLY[name];
        // The foundation (pulumi) keeps every common variable, as it always had.
        if (only === undefined || only === kind || kind === "pulumi") environment[name] = value;
    }
    const repository: Record<string, pulumi.Input<string>> = {};
    if (kind === "pulumi") {
        environment.PULUMI_BACKEND_URL = facts.backendUrl;
        repository[`PULUMI_BACKEND_URL_${suffix}`] = facts.backendUrl;
    }
    if (kind === "terraform") {
        environment.STATE_BUCKET = facts.stateBucket;
        environment.TF_STATE_KEY_PREFIX = stateKeyPrefix(facts.repository);
        // Without a lock table the pipeline locks with S3's lock file (`use_lockfile`) under the same prefix.
        if (facts.lockTable) environment.TF_LOCK_TABLE = facts.lockTable;
        repository[`TF_STATE_BUCKET_${suffix}`] = facts.stateBucket;
        repository[`TF_STATE_KEY_PREFIX_${suffix}`] = stateKeyPrefix(facts.repository);
        // Plans record the backend they were made with and the apply locks with it: plans init with the
        // lock table too (and never take the lock: `-lock=false`).
        if (facts.lockTable) repository[`TF_LOCK_TABLE_${suffix}`] = facts.lockTable;
    }
    if (kind !== "pulumi") repository[`AWS_REGION_${suffix}`] = facts.region;
    return { environment, repository };
}

/** Arguments for {@link RepositoryEnvironment}. */
export interface RepositoryEnvironmentArgs {
    readonly naming: Naming;
    readonly owner: string;
    readonly repository: RepositoryConfig;
    readonly protection: EnvironmentProtection;
    /** Reviewers as GitHub's numeric ids (the stack file names slugs and logins). */
    readonly reviewers: { readonly teams: readonly number[]; readonly users: readonly number[] };
    readonly ids: RepositoryIds;
    /** The repository holding this program, whose reusable workflows the roles trust. */
    readonly foundationRepository: string;
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
    /** The environment's state bucket. */
    readonly stateBucket: string;
    /** The environment's Terraform lock table, when it has one. */
    readonly lockTableName?: string;
    /** The environment's ledger table (the next environment's promotion check reads it). */
    readonly ledgerTable: string;
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
                foundationRepository: args.foundationRepository,
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
        const variables = pipelineVariables(
            args.repository.kind,
            {
                environment: environmentName,
                repository,
                region: args.naming.region,
                stateBucket: args.stateBucket,
                lockTable: args.lockTableName,
                backendUrl: args.backendUrl,
            },
            args.variables,
        );
        for (const [variableName, value] of Object.entries(variables.environment)) {
            new github.ActionsEnvironmentVariable(
                `${name}-${environmentName}-${variableName}`,
                { repository, environment, variableName, value },
                gh,
            );
        }
        // Pull-request previews, plans and drift jobs run without this environment: repository variables,
        // one name per environment, so the three stacks never write the same one.
        new github.ActionsVariable(
            `${name}-preview-role-${environmentName}`,
            { repository, variableName: `AWS_PREVIEW_ROLE_${suffix}`, value: this.roles.previewer.arn },
            gh,
        );
        for (const [variableName, value] of Object.entries(variables.repository)) {
            // The foundation's backend variable keeps the child name it was first created with.
            const key = variableName === `PULUMI_BACKEND_URL_${suffix}` ? `backend-url-${environmentName}` : variableName;
            new github.ActionsVariable(`${name}-${key}`, { repository, variableName, value }, gh);
        }
        if (this.roles.ledgerReader) {
            // The next environment's promotion check assumes this reader and asks this ledger.
            new github.ActionsVariable(
                `${name}-ledger-reader-role-${environmentName}`,
                { repository, variableName: `AWS_LEDGER_READER_ROLE_${suffix}`, value: this.roles.ledgerReader.arn },
                gh,
            );
            new github.ActionsVariable(
                `${name}-ledger-table-${environmentName}`,
                { repository, variableName: `LEDGER_TABLE_${suffix}`, value: args.ledgerTable },
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
