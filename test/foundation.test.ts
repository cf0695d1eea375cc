import { strict as assert } from "assert";
import { statefulProtection } from "../components/protection";
import { keyPolicy } from "../components/encryptionKey";
import { trustPolicy } from "../components/githubOidc";
import { deployerPermissions, previewerPermissions } from "../components/permissions";
import { accessLogBucketPolicy } from "../components/stateAccessLog";
import { roleName } from "../shared/names";
import { placeholderNumber, type Graph } from "../tools/lib/synthesize";
import { childrenOf, graphOf, resource, resourcesOf, T } from "./helpers/stacks";

const naming = { prefix: "bbws", environment: "prod" as const, accountId: "093646564004", region: "af-south-1" };
const noScope = { dynamodbTables: [], s3Buckets: [], lambdaFunctions: [], ecsServices: [], foundation: false };

describe("prod protection", () => {
    it("protects and retains everything stateful in prod, with a 30-day key window", () => {
        assert.deepEqual(statefulProtection("prod"), {
            protect: true,
            retainOnDelete: true,
            forceDestroy: false,
            deletionProtectionEnabled: true,
            keyDeletionWindowInDays: 30,
        });
    });
    it("leaves dev and sit deletable, but never force-destroys a bucket", () => {
        for (const environment of ["dev", "sit"] as const) {
            assert.deepEqual(statefulProtection(environment), {
                protect: false,
                retainOnDelete: false,
                forceDestroy: false,
                deletionProtectionEnabled: false,
                keyDeletionWindowInDays: 7,
            });
        }
    });
});

describe("trust policies", () => {
    const ids = { ownerId: "42", repositoryId: "4711" };
    const apply = "org/cicd-foundation/.github/workflows/terraform-apply.yml@refs/heads/main";
    it("lets only the foundation's deploy workflow, in the repository's prod environment, assume the deployer", () => {
        assert.deepEqual(
            trustPolicy({
                accountId: "093646564004",
                owner: "org",
                repository: "2_1_bbws_dynamodb_schemas",
                ids,
                context: { environment: "prod" },
                workflows: [apply],
            }),
            {
                Version: "2012-10-17",
                Statement: [
                    {
                        Sid: "GithubActionsOidc",
                        Effect: "Allow",
                        Principal: { Federated: "arn:aws:iam::093646564004:oidc-provider/token.actions.githubusercontent.com" },
                        Action: "sts:AssumeRoleWithWebIdentity",
                        Condition: {
                            StringEquals: {
                                "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                                "token.actions.githubusercontent.com:sub": [
                                    "repo:org/2_1_bbws_dynamodb_schemas:environment:prod",
                                    "repo:org@42/2_1_bbws_dynamodb_schemas@4711:environment:prod",
                                ],
                                "token.actions.githubusercontent.com:repository_id": "4711",
                                "token.actions.githubusercontent.com:environment": "prod",
                                "token.actions.githubusercontent.com:job_workflow_ref": apply,
                            },
                        },
                    },
                ],
            },
        );
    });
    it("trusts both subject forms and leaves the environment open when a context names none", () => {
        const policy = trustPolicy({
            accountId: "093646564004",
            owner: "org",
            repository: "schemas",
            context: { pullRequest: true },
            ids,
            workflows: ["org/cicd-foundation/.github/workflows/terraform-plan.yml@refs/heads/main"],
        });
        assert.deepEqual(policy.Statement[0].Condition, {
            StringEquals: {
                "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                "token.actions.githubusercontent.com:sub": ["repo:org/schemas:pull_request", "repo:org@42/schemas@4711:pull_request"],
                "token.actions.githubusercontent.com:repository_id": "4711",
                "token.actions.githubusercontent.com:job_workflow_ref":
                    "org/cicd-foundation/.github/workflows/terraform-plan.yml@refs/heads/main",
            },
        });
    });
});

