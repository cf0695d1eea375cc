import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import type { Environment, RepositoryConfig, RepositoryKind, StackConfig } from "../config";
import { environmentEntry, repositoryBackendUrl, repositoryEnvironmentEntry } from "./foundationMap";
import { stateKeyPrefix } from "./permissions";

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

/** Branches and tags of a repository's rulesets: what deploys, as GitHub's ruleset conditions name it. */
export const DEPLOY_TAG_PATTERN = "refs/tags/deploy-*";

/** The repository-wide rules the stack that owns the GitHub side sets once per repository. */
export interface RepositoryRules {
    /** Approving reviews every change of the deploying branch needs (prod's, the largest). */
    readonly approvals: number;
    /** Branches prod deploys from (`environmentProtection.branchPatterns` of prod): covered besides the default branch. */
    readonly deployBranches: readonly string[];
    /** GitHub ids of prod's approver teams: each must approve every change of the deploying branch. */
    readonly approverTeams: readonly number[];
}

/** Arguments for {@link RepositoryEnvironment}. */
export interface RepositoryEnvironmentArgs {
    readonly owner: string;
    readonly repository: RepositoryConfig;
    /** The environment's own stack config: its names, reviewers and branch policy. */
    readonly stack: StackConfig;
    /** Reviewers as GitHub's numeric ids (the stack file names slugs and logins). */
    readonly reviewers: { readonly teams: readonly number[]; readonly users: readonly number[] };
    /** Becomes `SLACK_WEBHOOK_<ENV>`; stays a Pulumi secret. Defaults to none. */
    readonly slackWebhook?: pulumi.Output<string>;
    /** Set on one environment per repository (prod's): the branch and tag rulesets. */
    readonly rules?: RepositoryRules;
    readonly provider: github.Provider;
}

/**
 * One repository's GitHub environment for one environment: reviewers, branch policy, the `AWS_ROLE_<ENV>`
 * secret and the variables, declared by the stack that owns the GitHub side for all three environments. The
 * environment's name is the stack's environment, read once here; the role ARN in the secret is derived from
 * the same name by the naming functions the role's own stack uses, so the three cannot disagree.
 */
export class RepositoryEnvironment extends pulumi.ComponentResource {
    public readonly environment: github.RepositoryEnvironment;
    public readonly roleSecret: github.ActionsEnvironmentSecret;

    constructor(name: string, args: RepositoryEnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
        super("cicd:github:RepositoryEnvironment", name, {}, opts);
        const stack = args.stack;
        const environmentName = stack.environment;
        const suffix = environmentName.toUpperCase();
        const repository = args.repository.name;
        const shared = environmentEntry(stack);
        const roles = repositoryEnvironmentEntry(stack, repository);
        const backendUrl = repositoryBackendUrl(stack, repository);
        const gh = { parent: this, provider: args.provider };
        const protection = stack.protection;

        this.environment = new github.RepositoryEnvironment(
            `${repository}-${environmentName}`,
            {
                repository,
                environment: environmentName,
                reviewers: [{ teams: [...args.reviewers.teams], users: [...args.reviewers.users] }],
                preventSelfReview: protection.preventSelfReview,
                // GitHub lets administrators bypass by default; only dev keeps that escape hatch.
                canAdminsBypass: environmentName === "dev",
                waitTimer: protection.waitTimerMinutes,
                deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true },
            },
            gh,
        );
        // Children name the environment from config, so the name is known in a first preview (the pack judges
        // each policy by it), and wait for the environment to exist.
        const child = { ...gh, dependsOn: [this.environment] };
        const environment = environmentName;
        for (const branchPattern of protection.branchPatterns) {
            new github.RepositoryEnvironmentDeploymentPolicy(
                `${repository}-${environmentName}-branch-${branchPattern}`,
                { repository, environment, branchPattern },
                child,
            );
        }
        for (const tagPattern of protection.tagPatterns) {
            new github.RepositoryEnvironmentDeploymentPolicy(
                `${repository}-${environmentName}-tag-${tagPattern}`,
                { repository, environment, tagPattern },
                child,
            );
        }

