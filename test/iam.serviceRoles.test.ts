import { strict as assert } from "assert";
import { roleName } from "../shared/names";
import { configValue, stackConfig, withConfig } from "./helpers/stacks";
import { assertDecisions, loadStack, names, type Case, type Stack } from "./support/iamStacks";

/**
 * Least privilege, proved by evaluation: every stack of the fixture organisation is synthesized, and each
 * request below is evaluated by an IAM policy evaluator (@cloud-copilot/iam-simulate) with the role's
 * inline policy, the permissions boundary it carries and the resource's policy (the state and log bucket
 * policies, the key policy), with the request's condition keys.
 */

for (const stackName of ["dev", "sit", "prod"]) {
    describe(`IAM evaluation of the ${stackName} stack`, () => {
        let stack: Stack;
        let n: ReturnType<typeof names>;
        before(async () => {
            stack = await loadStack(stackName);
            n = names(stack);
        });

        it("lets each deployer write its own service's ledger items and no other's", async () => {
            const services = stack.config.repositories.map((r) => r.name);
            const cases = stack.config.repositories.flatMap((repository, i): Case[] => {
                const role = roleName(stack.naming, "deployer", repository.name);
                const other = services[(i + 1) % services.length];
                return [
                    {
                        role,
                        action: "dynamodb:PutItem",
                        resource: n.ledger,
                        context: { "dynamodb:LeadingKeys": [repository.name] },
                        expected: "Allowed",
                    },
                    {
                        role,
                        action: "dynamodb:UpdateItem",
                        resource: n.ledger,
                        context: { "dynamodb:LeadingKeys": [repository.name] },
                        expected: "Allowed",
                    },
                    {
                        role,
                        action: "dynamodb:PutItem",
                        resource: n.ledger,
                        context: { "dynamodb:LeadingKeys": [other] },
                        expected: "ImplicitlyDenied",
                    },
                    {
                        role,
                        action: "dynamodb:UpdateItem",
                        resource: n.ledger,
                        context: { "dynamodb:LeadingKeys": [other] },
                        expected: "ImplicitlyDenied",
                    },
                    {
                        role,
                        action: "dynamodb:Query",
                        resource: `${n.ledger}/index/by-service-status`,
                        context: { "dynamodb:LeadingKeys": [repository.name] },
                        expected: "Allowed",
                    },
                    {
                        role,
                        action: "dynamodb:Query",
                        resource: `${n.ledger}/index/by-status`,
                        context: { "dynamodb:LeadingKeys": ["failed"] },
                        expected: "ImplicitlyDenied",
                    },
                    { role, action: "dynamodb:Scan", resource: n.ledger, expected: "ImplicitlyDenied" },
                ];
            });
            await assertDecisions(stack, cases);
        });

        it("lets each previewer read its own state and nothing else, and write nothing", async () => {
            const services = stack.config.repositories.map((r) => r.name);
            const cases = stack.config.repositories.flatMap((repository, i): Case[] => {
                const role = roleName(stack.naming, "previewer", repository.name);
                const own = repository.name;
                const other = services[(i + 1) % services.length];
                // The foundation refreshes the state bucket itself, and S3's HeadBucket is authorized as
                // s3:ListBucket with no prefix: its previewer can list (never read) other repositories' keys.
                const listOther = repository.kind === "pulumi" ? "Allowed" : "ImplicitlyDenied";
                return [
                    { role, action: "s3:GetObject", resource: n.stateObject(`${own}/.pulumi/stacks/x.json`), expected: "Allowed" },
                    { role, action: "s3:ListBucket", resource: n.stateBucket, context: { "s3:prefix": `${own}/` }, expected: "Allowed" },
                    { role, action: "s3:GetObject", resource: n.stateObject(`${other}/terraform.tfstate`), expected: "ImplicitlyDenied" },
                    { role, action: "s3:ListBucket", resource: n.stateBucket, context: { "s3:prefix": `${other}/` }, expected: listOther },
                    { role, action: "s3:PutObject", resource: n.stateObject(`${own}/.pulumi/locks/x.json`), expected: "ImplicitlyDenied" },
                    {
                        role,
                        action: "s3:DeleteObject",
                        resource: n.stateObject(`${own}/.pulumi/locks/x.json`),
                        expected: "ImplicitlyDenied",
                    },
                    { role, action: "s3:PutObject", resource: n.stateObject(`${own}/terraform.tfstate`), expected: "ImplicitlyDenied" },
                    {
                        role,
                        action: "dynamodb:PutItem",
                        resource: n.lockTable,
                        context: {
                            "dynamodb:LeadingKeys": [`${stack.naming.prefix}-state-${stack.naming.environment}/${own}/terraform.tfstate`],
                        },
                        expected: "ImplicitlyDenied",
                    },
                    {
                        role,
                        action: "dynamodb:PutItem",
                        resource: n.ledger,
                        context: { "dynamodb:LeadingKeys": [own] },
                        expected: "ImplicitlyDenied",
                    },
                ];
            });
            await assertDecisions(stack, cases);
        });

        it("lets only the Pulumi repository's roles call KMS directly; the others decrypt only through S3 or DynamoDB", async () => {
            const cases = stack.config.repositories.flatMap((repository): Case[] => {
                const direct = repository.kind === "pulumi" ? "Allowed" : "ImplicitlyDenied";
                const viaStorage = repository.kind === "lambda" || repository.kind === "container" ? "ImplicitlyDenied" : "Allowed";
                const s3 = { ...n.keyContext, "kms:ViaService": `s3.${stack.naming.region}.amazonaws.com` };
                return ["deployer", "previewer"].flatMap((kind): Case[] => {
                    const role = roleName(stack.naming, kind as "deployer", repository.name);
                    return [
                        { role, action: "kms:Decrypt", resource: n.key, context: n.keyContext, expected: direct },
                        {
                            role,
                            action: "kms:Decrypt",
                            resource: n.key,
                            context: s3,
                            expected: repository.kind === "pulumi" ? "Allowed" : viaStorage,
                        },
                    ];
                });
            });
            await assertDecisions(stack, cases);
        });

        it("lets a Lambda deployer pass only its own service's execution roles, only to Lambda, and deploy only its functions", async () => {
            const lambdas = stack.config.repositories.filter((r) => r.kind === "lambda");
            assert.equal(lambdas.length, 3);
            const cases = lambdas.flatMap((repository, i): Case[] => {
                const role = roleName(stack.naming, "deployer", repository.name);
                const other = lambdas[(i + 1) % lambdas.length];
                const ownRole = n.role(`${stack.naming.prefix}-lambda-${repository.name}@exec`);
                const otherRole = n.role(`${stack.naming.prefix}-lambda-${other.name}@exec`);
                const fn = (r: typeof repository) => n.function(r.deploys.lambdaFunctions[0].replace("*", stack.naming.environment));
                const toLambda = { "iam:PassedToService": "lambda.amazonaws.com" };
                return [
                    { role, action: "iam:PassRole", resource: ownRole, context: toLambda, expected: "Allowed" },
                    { role, action: "iam:PassRole", resource: otherRole, context: toLambda, expected: "ImplicitlyDenied" },
                    {
                        role,
                        action: "iam:PassRole",
                        resource: ownRole,
                        context: { "iam:PassedToService": "ec2.amazonaws.com" },
                        expected: "ImplicitlyDenied",
                    },
                    {
                        role,
                        action: "iam:PassRole",
                        resource: n.role(n.foundationDeployer),
                        context: toLambda,
                        expected: "ExplicitlyDenied",
                    },
                    { role, action: "lambda:UpdateFunctionCode", resource: fn(repository), expected: "Allowed" },
                    { role, action: "lambda:UpdateAlias", resource: `${fn(repository)}:live`, expected: "Allowed" },
                    { role, action: "lambda:UpdateFunctionCode", resource: fn(other), expected: "ImplicitlyDenied" },
                    // Its own functions' configuration (the description names each release, so a retry publishes a version).
                    { role, action: "lambda:UpdateFunctionConfiguration", resource: fn(repository), expected: "Allowed" },
                    { role, action: "lambda:UpdateFunctionConfiguration", resource: fn(other), expected: "ImplicitlyDenied" },
                    {
                        role,
                        action: "cloudwatch:DescribeAlarms",
                        resource: n.alarm(`${stack.naming.prefix}-${stack.naming.environment}-canary`),
                        expected: "Allowed",
                    },
                    { role, action: "s3:PutObject", resource: n.stateObject(`${repository.name}/x`), expected: "ImplicitlyDenied" },
                ];
            });
            await assertDecisions(stack, cases);
        });

        it("lets a Terraform deployer take only its own state path's lock items", async () => {
            const terraform = stack.config.repositories.filter((r) => r.kind === "terraform");
            assert.equal(terraform.length, 3);
            const bucket = `${stack.naming.prefix}-state-${stack.naming.environment}`;
            const cases = terraform.flatMap((repository, i): Case[] => {
                const role = roleName(stack.naming, "deployer", repository.name);
                const other = terraform[(i + 1) % terraform.length].name;
                const lock = (path: string) => ({ "dynamodb:LeadingKeys": [path] });
                return [
                    {
                        role,
                        action: "dynamodb:PutItem",
                        resource: n.lockTable,
                        context: lock(`${bucket}/${repository.name}/terraform.tfstate`),
                        expected: "Allowed",
                    },
                    {
                        role,
                        action: "dynamodb:GetItem",
                        resource: n.lockTable,
                        context: lock(`${bucket}/${repository.name}/terraform.tfstate-md5`),
                        expected: "Allowed",
                    },
                    {
                        role,
                        action: "dynamodb:DeleteItem",
                        resource: n.lockTable,
                        context: lock(`${bucket}/${repository.name}/terraform.tfstate`),
                        expected: "Allowed",
                    },
                    {
                        role,
                        action: "dynamodb:PutItem",
                        resource: n.lockTable,
                        context: lock(`${bucket}/${other}/terraform.tfstate`),
                        expected: "ImplicitlyDenied",
                    },
                    {
                        role,
                        action: "dynamodb:DeleteItem",
                        resource: n.lockTable,
                        context: lock(`${bucket}/${other}/terraform.tfstate`),
                        expected: "ImplicitlyDenied",
                    },
                    { role, action: "s3:PutObject", resource: n.stateObject(`${repository.name}/terraform.tfstate`), expected: "Allowed" },
                    { role, action: "s3:PutObject", resource: n.stateObject(`${other}/terraform.tfstate`), expected: "ImplicitlyDenied" },
                ];
            });
            await assertDecisions(stack, cases);
        });

        it("lets a Terraform deployer read and list its own state's versions for a rollback, and never delete one", async () => {
            const terraform = stack.config.repositories.filter((r) => r.kind === "terraform");
            const cases = terraform.flatMap((repository, i): Case[] => {
                const role = roleName(stack.naming, "deployer", repository.name);
                const other = terraform[(i + 1) % terraform.length].name;
                const own = n.stateObject(`${repository.name}/terraform.tfstate`);
                return [
                    { role, action: "s3:GetObjectVersion", resource: own, expected: "Allowed" },
                    {
                        role,
                        action: "s3:GetObjectVersion",
                        resource: n.stateObject(`${other}/terraform.tfstate`),
                        expected: "ImplicitlyDenied",
                    },
                    {
                        role,
                        action: "s3:ListBucketVersions",
                        resource: n.stateBucket,
                        context: { "s3:prefix": `${repository.name}/` },
                        expected: "Allowed",
                    },
                    {
                        role,
                        action: "s3:ListBucketVersions",
                        resource: n.stateBucket,
                        context: { "s3:prefix": `${other}/` },
                        expected: "ImplicitlyDenied",
                    },
                    { role, action: "s3:DeleteObjectVersion", resource: own, expected: "ExplicitlyDenied" },
                ];
            });
            await assertDecisions(stack, cases);
        });
    });
}

