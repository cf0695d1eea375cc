import { lambdaExecutionRolePattern } from "../../shared/names";
import { roleArn } from "../../shared/arns";
import type { Statement } from "../policyDocument";
import { LAMBDA_READ_ACTIONS } from "./lambda";
import { functionArns, type PermissionsArgs } from "./statements";
import { manageDeclaredStorage, readDeclaredStorage } from "./terraform";

/** What the AWS provider calls to create, read, update and delete a function, its versions, aliases and permissions. */
const FUNCTION_MANAGEMENT = [
    ...LAMBDA_READ_ACTIONS,
    "lambda:CreateFunction",
    "lambda:UpdateFunctionCode",
    "lambda:UpdateFunctionConfiguration",
    "lambda:DeleteFunction",
    "lambda:PublishVersion",
    "lambda:CreateAlias",
    "lambda:UpdateAlias",
    "lambda:DeleteAlias",
    "lambda:GetPolicy",
    "lambda:AddPermission",
    "lambda:RemovePermission",
    "lambda:GetFunctionCodeSigningConfig",
    "lambda:PutFunctionConcurrency",
    "lambda:DeleteFunctionConcurrency",
    "lambda:ListTags",
    "lambda:TagResource",
    "lambda:UntagResource",
];

/**
 * A Pulumi repository served by the foundation (not the one that holds it): the tables, buckets and functions
 * it declares, and its own execution roles passed to Lambda only. None of the foundation's IAM, KMS, ledger or
 * monitoring rights: those follow `deploys.foundation`, never `kind`.
 */
export function servedPulumiDeployerStatements(args: PermissionsArgs): Statement[] {
    const { naming, scope } = args;
    const statements = manageDeclaredStorage(args);
    if (scope.lambdaFunctions.length > 0) {
        statements.push(
            {
                Sid: "ManageRepositoryFunctions",
                Effect: "Allow",
                Action: FUNCTION_MANAGEMENT,
                Resource: functionArns(naming, scope.lambdaFunctions),
            },
            {
                Sid: "PassOwnExecutionRoles",
                Effect: "Allow",
                Action: "iam:PassRole",
                Resource: roleArn(naming, lambdaExecutionRolePattern(naming, args.repository)),
                Condition: { StringEquals: { "iam:PassedToService": "lambda.amazonaws.com" } },
            },
        );
    }
    return statements;
}

/** `pulumi preview` of a served repository: reads of what it declares, nothing of the foundation's. */
export function servedPulumiPreviewerStatements(args: PermissionsArgs): Statement[] {
    const statements = readDeclaredStorage(args);
    if (args.scope.lambdaFunctions.length > 0) {
        statements.push({
            Sid: "ReadRepositoryFunctions",
            Effect: "Allow",
            Action: LAMBDA_READ_ACTIONS,
            Resource: functionArns(args.naming, args.scope.lambdaFunctions),
        });
    }
    return statements;
}
