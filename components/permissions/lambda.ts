import type { DeployScope } from "../../config";
import { functionArns, type PermissionsArgs } from "./statements";
import {
    alarmArn,
    awsManagedPolicyArn,
    boundaryPolicyArn,
    codeDeployApplicationArn,
    codeDeployConfigArn,
    codeDeployGroupArn,
    functionArn,
    lambdaServicePolicyArn,
    roleArn,
} from "../../shared/arns";
import { codeDeployRoleName, lambdaExecutionRoleName, lambdaExecutionRolePattern, type Naming } from "../../shared/names";
import type { Statement } from "../policyDocument";

/** What the Lambda pipeline calls: a new code version, weighted alias routing for the canary, its alarm. */
export const LAMBDA_DEPLOY_ACTIONS = [
    "lambda:UpdateFunctionCode",
    // The function's description carries the deploy's tag, so each deploy publishes a version of its own.
    "lambda:UpdateFunctionConfiguration",
    "lambda:PublishVersion",
    "lambda:GetAlias",
    "lambda:CreateAlias",
    "lambda:UpdateAlias",
    "lambda:ListVersionsByFunction",
    "lambda:ListAliases",
    "lambda:GetFunction",
    "lambda:GetFunctionConfiguration",
];

/** The first deploy of a declared function creates it (from the built zip) with its alias. */
export const LAMBDA_CREATE_ACTIONS = ["lambda:CreateFunction", "lambda:TagResource"];

export const LAMBDA_READ_ACTIONS = [
    "lambda:GetFunction",
    "lambda:GetFunctionConfiguration",
    "lambda:GetAlias",
    "lambda:ListAliases",
    "lambda:ListVersionsByFunction",
];

/**
 * What the runner asks of CodeDeploy: the service's application and one deployment group per function (created
 * by the first deploy), a deployment to start, and its progress to report. The shift, the alarms and the
 * rollback are CodeDeploy's, so a lost runner changes nothing. (StopDeployment takes only `*`: not granted; the
 * group's alarms stop a rollout.)
 */
export const CODEDEPLOY_APPLICATION_ACTIONS = ["codedeploy:CreateApplication", "codedeploy:GetApplication"];
export const CODEDEPLOY_GROUP_ACTIONS = [
    "codedeploy:CreateDeploymentGroup",
    "codedeploy:GetDeploymentGroup",
    "codedeploy:UpdateDeploymentGroup",
    "codedeploy:CreateDeployment",
    "codedeploy:GetDeployment",
];

/**
 * AWS managed policies a function's execution role may be given: logs, tracing, VPC networking and Lambda
 * Insights, none of which reaches another service's data. Anything else a function needs is a customer
 * managed policy an administrator writes in the service's own space (`policy/<prefix>-lambda-<repository>@*`).
 */
export const LAMBDA_MANAGED_POLICY_ALLOW_LIST = [
    "service-role/AWSLambdaBasicExecutionRole",
    "service-role/AWSLambdaVPCAccessExecutionRole",
    "AWSXRayDaemonWriteAccess",
    "CloudWatchLambdaInsightsExecutionRolePolicy",
].map(awsManagedPolicyArn);

/** The name space of the CodeDeploy roles: reserved for roles that carry the boundary, passed to CodeDeploy only. */
export const codeDeployRoleSpace = (n: Naming) => `${n.prefix}-codedeploy-*`;

/**
 * What the first deploy of a declared function needs: the function, its execution role with the boundary,
 * and only the policies the function declares. None when the service declares no function.
 */
function declaredFunctionStatements(args: PermissionsArgs): Statement[] {
    const { naming } = args;
    const boundary = boundaryPolicyArn(naming);
    const declared = args.scope.functions ?? [];
    const roles = declared.flatMap((f) => {
        const name = lambdaExecutionRoleName(naming, args.repository, f.name);
        return name ? [{ fn: f, arn: roleArn(naming, name) }] : [];
    });
    if (roles.length === 0) return [];
    return [
        {
            Sid: "CreateOwnFunctions",
            Effect: "Allow",
            Action: LAMBDA_CREATE_ACTIONS,
            Resource: declared.map((f) => functionArn(naming, f.name)),
        },
        {
            Sid: "CreateOwnExecutionRolesWithTheBoundary",
            Effect: "Allow",
            Action: "iam:CreateRole",
            Resource: roles.map((r) => r.arn),
            Condition: { StringEquals: { "iam:PermissionsBoundary": boundary } },
        },
        {
            Sid: "ReadOwnExecutionRoles",
            Effect: "Allow",
            Action: ["iam:GetRole", "iam:ListAttachedRolePolicies"],
            Resource: roles.map((r) => r.arn),
        },
        // One statement per role: each gets only the policies its function declares.
        ...roles
            .filter((r) => r.fn.policies.length > 0)
            .map((r, i): Statement => ({
                Sid: `AttachDeclaredPolicies${i}`,
                Effect: "Allow",
                Action: "iam:AttachRolePolicy",
                Resource: r.arn,
                Condition: {
                    StringEquals: { "iam:PermissionsBoundary": boundary },
                    ArnEquals: { "iam:PolicyARN": [...r.fn.policies] },
                },
            })),
    ];
}

