import * as pulumi from "@pulumi/pulumi";
import type { Environment, RepositoryConfig } from "../config";
import type { RepositoryIds } from "./githubOidc";
import { type Naming } from "../shared/names";
import { RepositoryRoles } from "./repositoryRoles";

/** Arguments for {@link RepositoryAccess}. */
export interface RepositoryAccessArgs {
    readonly naming: Naming;
    readonly owner: string;
    readonly repository: RepositoryConfig;
    /** GitHub's ids of the repository and its owner (looked up for every repository, known at preview). */
    readonly ids: RepositoryIds;
    /** The repository holding this program, whose reusable workflows the roles trust. */
    readonly foundationRepository: string;
    readonly terraformLockTable: boolean;
    readonly ledgerReaderEnvironment?: Environment;
    readonly permissionsBoundaryArn: string;
    /** Deployer role names of the administrator-owned bootstrap tier. */
    readonly bootstrapRoleNames: readonly string[];
    readonly cloudTrailLogGroup?: string;
    /** Resources the roles wait for, such as the boundary policy. */
    readonly rolesDependOn?: pulumi.Resource[];
}

/**
 * One repository's roles in this environment's account. The GitHub side (environment, reviewers, rulesets)
 * is written by the stack that owns it (prod's, see {@link RepositoryEnvironment}); the environment name is
 * the same `naming.environment` on both sides, and the roles' names follow from it, so the trust subject, the
 * GitHub environment and the map's role ARN cannot disagree.
 */
export class RepositoryAccess extends pulumi.ComponentResource {
    public readonly roles: RepositoryRoles;

    constructor(name: string, args: RepositoryAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        // The roles were first declared under a component that also held the GitHub side; the alias keeps
        // their URNs, so moving the GitHub side out replaces no role.
        super("cicd:identity:RepositoryAccess", name, {}, { ...opts, aliases: [{ type: "cicd:github:RepositoryEnvironment" }] });
        this.roles = new RepositoryRoles(
            name,
            {
                naming: args.naming,
                owner: args.owner,
                repository: args.repository.name,
                kind: args.repository.kind,
                scope: args.repository.deploys,
                terraformLockTable: args.terraformLockTable,
                deployEnvironment: args.naming.environment,
                ids: args.ids,
                foundationRepository: args.foundationRepository,
                ledgerReaderEnvironment: args.ledgerReaderEnvironment,
                permissionsBoundaryArn: args.permissionsBoundaryArn,
                bootstrapRoleNames: args.bootstrapRoleNames,
                cloudTrailLogGroup: args.cloudTrailLogGroup,
                dependsOn: args.rolesDependOn,
            },
            { parent: this },
        );
        this.registerOutputs({ deployerArn: this.roles.deployer.arn });
    }
}
