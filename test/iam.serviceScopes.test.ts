import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { roleName, type Naming } from "../shared/names";
import { bootstrapRoleNames, permissionsBoundary } from "../components/permissions";
import { derivedRoles } from "../components/permissions/limits";
import { REPOSITORY_TAG } from "../components/permissions/terraform";
import type { StackConfig } from "../config";
import type { StackPolicies } from "./helpers/iamSimulation";
import { decisionsOn, documentStack } from "./support/iamStacks";
import { fixtureConfig, PREFIX, REGION, REPOSITORIES } from "./helpers/rightsFixture";

/**
 * Terraform components of services the organisation allows, proved by evaluation: each request is evaluated by
 * @cloud-copilot/iam-simulate with the role's inline policy AND the permissions boundary. Real-world components
 * of the tests' own organisation: a queue declared by name (SQS), a network (a VPC, EC2) and a CDN (a CloudFront
 * distribution) declared by the foundation's repository tag, beside a second network repository whose resources
 * must stay its own.
 */

const ENV = "dev";
const ACCOUNT = "111111111111";
const naming: Naming = { prefix: PREFIX, environment: ENV, accountId: ACCOUNT, region: REGION };

const SERVICE_REPOSITORIES = [
    { name: "queues", kind: "terraform", deploys: { resources: { sqs: ["acme-queues-*"] } } },
    { name: "mail", kind: "terraform", deploys: { resources: { sqs: ["acme-mail-*"] } } },
    { name: "network", kind: "terraform", deploys: { tagged: ["ec2"] } },
    { name: "edge", kind: "terraform", deploys: { tagged: ["ec2", "cloudfront"] } },
];
const DEPLOYABLE = ["sqs", "ec2", "cloudfront", "wafv2"];

const queue = (name: string) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;
const vpc = (id: string) => `arn:aws:ec2:${REGION}:${ACCOUNT}:vpc/${id}`;
const distribution = (id: string) => `arn:aws:cloudfront::${ACCOUNT}:distribution/${id}`;
const TAG = `aws:ResourceTag/${REPOSITORY_TAG}`;
const REQUEST = `aws:RequestTag/${REPOSITORY_TAG}`;
const taggedFor = (repository: string) => ({ [TAG]: repository });
const tagging = (repository: string) => ({ [REQUEST]: repository, "aws:TagKeys": [REPOSITORY_TAG] });
const deployer = (repository: string) => roleName(naming, "deployer", repository);
const previewer = (repository: string) => roleName(naming, "previewer", repository);

let config: StackConfig;
let policies: StackPolicies;

before(() => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), "service-scopes-"));
    config = fixtureConfig(directory, ENV, {
        "cicd-foundation:deployableServices": DEPLOYABLE,
        "cicd-foundation:repositories": [...REPOSITORIES, ...SERVICE_REPOSITORIES],
    });
    const boundary = permissionsBoundary(naming, bootstrapRoleNames(naming, config.repositories), config.deployableServices);
    const roles = derivedRoles(config);
    policies = documentStack(naming, roles, boundary);
});

const { assertDecisions, rewritten } = decisionsOn(() => policies);

describe("declared services by name: an SQS queue", () => {
    it("lets the deployer manage its own queues and find queues, and nothing of another repository", async () => {
        const r = deployer("queues");
        await assertDecisions([
            { role: r, action: "sqs:CreateQueue", resource: queue("acme-queues-orders"), expected: "Allowed" },
            { role: r, action: "sqs:SetQueueAttributes", resource: queue("acme-queues-orders"), expected: "Allowed" },
            { role: r, action: "sqs:DeleteQueue", resource: queue("acme-queues-orders"), expected: "Allowed" },
            { role: r, action: "sqs:ListQueues", resource: "*", expected: "Allowed" },
            { role: r, action: "sqs:DeleteQueue", resource: queue("acme-mail-outbox"), expected: "ImplicitlyDenied" },
            { role: r, action: "sqs:SetQueueAttributes", resource: queue("acme-mail-outbox"), expected: "ImplicitlyDenied" },
            { role: r, action: "ec2:CreateVpc", resource: vpc("*"), context: tagging("queues"), expected: "ImplicitlyDenied" },
        ]);
    });

    it("lets the previewer read its own queues only", async () => {
        const r = previewer("queues");
        await assertDecisions([
            { role: r, action: "sqs:GetQueueAttributes", resource: queue("acme-queues-orders"), expected: "Allowed" },
            { role: r, action: "sqs:ListQueues", resource: "*", expected: "Allowed" },
            { role: r, action: "sqs:GetQueueAttributes", resource: queue("acme-mail-outbox"), expected: "ImplicitlyDenied" },
            { role: r, action: "sqs:SetQueueAttributes", resource: queue("acme-queues-orders"), expected: "ImplicitlyDenied" },
            { role: r, action: "sqs:DeleteQueue", resource: queue("acme-queues-orders"), expected: "ImplicitlyDenied" },
        ]);
    });
});

