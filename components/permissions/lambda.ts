import { alarmArn, functionArns, type PermissionsArgs } from "./statements";
import { lambdaExecutionRolePattern, roleArn } from "../naming";
import type { Statement } from "../policyDocument";

/** What the Lambda pipeline calls: a new code version, weighted alias routing for the canary, its alarm. */
export const LAMBDA_DEPLOY_ACTIONS = [
    "lambda:UpdateFunctionCode",
    "lambda:PublishVersion",
    "lambda:GetAlias",
    "lambda:CreateAlias",
    "lambda:UpdateAlias",
    "lambda:ListVersionsByFunction",
    "lambda:ListAliases",
    "lambda:GetFunction",
    "lambda:GetFunctionConfiguration",
];

export const LAMBDA_READ_ACTIONS = [
    "lambda:GetFunction",
    "lambda:GetFunctionConfiguration",
    "lambda:GetAlias",
    "lambda:ListAliases",
    "lambda:ListVersionsByFunction",
];

/**
 * A Lambda service's deployer: its functions' code and aliases, the environment's alarms (to watch the
 * canary), and its own execution roles, passed to Lambda only.
 */
export function lambdaDeployerStatements(args: PermissionsArgs): Statement[] {
    const { naming } = args;
    return [
        {
            Sid: "DeployOwnFunctions",
            Effect: "Allow",
            Action: LAMBDA_DEPLOY_ACTIONS,
            Resource: functionArns(naming, args.scope.lambdaFunctions),
        },
        {
            Sid: "WatchCanaryAlarms",
            Effect: "Allow",
            Action: "cloudwatch:DescribeAlarms",
            Resource: alarmArn(naming, `${naming.prefix}-${naming.environment}-*`),
        },
        {
            Sid: "PassOwnExecutionRoles",
            Effect: "Allow",
            Action: "iam:PassRole",
            Resource: roleArn(naming, lambdaExecutionRolePattern(naming, args.repository)),
            Condition: { StringEquals: { "iam:PassedToService": "lambda.amazonaws.com" } },
        },
    ];
}

export function lambdaPreviewerStatements(args: PermissionsArgs): Statement[] {
    return [
        {
            Sid: "ReadOwnFunctions",
            Effect: "Allow",
            Action: LAMBDA_READ_ACTIONS,
            Resource: functionArns(args.naming, args.scope.lambdaFunctions),
        },
    ];
}
