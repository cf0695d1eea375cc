import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { DeployScope, Environment, RepositoryKind } from "../config";
import { trustPolicy, type RepositoryIds, type SubjectContext } from "./githubOidc";
import { roleName, type Naming } from "./naming";
import { deployerPermissions, ledgerReaderPermissions, previewerPermissions } from "./permissions";
import { toJson, type PolicyDocument } from "./policyDocument";

/** Arguments for {@link RepositoryRoles}. */
export interface RepositoryRolesArgs {
    readonly naming: Naming;
    readonly owner: string;
    readonly repository: string;
    readonly kind: RepositoryKind;
    readonly scope: DeployScope;
    readonly terraformLockTable: boolean;
    /** GitHub environment whose gated jobs may assume the deployer; the same value names the environment. */
    readonly deployEnvironment: string;
    /** Immutable-subject ids, when the repository presents them. */
    readonly ids?: pulumi.Input<RepositoryIds>;
    /** Environment whose gated jobs may read this environment's ledger; no reader role when absent. */
    readonly ledgerReaderEnvironment?: Environment;
    /** The permissions boundary every role carries (named from config, so it is known at preview). */
    readonly permissionsBoundaryArn: string;
    /** Deployer role names of the administrator-owned bootstrap tier. */
    readonly bootstrapRoleNames: readonly string[];
    /** CloudTrail log group whose metric filter the foundation deployer manages. Defaults to none. */
    readonly cloudTrailLogGroup?: string;
    /** Resources the roles wait for, such as the boundary policy. Defaults to none. */
    readonly dependsOn?: pulumi.Resource[];
}

/**
 * The GitHub environment the foundation's own preview and drift jobs name: it holds the read-only app key
 * and has no reviewers, so only the read-only previewer trusts it.
 */
export const PREVIEW_ENVIRONMENT = "preview";

/** The roles one repository's workflows assume in this environment's account. */
export class RepositoryRoles extends pulumi.ComponentResource {
    /** Assumed only by jobs running in the GitHub environment: they passed its reviewers. */
    public readonly deployer: aws.iam.Role;
    /** Read-only; assumed by pull-request previews, scheduled jobs on main and the `preview` environment. */
    public readonly previewer: aws.iam.Role;
    /** Read-only on the service's own ledger items; assumed by the next environment's gated jobs. */
    public readonly ledgerReader?: aws.iam.Role;

    constructor(name: string, args: RepositoryRolesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("cicd:identity:RepositoryRoles", name, {}, opts);
        const permissions = {
            naming: args.naming,
            repository: args.repository,
            kind: args.kind,
            scope: args.scope,
            terraformLockTable: args.terraformLockTable,
            bootstrapRoleNames: args.bootstrapRoleNames,
            cloudTrailLogGroup: args.cloudTrailLogGroup,
        };
        const role = (
            kind: "deployer" | "previewer" | "ledger-reader",
            context: SubjectContext | SubjectContext[],
            policy: PolicyDocument,
        ) => {
            const trust = pulumi
                .output(args.ids)
                .apply((ids) =>
                    toJson(trustPolicy({ accountId: args.naming.accountId, owner: args.owner, repository: args.repository, context, ids })),
                );
            const created = new aws.iam.Role(
                `${name}-${kind}`,
                {
                    name: roleName(args.naming, kind, args.repository),
                    description: `GitHub Actions ${kind} for ${args.owner}/${args.repository} in ${args.naming.environment}`,
                    assumeRolePolicy: trust,
                    maxSessionDuration: 3600,
                    permissionsBoundary: args.permissionsBoundaryArn,
                    tags: { Repository: `${args.owner}/${args.repository}`, Access: kind },
                },
                { parent: this, dependsOn: args.dependsOn },
            );
            new aws.iam.RolePolicy(`${name}-${kind}`, { role: created.name, policy: toJson(policy) }, { parent: this });
            return created;
        };
        this.deployer = role("deployer", { environment: args.deployEnvironment }, deployerPermissions(permissions));
        // Read-only, so it may also serve scheduled drift jobs on main and the foundation's `preview` environment.
        this.previewer = role(
            "previewer",
            [{ pullRequest: true }, { branch: "main" }, { environment: PREVIEW_ENVIRONMENT }],
            previewerPermissions(permissions),
        );
        if (args.ledgerReaderEnvironment !== undefined) {
            this.ledgerReader = role(
                "ledger-reader",
                { environment: args.ledgerReaderEnvironment },
                ledgerReaderPermissions(args.naming, args.repository),
            );
        }
        this.registerOutputs({
            deployerArn: this.deployer.arn,
            previewerArn: this.previewer.arn,
            ledgerReaderArn: this.ledgerReader?.arn,
        });
    }
}
