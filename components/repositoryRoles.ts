import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { DeployScope, Environment, RepositoryKind } from "../config";

// Who may assume which role is decided in githubOidc.ts, where config checks read it too.
export { PREVIEW_ENVIRONMENT, roleTrust, type RoleKind, type RoleTrust } from "./githubOidc";
import { PREVIEW_ENVIRONMENT, roleTrust, trustPolicy, trustPolicyProblem, type RepositoryIds, type RoleKind } from "./githubOidc";
import { roleName, type Naming } from "../shared/names";
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
    /** GitHub's ids of the repository and its owner (looked up for every repository, known at preview). */
    readonly ids: RepositoryIds;
    /** The repository holding this program (`deploys.foundation: true`): its reusable workflows are the ones trusted. */
    readonly foundationRepository: string;
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

/** The roles one repository's workflows assume in this environment's account. */
export class RepositoryRoles extends pulumi.ComponentResource {
    /** Assumed only by the foundation's deploy workflows running in the GitHub environment: they passed its reviewers and its gates. */
    public readonly deployer: aws.iam.Role;
    /** Read-only; assumed by the foundation's plan, preview and drift workflows (see {@link roleTrust}). */
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
        const role = (kind: RoleKind, environment: string, policy: PolicyDocument) => {
            const who = roleTrust(kind, {
                owner: args.owner,
                foundationRepository: args.foundationRepository,
                kind: args.kind,
                foundation: args.scope.foundation,
                environment,
            });
            const document = trustPolicy({
                accountId: args.naming.accountId,
                owner: args.owner,
                repository: args.repository,
                ids: args.ids,
                ...who,
            });
            // Checked at synthesis: IAM would refuse it only at `pulumi up`, half-way through the stack.
            const tooLong = trustPolicyProblem(
                document,
                `the ${kind} role of ${args.owner}/${args.repository} in ${args.naming.environment}`,
            );
            if (tooLong) throw new Error(tooLong);
            const trust = toJson(document);
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
        this.deployer = role("deployer", args.deployEnvironment, deployerPermissions(permissions));
        this.previewer = role("previewer", PREVIEW_ENVIRONMENT, previewerPermissions(permissions));
        if (args.ledgerReaderEnvironment !== undefined) {
            this.ledgerReader = role("ledger-reader", args.ledgerReaderEnvironment, ledgerReaderPermissions(args.naming, args.repository));
        }
        this.registerOutputs({
            deployerArn: this.deployer.arn,
            previewerArn: this.previewer.arn,
            ledgerReaderArn: this.ledgerReader?.arn,
        });
    }
}
