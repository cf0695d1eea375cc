import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Environment } from "../config";
import { GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_HOST, oidcProviderArn } from "./naming";
import { policyDocument, type PolicyDocument } from "./policyDocument";
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

/** Numeric ids for immutable subjects (`repo:OWNER@OWNER_ID/REPO@REPO_ID:...`), from the GitHub provider. */
export interface RepositoryIds {
    readonly ownerId: string;
    readonly repositoryId: string;
}

export interface TrustArgs {
    readonly accountId: string;
    readonly owner: string;
    readonly repository: string;
    readonly context: SubjectContext | readonly SubjectContext[];
    /** When given, the immutable form of the subject is trusted too. */
    readonly ids?: RepositoryIds;
}

function contextSuffix(context: SubjectContext): string {
    if ("environment" in context) return `environment:${context.environment}`;
    return "branch" in context ? `ref:refs/heads/${context.branch}` : "pull_request";
}

/** Every subject the role trusts: per context the classic form and, where ids are known, the immutable one. */
export function trustedSubjects(args: TrustArgs): string[] {
    const contexts: readonly SubjectContext[] = Array.isArray(args.context) ? args.context : [args.context as SubjectContext];
    return contexts.flatMap((context) => {
        const suffix = contextSuffix(context);
        const subjects = [`repo:${args.owner}/${args.repository}:${suffix}`];
        if (args.ids) subjects.push(`repo:${args.owner}@${args.ids.ownerId}/${args.repository}@${args.ids.repositoryId}:${suffix}`);
        return subjects;
    });
}

/**
 * The trust policy of a role assumed from GitHub Actions. A job that names an environment presents
 * `repo:OWNER/REPO:environment:NAME` (never `ref:refs/heads/main`), so trusting that subject means only
 * jobs that passed the environment's reviewers can assume the role. The provider ARN is built from the
 * account id in config, so the whole document is known in a first preview.
 */
export function trustPolicy(args: TrustArgs): PolicyDocument {
    const subjects = trustedSubjects(args);
    return policyDocument([
        {
            Sid: "GithubActionsOidc",
            Effect: "Allow",
            Principal: { Federated: oidcProviderArn(args.accountId) },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: {
                StringEquals: {
                    [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_OIDC_AUDIENCE,
                    [`${GITHUB_OIDC_HOST}:sub`]: subjects.length === 1 ? subjects[0] : subjects,
                },
            },
        },
    ]);
}
