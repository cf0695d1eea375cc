import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Environment, RepositoryConfig } from "../config";
import type { PulumiCloudConfig } from "../config/pulumiCloud";
import type { StackContext } from "./context";
import { oidcProviderResource } from "./githubOidc";
import { PULUMI_OIDC_HOST, pulumiDeployerRoleName } from "../shared/names";
import { pulumiOidcProviderArn } from "../shared/arns";
import { deployerPermissions } from "./permissions";
import { policyDocument, toJson, type PolicyDocument, type Statement } from "./policyDocument";

/** The subject of a Deployments token: one organisation, project, stack and operation, always `scope:write`. */
export function pulumiDeploymentsSubject(organization: string, project: string, stack: string, operation: string): string {
    return `pulumi:deploy:org:${organization}:project:${project}:stack:${stack}:operation:${operation}:scope:write`;
}

/** Every operation Pulumi Deployments runs, as its tokens name it (Pulumi Cloud REST API, `OperationContext.operation`). */
export const PULUMI_DEPLOYMENTS_OPERATIONS = ["update", "preview", "destroy", "refresh", "detect-drift", "remediate-drift"] as const;
export type PulumiDeploymentsOperation = (typeof PULUMI_DEPLOYMENTS_OPERATIONS)[number];

/**
 * The operations whose token the Deployments role accepts, per environment: an allow-list, never a deny of one
 * spelling. A stack's Deployment Settings hold a single AWS role for every operation, and a pull request's
 * preview runs code nobody has reviewed: only dev's role trusts `preview`, so the Pulumi GitHub App previews
 * pull requests against dev alone, with dev's rights in dev's account; sit and prod never run a pull request's
 * code with a write role (their pull requests are previewed by the workflow with the read-only previewer).
 * `destroy` is left out everywhere because tearing the foundation down is an administrator's job with their
 * own credentials. The drift check (`detect-drift`) runs on the role because the drift schedule has no other;
 * prod leaves out `remediate-drift`, since prod's drift is reported to people and changed only by a reviewed
 * `update`.
 */
export function pulumiDeploymentsOperations(environment: Environment): readonly PulumiDeploymentsOperation[] {
    if (environment === "prod") return ["update", "refresh", "detect-drift"];
    if (environment === "sit") return ["update", "refresh", "detect-drift", "remediate-drift"];
    return ["update", "preview", "refresh", "detect-drift", "remediate-drift"];
}

export interface PulumiTrustArgs {
    readonly accountId: string;
    readonly organization: string;
    readonly project: string;
    readonly stack: string;
    /** Decides which operations are trusted ({@link pulumiDeploymentsOperations}). */
    readonly environment: Environment;
}

/**
 * Trust for Pulumi Deployments: audience exactly the organisation, subject exactly one of this project's and
 * stack's allowed operations (StringEquals: no wildcard at all). IAM compares values case-sensitively, so a
 * deny of `operation:destroy` would let `operation:Destroy` through; the allow-list admits only the exact
 * spellings, and an explicit deny of every other subject keeps any later Allow from widening it.
 * Built from config, so it is known in a first preview.
 */
export function pulumiTrustPolicy(args: PulumiTrustArgs): PolicyDocument {
    const principal = { Federated: pulumiOidcProviderArn(args.accountId) };
    const subjects = pulumiDeploymentsOperations(args.environment).map((operation) =>
        pulumiDeploymentsSubject(args.organization, args.project, args.stack, operation),
    );
    const statements: Statement[] = [
        {
            Sid: "PulumiDeploymentsOidc",
            Effect: "Allow",
            Principal: principal,
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: {
                StringEquals: { [`${PULUMI_OIDC_HOST}:aud`]: args.organization, [`${PULUMI_OIDC_HOST}:sub`]: subjects },
            },
        },
        {
            Sid: "OnlyTheseOperations",
            Effect: "Deny",
            Principal: principal,
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: { StringNotEquals: { [`${PULUMI_OIDC_HOST}:sub`]: subjects } },
        },
    ];
    return policyDocument(statements);
}

/** Arguments for {@link PulumiDeployer}. */
export interface PulumiDeployerArgs {
    /**
     * The stack's facts: names, boundary, the bootstrap tier (this role among them, which its own policy denies it
     * to change), and from its config the lock table, the CloudTrail log group and Pulumi's OIDC provider when the
     * account already has it (`oidcProviders.pulumi`: adopted or imported; created otherwise).
     */
    readonly context: StackContext;
    /** Pulumi organisation (the OIDC audience and the provider's client id) and project of this stack. */
    readonly cloud: Pick<PulumiCloudConfig, "organization" | "project">;
    /** The repository that holds this program: the role gets the same permissions as its GitHub deployer. */
    readonly entry: RepositoryConfig;
}

/**
 * The account's OIDC provider for Pulumi Cloud and the role Pulumi Deployments assume through it to
 * deploy this stack: the foundation's deployer permissions and boundary, nothing more.
 */
export class PulumiDeployer extends pulumi.ComponentResource {
    /** The provider resource; none when an existing provider is adopted. */
    public readonly provider?: aws.iam.OpenIdConnectProvider;
    public readonly role: aws.iam.Role;

    constructor(name: string, args: PulumiDeployerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("cicd:identity:PulumiDeployer", name, {}, opts);
        const { context, cloud, entry } = args;
        const { config, naming } = context;
        const { organization, project } = cloud;
        // One provider per issuer per account; its client id is the audience Pulumi puts in its tokens.
        const provider = oidcProviderResource(
            `${name}-oidc`,
            {
                url: `https://${PULUMI_OIDC_HOST}`,
                clientIdLists: [organization],
                environment: naming.environment,
                existing: config.oidcProviders.pulumi,
            },
            this,
        );
        this.provider = provider.resource;
        const trust = pulumiTrustPolicy({
            accountId: naming.accountId,
            organization,
            project,
            stack: config.stack,
            environment: naming.environment,
        });
        this.role = new aws.iam.Role(
            name,
            {
                name: pulumiDeployerRoleName(naming),
                description: `Pulumi Deployments of ${organization}/${project}/${config.stack}`,
                assumeRolePolicy: toJson(trust),
                maxSessionDuration: 3600,
                permissionsBoundary: context.boundary.arn,
                tags: { Repository: entry.name, Access: "pulumi-deployer" },
            },
            // The role waits for the provider it trusts, so a first `up` never names a missing provider.
            { parent: this, dependsOn: [...context.boundary.dependsOn, ...(provider.resource ? [provider.resource] : [])] },
        );
        const permissions = deployerPermissions({
            naming,
            repository: entry.name,
            kind: "pulumi",
            scope: entry.deploys,
            terraformLockTable: config.state.terraformLockTable,
            bootstrapRoleNames: context.bootstrapRoleNames,
            cloudTrailLogGroup: config.monitoring.cloudTrailLogGroup,
        });
        new aws.iam.RolePolicy(name, { role: this.role.name, policy: toJson(permissions) }, { parent: this });
        this.registerOutputs({ providerArn: provider.arn, roleArn: this.role.arn });
    }
}