describe("IAM evaluation of the ledger reader", () => {
    it("lets the next environment's gated job read its own service's sit items only", async () => {
        const stack = await loadStack("sit");
        const ledger = `arn:aws:dynamodb:${stack.config.region}:${stack.config.accountId}:table/bbws-deployments-sit`;
        const role = roleName(stack.naming, "ledger-reader", "2_1_bbws_s3_schemas");
        const own = { "dynamodb:LeadingKeys": ["2_1_bbws_s3_schemas"] };
        await assertDecisions(stack, [
            { role, action: "dynamodb:Query", resource: `${ledger}/index/by-service-commit`, context: own, expected: "Allowed" },
            { role, action: "dynamodb:GetItem", resource: ledger, context: own, expected: "Allowed" },
            {
                role,
                action: "dynamodb:Query",
                resource: ledger,
                context: { "dynamodb:LeadingKeys": ["cicd-foundation"] },
                expected: "ImplicitlyDenied",
            },
            { role, action: "dynamodb:PutItem", resource: ledger, context: own, expected: "ImplicitlyDenied" },
        ]);
    });
});

describe("IAM evaluation of the CloudTrail metric filter", () => {
    it("gives the foundation deployer only the metric filter on the account's CloudTrail log group", async () => {
        const raw = stackConfig("prod");
        const monitoring = configValue<Record<string, unknown>>(raw, "cicd-foundation:monitoring");
        const trailName = "aws-cloudtrail-logs-org";
        const stack = await loadStack(
            "prod",
            withConfig(raw, { "cicd-foundation:monitoring": { ...monitoring, cloudTrailLogGroup: trailName } }),
        );
        const n = names(stack);
        const fd = n.foundationDeployer;
        const fp = n.foundationPreviewer;
        const trail = n.logGroup(trailName);
        await assertDecisions(stack, [
            { role: fd, action: "logs:PutMetricFilter", resource: trail, expected: "Allowed" },
            { role: fd, action: "logs:DeleteMetricFilter", resource: `${trail}:*`, expected: "Allowed" },
            { role: fd, action: "logs:DescribeMetricFilters", resource: trail, expected: "Allowed" },
            { role: fp, action: "logs:DescribeMetricFilters", resource: trail, expected: "Allowed" },
            { role: fp, action: "logs:PutMetricFilter", resource: trail, expected: "ImplicitlyDenied" },
            { role: fd, action: "logs:DeleteLogGroup", resource: trail, expected: "ImplicitlyDenied" },
            { role: fd, action: "logs:PutRetentionPolicy", resource: trail, expected: "ImplicitlyDenied" },
            { role: fd, action: "logs:DeleteRetentionPolicy", resource: `${trail}:*`, expected: "ImplicitlyDenied" },
            { role: fd, action: "logs:DisassociateKmsKey", resource: trail, expected: "ImplicitlyDenied" },
            { role: fd, action: "logs:TagResource", resource: trail, expected: "ImplicitlyDenied" },
            { role: fd, action: "logs:PutRetentionPolicy", resource: n.auditLogGroup, expected: "ExplicitlyDenied" },
        ]);
    });
});