describe("declared services by the repository tag: a VPC and a CloudFront distribution", () => {
    it("creates a VPC only when the request tags it with its own repository", async () => {
        const r = deployer("network");
        await assertDecisions([
            { role: r, action: "ec2:CreateVpc", resource: vpc("*"), context: tagging("network"), expected: "Allowed" },
            { role: r, action: "ec2:CreateVpc", resource: vpc("*"), context: tagging("edge"), expected: "ImplicitlyDenied" },
            { role: r, action: "ec2:CreateVpc", resource: vpc("*"), expected: "ImplicitlyDenied" },
            // Tagging that is part of the create call (EC2 names it with ec2:CreateAction), on the new VPC.
            {
                role: r,
                action: "ec2:CreateTags",
                resource: vpc("vpc-0new"),
                context: { ...tagging("network"), "ec2:CreateAction": "CreateVpc" },
                expected: "Allowed",
            },
            { role: r, action: "ec2:DescribeVpcs", resource: "*", expected: "Allowed" },
        ]);
    });

    it("changes its own tagged VPC, and neither another repository's nor an untagged one", async () => {
        const r = deployer("network");
        await assertDecisions([
            { role: r, action: "ec2:DeleteVpc", resource: vpc("vpc-0own"), context: taggedFor("network"), expected: "Allowed" },
            { role: r, action: "ec2:ModifyVpcAttribute", resource: vpc("vpc-0own"), context: taggedFor("network"), expected: "Allowed" },
            { role: r, action: "ec2:DeleteVpc", resource: vpc("vpc-0edge"), context: taggedFor("edge"), expected: "ExplicitlyDenied" },
            {
                role: r,
                action: "ec2:ModifyVpcAttribute",
                resource: vpc("vpc-0edge"),
                context: taggedFor("edge"),
                expected: "ExplicitlyDenied",
            },
            { role: r, action: "ec2:DeleteVpc", resource: vpc("vpc-0default"), expected: "ImplicitlyDenied" },
        ]);
    });

    it("can neither retag another repository's VPC, claim an untagged one, nor give its own away or untag it", async () => {
        const r = deployer("network");
        await assertDecisions([
            {
                role: r,
                action: "ec2:CreateTags",
                resource: vpc("vpc-0edge"),
                context: { ...taggedFor("edge"), ...tagging("network") },
                expected: "ExplicitlyDenied",
            },
            { role: r, action: "ec2:CreateTags", resource: vpc("vpc-0default"), context: tagging("network"), expected: "ExplicitlyDenied" },
            {
                role: r,
                action: "ec2:CreateTags",
                resource: vpc("vpc-0own"),
                context: { ...taggedFor("network"), ...tagging("edge") },
                expected: "ExplicitlyDenied",
            },
            {
                role: r,
                action: "ec2:DeleteTags",
                resource: vpc("vpc-0own"),
                context: { ...taggedFor("network"), "aws:TagKeys": [REPOSITORY_TAG] },
                expected: "ExplicitlyDenied",
            },
            // Its own resource's other tags are its own to change.
            {
                role: r,
                action: "ec2:CreateTags",
                resource: vpc("vpc-0own"),
                context: { ...taggedFor("network"), "aws:RequestTag/Name": "main", "aws:TagKeys": ["Name"] },
                expected: "Allowed",
            },
        ]);
    });

    it("manages a CloudFront distribution by the tag: created tagged, changed when its own, never claimed untagged", async () => {
        const r = deployer("edge");
        await assertDecisions([
            { role: r, action: "cloudfront:CreateDistribution", resource: "*", context: tagging("edge"), expected: "Allowed" },
            { role: r, action: "cloudfront:CreateDistribution", resource: "*", expected: "ImplicitlyDenied" },
            {
                role: r,
                action: "cloudfront:UpdateDistribution",
                resource: distribution("E2EDGE"),
                context: taggedFor("edge"),
                expected: "Allowed",
            },
            {
                role: r,
                action: "cloudfront:DeleteDistribution",
                resource: distribution("E2OTHER"),
                context: taggedFor("network"),
                expected: "ExplicitlyDenied",
            },
            // CloudFront names no create call in a condition key: tagging an untagged distribution is a claim.
            {
                role: r,
                action: "cloudfront:TagResource",
                resource: distribution("E2NEW"),
                context: tagging("edge"),
                expected: "ExplicitlyDenied",
            },
            {
                role: deployer("network"),
                action: "cloudfront:CreateDistribution",
                resource: "*",
                context: tagging("network"),
                expected: "ImplicitlyDenied",
            },
        ]);
    });

    it("lets the previewer find and read, never change", async () => {
        const r = previewer("network");
        await assertDecisions([
            { role: r, action: "ec2:DescribeVpcs", resource: "*", expected: "Allowed" },
            { role: r, action: "ec2:CreateVpc", resource: vpc("*"), context: tagging("network"), expected: "ImplicitlyDenied" },
            { role: r, action: "ec2:DeleteVpc", resource: vpc("vpc-0own"), context: taggedFor("network"), expected: "ImplicitlyDenied" },
        ]);
    });
});

