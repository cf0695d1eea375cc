import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { DeployScope } from "../config";
import { roleArn, alarmArn, functionArn } from "../shared/arns";
import { type Naming, codeDeployRoleName } from "../shared/names";
import { policyDocument, toJson, type PolicyDocument } from "./policyDocument";

/** Arguments for {@link LambdaRolloutRole}. */
export interface LambdaRolloutRoleArgs {
    readonly naming: Naming;
    /** The GitHub organisation: the role is tagged with its repository, as the service's other roles are. */
    readonly owner: string;
    /** The Lambda service (repository name). */
    readonly repository: string;
    /** What it declares: the functions CodeDeploy shifts and the hooks it invokes. */
    readonly scope: DeployScope;
    /** The boundary every role the program creates carries. */
    readonly permissionsBoundaryArn: pulumi.Input<string>;
    /** Resources the role waits for, such as the boundary policy. Defaults to none. */
    readonly rolesDependOn?: pulumi.Resource[];
}

/** Only CodeDeploy may act as a rollout role. */
export const CODEDEPLOY_TRUST: PolicyDocument = policyDocument([
    { Effect: "Allow", Principal: { Service: "codedeploy.amazonaws.com" }, Action: "sts:AssumeRole" },
]);

/**
 * What CodeDeploy does for one Lambda service while it shifts: move the aliases of the service's declared
 * functions, read the environment's alarms, invoke the service's declared hooks. Nothing of another
 * service: AWS's managed CodeDeploy-for-Lambda policy allows alias changes on every function.
 */
export function rolloutRolePolicy(naming: Naming, scope: DeployScope): PolicyDocument {
    const functions = scope.functions ?? [];
    const hooks = [...new Set(functions.flatMap((f) => [f.hooks.beforeAllowTraffic, f.hooks.afterAllowTraffic]))].filter(
        (name): name is string => name !== undefined,
    );
    return policyDocument([
        {
            Sid: "ShiftOwnAliases",
            Effect: "Allow",
            Action: ["lambda:GetAlias", "lambda:UpdateAlias", "lambda:GetProvisionedConcurrencyConfig"],
            Resource: functions.flatMap((f) => [functionArn(naming, f.name), `${functionArn(naming, f.name)}:*`]),
        },
        {
            Sid: "WatchAlarms",
            Effect: "Allow",
            Action: "cloudwatch:DescribeAlarms",
            Resource: alarmArn(naming, `${naming.prefix}-${naming.environment}-*`),
        },
        ...(hooks.length > 0
            ? [
                  {
                      Sid: "InvokeOwnHooks",
                      Effect: "Allow" as const,
                      Action: "lambda:InvokeFunction",
                      Resource: hooks.flatMap((name) => [functionArn(naming, name), `${functionArn(naming, name)}:*`]),
                  },
              ]
            : []),
    ]);
}

/**
 * The role CodeDeploy acts as for one Lambda service's rollouts: declared by the foundation, so its trust
 * and rights are reviewed here; the service's deployer only passes it to CodeDeploy.
 */
export class LambdaRolloutRole extends pulumi.ComponentResource {
    public readonly role: aws.iam.Role;
    public readonly roleArn: string;

    constructor(name: string, args: LambdaRolloutRoleArgs, opts?: pulumi.ComponentResourceOptions) {
        super("cicd:lambda:LambdaRolloutRole", name, {}, opts);
        const roleName = codeDeployRoleName(args.naming, args.repository);
        this.roleArn = roleArn(args.naming, roleName);
        this.role = new aws.iam.Role(
            name,
            {
                name: roleName,
                description: `CodeDeploy: shifts the aliases of ${args.repository}'s functions and rolls them back on alarm`,
                assumeRolePolicy: toJson(CODEDEPLOY_TRUST),
                permissionsBoundary: args.permissionsBoundaryArn,
                // The service's own: what it shifts belongs to the same repository as what its deployer writes.
                tags: { Repository: `${args.owner}/${args.repository}`, Access: "rollout" },
            },
            { parent: this, dependsOn: args.rolesDependOn },
        );
        new aws.iam.RolePolicy(
            name,
            { role: this.role.name, policy: toJson(rolloutRolePolicy(args.naming, args.scope)) },
            { parent: this },
        );
        this.registerOutputs({ roleArn: this.roleArn });
    }
}
