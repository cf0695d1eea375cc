import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { boundaryPolicyArn } from "../shared/arns";
import { roleName, type Naming } from "../shared/names";
import {
    bootstrapRoleNames,
    deployerPermissions,
    ledgerReaderPermissions,
    permissionsBoundary,
    previewerPermissions,
} from "../components/permissions";
import { derivedRoles } from "../components/permissions/limits";
import type { StackPolicies } from "./helpers/iamSimulation";
import { decisionsOn, documentStack } from "./support/iamStacks";
import { fixtureConfig, PREFIX, REGION, SERVED_PULUMI } from "./helpers/rightsFixture";

/**
 * Rights follow what a repository declares, proved by evaluation on stacks of the tests' own: each request is
 * evaluated by @cloud-copilot/iam-simulate with the role's inline policy AND the permissions boundary it
 * carries. The foundation (deploys.foundation), a served Pulumi repository, a Terraform repository and a
 * Lambda service, in sit (whose ledger prod's gated jobs read).
 */

const ENV = "sit";
const ACCOUNT = "222222222222";
const naming: Naming = { prefix: PREFIX, environment: ENV, accountId: ACCOUNT, region: REGION };
const boundary = boundaryPolicyArn(naming);
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const table = (name: string) => `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${name}`;
const fn = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
const key = `arn:aws:kms:${REGION}:${ACCOUNT}:key/0b5f3c1e-1111-2222-3333-444455556666`;
const object = (bucket: string, keyName: string) => `arn:aws:s3:::${bucket}/${keyName}`;
const STATE = "acme-state-sit";
const LEDGER = table("acme-deployments-sit");
const OIDC = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
const aliases = { "kms:ResourceAliases": ["alias/acme-sit"] };
const viaS3 = { ...aliases, "kms:ViaService": `s3.${REGION}.amazonaws.com` };
const bounded = { "iam:PermissionsBoundary": boundary };
const toLambda = { "iam:PassedToService": "lambda.amazonaws.com" };
const own = (service: string) => ({ "dynamodb:LeadingKeys": [service] });

const deployer = (repository: string) => roleName(naming, "deployer", repository);
const previewer = (repository: string) => roleName(naming, "previewer", repository);
const reader = (repository: string) => roleName(naming, "ledger-reader", repository);

let policies: StackPolicies;

before(() => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), "rights-"));
    const config = fixtureConfig(directory, ENV);
    const boundaryDocument = permissionsBoundary(naming, bootstrapRoleNames(naming, config.repositories));
    // The served Pulumi repository's documents, as its roles would carry them (the config refuses it in a stack
    // file until a reusable Pulumi workflow exists for its roles to trust).
    const args = {
        naming,
        repository: SERVED_PULUMI.name,
        kind: SERVED_PULUMI.kind,
        scope: {
            ...SERVED_PULUMI.deploys,
            dynamodbTables: [...SERVED_PULUMI.deploys.dynamodbTables],
            s3Buckets: [...SERVED_PULUMI.deploys.s3Buckets],
            lambdaFunctions: [...SERVED_PULUMI.deploys.lambdaFunctions],
            ecsServices: [],
            foundation: false,
        },
        terraformLockTable: config.state.terraformLockTable,
        bootstrapRoleNames: bootstrapRoleNames(naming, config.repositories),
        cloudTrailLogGroup: config.monitoring.cloudTrailLogGroup,
    };
    const roles = [
        ...derivedRoles(config),
        { name: deployer(SERVED_PULUMI.name), policy: deployerPermissions(args) },
        { name: previewer(SERVED_PULUMI.name), policy: previewerPermissions(args) },
        { name: reader(SERVED_PULUMI.name), policy: ledgerReaderPermissions(naming, SERVED_PULUMI.name) },
    ];
    policies = documentStack(naming, roles, boundaryDocument);
});

const { assertDecisions, rewritten } = decisionsOn(() => policies);

