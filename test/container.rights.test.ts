import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigError } from "../config";
import { roleName, type Naming } from "../shared/names";
import { bootstrapRoleNames, permissionsBoundary } from "../components/permissions";
import { derivedRoles } from "../components/permissions/limits";
import { decide, type Decision, type Request, type StackPolicies } from "./helpers/iamSimulation";
import { fixtureConfig, PREFIX, REGION, REPOSITORIES } from "./helpers/rightsFixture";

/**
 * A container service's rights, proved by evaluation on stacks of the tests' own: each request is evaluated by
 * @cloud-copilot/iam-simulate with the role's inline policy AND the permissions boundary it carries. Two container
 * services (tenants-api, payments-api) beside the fixture's foundation, Terraform repository and Lambda service.
 */

const ENV = "sit";
const ACCOUNT = "222222222222";
const naming: Naming = { prefix: PREFIX, environment: ENV, accountId: ACCOUNT, region: REGION };
const CONTAINERS = [
    { name: "tenants-api", kind: "container", deploys: { ecsServices: ["acme-tenants-api-*"] } },
    { name: "payments-api", kind: "container", deploys: { ecsServices: ["acme-payments-*"] } },
];
const repositories = { "cicd-foundation:repositories": [...REPOSITORIES, ...CONTAINERS] };

const ecr = (name: string) => `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${name}`;
const service = (cluster: string, name: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:service/${cluster}/${name}`;
const taskDefinition = (family: string, revision = 7) => `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${family}:${revision}`;
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const LEDGER = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/acme-deployments-sit`;
const toEcs = { "iam:PassedToService": "ecs-tasks.amazonaws.com" };
const deployer = (repository: string) => roleName(naming, "deployer", repository);
const previewer = (repository: string) => roleName(naming, "previewer", repository);
const reader = (repository: string) => roleName(naming, "ledger-reader", repository);

let policies: StackPolicies;

before(() => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), "container-rights-"));
    const config = fixtureConfig(directory, ENV, repositories);
    const boundary = permissionsBoundary(naming, bootstrapRoleNames(naming, config.repositories));
    const roles = derivedRoles(config);
    policies = {
        accountId: ACCOUNT,
        roles: roles.map((r) => r.name),
        identity: new Map(roles.map((r) => [r.name, JSON.parse(JSON.stringify(r.policy)) as unknown])),
        boundaries: new Map(roles.map((r) => [r.name, JSON.parse(JSON.stringify(boundary)) as unknown])),
        bucketPolicies: new Map(),
        keyPolicy: undefined,
    };
});

interface Case extends Request {
    readonly expected: Decision;
}
async function check(cases: readonly Case[]): Promise<void> {
    const got = await Promise.all(cases.map(async (c) => `${c.role} ${c.action} ${c.resource}: ${await decide(policies, c)}`));
    assert.deepEqual(
        got,
        cases.map((c) => `${c.role} ${c.action} ${c.resource}: ${c.expected}`),
    );
}

