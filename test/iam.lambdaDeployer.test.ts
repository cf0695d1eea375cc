import { strict as assert } from "assert";
import { boundaryPolicyArn } from "../shared/arns";
import { type Naming, codeDeployRoleName, lambdaExecutionRoleName } from "../shared/names";
import { deployerPermissions, permissionsBoundary } from "../components/permissions";
import type { DeployScope } from "../config";
import { decide, type Decision, type Request, type StackPolicies } from "./helpers/iamSimulation";

/**
 * The Lambda deployer's rights to create what its first deploy needs and to start its rollouts, proved by
 * evaluation (@cloud-copilot/iam-simulate) with its own policy AND the permissions boundary it carries, on
 * fixtures of this file: two Lambda services, `billing` (one declared function) and `orders`.
 */

const ACCOUNT = "222222222222";
const REGION = "eu-west-1";
const naming: Naming = { prefix: "acme", environment: "sit", accountId: ACCOUNT, region: REGION };
const BOUNDARY = boundaryPolicyArn(naming);
const BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";
const ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess";

const scope = (functions: DeployScope["functions"], patterns: string[]): DeployScope => ({
    dynamodbTables: [],
    s3Buckets: [],
    lambdaFunctions: patterns,
    ecsServices: [],
    foundation: false,
    functions,
});
const declared = (name: string) => ({ name, policies: [BASIC], rollout: "LambdaCanary10Percent5Minutes" as const, alarms: [], hooks: {} });

const BILLING = "acme-deployer-sit-billing";
const ORDERS = "acme-deployer-sit-orders";
const policies: StackPolicies = (() => {
    const boundary = permissionsBoundary(naming, []);
    const document = (repository: string, s: DeployScope) =>
        deployerPermissions({ naming, repository, kind: "lambda", scope: s, terraformLockTable: false, bootstrapRoleNames: [] });
    return {
        accountId: ACCOUNT,
        roles: [BILLING, ORDERS],
        identity: new Map<string, unknown>([
            [BILLING, document("billing", scope([declared("acme-billing-api")], ["acme-billing-*"]))],
            [ORDERS, document("orders", scope(undefined, ["acme-orders-*"]))],
        ]),
        boundaries: new Map<string, unknown>([
            [BILLING, boundary],
            [ORDERS, boundary],
        ]),
        bucketPolicies: new Map(),
        keyPolicy: {},
    };
})();

const fn = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const group = (application: string, name: string) => `arn:aws:codedeploy:${REGION}:${ACCOUNT}:deploymentgroup:${application}/${name}`;
const application = (name: string) => `arn:aws:codedeploy:${REGION}:${ACCOUNT}:application:${name}`;
const billingRole = lambdaExecutionRoleName(naming, "billing", "acme-billing-api") ?? "";
const ordersRole = lambdaExecutionRoleName(naming, "orders", "acme-orders-api") ?? "";
const bounded = { "iam:PermissionsBoundary": BOUNDARY };

interface Case extends Request {
    readonly why: string;
    readonly expected: Decision;
}