describe("rights follow declarations: a served Pulumi repository", () => {
    it("gets none of the foundation's IAM, KMS, ledger or identity-provider rights", async () => {
        const r = deployer("platform");
        await assertDecisions([
            { role: r, action: "iam:PutRolePolicy", resource: role(r), context: bounded, expected: "ImplicitlyDenied" },
            {
                role: r,
                action: "iam:UpdateAssumeRolePolicy",
                resource: role(deployer("orders")),
                context: bounded,
                expected: "ImplicitlyDenied",
            },
            { role: r, action: "iam:CreateRole", resource: role("acme-lambda-platform@x"), context: bounded, expected: "ImplicitlyDenied" },
            { role: r, action: "iam:RemoveClientIDFromOpenIDConnectProvider", resource: OIDC, expected: "ImplicitlyDenied" },
            { role: r, action: "dynamodb:UpdateContinuousBackups", resource: LEDGER, expected: "ImplicitlyDenied" },
            { role: r, action: "dynamodb:UpdateTable", resource: LEDGER, expected: "ImplicitlyDenied" },
            { role: r, action: "kms:Decrypt", resource: key, context: aliases, expected: "ImplicitlyDenied" },
            { role: r, action: "kms:CreateGrant", resource: key, context: aliases, expected: "ImplicitlyDenied" },
            {
                role: r,
                action: "s3:GetObject",
                resource: object(STATE, "foundation/.pulumi/stacks/cicd-foundation/sit.json"),
                expected: "ImplicitlyDenied",
            },
            { role: r, action: "s3:PutObject", resource: object(STATE, "orders/terraform.tfstate"), expected: "ImplicitlyDenied" },
        ]);
    });

    it("gets its own state, its ledger items, the key through S3 and what it declares", async () => {
        const r = deployer("platform");
        await assertDecisions([
            { role: r, action: "s3:PutObject", resource: object(STATE, "platform/.pulumi/stacks/platform/sit.json"), expected: "Allowed" },
            { role: r, action: "s3:GetObject", resource: object(STATE, "platform/.pulumi/stacks/platform/sit.json"), expected: "Allowed" },
            { role: r, action: "kms:Decrypt", resource: key, context: viaS3, expected: "Allowed" },
            { role: r, action: "kms:GenerateDataKey", resource: key, context: viaS3, expected: "Allowed" },
            { role: r, action: "dynamodb:PutItem", resource: LEDGER, context: own("platform"), expected: "Allowed" },
            { role: r, action: "dynamodb:PutItem", resource: LEDGER, context: own("orders"), expected: "ImplicitlyDenied" },
            { role: r, action: "dynamodb:UpdateTable", resource: table("platform-items"), expected: "Allowed" },
            { role: r, action: "dynamodb:UpdateTable", resource: table("orders-items"), expected: "ImplicitlyDenied" },
            { role: r, action: "s3:PutBucketPolicy", resource: "arn:aws:s3:::acme-platform-assets", expected: "Allowed" },
            { role: r, action: "lambda:UpdateFunctionConfiguration", resource: fn("acme-platform-api"), expected: "Allowed" },
            { role: r, action: "lambda:UpdateFunctionCode", resource: fn("acme-billing-api"), expected: "ImplicitlyDenied" },
            { role: r, action: "iam:PassRole", resource: role("acme-lambda-platform@api"), context: toLambda, expected: "Allowed" },
            // The delimiter ends the repository's name: `platform` never passes `platform-v2`'s roles.
            {
                role: r,
                action: "iam:PassRole",
                resource: role("acme-lambda-platform-v2@api"),
                context: toLambda,
                expected: "ImplicitlyDenied",
            },
            { role: r, action: "iam:PassRole", resource: role("acme-lambda-billing@api"), context: toLambda, expected: "ImplicitlyDenied" },
        ]);
    });

    it("has a previewer that decrypts nothing of the foundation's and writes nothing", async () => {
        const r = previewer("platform");
        await assertDecisions([
            { role: r, action: "kms:Decrypt", resource: key, context: aliases, expected: "ImplicitlyDenied" },
            { role: r, action: "kms:Decrypt", resource: key, context: viaS3, expected: "Allowed" },
            { role: r, action: "s3:GetObject", resource: object(STATE, "platform/.pulumi/stacks/platform/sit.json"), expected: "Allowed" },
            {
                role: r,
                action: "s3:GetObject",
                resource: object(STATE, "foundation/.pulumi/stacks/cicd-foundation/sit.json"),
                expected: "ImplicitlyDenied",
            },
            {
                role: r,
                action: "s3:PutObject",
                resource: object(STATE, "platform/.pulumi/stacks/platform/sit.json"),
                expected: "ImplicitlyDenied",
            },
            { role: r, action: "dynamodb:DescribeTable", resource: table("platform-items"), expected: "Allowed" },
            { role: r, action: "dynamodb:UpdateTable", resource: table("platform-items"), expected: "ImplicitlyDenied" },
            { role: r, action: "lambda:GetFunction", resource: fn("acme-platform-api"), expected: "Allowed" },
        ]);
    });
});