describe("a container deployer's rights (iam-simulate, with the boundary)", () => {
    const me = deployer("tenants-api");

    it("pushes to its own ECR repository only", async () => {
        const push = [
            "ecr:InitiateLayerUpload",
            "ecr:UploadLayerPart",
            "ecr:CompleteLayerUpload",
            "ecr:PutImage",
            "ecr:BatchCheckLayerAvailability",
        ];
        await check([
            { role: me, action: "ecr:GetAuthorizationToken", resource: "*", expected: "Allowed" },
            ...push.map((action) => ({ role: me, action, resource: ecr("acme/tenants-api"), expected: "Allowed" as const })),
            { role: me, action: "ecr:DescribeImageScanFindings", resource: ecr("acme/tenants-api"), expected: "Allowed" },
            ...push.map((action) => ({ role: me, action, resource: ecr("acme/payments-api"), expected: "ImplicitlyDenied" as const })),
            { role: me, action: "ecr:PutImage", resource: ecr("tenants-api"), expected: "ImplicitlyDenied" },
        ]);
    });

    it("registers task definitions of its own families and updates its own ECS services to them only", async () => {
        const own = { "ecs:task-definition": taskDefinition("acme-tenants-api-web") };
        await check([
            { role: me, action: "ecs:RegisterTaskDefinition", resource: taskDefinition("acme-tenants-api-web"), expected: "Allowed" },
            { role: me, action: "ecs:RegisterTaskDefinition", resource: taskDefinition("acme-payments-web"), expected: "ImplicitlyDenied" },
            {
                role: me,
                action: "ecs:UpdateService",
                resource: service("acme-sit", "acme-tenants-api-web"),
                context: own,
                expected: "Allowed",
            },
            {
                role: me,
                action: "ecs:UpdateService",
                resource: service("acme-sit", "acme-tenants-api-web"),
                context: { "ecs:task-definition": taskDefinition("acme-payments-web") },
                expected: "ImplicitlyDenied",
            },
            {
                role: me,
                action: "ecs:UpdateService",
                resource: service("acme-sit", "acme-payments-web"),
                context: own,
                expected: "ImplicitlyDenied",
            },
            { role: me, action: "ecs:DescribeServices", resource: service("acme-sit", "acme-tenants-api-web"), expected: "Allowed" },
            { role: me, action: "ecs:DescribeServices", resource: service("acme-sit", "acme-payments-web"), expected: "ImplicitlyDenied" },
            { role: me, action: "ecs:DeleteService", resource: service("acme-sit", "acme-tenants-api-web"), expected: "ImplicitlyDenied" },
        ]);
    });

    it("passes its own task and execution roles to ECS tasks only, and no other role", async () => {
        await check([
            { role: me, action: "iam:PassRole", resource: role("acme-ecs-tenants-api@task"), context: toEcs, expected: "Allowed" },
            { role: me, action: "iam:PassRole", resource: role("acme-ecs-tenants-api@execution"), context: toEcs, expected: "Allowed" },
            {
                role: me,
                action: "iam:PassRole",
                resource: role("acme-ecs-tenants-api@task"),
                context: { "iam:PassedToService": "lambda.amazonaws.com" },
                expected: "ImplicitlyDenied",
            },
            // `tenants-api-v2` is another service: the delimiter ends the repository's name.
            {
                role: me,
                action: "iam:PassRole",
                resource: role("acme-ecs-tenants-api-v2@task"),
                context: toEcs,
                expected: "ImplicitlyDenied",
            },
            {
                role: me,
                action: "iam:PassRole",
                resource: role("acme-ecs-payments-api@task"),
                context: toEcs,
                expected: "ImplicitlyDenied",
            },
            // The foundation's deployer is the administrator-owned tier; a role created without the boundary is refused by it.
            { role: me, action: "iam:PassRole", resource: role(deployer("foundation")), context: toEcs, expected: "ExplicitlyDenied" },
            { role: me, action: "iam:CreateRole", resource: role("acme-ecs-tenants-api@task"), expected: "ExplicitlyDenied" },
        ]);
    });

    it("records its own service's deployments and touches nothing of the foundation", async () => {
        await check([
            {
                role: me,
                action: "dynamodb:PutItem",
                resource: LEDGER,
                context: { "dynamodb:LeadingKeys": ["tenants-api"] },
                expected: "Allowed",
            },
            {
                role: me,
                action: "dynamodb:PutItem",
                resource: LEDGER,
                context: { "dynamodb:LeadingKeys": ["payments-api"] },
                expected: "ImplicitlyDenied",
            },
            { role: me, action: "ecr:SetRepositoryPolicy", resource: ecr("acme/tenants-api"), expected: "ExplicitlyDenied" },
            { role: me, action: "ecr:BatchDeleteImage", resource: ecr("acme/tenants-api"), expected: "ExplicitlyDenied" },
            { role: me, action: "ecr:PutImageTagMutability", resource: ecr("acme/tenants-api"), expected: "ExplicitlyDenied" },
            { role: me, action: "ecr:DeleteRepository", resource: ecr("acme/tenants-api"), expected: "ImplicitlyDenied" },
            { role: me, action: "s3:PutObject", resource: "arn:aws:s3:::acme-state-sit/tenants-api/x", expected: "ImplicitlyDenied" },
            { role: me, action: "dynamodb:DeleteTable", resource: LEDGER, expected: "ExplicitlyDenied" },
        ]);
    });
});

