import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { DeployScope, Environment } from "../config";
import { trustPolicy, type RepositoryIds, type SubjectContext } from "./githubOidc";
import { roleName, type Naming } from "./naming";
import { deployerPermissions, ledgerReaderPermissions, previewerPermissions } from "./permissions";
import { toJson, type PolicyDocument } from "./policyDocument";

/** Arguments for {@link RepositoryRoles}. */
export interface RepositoryRolesArgs {
    readonly naming: Naming;
    readonly owner: string;
    readonly repository: string;
    readonly scope: DeployScope;
    readonly terraformLockTable: boolean;
    /** GitHub environment whose gated jobs may assume the deployer; the same value names the environment. */
    readonly deployEnvironment: string;
    /** Immutable-subject ids, when the repository presents them. */
    readonly ids?: pulumi.Input<RepositoryIds>;
    /** Environment whose gated jobs may read this environment's ledger; no reader role when absent. */
    readonly ledgerReaderEnvironment?: Environment;
    /** Managed policy every role is bounded by. Defaults to none. */
    readonly permissionsBoundaryArn?: string;
}

/** The roles one repository's workflows assume in this environment's account. */
export class RepositoryRoles extends pulumi.ComponentResource {
    /** Assumed only by jobs running in the GitHub environment: they passed its reviewers. */
    public readonly deployer: aws.iam.Role;
    /** Read-only; assumed by pull-request previews and by scheduled jobs on main. */
    public readonly previewer: aws.iam.Role;
    /** Read-only on the ledger; assumed by the next environment's gated jobs. */
    public readonly ledgerReader?: aws.iam.Role;

    constructor(name: string, args: RepositoryRolesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("cicd:identity:RepositoryRoles", name, {}, opts);
        const permissions = {
            naming: args.naming,
            repository: args.repository,
            scope: args.scope,
            terraformLockTable: args.terraformLockTable,
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
                { parent: this },
            );
            new aws.iam.RolePolicy(`${name}-${kind}`, { role: created.name, policy: toJson(policy) }, { parent: this });
            return created;
        };
        this.deployer = role("deployer", { environment: args.deployEnvironment }, deployerPermissions(permissions));
        // Read-only, so it may also serve scheduled jobs on main (drift detection), which run without an environment.
        this.previewer = role("previewer", [{ pullRequest: true }, { branch: "main" }], previewerPermissions(permissions));
        if (args.ledgerReaderEnvironment !== undefined) {
            this.ledgerReader = role("ledger-reader", { environment: args.ledgerReaderEnvironment }, ledgerReaderPermissions(args.naming));
        }
        this.registerOutputs({
            deployerArn: this.deployer.arn,
            previewerArn: this.previewer.arn,
            ledgerReaderArn: this.ledgerReader?.arn,
        });
    }
}
