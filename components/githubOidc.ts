import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Environment } from "../config";
import { GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_HOST, oidcProviderArn } from "./naming";
import { policyDocument, toJson, type PolicyDocument, type Statement } from "./policyDocument";
import { statefulProtection } from "./protection";

/** Arguments for {@link GithubOidcProvider}. */
export interface GithubOidcProviderArgs {
    readonly environment: Environment;
}

/** The account's OpenID Connect provider for GitHub Actions; one per account. */
export class GithubOidcProvider extends pulumi.ComponentResource {
    public readonly provider: aws.iam.OpenIdConnectProvider;

    constructor(name: string, args: GithubOidcProviderArgs, opts?: pulumi.ComponentResourceOptions) {
        super("cicd:identity:GithubOidcProvider", name, {}, opts);
        const protection = statefulProtection(args.environment);
        // No thumbprint: IAM trusts GitHub's certificate through its own library of root CAs.
        this.provider = new aws.iam.OpenIdConnectProvider(
            name,
            { url: `https://${GITHUB_OIDC_HOST}`, clientIdLists: [GITHUB_OIDC_AUDIENCE] },
            // Every role of every repository depends on it: losing it locks every pipeline out.
            { parent: this, protect: protection.protect, retainOnDelete: protection.retainOnDelete },
        );
        this.registerOutputs({ providerArn: this.provider.arn });
    }
}

/**
 * The part of the OIDC subject after the repository: which jobs may present it. A job in an
 * environment presents only the environment; a job without one on a push or schedule, its branch.
 */
export type SubjectContext = { readonly environment: string } | { readonly pullRequest: true } | { readonly branch: string };

/** GitHub's numeric ids of a repository and its owner, looked up for every repository. */
export interface RepositoryIds {
    readonly ownerId: string;
    readonly repositoryId: string;
}

/** The branch of the foundation repository whose workflows the roles trust: protected by its ruleset, so every change is reviewed. */
export const REVIEWED_REF = "refs/heads/main";

/** IAM's default limit on a role's trust policy, whitespace excluded (raised to 4,096 only on request to AWS). */
export const TRUST_POLICY_LIMIT = 2048;

/** The foundation's workflow files by what they do; served repositories call them at `@main`. */
export const FOUNDATION_WORKFLOWS = {
    /** The foundation's own pipeline: deploy.yml and rollback.yml both call apply.yml, which alone assumes the deployer. */
    foundation: { deploy: ["apply.yml"], readOnly: ["drift.yml"], pullRequestPreview: ["preview.yml"] },
    terraform: { deploy: ["terraform-apply.yml"], readOnly: ["terraform-plan.yml", "terraform-drift.yml", "terraform-apply.yml"] },
    lambda: { deploy: ["lambda-deploy.yml", "lambda-rollback.yml"], readOnly: ["lambda-build.yml"] },
} as const;

/** `OWNER/REPO/.github/workflows/FILE@REF`: the `job_workflow_ref` claim of a job running that workflow at that ref. */
export const jobWorkflowRef = (owner: string, repository: string, file: string, ref = REVIEWED_REF) =>
    `${owner}/${repository}/.github/workflows/${file}@${ref}`;

export interface TrustArgs {
    readonly accountId: string;
    readonly owner: string;
    readonly repository: string;
    readonly ids: RepositoryIds;
    readonly context: SubjectContext | readonly SubjectContext[];
    /** Exact `job_workflow_ref` values whose jobs may assume the role (see {@link jobWorkflowRef}). */
    readonly workflows: readonly string[];
    /**
     * Workflows of the repository itself that run on its own pull requests, where `job_workflow_ref` names the
     * pull request's merge ref (`...@refs/pull/<number>/merge`): trusted with the number alone left open. Only for
     * read-only roles, and only for environment contexts, which pin the job's environment too.
     */
    readonly pullRequestWorkflows?: readonly string[];
}

const claim = (name: string) => `${GITHUB_OIDC_HOST}:${name}`;
const contextsOf = (context: TrustArgs["context"]): readonly SubjectContext[] =>
    Array.isArray(context) ? context : [context as SubjectContext];