/** The service's own CodeDeploy application and rollouts, and its CodeDeploy role passed to CodeDeploy only. */
function rolloutStatements(naming: Naming, repository: string): Statement[] {
    return [
        {
            Sid: "OwnCodeDeployApplication",
            Effect: "Allow",
            Action: CODEDEPLOY_APPLICATION_ACTIONS,
            Resource: codeDeployApplicationArn(naming, repository),
        },
        {
            Sid: "OwnRollouts",
            Effect: "Allow",
            Action: CODEDEPLOY_GROUP_ACTIONS,
            Resource: codeDeployGroupArn(naming, repository),
        },
        { Sid: "ReadRolloutConfigs", Effect: "Allow", Action: "codedeploy:GetDeploymentConfig", Resource: codeDeployConfigArn(naming) },
        {
            Sid: "PassOwnCodeDeployRole",
            Effect: "Allow",
            Action: "iam:PassRole",
            Resource: roleArn(naming, codeDeployRoleName(naming, repository)),
            Condition: { StringEquals: { "iam:PassedToService": "codedeploy.amazonaws.com" } },
        },
    ];
}

/**
 * A Lambda service's deployer: its functions' code and aliases (and, for a declared function, the function
 * itself and its execution role with the boundary and only the declared policies), the environment's alarms,
 * its own CodeDeploy application, and its own roles, passed to Lambda and CodeDeploy only.
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
        ...declaredFunctionStatements(args),
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
        ...rolloutStatements(naming, args.repository),
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

/** Whether a name matches a scope pattern (`*` matches any run of characters, as IAM's ARN patterns do). */
export function matchesPattern(name: string, pattern: string): boolean {
    const source = pattern
        .split("*")
        .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
        .join(".*");
    return new RegExp(`^${source}$`).test(name);
}

/** One problem with a repository's declared functions: the key under the repository entry and the message. */
export interface LambdaFunctionProblem {
    readonly key: string;
    readonly message: string;
}

/**
 * Checks a repository's `deploys.functions` at synthesis (pure): only a Lambda repository declares functions,
 * each inside its own `lambdaFunctions` patterns, once; its execution role's name fits IAM; its policies are
 * on the allow-list or the service's own; its hooks are the service's own functions.
 */
export function lambdaFunctionProblems(
    naming: Pick<Naming, "prefix" | "accountId">,
    repository: { readonly name: string; readonly kind: string; readonly deploys: DeployScope },
): LambdaFunctionProblem[] {
    const problems: LambdaFunctionProblem[] = [];
    const functions = repository.deploys.functions ?? [];
    if (functions.length > 0 && repository.kind !== "lambda") {
        return [
            { key: "deploys.functions", message: `is for Lambda repositories only; '${repository.name}' is kind '${repository.kind}'` },
        ];
    }
    const patterns = repository.deploys.lambdaFunctions;
    const own = (name: string) => patterns.some((p) => matchesPattern(name, p));
    const full: Naming = { ...naming, environment: "dev", region: "" };
    const servicePolicy = lambdaServicePolicyArn(full, repository.name);
    const seen = new Set<string>();
    functions.forEach((f, i) => {
        const key = `deploys.functions[${i}]`;
        if (seen.has(f.name)) problems.push({ key: `${key}.name`, message: `repeats '${f.name}'` });
        seen.add(f.name);
        if (!own(f.name)) {
            problems.push({
                key: `${key}.name`,
                message: `'${f.name}' matches none of deploys.lambdaFunctions (${patterns.join(", ") || "none"}): its deployer could not create it`,
            });
        }
        if (!lambdaExecutionRoleName(full, repository.name, f.name)) {
            problems.push({
                key: `${key}.name`,
                message: `gives no execution role name within IAM's 64 characters (${naming.prefix}-lambda-${repository.name}@<hash>); shorten the repository name or the prefix`,
            });
        }
        f.policies.forEach((arn, j) => {
            if (LAMBDA_MANAGED_POLICY_ALLOW_LIST.includes(arn) || matchesPattern(arn, servicePolicy)) return;
            problems.push({
                key: `${key}.policies[${j}]`,
                message: `'${arn}' is neither an allowed AWS managed policy (${LAMBDA_MANAGED_POLICY_ALLOW_LIST.join(", ")}) nor the service's own (${servicePolicy})`,
            });
        });
        for (const [hook, name] of Object.entries(f.hooks)) {
            if (name !== undefined && !own(name)) {
                problems.push({
                    key: `${key}.hooks.${hook}`,
                    message: `'${name}' matches none of deploys.lambdaFunctions: CodeDeploy invokes only the service's own functions`,
                });
            }
        }
    });
    return problems;
}