const cases: Case[] = [
    // The function and its execution role.
    {
        why: "creates its declared function",
        role: BILLING,
        action: "lambda:CreateFunction",
        resource: fn("acme-billing-api"),
        expected: "Allowed",
    },
    {
        why: "creates no undeclared function, even inside its patterns",
        role: BILLING,
        action: "lambda:CreateFunction",
        resource: fn("acme-billing-other"),
        expected: "ImplicitlyDenied",
    },
    {
        why: "creates no function of another service",
        role: BILLING,
        action: "lambda:CreateFunction",
        resource: fn("acme-orders-api"),
        expected: "ImplicitlyDenied",
    },
    {
        why: "a service that declares no function creates none",
        role: ORDERS,
        action: "lambda:CreateFunction",
        resource: fn("acme-orders-api"),
        expected: "ImplicitlyDenied",
    },
    {
        why: "creates its function's execution role with the boundary",
        role: BILLING,
        action: "iam:CreateRole",
        resource: role(billingRole),
        context: bounded,
        expected: "Allowed",
    },
    {
        why: "creates no execution role without the boundary (the boundary itself denies it)",
        role: BILLING,
        action: "iam:CreateRole",
        resource: role(billingRole),
        expected: "ExplicitlyDenied",
    },
    {
        why: "creates no role with another policy as its boundary",
        role: BILLING,
        action: "iam:CreateRole",
        resource: role(billingRole),
        context: { "iam:PermissionsBoundary": `arn:aws:iam::${ACCOUNT}:policy/other` },
        expected: "ExplicitlyDenied",
    },
    {
        why: "creates no role in another service's space",
        role: BILLING,
        action: "iam:CreateRole",
        resource: role(ordersRole),
        context: bounded,
        expected: "ImplicitlyDenied",
    },
    {
        why: "creates no role outside the execution-role space",
        role: BILLING,
        action: "iam:CreateRole",
        resource: role("acme-deployer-sit-billing2"),
        context: bounded,
        expected: "ImplicitlyDenied",
    },
    {
        why: "attaches a declared policy to its execution role",
        role: BILLING,
        action: "iam:AttachRolePolicy",
        resource: role(billingRole),
        context: { ...bounded, "iam:PolicyARN": BASIC },
        expected: "Allowed",
    },
    {
        why: "attaches no undeclared policy",
        role: BILLING,
        action: "iam:AttachRolePolicy",
        resource: role(billingRole),
        context: { ...bounded, "iam:PolicyARN": ADMIN },
        expected: "ImplicitlyDenied",
    },
    {
        why: "writes no inline policy on its execution role (its content could not be bounded by a condition)",
        role: BILLING,
        action: "iam:PutRolePolicy",
        resource: role(billingRole),
        context: bounded,
        expected: "ImplicitlyDenied",
    },
    {
        why: "sets its own function's description (each deploy's tag, so a retry publishes a version of its own)",
        role: BILLING,
        action: "lambda:UpdateFunctionConfiguration",
        resource: fn("acme-billing-api"),
        expected: "Allowed",
    },
    {
        why: "changes no other service's function",
        role: BILLING,
        action: "lambda:UpdateFunctionConfiguration",
        resource: fn("acme-orders-api"),
        expected: "ImplicitlyDenied",
    },
    // Passing roles.
    {
        why: "passes its own execution role to Lambda",
        role: BILLING,
        action: "iam:PassRole",
        resource: role(billingRole),
        context: { "iam:PassedToService": "lambda.amazonaws.com" },
        expected: "Allowed",
    },
    {
        why: "passes its execution role to no other service",
        role: BILLING,
        action: "iam:PassRole",
        resource: role(billingRole),
        context: { "iam:PassedToService": "ec2.amazonaws.com" },
        expected: "ImplicitlyDenied",
    },
    {
        why: "passes no other service's execution role",
        role: BILLING,
        action: "iam:PassRole",
        resource: role(ordersRole),
        context: { "iam:PassedToService": "lambda.amazonaws.com" },
        expected: "ImplicitlyDenied",
    },
    {
        why: "passes its own rollout role to CodeDeploy",
        role: BILLING,
        action: "iam:PassRole",
        resource: role(codeDeployRoleName(naming, "billing")),
        context: { "iam:PassedToService": "codedeploy.amazonaws.com" },
        expected: "Allowed",
    },
    {
        why: "passes no other service's rollout role",
        role: BILLING,
        action: "iam:PassRole",
        resource: role(codeDeployRoleName(naming, "orders")),
        context: { "iam:PassedToService": "codedeploy.amazonaws.com" },
        expected: "ImplicitlyDenied",
    },
    // CodeDeploy.
    {
        why: "creates its own CodeDeploy application",
        role: BILLING,
        action: "codedeploy:CreateApplication",
        resource: application("acme-lambda-billing"),
        expected: "Allowed",
    },
    {
        why: "creates no other service's application",
        role: BILLING,
        action: "codedeploy:CreateApplication",
        resource: application("acme-lambda-orders"),
        expected: "ImplicitlyDenied",
    },
    {
        why: "starts a rollout in its own application",
        role: BILLING,
        action: "codedeploy:CreateDeployment",
        resource: group("acme-lambda-billing", "acme-billing-api"),
        expected: "Allowed",
    },
    {
        why: "starts no rollout in another service's application",
        role: BILLING,
        action: "codedeploy:CreateDeployment",
        resource: group("acme-lambda-orders", "acme-orders-api"),
        expected: "ImplicitlyDenied",
    },
    {
        why: "reads no rollout of another service",
        role: ORDERS,
        action: "codedeploy:GetDeployment",
        resource: group("acme-lambda-billing", "acme-billing-api"),
        expected: "ImplicitlyDenied",
    },
    {
        why: "the other service starts its own rollouts",
        role: ORDERS,
        action: "codedeploy:CreateDeployment",
        resource: group("acme-lambda-orders", "acme-orders-api"),
        expected: "Allowed",
    },
    {
        why: "reads the predefined Lambda rollout configurations",
        role: BILLING,
        action: "codedeploy:GetDeploymentConfig",
        resource: `arn:aws:codedeploy:${REGION}:${ACCOUNT}:deploymentconfig:CodeDeployDefault.LambdaCanary10Percent5Minutes`,
        expected: "Allowed",
    },
];

describe("the Lambda deployer creates its own function and role within the boundary and starts only its own rollouts", () => {
    it("names the execution role in the service's own space", () => {
        assert.equal(billingRole, "acme-lambda-billing@acme-billing-api");
        assert.equal(codeDeployRoleName(naming, "billing"), "acme-codedeploy-sit-billing");
    });
    for (const c of cases) {
        it(`${c.role === BILLING ? "billing" : "orders"} ${c.why}: ${c.expected}`, async () => {
            assert.equal(await decide(policies, c), c.expected);
        });
    }
});
