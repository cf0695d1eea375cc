import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CODEDEPLOY_TRUST } from "../components/lambdaRollout";
import { lambdaFunctionProblems } from "../components/permissions/lambda";
import { ConfigError, type DeployScope } from "../config";
import { deployScopesDisjoint } from "../policies/rules/deployScopesDisjoint";
import { foundationRights } from "../policies/rules/foundationRights";
import { synthesize, type Graph } from "../tools/lib/synthesize";
import { mutate, runStackRule } from "./helpers/policy";
import { decide, stackPolicies } from "./helpers/iamSimulation";
import { fixtureConfig, rawStack, REPOSITORIES, REGION } from "./helpers/rightsFixture";

/**
 * What the foundation declares for a Lambda service's functions (`deploys.functions`), on stacks of this
 * file's own: each function's error alarm (the one its rollouts watch) and the service's CodeDeploy role,
 * and the checks the config makes at synthesis.
 */

const ACCOUNT = "222222222222";
const BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";
const BILLING = {
    name: "billing",
    kind: "lambda",
    deploys: {
        lambdaFunctions: ["acme-billing-*"],
        functions: [
            { name: "acme-billing-api", policies: [BASIC], hooks: { beforeAllowTraffic: "acme-billing-smoke" } },
            { name: "acme-billing-worker", rollout: "LambdaLinear10PercentEvery1Minute", alarms: ["acme-sit-billing-queue-age"] },
        ],
    },
};
const repositories = REPOSITORIES.map((r) => (r.name === "billing" ? BILLING : r));

describe("the foundation declares what a Lambda service's rollouts need", () => {
    let graph: Graph;
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), "lambda-foundation-"));
    before(async () => {
        const config = rawStack(directory, "sit", { "cicd-foundation:repositories": repositories });
        graph = await synthesize({ stack: "sit", config, mode: "resolved" });
    });
    after(() => fs.rmSync(directory, { recursive: true, force: true }));

    it("declares each declared function's error alarm under the name the release watches", () => {
        const alarms = graph.resources
            .filter((r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm" && String(r.inputs.name).includes("-lambda-"))
            .map((r) => [r.inputs.name, r.inputs.namespace, r.inputs.metricName, r.inputs.dimensions, r.inputs.period, r.inputs.threshold]);
        assert.deepEqual(alarms, [
            [
                "acme-sit-lambda-acme-billing-api-errors",
                "AWS/Lambda",
                "Errors",
                { FunctionName: "acme-billing-api", Resource: "acme-billing-api:live" },
                60,
                1,
            ],
            [
                "acme-sit-lambda-acme-billing-worker-errors",
                "AWS/Lambda",
                "Errors",
                { FunctionName: "acme-billing-worker", Resource: "acme-billing-worker:live" },
                60,
                1,
            ],
        ]);
    });

    it("declares the service's CodeDeploy role, bounded and trusted by CodeDeploy only", () => {
        const role = graph.resources.find((r) => r.type === "aws:iam/role:Role" && r.inputs.name === "acme-codedeploy-sit-billing");
        assert.ok(role, "the rollout role exists");
        assert.deepEqual(JSON.parse(String(role.inputs.assumeRolePolicy)), CODEDEPLOY_TRUST);
        assert.equal(role.inputs.permissionsBoundary, `arn:aws:iam::${ACCOUNT}:policy/acme-pipeline-boundary-sit`);
        const others = graph.resources.filter(
            (r) => r.type === "aws:iam/role:Role" && String(r.inputs.name).startsWith("acme-codedeploy-"),
        );
        assert.equal(others.length, 1, "only the service that declares functions gets one");
    });

    it("lets CodeDeploy shift only the service's aliases and invoke only its hooks (evaluated)", async () => {
        const policies = stackPolicies(graph, ACCOUNT);
        const fn = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
        const role = "acme-codedeploy-sit-billing";
        const cases: [string, string, string][] = [
            ["lambda:UpdateAlias", fn("acme-billing-api:live"), "Allowed"],
            ["lambda:UpdateAlias", fn("acme-billing-worker:live"), "Allowed"],
            ["lambda:UpdateAlias", fn("acme-orders-api:live"), "ImplicitlyDenied"],
            ["lambda:InvokeFunction", fn("acme-billing-smoke"), "Allowed"],
            ["lambda:InvokeFunction", fn("acme-billing-api"), "ImplicitlyDenied"],
            [
                "cloudwatch:DescribeAlarms",
                `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:acme-sit-lambda-acme-billing-api-errors`,
                "Allowed",
            ],
            ["lambda:UpdateFunctionCode", fn("acme-billing-api"), "ImplicitlyDenied"],
        ];
        for (const [action, resource, expected] of cases) {
            assert.equal(await decide(policies, { role, action, resource }), expected, `${action} on ${resource}`);
        }
    });
});