function contextSuffix(context: SubjectContext): string {
    if ("environment" in context) return `environment:${context.environment}`;
    return "branch" in context ? `ref:refs/heads/${context.branch}` : "pull_request";
}

/** Every subject the role trusts: per context the classic form and the immutable one (`repo:OWNER@OWNER_ID/REPO@REPO_ID:...`). */
export function trustedSubjects(args: Pick<TrustArgs, "owner" | "repository" | "ids" | "context">): string[] {
    return contextsOf(args.context).flatMap((context) => {
        const suffix = contextSuffix(context);
        return [
            `repo:${args.owner}/${args.repository}:${suffix}`,
            `repo:${args.owner}@${args.ids.ownerId}/${args.repository}@${args.ids.repositoryId}:${suffix}`,
        ];
    });
}

const one = (values: readonly string[]): string | string[] => (values.length === 1 ? values[0] : [...values]);

/** The environments a set of contexts names, when every context names one; otherwise none can be pinned. */
function environmentsOf(contexts: readonly SubjectContext[]): string[] | undefined {
    const names = contexts.map((c) => ("environment" in c ? c.environment : undefined));
    return names.every((n): n is string => n !== undefined) ? [...new Set(names)] : undefined;
}

/**
 * The trust policy of a role assumed from GitHub Actions. A job that names an environment presents
 * `repo:OWNER/REPO:environment:NAME` (never `ref:refs/heads/main`), so trusting that subject means only
 * jobs that passed the environment's reviewers can assume the role. The subject alone would let any
 * workflow of the repository that names the environment in; `job_workflow_ref` pins the workflow that
 * runs (the foundation's reusable workflow at its reviewed `main`), `repository_id` pins the repository by
 * the id a rename or a re-created repository cannot keep, and `environment` repeats the subject's
 * environment as its own claim. AWS STS reads these claims as condition keys of
 * `AssumeRoleWithWebIdentity`. The provider ARN is built from the account id in config and the ids come
 * from lookups, so the whole document is known in a first preview.
 */
export function trustPolicy(args: TrustArgs): PolicyDocument {
    if (args.workflows.length === 0) throw new Error(`trustPolicy: no workflow may assume the role of ${args.owner}/${args.repository}`);
    const contexts = contextsOf(args.context);
    const environments = environmentsOf(contexts);
    const common = {
        [claim("aud")]: GITHUB_OIDC_AUDIENCE,
        [claim("sub")]: one(trustedSubjects(args)),
        [claim("repository_id")]: args.ids.repositoryId,
        ...(environments ? { [claim("environment")]: one(environments) } : {}),
    };
    const statements: Statement[] = [
        {
            Sid: "GithubActionsOidc",
            Effect: "Allow",
            Principal: { Federated: oidcProviderArn(args.accountId) },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: { StringEquals: { ...common, [claim("job_workflow_ref")]: one(args.workflows) } },
        },
    ];
    const pullRequests = args.pullRequestWorkflows ?? [];
    if (pullRequests.length > 0) {
        if (!environments)
            throw new Error(
                `trustPolicy: ${args.owner}/${args.repository}'s pull-request workflows must run in an environment, so the role can pin it`,
            );
        statements.push({
            Sid: "GithubActionsOwnPullRequests",
            Effect: "Allow",
            Principal: { Federated: oidcProviderArn(args.accountId) },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: {
                StringEquals: common,
                StringLike: {
                    [claim("job_workflow_ref")]: one(
                        pullRequests.map((file) => jobWorkflowRef(args.owner, args.repository, file, "refs/pull/*/merge")),
                    ),
                },
            },
        });
    }
    return policyDocument(statements);
}

/**
 * Why IAM would refuse a trust policy for its length, or undefined. IAM counts characters without whitespace;
 * the document is sent as compact JSON, so its length is what counts. `who` names the role and repository.
 */
export function trustPolicyProblem(document: PolicyDocument, who: string): string | undefined {
    const length = toJson(document).length;
    if (length <= TRUST_POLICY_LIMIT) return undefined;
    return `${who} needs a trust policy of ${length} characters, over IAM's default limit of ${TRUST_POLICY_LIMIT}: shorten the repository's name or have AWS raise the account's trust policy quota first.`;
}
