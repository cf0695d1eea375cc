import * as pulumi from "@pulumi/pulumi";
import type { RepositoryConfig } from "../config";
import type { StackContext } from "./context";
import { stateKeyPrefix } from "./permissions";
import { RepositoryRoles } from "./repositoryRoles";

/** Arguments for {@link RepositoryAccess}. */
export interface RepositoryAccessArgs {
    /** The stack's facts: names, owner, boundary, bootstrap tier, GitHub ids. */
    readonly context: StackContext;
    /** The repository's entry in the stack file. */
    readonly entry: RepositoryConfig;
    /** Resources the roles wait for besides the boundary, such as GitHub's OIDC provider. Defaults to none. */
    readonly rolesDependOn?: readonly pulumi.Resource[];
}

/**
 * One repository's roles in this environment's account. The GitHub side (environment, reviewers, rulesets)
 * is written by the stack that owns it (prod's, see {@link RepositoryEnvironment}); the environment name is
 * the same `naming.environment` on both sides, and the roles' names follow from it, so the trust subject, the
 * GitHub environment and the map's role ARN cannot disagree.
 */
export class RepositoryAccess extends pulumi.ComponentResource {
    public readonly roles: RepositoryRoles;
    /** The served repository's name. */
    public readonly repository: string;

    constructor(name: string, args: RepositoryAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        // The roles were first declared under a component that also held the GitHub side; the alias keeps
        // their URNs, so moving the GitHub side out replaces no role.
        super("cicd:identity:RepositoryAccess", name, {}, { ...opts, aliases: [{ type: "cicd:github:RepositoryEnvironment" }] });
        this.repository = args.entry.name;
        this.roles = new RepositoryRoles(
            name,
            { context: args.context, entry: args.entry, rolesDependOn: args.rolesDependOn },
            { parent: this },
        );
        this.registerOutputs({ deployerArn: this.roles.deployer.arn });
    }
}

/** The stack output `repositories`: each repository's deployer and previewer roles and its state prefix. */
export function repositoryOutputs(access: readonly RepositoryAccess[]) {
    return Object.fromEntries(
        access.map((a) => [
            a.repository,
            {
                deployerRoleArn: a.roles.deployer.arn,
                previewerRoleArn: a.roles.previewer.arn,
                stateKeyPrefix: stateKeyPrefix(a.repository),
            },
        ]),
    );
}