        this.roleSecret = new github.ActionsEnvironmentSecret(
            `${repository}-${environmentName}-aws-role`,
            { repository, environment, secretName: `AWS_ROLE_${suffix}`, value: roles.deployerRoleArn },
            child,
        );
        if (args.slackWebhook) {
            new github.ActionsEnvironmentSecret(
                `${repository}-${environmentName}-slack-webhook`,
                { repository, environment, secretName: `SLACK_WEBHOOK_${suffix}`, value: pulumi.secret(args.slackWebhook) },
                child,
            );
        }
        const variables = pipelineVariables(
            args.repository.kind,
            {
                environment: environmentName,
                repository,
                region: stack.region,
                stateBucket: shared.stateBucket,
                lockTable: shared.lockTable ?? undefined,
                backendUrl,
            },
            {
                AWS_REGION: stack.region,
                AWS_ACCOUNT_ID: stack.accountId,
                PULUMI_STACK: stack.stack,
                STATE_BUCKET: shared.stateBucket,
                LEDGER_TABLE: shared.ledgerTable,
            },
        );
        for (const [variableName, value] of Object.entries(variables.environment)) {
            new github.ActionsEnvironmentVariable(
                `${repository}-${environmentName}-${variableName}`,
                { repository, environment, variableName, value },
                child,
            );
        }
        // Pull-request previews, plans and drift jobs run without this environment: repository variables,
        // one name per environment.
        new github.ActionsVariable(
            `${repository}-preview-role-${environmentName}`,
            { repository, variableName: `AWS_PREVIEW_ROLE_${suffix}`, value: roles.previewerRoleArn },
            gh,
        );
        for (const [variableName, value] of Object.entries(variables.repository)) {
            // The foundation's backend variable keeps the child name it was first created with.
            const key = variableName === `PULUMI_BACKEND_URL_${suffix}` ? `backend-url-${environmentName}` : variableName;
            new github.ActionsVariable(`${repository}-${key}`, { repository, variableName, value }, gh);
        }
        if (roles.ledgerReaderRoleArn !== null) {
            // The next environment's promotion check assumes this reader and asks this ledger.
            new github.ActionsVariable(
                `${repository}-ledger-reader-role-${environmentName}`,
                { repository, variableName: `AWS_LEDGER_READER_ROLE_${suffix}`, value: roles.ledgerReaderRoleArn },
                gh,
            );
            new github.ActionsVariable(
                `${repository}-ledger-table-${environmentName}`,
                { repository, variableName: `LEDGER_TABLE_${suffix}`, value: shared.ledgerTable },
                gh,
            );
        }
        if (args.rules) repositoryRulesets(repository, args.rules, gh);
        this.registerOutputs({ environment: environmentName, deployerArn: roles.deployerRoleArn });
    }
}

/** The branch ruleset's inputs: pure, so what it requires is tested as data. */
export function branchRuleset(repository: string, rules: RepositoryRules): github.RepositoryRulesetArgs {
    return {
        repository,
        name: "default-branch-approvals",
        target: "branch",
        enforcement: "active",
        // Environments deploy the branches prod names (main); the default branch may be another (master,
        // develop): both are covered, so the approvals hold wherever a deployment starts.
        conditions: {
            refName: {
                includes: ["~DEFAULT_BRANCH", ...rules.deployBranches.map((b) => `refs/heads/${b}`)],
                excludes: [],
            },
        },
        rules: {
            deletion: true,
            nonFastForward: true,
            pullRequest: {
                requiredApprovingReviewCount: rules.approvals,
                requireLastPushApproval: true,
                dismissStaleReviewsOnPush: true,
                requiredReviewThreadResolution: true,
                // The named approvers, not any writers: each approver team must approve every file of the change.
                requiredReviewers: rules.approverTeams.map((id) => ({
                    reviewer: { id, type: "Team" },
                    minimumApprovals: 1,
                    filePatterns: ["**/*"],
                })),
            },
        },
    };
}

/**
 * The deploy-tag ruleset's inputs. A deploy tag records what an environment runs (`deploy-<env>-<time>`):
 * nobody moves or deletes one. Creation stays open to writers: a ruleset's bypass list lifts every rule of
 * the ruleset, so letting the pipelines create tags through a bypass would let them move tags too; the
 * pipelines trust the ledger, not a tag's existence (docs/github-control-plane.md).
 */
export function deployTagRuleset(repository: string): github.RepositoryRulesetArgs {
    return {
        repository,
        name: "deploy-tags",
        target: "tag",
        enforcement: "active",
        conditions: { refName: { includes: [DEPLOY_TAG_PATTERN], excludes: [] } },
        rules: { deletion: true, update: true },
    };
}

function repositoryRulesets(repository: string, rules: RepositoryRules, opts: pulumi.CustomResourceOptions): void {
    new github.RepositoryRuleset(`${repository}-default-branch`, branchRuleset(repository, rules), opts);
    new github.RepositoryRuleset(`${repository}-deploy-tags`, deployTagRuleset(repository), opts);
}