describe("IAM evaluation of the Chatbot rights", () => {
    it("lets the foundation deployer change only this foundation's channel configurations and pass only the Chatbot role", async () => {
        const raw = stackConfig("prod");
        const channels = [{ name: "#prod-alerts", workspaceId: "T0123ABCD", channelId: "C0123ABCD", severities: ["critical"] }];
        const stack = await loadStack("prod", withConfig(raw, { "cicd-foundation:notifications": { slackChannels: channels } }));
        const n = names(stack);
        const fd = n.foundationDeployer;
        const chatbotRole = n.role(roleName(stack.naming, "chatbot", "slack"));
        await assertDecisions(stack, [
            {
                role: fd,
                action: "chatbot:UpdateSlackChannelConfiguration",
                resource: n.chatConfiguration("bbws-prod-prod-alerts"),
                expected: "Allowed",
            },
            {
                role: fd,
                action: "chatbot:DeleteSlackChannelConfiguration",
                resource: n.chatConfiguration("bbws-prod-prod-alerts"),
                expected: "Allowed",
            },
            {
                role: fd,
                action: "chatbot:UpdateSlackChannelConfiguration",
                resource: n.chatConfiguration("payments-alerts"),
                expected: "ImplicitlyDenied",
            },
            {
                role: fd,
                action: "chatbot:DeleteSlackChannelConfiguration",
                resource: n.chatConfiguration("bbws-sit-alerts"),
                expected: "ImplicitlyDenied",
            },
            {
                role: fd,
                action: "iam:PassRole",
                resource: chatbotRole,
                context: { "iam:PassedToService": "chatbot.amazonaws.com" },
                expected: "Allowed",
            },
            {
                role: fd,
                action: "iam:PassRole",
                resource: chatbotRole,
                context: { "iam:PassedToService": "lambda.amazonaws.com" },
                expected: "ImplicitlyDenied",
            },
        ]);
        assert.deepEqual(
            stack.policies.roles.filter((role) => !stack.policies.boundaries.has(role)),
            [],
        );
        assert.equal(stack.policies.roles.includes(roleName(stack.naming, "chatbot", "slack")), true);
    });
});
