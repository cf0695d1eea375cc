import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config";
import type { StackContext } from "./context";

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
    /** The context of the stack that owns the GitHub side (prod's): its GitHub provider writes every environment. */
    readonly context: StackContext;
    /** The environment's own stack config: its names, reviewers and branch policy. */
    readonly stack: StackConfig;
    /** The repository's name. */
    readonly repository: string;
    /** Reviewers as GitHub's numeric ids (the stack file names slugs and logins). */
    readonly reviewers: { readonly teams: readonly number[]; readonly users: readonly number[] };
    /** Set on one environment per repository (prod's): the branch and tag rulesets. */
    readonly rules?: RepositoryRules;
}

/**
 * One repository's GitHub environment for one environment: reviewers, self-review rule and branch policy,
 * declared by the stack that owns the GitHub side for all three environments. Nothing else is stored here:
 * the pipelines take role ARNs, buckets and tables from the foundation map, which derives them from the same
 * environment name with the naming functions the roles' own stack uses, so the environment, its role and the
 * map cannot disagree, and no repository admin can repoint a value.
 */
export class RepositoryEnvironment extends pulumi.ComponentResource {
    /** GitHub's environment resource; `environment` is its name (the stack's environment) throughout. */
    public readonly githubEnvironment: github.RepositoryEnvironment;

    constructor(name: string, args: RepositoryEnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
        super("cicd:github:RepositoryEnvironment", name, {}, opts);
        const stack = args.stack;
        const environment = stack.environment;
        const repository = args.repository;
        const gh = { parent: this, provider: args.context.githubProvider };
        const protection = stack.protection;

        this.githubEnvironment = new github.RepositoryEnvironment(
            `${repository}-${environment}`,
            {
                repository,
                environment,
                reviewers: [{ teams: [...args.reviewers.teams], users: [...args.reviewers.users] }],
                preventSelfReview: protection.preventSelfReview,
                // GitHub lets administrators bypass by default; only dev keeps that escape hatch.
                canAdminsBypass: environment === "dev",
                waitTimer: protection.waitTimerMinutes,
                deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true },
            },
            gh,
        );
        // Children name the environment from config, so the name is known in a first preview (the pack judges
        // each policy by it), and wait for the environment to exist.
        const child = { ...gh, dependsOn: [this.githubEnvironment] };
        for (const branchPattern of protection.branchPatterns) {
            new github.RepositoryEnvironmentDeploymentPolicy(
                `${repository}-${environment}-branch-${branchPattern}`,
                { repository, environment, branchPattern },
                child,
            );
        }
        for (const tagPattern of protection.tagPatterns) {
            new github.RepositoryEnvironmentDeploymentPolicy(
                `${repository}-${environment}-tag-${tagPattern}`,
                { repository, environment, tagPattern },
                child,
            );
        }

        if (args.rules) repositoryRulesets(repository, args.rules, gh);
        this.registerOutputs({ environment });
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