describe("the other roles around a container service (iam-simulate, with the boundary)", () => {
    it("the previewer reads the repository's images and services and writes nothing", async () => {
        const me = previewer("tenants-api");
        await check([
            { role: me, action: "ecr:DescribeImages", resource: ecr("acme/tenants-api"), expected: "Allowed" },
            { role: me, action: "ecr:DescribeImageScanFindings", resource: ecr("acme/tenants-api"), expected: "Allowed" },
            { role: me, action: "ecs:DescribeServices", resource: service("acme-sit", "acme-tenants-api-web"), expected: "Allowed" },
            { role: me, action: "ecr:PutImage", resource: ecr("acme/tenants-api"), expected: "ImplicitlyDenied" },
            { role: me, action: "ecr:DescribeImages", resource: ecr("acme/payments-api"), expected: "ImplicitlyDenied" },
            {
                role: me,
                action: "ecs:UpdateService",
                resource: service("acme-sit", "acme-tenants-api-web"),
                context: { "ecs:task-definition": taskDefinition("acme-tenants-api-web") },
                expected: "ImplicitlyDenied",
            },
            { role: me, action: "iam:PassRole", resource: role("acme-ecs-tenants-api@task"), context: toEcs, expected: "ImplicitlyDenied" },
        ]);
    });

    it("the ledger reader reads its own service's ledger items only", async () => {
        const me = reader("tenants-api");
        await check([
            {
                role: me,
                action: "dynamodb:Query",
                resource: `${LEDGER}/index/by-service-status`,
                context: { "dynamodb:LeadingKeys": ["tenants-api"] },
                expected: "Allowed",
            },
            {
                role: me,
                action: "dynamodb:Query",
                resource: `${LEDGER}/index/by-service-status`,
                context: { "dynamodb:LeadingKeys": ["payments-api"] },
                expected: "ImplicitlyDenied",
            },
            { role: me, action: "ecr:BatchGetImage", resource: ecr("acme/tenants-api"), expected: "ImplicitlyDenied" },
        ]);
    });

    it("the foundation's deployer creates the repositories and their lifecycle, but cannot loosen what the boundary keeps", async () => {
        const me = deployer("foundation");
        await check([
            { role: me, action: "ecr:CreateRepository", resource: ecr("acme/tenants-api"), expected: "Allowed" },
            { role: me, action: "ecr:PutLifecyclePolicy", resource: ecr("acme/tenants-api"), expected: "Allowed" },
            { role: me, action: "ecr:PutImageTagMutability", resource: ecr("acme/tenants-api"), expected: "ExplicitlyDenied" },
            { role: me, action: "ecr:PutImageScanningConfiguration", resource: ecr("acme/tenants-api"), expected: "ExplicitlyDenied" },
            { role: me, action: "ecr:SetRepositoryPolicy", resource: ecr("acme/tenants-api"), expected: "ExplicitlyDenied" },
            { role: me, action: "ecr:PutRegistryScanningConfiguration", resource: "*", expected: "ExplicitlyDenied" },
            { role: me, action: "ecr:PutImage", resource: ecr("acme/tenants-api"), expected: "ImplicitlyDenied" },
        ]);
    });
});

describe("container repositories in config", () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), "container-config-"));
    const problems = (entries: unknown[]): readonly string[] => {
        try {
            fixtureConfig(directory, ENV, { "cicd-foundation:repositories": [...REPOSITORIES, ...entries] });
        } catch (error) {
            if (error instanceof ConfigError) return error.problems.map((p) => p.slice(p.indexOf(": ") + 2));
            throw error;
        }
        return [];
    };

    it("accepts a container repository with its ECS services", () => {
        assert.deepEqual(problems(CONTAINERS), []);
    });

    it("refuses a container repository without ECS services, and ECS services on another kind", () => {
        assert.deepEqual(
            problems([
                { name: "web", kind: "container" },
                { name: "jobs", kind: "terraform", deploys: { ecsServices: ["acme-jobs-*"] } },
            ]),
            [
                "cicd-foundation:repositories[3].deploys.ecsServices is empty for container repository 'web': its deployer updates only the ECS services named here, and IAM refuses a policy with an empty Resource list; list its services' name patterns",
                "cicd-foundation:repositories[4].deploys.ecsServices is set for terraform repository 'jobs': only a container repository deploys ECS services; remove the key or set kind: container",
            ],
        );
    });

    it("refuses a name that makes no ECR repository name, and overlapping service patterns", () => {
        assert.deepEqual(
            problems([
                { name: "web..api", kind: "container", deploys: { ecsServices: ["acme-web-*"] } },
                { name: "web2", kind: "container", deploys: { ecsServices: ["acme-*"] } },
            ]),
            [
                "cicd-foundation:repositories[3].name 'web..api' makes the ECR repository name 'acme/web..api', which ECR refuses: each part must be lowercase letters and digits, separated by single '.', '_' or '-'; rename the repository or the prefix",
                "cicd-foundation:repositories[4].deploys.ecsServices[0] 'acme-*' of repository 'web2' matches the foundation's permissions boundary ('acme-pipeline-boundary-dev'): only the foundation's own deployer manages its names",
                "cicd-foundation:repositories[4].deploys.ecsServices[0] 'acme-*' of repository 'web2' overlaps 'acme-web-*' of repository 'web..api' (repositories[3].deploys.ecsServices[0]): both match 'acme-web-'; each name belongs to one repository, so make the patterns disjoint (end a pattern's fixed part with a delimiter, such as 'svc-a-*' and 'svc-b-*')",
            ],
        );
    });
});