describe("permission policies", () => {
    const base = { naming, terraformLockTable: true, bootstrapRoleNames: ["bbws-deployer-prod-cicd-foundation"] };
    it("scopes a schema repository's deployer to its state, its own ledger items and locks, the key through storage and its tables", () => {
        const policy = deployerPermissions({
            ...base,
            repository: "2_1_bbws_dynamodb_schemas",
            kind: "terraform",
            scope: { ...noScope, dynamodbTables: ["tenants"] },
        });
        assert.deepEqual(
            policy.Statement.map((s) => [s.Sid, s.Resource]),
            [
                ["ListOwnState", "arn:aws:s3:::bbws-state-prod"],
                ["ReadStateBucketSettings", "arn:aws:s3:::bbws-state-prod"],
                ["ReadOwnState", "arn:aws:s3:::bbws-state-prod/2_1_bbws_dynamodb_schemas/*"],
                ["WriteOwnState", "arn:aws:s3:::bbws-state-prod/2_1_bbws_dynamodb_schemas/*"],
                ["UseEnvironmentKeyThroughStorage", "arn:aws:kms:af-south-1:093646564004:key/*"],
                [
                    "RecordOwnDeployments",
                    [
                        "arn:aws:dynamodb:af-south-1:093646564004:table/bbws-deployments-prod",
                        "arn:aws:dynamodb:af-south-1:093646564004:table/bbws-deployments-prod/index/*",
                    ],
                ],
                ["PublishDeploymentMetric", "*"],
                ["ReadOwnStateVersions", "arn:aws:s3:::bbws-state-prod/2_1_bbws_dynamodb_schemas/*"],
                ["ListOwnStateVersions", "arn:aws:s3:::bbws-state-prod"],
                ["TakeOwnStateLock", "arn:aws:dynamodb:af-south-1:093646564004:table/bbws-state-lock-prod"],
                ["DescribeLockTable", "arn:aws:dynamodb:af-south-1:093646564004:table/bbws-state-lock-prod"],
                [
                    "ManageRepositoryTables",
                    [
                        "arn:aws:dynamodb:af-south-1:093646564004:table/tenants",
                        "arn:aws:dynamodb:af-south-1:093646564004:table/tenants/index/*",
                    ],
                ],
            ],
        );
        assert.deepEqual(policy.Statement[0].Condition, { StringLike: { "s3:prefix": ["2_1_bbws_dynamodb_schemas/*"] } });
        assert.deepEqual(policy.Statement[8].Condition, { StringLike: { "s3:prefix": ["2_1_bbws_dynamodb_schemas/*"] } });
        assert.deepEqual(policy.Statement[4].Condition, {
            "ForAnyValue:StringEquals": { "kms:ResourceAliases": "alias/bbws-prod" },
            StringEquals: { "kms:ViaService": ["s3.af-south-1.amazonaws.com", "dynamodb.af-south-1.amazonaws.com"] },
        });
        assert.deepEqual(policy.Statement[5].Condition, {
            "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": ["2_1_bbws_dynamodb_schemas"] },
            Null: { "dynamodb:LeadingKeys": "false" },
        });
        assert.deepEqual(policy.Statement[6].Condition, { StringEquals: { "cloudwatch:namespace": "CICD/Deployments" } });
        assert.deepEqual(policy.Statement[9].Condition, {
            "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["bbws-state-prod/2_1_bbws_dynamodb_schemas/*"] },
            Null: { "dynamodb:LeadingKeys": "false" },
        });
    });
    it("gives a Lambda service's deployer its functions, aliases, alarms and own execution roles, and no state", () => {
        const policy = deployerPermissions({
            ...base,
            repository: "2_bbws_tenants_event_handler",
            kind: "lambda",
            scope: { ...noScope, lambdaFunctions: ["bbws-tenants-event-handler-*"] },
        });
        assert.deepEqual(
            policy.Statement.map((s) => [s.Sid, s.Action]),
            [
                ["UseEnvironmentKeyThroughStorage", ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"]],
                ["RecordOwnDeployments", ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:GetItem", "dynamodb:Query"]],
                ["PublishDeploymentMetric", "cloudwatch:PutMetricData"],
                [
                    "DeployOwnFunctions",
                    [
                        "lambda:UpdateFunctionCode",
                        "lambda:UpdateFunctionConfiguration",
                        "lambda:PublishVersion",
                        "lambda:GetAlias",
                        "lambda:CreateAlias",
                        "lambda:UpdateAlias",
                        "lambda:ListVersionsByFunction",
                        "lambda:ListAliases",
                        "lambda:GetFunction",
                        "lambda:GetFunctionConfiguration",
                    ],
                ],
                ["WatchCanaryAlarms", "cloudwatch:DescribeAlarms"],
                ["PassOwnExecutionRoles", "iam:PassRole"],
                ["OwnCodeDeployApplication", ["codedeploy:CreateApplication", "codedeploy:GetApplication"]],
                [
                    "OwnRollouts",
                    [
                        "codedeploy:CreateDeploymentGroup",
                        "codedeploy:GetDeploymentGroup",
                        "codedeploy:UpdateDeploymentGroup",
                        "codedeploy:CreateDeployment",
                        "codedeploy:GetDeployment",
                    ],
                ],
                ["ReadRolloutConfigs", "codedeploy:GetDeploymentConfig"],
                ["PassOwnCodeDeployRole", "iam:PassRole"],
            ],
        );
        assert.deepEqual(policy.Statement[5].Resource, "arn:aws:iam::093646564004:role/bbws-lambda-2_bbws_tenants_event_handler@*");
        assert.deepEqual(policy.Statement[5].Condition, { StringEquals: { "iam:PassedToService": "lambda.amazonaws.com" } });
    });
    it("gives the previewer reads of its own state and its own ledger items only: no write, no lock", () => {
        const policy = previewerPermissions({
            ...base,
            repository: "r",
            kind: "terraform",
            scope: { ...noScope, s3Buckets: ["bbws-templates-prod"] },
        });
        assert.deepEqual(
            policy.Statement.map((s) => [s.Sid, s.Action]),
            [
                ["ListOwnState", "s3:ListBucket"],
                ["ReadStateBucketSettings", ["s3:GetBucketLocation", "s3:GetBucketVersioning"]],
                ["ReadOwnState", "s3:GetObject"],
                ["UseEnvironmentKeyThroughStorage", ["kms:Decrypt", "kms:DescribeKey"]],
                ["ReadOwnDeployments", ["dynamodb:GetItem", "dynamodb:Query"]],
                [
                    "ReadRepositoryBuckets",
                    [
                        "s3:ListBucket",
                        "s3:GetBucketLocation",
                        "s3:GetBucketTagging",
                        "s3:GetBucketPolicy",
                        "s3:GetBucketAcl",
                        "s3:GetBucketCORS",
                        "s3:GetBucketWebsite",
                        "s3:GetBucketVersioning",
                        "s3:GetAccelerateConfiguration",
                        "s3:GetBucketRequestPayment",
                        "s3:GetBucketLogging",
                        "s3:GetLifecycleConfiguration",
                        "s3:GetReplicationConfiguration",
                        "s3:GetEncryptionConfiguration",
                        "s3:GetBucketObjectLockConfiguration",
                        "s3:GetBucketPublicAccessBlock",
                        "s3:GetBucketOwnershipControls",
                    ],
                ],
            ],
        );
        assert.equal(policy.Statement[2].Resource, "arn:aws:s3:::bbws-state-prod/r/*");
        assert.deepEqual(policy.Statement[4].Condition, {
            "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": ["r"] },
            Null: { "dynamodb:LeadingKeys": "false" },
        });
    });
    it("keeps role names within IAM's 64 characters, stable and distinct", () => {
        const long = roleName(naming, "ledger-reader", "2_bbws_wordpress_site_management_lambda_v2");
        assert.equal(long, "bbws-ledger-reader-prod-2_bbws_wordpress_site_managemen-e206f616");
        assert.equal(long.length, 64);
        assert.notEqual(roleName(naming, "ledger-reader", "2_bbws_wordpress_site_management_lambda_v3"), long);
        assert.equal(
            roleName(naming, "previewer", "2_bbws_wordpress_site_management_lambda"),
            "bbws-previewer-prod-2_bbws_wordpress_site_management_lambda",
        );
        assert.equal(roleName(naming, "deployer", "schemas"), "bbws-deployer-prod-schemas");
    });
    it("lets CloudWatch Logs use the key only for this account's log groups", () => {
        assert.deepEqual(keyPolicy(naming).Statement[1].Condition, {
            ArnLike: { "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:af-south-1:093646564004:log-group:*" },
        });
    });
});

describe("the prod stack, synthesized from the fixture organisation's Pulumi.prod.yaml", () => {
    let graph: Graph;
    before(async () => {
        graph = await graphOf("prod", "resolved");
    });

    it("creates one deployer and one previewer per repository, each with one inline policy", () => {
        assert.equal(resourcesOf(graph, "cicd:identity:RepositoryRoles").length, 8);
        for (const component of resourcesOf(graph, "cicd:identity:RepositoryRoles")) {
            assert.deepEqual(
                childrenOf(graph, component)
                    .map((c) => `${c.type}::${c.name}`)
                    .sort(),
                [
                    `${T.role}::${component.name}-deployer`,
                    `${T.role}::${component.name}-previewer`,
                    `${T.rolePolicy}::${component.name}-deployer`,
                    `${T.rolePolicy}::${component.name}-previewer`,
                ],
            );
        }
    });

    it("sets the deployer's whole trust policy, a one-hour session and the boundary", () => {
        const role = resource(graph, T.role, "2_1_bbws_dynamodb_schemas-deployer");
        assert.equal(
            role.inputs.assumeRolePolicy,
            JSON.stringify(
                trustPolicy({
                    accountId: "093646564004",
                    owner: "org",
                    repository: "2_1_bbws_dynamodb_schemas",
                    ids: {
                        ownerId: String(placeholderNumber("org:org")),
                        repositoryId: String(placeholderNumber("repo:org/2_1_bbws_dynamodb_schemas")),
                    },
                    context: { environment: "prod" },
                    workflows: ["org/cicd-foundation/.github/workflows/terraform-apply.yml@refs/heads/main"],
                }),
            ),
        );
        assert.equal(role.inputs.maxSessionDuration, 3600);
        assert.equal(role.inputs.name, "bbws-deployer-prod-2_1_bbws_dynamodb_schemas");
        assert.equal(role.inputs.permissionsBoundary, "arn:aws:iam::093646564004:policy/bbws-pipeline-boundary-prod");
    });

    it("bounds every role the program creates with the pipeline boundary", () => {
        const roles = resourcesOf(graph, T.role);
        assert.equal(roles.length, 16);
        assert.deepEqual(
            roles
                .filter((r) => r.inputs.permissionsBoundary !== "arn:aws:iam::093646564004:policy/bbws-pipeline-boundary-prod")
                .map((r) => r.name),
            [],
        );
        assert.equal(resource(graph, "aws:iam/policy:Policy", "pipeline-boundary").inputs.name, "bbws-pipeline-boundary-prod");
    });

    it("trusts only the foundation's plan and drift workflows, from pull requests and main, for a served previewer", () => {
        const trust = JSON.parse(resource(graph, T.role, "2_1_bbws_s3_schemas-previewer").inputs.assumeRolePolicy as string);
        const [owner, repository] = [placeholderNumber("org:org"), placeholderNumber("repo:org/2_1_bbws_s3_schemas")];
        assert.deepEqual(trust.Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"], [
            "repo:org/2_1_bbws_s3_schemas:pull_request",
            `repo:org@${owner}/2_1_bbws_s3_schemas@${repository}:pull_request`,
            "repo:org/2_1_bbws_s3_schemas:ref:refs/heads/main",
            `repo:org@${owner}/2_1_bbws_s3_schemas@${repository}:ref:refs/heads/main`,
        ]);
        assert.deepEqual(trust.Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:job_workflow_ref"], [
            "org/cicd-foundation/.github/workflows/terraform-plan.yml@refs/heads/main",
            "org/cicd-foundation/.github/workflows/terraform-drift.yml@refs/heads/main",
            "org/cicd-foundation/.github/workflows/terraform-apply.yml@refs/heads/main",
        ]);
    });

    it("logs every request to the state bucket into a versioned, locked-down, SSE-S3 log bucket kept seven years", () => {
        const name = "state-access-logs";
        assert.deepEqual(resource(graph, T.bucket, name).inputs, { bucket: "bbws-state-access-logs-prod", forceDestroy: false });
        assert.deepEqual(resource(graph, T.bucketVersioning, name).inputs.versioningConfiguration, { status: "Enabled" });
        const sse = resource(graph, T.bucketEncryption, name).inputs.rules;
        assert.deepEqual(sse, [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }]);
        const { bucket: _bucket, ...flags } = resource(graph, T.bucketPublicAccessBlock, name).inputs;
        assert.deepEqual(flags, { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
        assert.deepEqual(resource(graph, T.bucketOwnershipControls, name).inputs.rule, { objectOwnership: "BucketOwnerEnforced" });
        assert.deepEqual(JSON.parse(resource(graph, T.bucketPolicy, name).inputs.policy as string), accessLogBucketPolicy(naming));
        assert.deepEqual(accessLogBucketPolicy(naming).Statement[0], {
            Sid: "S3LogDeliveryWritesStateAccessLogs",
            Effect: "Allow",
            Principal: { Service: "logging.s3.amazonaws.com" },
            Action: "s3:PutObject",
            Resource: "arn:aws:s3:::bbws-state-access-logs-prod/*",
            Condition: {
                StringEquals: { "aws:SourceAccount": "093646564004" },
                ArnEquals: { "aws:SourceArn": "arn:aws:s3:::bbws-state-prod" },
            },
        });
        assert.deepEqual(accessLogBucketPolicy(naming).Statement[1].Condition, { Bool: { "aws:SecureTransport": "false" } });
        assert.deepEqual(resource(graph, T.lifecycle, name).inputs.rules, [
            {
                id: "keep-like-the-audit-logs",
                status: "Enabled",
                filter: {},
                expiration: { days: 2557 },
                noncurrentVersionExpiration: { noncurrentDays: 2557 },
            },
        ]);
        const logging = resource(graph, "aws:s3/bucketLogging:BucketLogging", name).inputs;
        assert.deepEqual(logging, {
            bucket: "placeholder-id-state",
            targetBucket: "bbws-state-access-logs-prod",
            targetPrefix: "bbws-state-prod/",
        });
    });

    it("encrypts, versions, locks down and expires the state bucket", () => {
        assert.deepEqual(resource(graph, T.bucket, "state").inputs, { bucket: "bbws-state-prod", forceDestroy: false });
        assert.deepEqual(resource(graph, T.bucketVersioning, "state").inputs.versioningConfiguration, { status: "Enabled" });
        assert.deepEqual(resource(graph, T.bucketEncryption, "state").inputs.rules, [
            {
                applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "arn:placeholder:kms:key" },
                bucketKeyEnabled: true,
            },
        ]);
        const { bucket: _bucket, ...flags } = resource(graph, T.bucketPublicAccessBlock, "state").inputs;
        assert.deepEqual(flags, { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
        assert.deepEqual(resource(graph, T.bucketOwnershipControls, "state").inputs.rule, { objectOwnership: "BucketOwnerEnforced" });
        assert.deepEqual(JSON.parse(resource(graph, T.bucketPolicy, "state").inputs.policy as string), {
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "DenyInsecureTransport",
                    Effect: "Deny",
                    Principal: "*",
                    Action: "s3:*",
                    Resource: ["arn:aws:s3:::bbws-state-prod", "arn:aws:s3:::bbws-state-prod/*"],
                    Condition: { Bool: { "aws:SecureTransport": "false" } },
                },
            ],
        });
        assert.deepEqual(resource(graph, T.lifecycle, "state").inputs.rules, [
            { id: "expire-noncurrent-state-versions", status: "Enabled", filter: {}, noncurrentVersionExpiration: { noncurrentDays: 90 } },
            { id: "abort-incomplete-uploads", status: "Enabled", filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } },
        ]);
    });

    it("creates the Terraform lock table with PITR, the key and deletion protection", () => {
        assert.deepEqual(resource(graph, T.table, "state-lock").inputs, {
            name: "bbws-state-lock-prod",
            billingMode: "PAY_PER_REQUEST",
            hashKey: "LockID",
            attributes: [{ name: "LockID", type: "S" }],
            pointInTimeRecovery: { enabled: true },
            serverSideEncryption: { enabled: true, kmsKeyArn: "arn:placeholder:kms:key" },
            deletionProtectionEnabled: true,
        });
    });

    it("creates the ledger with the keys and indexes the pipelines query", () => {
        const ledger = resource(graph, T.table, "ledger").inputs;
        assert.equal(ledger.name, "bbws-deployments-prod");
        assert.equal(ledger.hashKey, "pk");
        assert.equal(ledger.rangeKey, "sk");
        assert.deepEqual(ledger.globalSecondaryIndexes, [
            {
                name: "by-service-status",
                keySchemas: [
                    { attributeName: "pk", keyType: "HASH" },
                    { attributeName: "statusAt", keyType: "RANGE" },
                ],
                projectionType: "ALL",
            },
            {
                name: "by-service-commit",
                keySchemas: [
                    { attributeName: "pk", keyType: "HASH" },
                    { attributeName: "commitAt", keyType: "RANGE" },
                ],
                projectionType: "ALL",
            },
            {
                name: "by-status",
                keySchemas: [
                    { attributeName: "status", keyType: "HASH" },
                    { attributeName: "startedAt", keyType: "RANGE" },
                ],
                projectionType: "ALL",
            },
        ]);
        assert.deepEqual(ledger.pointInTimeRecovery, { enabled: true });
        assert.deepEqual(ledger.serverSideEncryption, { enabled: true, kmsKeyArn: "arn:placeholder:kms:key" });
        assert.equal(ledger.deletionProtectionEnabled, true);
    });

    it("rotates the key yearly with a 30-day deletion window", () => {
        const key = resource(graph, T.key, "key").inputs;
        assert.equal(key.enableKeyRotation, true);
        assert.equal(key.rotationPeriodInDays, 365);
        assert.equal(key.deletionWindowInDays, 30);
        assert.deepEqual(resource(graph, T.alias, "key").inputs, { name: "alias/bbws-prod", targetKeyId: "placeholder-key-key" });
    });

    it("registers the OIDC provider with GitHub's issuer and the STS audience", () => {
        assert.deepEqual(resource(graph, T.oidcProvider, "github-oidc").inputs, {
            url: "https://token.actions.githubusercontent.com",
            clientIdLists: ["sts.amazonaws.com"],
        });
    });

    it("protects and retains every stateful resource, and only those", () => {
        const stateful = [
            T.bucket,
            T.bucketVersioning,
            T.table,
            T.key,
            T.oidcProvider,
            "aws:cloudwatch/logGroup:LogGroup",
            "aws:iam/policy:Policy",
            "aws:ecr/repository:Repository",
        ] as string[];
        const flagged = graph.resources.filter((r) => r.protect || r.retainOnDelete).map((r) => `${r.type}::${r.name}`);
        const expected = graph.resources.filter((r) => stateful.includes(r.type)).map((r) => `${r.type}::${r.name}`);
        assert.deepEqual(flagged.sort(), expected.sort());
        for (const r of graph.resources.filter((r) => stateful.includes(r.type))) {
            assert.deepEqual([r.name, r.protect, r.retainOnDelete], [r.name, true, true]);
        }
    });

    it("exports the backend snippet consumers need", () => {
        assert.deepEqual(graph.outputs.backend, {
            bucket: "bbws-state-prod",
            keyPrefix: "<repository>/",
            region: "af-south-1",
            lockTable: "bbws-state-lock-prod",
            pulumiLoginUrl: "s3://bbws-state-prod/<repository>?region=af-south-1&awssdk=v2",
            terraformKey: "<repository>/terraform.tfstate",
            terraformWorkspaceKeyPrefix: "<repository>",
        });
    });
});
