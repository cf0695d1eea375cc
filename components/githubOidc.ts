import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Environment, ExistingOidcProvider, RepositoryKind } from "../config";
import type { StackContext } from "./context";
import { GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_HOST } from "../shared/names";
import { oidcProviderArn } from "../shared/arns";
import { policyDocument, toJson, type PolicyDocument, type Statement } from "./policyDocument";
import { statefulProtection } from "./protection";

/** Arguments for {@link GithubOidcProvider}. */
export interface GithubOidcProviderArgs {
    /**
     * The stack's facts: its environment decides protection; `oidcProviders.github` in its config names the
     * account's provider when it already exists: adopted (looked up) or imported. Created otherwise.
     */
    readonly context: StackContext;
}

/**
 * The account's OpenID Connect provider for an issuer; one per issuer per account, so an account that already
 * has one adopts it (looked up, left to its owner) or imports it (managed from now on) instead of creating a
 * second, which IAM refuses.
 */
export function oidcProviderResource(
    name: string,
    args: { url: string; clientIdLists: pulumi.Input<string>[]; environment: Environment; existing?: ExistingOidcProvider },
    parent: pulumi.Resource,
): { arn: pulumi.Output<string>; resource?: aws.iam.OpenIdConnectProvider } {
    if (args.existing?.mode === "adopt") {
        // Fails the preview when the provider is missing, before any role names it.
        return { arn: aws.iam.getOpenIdConnectProviderOutput({ arn: args.existing.arn }, { parent }).arn };
    }
    const protection = statefulProtection(args.environment);
    // No thumbprint: IAM trusts the issuers' certificates through its own library of root CAs.
    const resource = new aws.iam.OpenIdConnectProvider(
        name,
        { url: args.url, clientIdLists: args.clientIdLists },
        // Every role trusting it depends on it: losing it locks every pipeline out.
        { parent, protect: protection.protect, retainOnDelete: protection.retainOnDelete, import: args.existing?.arn },
    );
    return { arn: resource.arn, resource };
}

/** The account's OpenID Connect provider for GitHub Actions; one per account. */
export class GithubOidcProvider extends pulumi.ComponentResource {
    /** The provider resource; none when an existing provider is adopted. */
    public readonly provider?: aws.iam.OpenIdConnectProvider;
    public readonly arn: pulumi.Output<string>;
    /** What a role trusting the provider must wait for: the provider, when this stack creates or imports it. */
    public readonly dependencies: pulumi.Resource[];

    constructor(name: string, args: GithubOidcProviderArgs, opts?: pulumi.ComponentResourceOptions) {
        super("cicd:identity:GithubOidcProvider", name, {}, opts);
        const { arn, resource } = oidcProviderResource(
            name,
            {
                url: `https://${args.context.naming.githubOidcHost ?? GITHUB_OIDC_HOST}`,
                clientIdLists: [GITHUB_OIDC_AUDIENCE],
                environment: args.context.naming.environment,
                existing: args.context.config.oidcProviders.github,
            },
            this,
        );
        this.provider = resource;
        this.arn = arn;
        this.dependencies = resource ? [resource] : [];
        this.registerOutputs({ providerArn: arn });
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
    container: { deploy: ["container-deploy.yml", "container-rollback.yml"], readOnly: ["container-build.yml"] },
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
    /** The issuer's host and path, which names the provider and prefixes every condition key. Defaults to github.com's. */
    readonly issuerHost?: string;
}

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
    const host = args.issuerHost ?? GITHUB_OIDC_HOST;
    const claim = (name: string) => `${host}:${name}`;
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
            Principal: { Federated: oidcProviderArn(args.accountId, host) },
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
            Principal: { Federated: oidcProviderArn(args.accountId, host) },
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

/**
 * The GitHub environment the foundation's own preview and drift jobs name: it holds the read-only app key
 * and has no reviewers, so only the read-only previewer trusts it.
 */
export const PREVIEW_ENVIRONMENT = "preview";

/** What a repository's role is for: its name and its `Access` tag say it (docs/glossary.md). */
export type RoleAccess = "deployer" | "previewer" | "ledger-reader";

/** Who may assume one role: the subjects' contexts and the workflows (exact `job_workflow_ref` values). */
export interface RoleTrust {
    readonly context: SubjectContext[];
    readonly workflows: string[];
    /** The foundation's own workflows run on its pull requests (see `TrustArgs.pullRequestWorkflows`). */
    readonly pullRequestWorkflows?: string[];
}

/**
 * Which jobs may assume each role of a repository. Only the foundation's reusable workflows at its reviewed
 * `main` are trusted, so the gates inside them bind: a served repository's own workflow naming the
 * environment presents the right subject but the wrong `job_workflow_ref`. Deployers and ledger readers: the
 * kind's deploy workflows (the ledger reader serves the next environment's promotion check inside them).
 * Previewers: the kind's read-only workflows, from pull requests (plans) and from `main` (drift, and the
 * apply workflow's plan job). The foundation's own previewer serves its preview and drift jobs, which name
 * the `preview` environment; its pull-request previews run the workflow of the pull request itself, whose
 * ref is `refs/pull/<number>/merge`. Pure, so the table is tested as data.
 */
export function roleTrust(
    access: RoleAccess,
    args: { owner: string; foundationRepository: string; kind: RepositoryKind; foundation: boolean; environment: string },
): RoleTrust {
    const refs = (files: readonly string[]) => files.map((file) => jobWorkflowRef(args.owner, args.foundationRepository, file));
    if (!args.foundation && args.kind === "pulumi")
        throw new Error(
            `no reusable workflow of ${args.owner}/${args.foundationRepository} deploys a Pulumi program other than the foundation's, so no role can trust one`,
        );
    const workflows = args.foundation
        ? FOUNDATION_WORKFLOWS.foundation
        : FOUNDATION_WORKFLOWS[args.kind as "terraform" | "lambda" | "container"];
    if (access !== "previewer") return { context: [{ environment: args.environment }], workflows: refs(workflows.deploy) };
    if (args.foundation)
        return {
            context: [{ environment: PREVIEW_ENVIRONMENT }],
            workflows: refs(FOUNDATION_WORKFLOWS.foundation.readOnly),
            pullRequestWorkflows: [...FOUNDATION_WORKFLOWS.foundation.pullRequestPreview],
        };
    return { context: [{ pullRequest: true }, { branch: "main" }], workflows: refs(workflows.readOnly) };
}