describe("rights follow declarations: the foundation, Terraform, Lambda and ledger readers", () => {
    it("keeps the foundation's rights for the foundation's deployer, on bounded roles only", async () => {
        const r = deployer("foundation");
        await assertDecisions([
            { role: r, action: "iam:PutRolePolicy", resource: role(deployer("platform")), context: bounded, expected: "Allowed" },
            { role: r, action: "iam:UpdateAssumeRolePolicy", resource: role(deployer("orders")), context: bounded, expected: "Allowed" },
            { role: r, action: "kms:Decrypt", resource: key, context: aliases, expected: "Allowed" },
            // A role without the boundary (an administrator's, or one older than the foundation) is out of reach.
            { role: r, action: "iam:PutRolePolicy", resource: role("acme-lambda-billing@legacy"), expected: "ExplicitlyDenied" },
            {
                role: r,
                action: "iam:UpdateAssumeRolePolicy",
                resource: role("acme-lambda-billing@legacy"),
                context: { "iam:PermissionsBoundary": "arn:aws:iam::222222222222:policy/lenient" },
                expected: "ExplicitlyDenied",
            },
            { role: r, action: "iam:UpdateAssumeRolePolicy", resource: role(r), context: bounded, expected: "ExplicitlyDenied" },
        ]);
    });

    it("gives a Terraform deployer its declared storage and none of the foundation's", async () => {
        const r = deployer("orders");
        await assertDecisions([
            { role: r, action: "dynamodb:UpdateTable", resource: table("orders-items"), expected: "Allowed" },
            { role: r, action: "dynamodb:UpdateContinuousBackups", resource: LEDGER, expected: "ImplicitlyDenied" },
            { role: r, action: "s3:PutBucketPolicy", resource: `arn:aws:s3:::${STATE}`, expected: "ExplicitlyDenied" },
            {
                role: r,
                action: "s3:GetObject",
                resource: object(STATE, "platform/.pulumi/stacks/platform/sit.json"),
                expected: "ImplicitlyDenied",
            },
            { role: r, action: "iam:PassRole", resource: role("acme-lambda-orders@x"), context: toLambda, expected: "ImplicitlyDenied" },
        ]);
    });

    it("lets a Lambda deployer pass only its own execution roles, the delimiter ending its name", async () => {
        const r = deployer("billing");
        await assertDecisions([
            { role: r, action: "iam:PassRole", resource: role("acme-lambda-billing@api"), context: toLambda, expected: "Allowed" },
            {
                role: r,
                action: "iam:PassRole",
                resource: role("acme-lambda-billing-v2@api"),
                context: toLambda,
                expected: "ImplicitlyDenied",
            },
            { role: r, action: "iam:PassRole", resource: role("acme-lambda-billing-api"), context: toLambda, expected: "ImplicitlyDenied" },
            { role: r, action: "lambda:UpdateFunctionCode", resource: fn("acme-billing-api"), expected: "Allowed" },
            { role: r, action: "lambda:UpdateFunctionCode", resource: fn("acme-platform-api"), expected: "ImplicitlyDenied" },
            { role: r, action: "kms:Decrypt", resource: key, context: aliases, expected: "ImplicitlyDenied" },
        ]);
    });

    it("lets a ledger reader read its own service's items only", async () => {
        const r = reader("platform");
        await assertDecisions([
            { role: r, action: "dynamodb:Query", resource: LEDGER, context: own("platform"), expected: "Allowed" },
            { role: r, action: "dynamodb:Query", resource: LEDGER, context: own("orders"), expected: "ImplicitlyDenied" },
            { role: r, action: "dynamodb:PutItem", resource: LEDGER, context: own("platform"), expected: "ImplicitlyDenied" },
            { role: r, action: "kms:Decrypt", resource: key, context: aliases, expected: "ImplicitlyDenied" },
        ]);
    });
});

