import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { RepositoryConfig } from "../config";
import type { StackContext } from "./context";

// Who may assume which role is decided in githubOidc.ts, where config checks read it too.
export { PREVIEW_ENVIRONMENT, roleTrust, type RoleAccess, type RoleTrust } from "./githubOidc";
import { PREVIEW_ENVIRONMENT, roleTrust, trustPolicy, trustPolicyProblem, type RoleAccess } from "./githubOidc";
import { roleName } from "../shared/names";
import { deployerPermissions, ledgerReaderPermissions, previewerPermissions } from "./permissions";
import { toJson, type PolicyDocument } from "./policyDocument";

/** Arguments for {@link RepositoryRoles}. */
export interface RepositoryRolesArgs {
    /** The stack's facts: names, owner, boundary, bootstrap tier, GitHub ids. */
    readonly context: StackContext;
    /** The repository's entry in the stack file: its name, kind and what it deploys. */
    readonly entry: RepositoryConfig;
    /** Resources the roles wait for besides the boundary, such as GitHub's OIDC provider. Defaults to none. */
    readonly rolesDependOn?: readonly pulumi.Resource[];
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
        const { context, entry } = args;
        const { config, naming } = context;
        const permissions = {
            naming,
            repository: entry.name,
            kind: entry.kind,
            scope: entry.deploys,
            terraformLockTable: config.state.terraformLockTable,
            bootstrapRoleNames: context.bootstrapRoleNames,
            cloudTrailLogGroup: config.monitoring.cloudTrailLogGroup,
        };
        const dependsOn = [...context.boundary.dependsOn, ...(args.rolesDependOn ?? [])];
        const role = (access: RoleAccess, environment: string, policy: PolicyDocument) =>
            this.declareRole(`${name}-${access}`, { context, entry, access, environment, policy, dependsOn });
        // The deployer trusts jobs of the GitHub environment named like this stack's environment.
        this.deployer = role("deployer", naming.environment, deployerPermissions(permissions));
        this.previewer = role("previewer", PREVIEW_ENVIRONMENT, previewerPermissions(permissions));
        if (config.ledgerReaderEnvironment !== undefined) {
            this.ledgerReader = role("ledger-reader", config.ledgerReaderEnvironment, ledgerReaderPermissions(naming, entry.name));
        }
        this.registerOutputs({
            deployerArn: this.deployer.arn,
            previewerArn: this.previewer.arn,
            ledgerReaderArn: this.ledgerReader?.arn,
        });
    }

    /** One role, trusted by the jobs {@link roleTrust} names for its access, with its inline policy. */
    private declareRole(
        name: string,
        role: {
            readonly context: StackContext;
            readonly entry: RepositoryConfig;
            readonly access: RoleAccess;
            readonly environment: string;
            readonly policy: PolicyDocument;
            readonly dependsOn: pulumi.Resource[];
        },
    ): aws.iam.Role {
        const { context, entry, access } = role;
        const { naming } = context;
        const owner = context.config.githubOwner;
        const who = roleTrust(access, {
            owner,
            foundationRepository: context.foundationRepository,
            kind: entry.kind,
            foundation: entry.deploys.foundation,
            environment: role.environment,
        });
        const ids = context.githubIds.repositories[entry.name];
        const document = trustPolicy({
            accountId: naming.accountId,
            owner,
            repository: entry.name,
            ids,
            ...who,
            issuerHost: naming.githubOidcHost,
        });
        // Checked at synthesis: IAM would refuse it only at `pulumi up`, half-way through the stack.
        const tooLong = trustPolicyProblem(document, `the ${access} role of ${owner}/${entry.name} in ${naming.environment}`);
        if (tooLong) throw new Error(tooLong);
        const created = new aws.iam.Role(
            name,
            {
                name: roleName(naming, access, entry.name),
                description: `GitHub Actions ${access} for ${owner}/${entry.name} in ${naming.environment}`,
                assumeRolePolicy: toJson(document),
                maxSessionDuration: 3600,
                permissionsBoundary: context.boundary.arn,
                tags: { Repository: `${owner}/${entry.name}`, Access: access },
            },
            { parent: this, dependsOn: role.dependsOn },
        );
        new aws.iam.RolePolicy(name, { role: created.name, policy: toJson(role.policy) }, { parent: this });
        return created;
    }
}
