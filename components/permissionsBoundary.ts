import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { boundaryPolicyArn } from "../shared/arns";
import { boundaryPolicyName, type Naming } from "../shared/names";
import { permissionsBoundary } from "./permissions";
import { toJson } from "./policyDocument";
import { statefulProtection } from "./protection";

/** Arguments for {@link PermissionsBoundary}. */
export interface PermissionsBoundaryArgs {
    readonly naming: Naming;
    /** Deployer role names of the repositories that hold this program: the boundary denies changing them. */
    readonly bootstrapRoleNames: readonly string[];
    /** The organisation's allow-list (`cicd-foundation:deployableServices`): the ceiling grows by these services. Defaults to none. */
    readonly deployableServices?: readonly string[];
}

/**
 * The managed policy `<prefix>-pipeline-boundary-<env>` that bounds every role the program creates.
 * It belongs to the administrator-owned bootstrap tier: the pipeline's deployer may read it but never change
 * it, so a change to it fails in the pipeline and is applied by an administrator (docs/runbooks/administrator.md).
 */
export class PermissionsBoundary extends pulumi.ComponentResource {
    public readonly policy: aws.iam.Policy;
    /** Built from the names, so every role's `permissionsBoundary` is known in a first preview. */
    public readonly arn: string;

    constructor(name: string, args: PermissionsBoundaryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("cicd:identity:PermissionsBoundary", name, {}, opts);
        const protection = statefulProtection(args.naming.environment);
        this.arn = boundaryPolicyArn(args.naming);
        this.policy = new aws.iam.Policy(
            name,
            {
                name: boundaryPolicyName(args.naming),
                description: `cicd-foundation ${args.naming.environment}: the ceiling of every pipeline role; administrator-owned`,
                policy: toJson(permissionsBoundary(args.naming, args.bootstrapRoleNames, args.deployableServices ?? [])),
            },
            // Every role names it: removing it would leave the roles unbounded-or-broken.
            { parent: this, protect: protection.protect, retainOnDelete: protection.retainOnDelete },
        );
        this.registerOutputs({ arn: this.arn });
    }
}