describe("the boundary holds for every role in the account, whatever a bounded role's own policy says", () => {
    const r = deployer("orders");
    const legacy = role("acme-lambda-billing@legacy");
    const other = { "iam:PermissionsBoundary": "arn:aws:iam::222222222222:policy/lenient" };
    it("denies changing, re-trusting or deleting a role that does not carry the boundary", async () => {
        await assertDecisions(
            [
                { role: r, action: "iam:AttachRolePolicy", resource: legacy, expected: "ExplicitlyDenied" },
                { role: r, action: "iam:AttachRolePolicy", resource: legacy, context: other, expected: "ExplicitlyDenied" },
                { role: r, action: "iam:PutRolePolicy", resource: legacy, expected: "ExplicitlyDenied" },
                { role: r, action: "iam:DeleteRolePolicy", resource: legacy, expected: "ExplicitlyDenied" },
                { role: r, action: "iam:DetachRolePolicy", resource: legacy, expected: "ExplicitlyDenied" },
                { role: r, action: "iam:UpdateAssumeRolePolicy", resource: legacy, expected: "ExplicitlyDenied" },
                { role: r, action: "iam:UpdateRole", resource: legacy, expected: "ExplicitlyDenied" },
                { role: r, action: "iam:DeleteRole", resource: legacy, expected: "ExplicitlyDenied" },
                { role: r, action: "iam:PutRolePermissionsBoundary", resource: legacy, context: other, expected: "ExplicitlyDenied" },
                {
                    role: r,
                    action: "iam:DeleteRolePermissionsBoundary",
                    resource: role(deployer("billing")),
                    context: bounded,
                    expected: "ExplicitlyDenied",
                },
                { role: r, action: "iam:CreateRole", resource: role("acme-lambda-orders@new"), expected: "ExplicitlyDenied" },
            ],
            () => rewritten(r),
        );
    });

    it("lets roles be passed only from the execution-role space, to Lambda, and nothing outside the prefix", async () => {
        await assertDecisions(
            [
                { role: r, action: "iam:PassRole", resource: role("acme-lambda-billing@api"), context: toLambda, expected: "Allowed" },
                {
                    role: r,
                    action: "iam:PassRole",
                    resource: role(deployer("foundation")),
                    context: toLambda,
                    expected: "ExplicitlyDenied",
                },
                { role: r, action: "iam:PassRole", resource: role(deployer("platform")), context: toLambda, expected: "ImplicitlyDenied" },
                {
                    role: r,
                    action: "iam:PassRole",
                    resource: role("acme-lambda-billing@api"),
                    context: { "iam:PassedToService": "ec2.amazonaws.com" },
                    expected: "ImplicitlyDenied",
                },
                { role: r, action: "iam:PassRole", resource: role("admin"), context: toLambda, expected: "ImplicitlyDenied" },
                { role: r, action: "iam:AttachRolePolicy", resource: role("admin"), context: bounded, expected: "ImplicitlyDenied" },
            ],
            () => rewritten(r),
        );
    });

    it("still lets a bounded role's policy be changed within the boundary (the ceiling, not a wall)", async () => {
        await assertDecisions(
            [{ role: r, action: "iam:PutRolePolicy", resource: role(deployer("billing")), context: bounded, expected: "Allowed" }],
            () => rewritten(r),
        );
    });
});