describe("the pack judges a Lambda service that declares its functions", () => {
    const SIT = { config: { environment: "sit" } };
    const graphs: Partial<Record<"resolved" | "preview", Graph>> = {};
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), "lambda-pack-"));
    before(async () => {
        const config = rawStack(directory, "sit", { "cicd-foundation:repositories": repositories });
        for (const mode of ["resolved", "preview"] as const) graphs[mode] = await synthesize({ stack: "sit", config, mode });
    });
    after(() => fs.rmSync(directory, { recursive: true, force: true }));

    for (const mode of ["resolved", "preview"] as const) {
        it(`passes its deployer's bounded role creation and its own rollout role (${mode})`, () => {
            assert.deepEqual(runStackRule(foundationRights, graphs[mode] as Graph, SIT), { violations: [] });
            assert.deepEqual(runStackRule(deployScopesDisjoint, graphs[mode] as Graph, SIT), { violations: [] });
        });
    }

    it("flags role creation without the boundary condition, or outside the execution-role space", () => {
        const broken = mutate(graphs.resolved as Graph, "aws:iam/rolePolicy:RolePolicy", "billing-deployer", (r) => {
            const document = JSON.parse(r.inputs.policy as string) as { Statement: Record<string, unknown>[] };
            for (const statement of document.Statement) {
                if (statement.Sid === "CreateOwnExecutionRolesWithTheBoundary") delete statement.Condition;
                if (statement.Sid === "AttachDeclaredPolicies0")
                    statement.Resource = `arn:aws:iam::${ACCOUNT}:role/acme-deployer-sit-orders`;
            }
            r.inputs.policy = JSON.stringify(document);
        });
        assert.deepEqual(runStackRule(foundationRights, broken, SIT).violations, [
            "Role policy 'billing-deployer': statement 'CreateOwnExecutionRolesWithTheBoundary' grants role 'acme-deployer-sit-billing' IAM writes (iam:CreateRole), and it is not the foundation's deployer.",
            "Role policy 'billing-deployer': statement 'AttachDeclaredPolicies0' grants role 'acme-deployer-sit-billing' IAM writes (iam:AttachRolePolicy), and it is not the foundation's deployer.",
        ]);
    });
});

describe("deploys.functions is checked at synthesis", () => {
    const scope = (functions: DeployScope["functions"]): DeployScope => ({
        dynamodbTables: [],
        s3Buckets: [],
        lambdaFunctions: ["acme-billing-*"],
        ecsServices: [],
        foundation: false,
        functions,
    });
    const fn = (name: string, more: Partial<NonNullable<DeployScope["functions"]>[number]> = {}) => ({
        name,
        policies: [],
        rollout: "LambdaCanary10Percent5Minutes" as const,
        alarms: [],
        hooks: {},
        ...more,
    });
    const naming = { prefix: "acme", accountId: ACCOUNT };

    it("passes functions inside the patterns with allowed and own policies", () => {
        const own = `arn:aws:iam::${ACCOUNT}:policy/acme-lambda-billing@tables`;
        assert.deepEqual(
            lambdaFunctionProblems(naming, {
                name: "billing",
                kind: "lambda",
                deploys: scope([fn("acme-billing-api", { policies: [BASIC, own] })]),
            }),
            [],
        );
    });

    it("flags a function outside the patterns, a policy not allowed, a hook of another service, a repeat", () => {
        const problems = lambdaFunctionProblems(naming, {
            name: "billing",
            kind: "lambda",
            deploys: scope([
                fn("acme-orders-api"),
                fn("acme-billing-api", {
                    policies: ["arn:aws:iam::aws:policy/AdministratorAccess", `arn:aws:iam::${ACCOUNT}:policy/acme-lambda-orders@tables`],
                    hooks: { afterAllowTraffic: "acme-orders-smoke" },
                }),
                fn("acme-billing-api"),
            ]),
        });
        const allowed =
            "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole, arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole, " +
            "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess, arn:aws:iam::aws:policy/CloudWatchLambdaInsightsExecutionRolePolicy";
        const own = `arn:aws:iam::${ACCOUNT}:policy/acme-lambda-billing@*`;
        assert.deepEqual(problems, [
            {
                key: "deploys.functions[0].name",
                message: "'acme-orders-api' matches none of deploys.lambdaFunctions (acme-billing-*): its deployer could not create it",
            },
            {
                key: "deploys.functions[1].policies[0]",
                message: `'arn:aws:iam::aws:policy/AdministratorAccess' is neither an allowed AWS managed policy (${allowed}) nor the service's own (${own})`,
            },
            {
                key: "deploys.functions[1].policies[1]",
                message: `'arn:aws:iam::${ACCOUNT}:policy/acme-lambda-orders@tables' is neither an allowed AWS managed policy (${allowed}) nor the service's own (${own})`,
            },
            {
                key: "deploys.functions[1].hooks.afterAllowTraffic",
                message: "'acme-orders-smoke' matches none of deploys.lambdaFunctions: CodeDeploy invokes only the service's own functions",
            },
            { key: "deploys.functions[2].name", message: "repeats 'acme-billing-api'" },
        ]);
    });

    it("does not apply to a repository that declares no functions", () => {
        assert.deepEqual(lambdaFunctionProblems(naming, { name: "billing", kind: "lambda", deploys: scope(undefined) }), []);
    });

    it("names the key and the stack file when a stack declares functions on a Terraform repository", () => {
        const directory = fs.mkdtempSync(path.join(os.tmpdir(), "lambda-config-"));
        try {
            const bad = REPOSITORIES.map((r) =>
                r.name === "orders" ? { ...r, deploys: { ...r.deploys, functions: [{ name: "orders-api" }] } } : r,
            );
            assert.throws(
                () => fixtureConfig(directory, "sit", { "cicd-foundation:repositories": bad }),
                (error: unknown) =>
                    error instanceof ConfigError &&
                    error.problems.includes(
                        `${path.join(directory, "Pulumi.sit.yaml")}: cicd-foundation:repositories[1].deploys.functions is for Lambda repositories only; 'orders' is kind 'terraform'`,
                    ),
            );
        } finally {
            fs.rmSync(directory, { recursive: true, force: true });
        }
    });
});