describe("the boundary's ceiling comes from the organisation's allow-list", () => {
    it("allows the listed services to a role rewritten to everything, and nothing outside the list", async () => {
        const r = deployer("network");
        await assertDecisions(
            [
                { role: r, action: "ec2:CreateVpc", resource: vpc("*"), expected: "Allowed" },
                { role: r, action: "sqs:CreateQueue", resource: queue("anything"), expected: "Allowed" },
                {
                    role: r,
                    action: "rds:CreateDBInstance",
                    resource: `arn:aws:rds:${REGION}:${ACCOUNT}:db:orders`,
                    expected: "ImplicitlyDenied",
                },
                { role: r, action: "route53:CreateHostedZone", resource: "*", expected: "ImplicitlyDenied" },
                { role: r, action: "sts:AssumeRole", resource: `arn:aws:iam::${ACCOUNT}:role/Admin`, expected: "ImplicitlyDenied" },
            ],
            () => rewritten(r),
        );
    });

    it("still denies every foundation resource to a declared-service deployer rewritten to everything", async () => {
        const r = deployer("queues");
        const role = `arn:aws:iam::${ACCOUNT}:role/${deployer("foundation")}`;
        await assertDecisions(
            [
                { role: r, action: "s3:PutBucketPolicy", resource: "arn:aws:s3:::acme-state-dev", expected: "ExplicitlyDenied" },
                {
                    role: r,
                    action: "s3:DeleteObjectVersion",
                    resource: "arn:aws:s3:::acme-state-dev/orders/x",
                    expected: "ExplicitlyDenied",
                },
                {
                    role: r,
                    action: "dynamodb:DeleteTable",
                    resource: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/acme-deployments-dev`,
                    expected: "ExplicitlyDenied",
                },
                {
                    role: r,
                    action: "kms:ScheduleKeyDeletion",
                    resource: `arn:aws:kms:${REGION}:${ACCOUNT}:key/0b5f3c1e-1111-2222-3333-444455556666`,
                    expected: "ExplicitlyDenied",
                },
                { role: r, action: "iam:UpdateAssumeRolePolicy", resource: role, expected: "ExplicitlyDenied" },
                {
                    role: r,
                    action: "iam:CreatePolicyVersion",
                    resource: `arn:aws:iam::${ACCOUNT}:policy/acme-pipeline-boundary-dev`,
                    expected: "ExplicitlyDenied",
                },
                {
                    role: r,
                    action: "iam:DeleteOpenIDConnectProvider",
                    resource: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`,
                    expected: "ExplicitlyDenied",
                },
                { role: r, action: "iam:CreateUser", resource: `arn:aws:iam::${ACCOUNT}:user/intruder`, expected: "ImplicitlyDenied" },
                {
                    role: r,
                    action: "cloudtrail:StopLogging",
                    resource: `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/audit`,
                    expected: "ImplicitlyDenied",
                },
            ],
            () => rewritten(r),
        );
    });

    it("leaves a declared-service deployer's own policy without the foundation's resources", async () => {
        const r = deployer("queues");
        await assertDecisions([
            {
                role: r,
                action: "s3:PutObject",
                resource: "arn:aws:s3:::acme-state-dev/network/terraform.tfstate",
                expected: "ImplicitlyDenied",
            },
            {
                role: r,
                action: "dynamodb:PutItem",
                resource: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/acme-deployments-dev`,
                expected: "ImplicitlyDenied",
            },
            {
                role: r,
                action: "iam:PassRole",
                resource: `arn:aws:iam::${ACCOUNT}:role/${deployer("foundation")}`,
                expected: "ExplicitlyDenied",
            },
        ]);
    });
});
