import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { DeployScope, RepositoryConfig } from "../config";
import type { StackContext } from "./context";
import { roleArn, alarmArn, functionArn } from "../shared/arns";
import { type Naming, codeDeployRoleName } from "../shared/names";
import { policyDocument, toJson, type PolicyDocument } from "./policyDocument";

/** Arguments for {@link LambdaRolloutRole}. */
export interface LambdaRolloutRoleArgs {
    /** The stack's facts: names, owner (the role is tagged with its repository, as the service's other roles are), boundary. */
    readonly context: StackContext;
    /** The Lambda service's entry: its name, and the functions CodeDeploy shifts and the hooks it invokes. */
    readonly entry: RepositoryConfig;
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
        const { context, entry } = args;
        const { naming } = context;
        const roleName = codeDeployRoleName(naming, entry.name);
        this.roleArn = roleArn(naming, roleName);
        this.role = new aws.iam.Role(
            name,
            {
                name: roleName,
                description: `CodeDeploy: shifts the aliases of ${entry.name}'s functions and rolls them back on alarm`,
                assumeRolePolicy: toJson(CODEDEPLOY_TRUST),
                permissionsBoundary: context.boundary.arn,
                // The service's own: what it shifts belongs to the same repository as what its deployer writes.
                tags: { Repository: `${context.config.githubOwner}/${entry.name}`, Access: "rollout" },
            },
            { parent: this, dependsOn: [...context.boundary.dependsOn] },
        );
        new aws.iam.RolePolicy(name, { role: this.role.name, policy: toJson(rolloutRolePolicy(naming, entry.deploys)) }, { parent: this });
        this.registerOutputs({ roleArn: this.roleArn });
    }
}
