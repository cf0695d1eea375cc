import type { DeployScope } from "../config";
import {
    bucketArn,
    GITHUB_OIDC_HOST,
    keyAliasName,
    ledgerTableName,
    lockTableName,
    stateBucketName,
    tableArn,
    type Naming,
} from "./naming";
import { DEPLOYMENT_METRIC_NAMESPACE } from "./deploymentMetrics";
import { policyDocument, type PolicyDocument, type Statement } from "./policyDocument";

/** Where a repository's state lives in the environment's bucket: one prefix per repository. */
export const stateKeyPrefix = (repository: string) => `${repository}/`;

/** `pulumi login` URL of a repository's state in the environment's bucket. */
export const backendUrl = (bucket: string, repository: string, region: string) => `s3://${bucket}/${repository}?region=${region}&awssdk=v2`;

/**
 * Pulumi's self-managed backend writes a lock object even for `pulumi preview`; this is the one write a
 * read-only previewer needs. The policy pack accepts writes only on such resources for previewers.
 */
export const PREVIEW_LOCK_SUFFIX = "/.pulumi/locks/*";

export interface PermissionsArgs {
    readonly naming: Naming;
    readonly repository: string;
    readonly scope: DeployScope;
    readonly terraformLockTable: boolean;
}

/** KMS use is scoped to the environment key through its alias, a value known before the key exists. */
function keyUse(naming: Naming, actions: string[]): Statement {
    return {
        Sid: "UseEnvironmentKey",
        Effect: "Allow",
        Action: actions,
        Resource: `arn:aws:kms:${naming.region}:${naming.accountId}:key/*`,
        Condition: { "ForAnyValue:StringEquals": { "kms:ResourceAliases": keyAliasName(naming) } },
    };
}

function stateRead(args: PermissionsArgs): Statement[] {
    const bucket = stateBucketName(args.naming);
    const prefix = stateKeyPrefix(args.repository);
    return [
        {
            Sid: "ListOwnState",
            Effect: "Allow",
            Action: "s3:ListBucket",
            Resource: bucketArn(bucket),
            Condition: { StringLike: { "s3:prefix": [`${prefix}*`] } },
        },
        {
            Sid: "ReadStateBucketSettings",
            Effect: "Allow",
            Action: ["s3:GetBucketLocation", "s3:GetBucketVersioning"],
            Resource: bucketArn(bucket),
        },
    ];
}

const patternArns = (patterns: readonly string[], arn: (p: string) => string[]) => patterns.flatMap(arn);

function tableArns(naming: Naming, patterns: readonly string[]): string[] {
    return patternArns(patterns, (p) => [tableArn(naming, p), `${tableArn(naming, p)}/index/*`]);
}
function bucketArns(patterns: readonly string[]): string[] {
    return patternArns(patterns, (p) => [bucketArn(p), `${bucketArn(p)}/*`]);
}
function functionArns(naming: Naming, patterns: readonly string[]): string[] {
    return patterns.map((p) => `arn:aws:lambda:${naming.region}:${naming.accountId}:function:${p}`);
}

/** What the foundation program itself manages, for the repository that holds it. */
function foundationResources(naming: Naming) {
    const { prefix, accountId, region } = naming;
    return {
        roles: `arn:aws:iam::${accountId}:role/${prefix}-*`,
        oidcProvider: `arn:aws:iam::${accountId}:oidc-provider/${GITHUB_OIDC_HOST}`,
        buckets: [bucketArn(`${prefix}-*`)],
        tables: [tableArn(naming, `${prefix}-*`), `${tableArn(naming, `${prefix}-*`)}/index/*`],
        topics: `arn:aws:sns:${region}:${accountId}:${prefix}-*`,
        alarms: `arn:aws:cloudwatch:${region}:${accountId}:alarm:${prefix}-*`,
        dashboards: `arn:aws:cloudwatch::${accountId}:dashboard/${prefix}-*`,
        logGroups: `arn:aws:logs:${region}:${accountId}:log-group:/${prefix}/*`,
        aliases: `arn:aws:kms:${region}:${accountId}:alias/${prefix}-*`,
    };
}

/**
 * The deployer's permissions (seeds 002 §7.5.2): its own state and locks, the ledger, the environment
 * key, the deployment metric, and only the resources its repository deploys.
 */
export function deployerPermissions(args: PermissionsArgs): PolicyDocument {
    const { naming, scope } = args;
    const bucket = stateBucketName(naming);
    const ledger = tableArn(naming, ledgerTableName(naming));
    const statements: Statement[] = [
        ...stateRead(args),
        {
            Sid: "WriteOwnState",
            Effect: "Allow",
            Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
            Resource: `${bucketArn(bucket)}/${stateKeyPrefix(args.repository)}*`,
        },
        {
            Sid: "RecordDeployments",
            Effect: "Allow",
            Action: ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:GetItem", "dynamodb:Query"],
            Resource: [ledger, `${ledger}/index/*`],
        },
        keyUse(naming, ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"]),
        {
            Sid: "PublishDeploymentMetric",
            Effect: "Allow",
            Action: "cloudwatch:PutMetricData",
            Resource: "*",
            Condition: { StringEquals: { "cloudwatch:namespace": DEPLOYMENT_METRIC_NAMESPACE } },
        },
    ];
    if (args.terraformLockTable) {
        statements.push({
            Sid: "TakeStateLock",
            Effect: "Allow",
            Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:DescribeTable"],
            Resource: tableArn(naming, lockTableName(naming)),
        });
    }
    if (scope.dynamodbTables.length > 0) {
        statements.push({
            Sid: "ManageRepositoryTables",
            Effect: "Allow",
            Action: [
                "dynamodb:CreateTable",
                "dynamodb:UpdateTable",
                "dynamodb:DeleteTable",
                "dynamodb:DescribeTable",
                "dynamodb:DescribeContinuousBackups",
                "dynamodb:UpdateContinuousBackups",
                "dynamodb:DescribeTimeToLive",
                "dynamodb:UpdateTimeToLive",
                "dynamodb:TagResource",
                "dynamodb:UntagResource",
                "dynamodb:ListTagsOfResource",
            ],
            Resource: tableArns(naming, scope.dynamodbTables),
        });
    }
    if (scope.s3Buckets.length > 0) {
        statements.push({
            Sid: "ManageRepositoryBuckets",
            Effect: "Allow",
            Action: [
                "s3:CreateBucket",
                "s3:PutBucket*",
                "s3:GetBucket*",
                "s3:PutEncryptionConfiguration",
                "s3:GetEncryptionConfiguration",
                "s3:PutLifecycleConfiguration",
                "s3:GetLifecycleConfiguration",
                "s3:ListBucket",
                "s3:PutObject",
                "s3:GetObject",
            ],
            Resource: bucketArns(scope.s3Buckets),
        });
    }
    if (scope.lambdaFunctions.length > 0) {
        statements.push(
            {
                Sid: "ManageRepositoryFunctions",
                Effect: "Allow",
                Action: [
                    "lambda:CreateFunction",
                    "lambda:UpdateFunctionCode",
                    "lambda:UpdateFunctionConfiguration",
                    "lambda:GetFunction",
                    "lambda:GetFunctionConfiguration",
                    "lambda:PublishVersion",
                    "lambda:ListVersionsByFunction",
                    "lambda:CreateAlias",
                    "lambda:UpdateAlias",
                    "lambda:GetAlias",
                    "lambda:TagResource",
                ],
                Resource: functionArns(naming, scope.lambdaFunctions).flatMap((arn) => [arn, `${arn}:*`]),
            },
            {
                Sid: "PassFunctionExecutionRoles",
                Effect: "Allow",
                Action: "iam:PassRole",
                Resource: `arn:aws:iam::${naming.accountId}:role/${naming.prefix}-lambda-*`,
                Condition: { StringEquals: { "iam:PassedToService": "lambda.amazonaws.com" } },
            },
        );
    }
    if (scope.foundation) statements.push(...foundationDeployStatements(naming));
    return policyDocument(statements);
}

/** The foundation's own deployer manages roles, keys, buckets, tables, topics, alarms and logs of its prefix. */
function foundationDeployStatements(naming: Naming): Statement[] {
    const r = foundationResources(naming);
    return [
        {
            Sid: "FoundationIdentity",
            Effect: "Allow",
            Action: [
                "iam:CreateRole",
                "iam:UpdateRole",
                "iam:DeleteRole",
                "iam:GetRole",
                "iam:TagRole",
                "iam:UntagRole",
                "iam:UpdateAssumeRolePolicy",
                "iam:PutRolePolicy",
                "iam:GetRolePolicy",
                "iam:DeleteRolePolicy",
                "iam:ListRolePolicies",
                "iam:ListAttachedRolePolicies",
                "iam:PutRolePermissionsBoundary",
                "iam:CreateOpenIDConnectProvider",
                "iam:GetOpenIDConnectProvider",
                "iam:UpdateOpenIDConnectProviderThumbprint",
                "iam:AddClientIDToOpenIDConnectProvider",
                "iam:TagOpenIDConnectProvider",
            ],
            Resource: [r.roles, r.oidcProvider],
        },
        {
            Sid: "FoundationKeys",
            Effect: "Allow",
            Action: ["kms:CreateKey", "kms:ListAliases", "kms:ListKeys"],
            Resource: "*",
        },
        {
            Sid: "FoundationKeyAdministration",
            Effect: "Allow",
            Action: [
                "kms:DescribeKey",
                "kms:GetKeyPolicy",
                "kms:PutKeyPolicy",
                "kms:GetKeyRotationStatus",
                "kms:EnableKeyRotation",
                "kms:ListResourceTags",
                "kms:TagResource",
                "kms:UntagResource",
                "kms:CreateAlias",
                "kms:UpdateAlias",
                "kms:CreateGrant",
            ],
            Resource: [`arn:aws:kms:${naming.region}:${naming.accountId}:key/*`, r.aliases],
        },
        {
            Sid: "FoundationStorage",
            Effect: "Allow",
            Action: [
                "s3:CreateBucket",
                "s3:GetBucket*",
                "s3:PutBucket*",
                "s3:GetEncryptionConfiguration",
                "s3:PutEncryptionConfiguration",
                "s3:GetLifecycleConfiguration",
                "s3:PutLifecycleConfiguration",
                "s3:GetAccelerateConfiguration",
                "s3:GetReplicationConfiguration",
                "s3:ListBucket",
                "dynamodb:CreateTable",
                "dynamodb:UpdateTable",
                "dynamodb:DescribeTable",
                "dynamodb:DescribeContinuousBackups",
                "dynamodb:UpdateContinuousBackups",
                "dynamodb:DescribeTimeToLive",
                "dynamodb:TagResource",
                "dynamodb:ListTagsOfResource",
            ],
            Resource: [...r.buckets, ...r.tables],
        },
        {
            Sid: "FoundationMonitoring",
            Effect: "Allow",
            Action: [
                "sns:CreateTopic",
                "sns:GetTopicAttributes",
                "sns:SetTopicAttributes",
                "sns:Subscribe",
                "sns:Unsubscribe",
                "sns:GetSubscriptionAttributes",
                "sns:TagResource",
                "sns:ListTagsForResource",
                "cloudwatch:PutMetricAlarm",
                "cloudwatch:DeleteAlarms",
                "cloudwatch:DescribeAlarms",
                "cloudwatch:TagResource",
                "cloudwatch:ListTagsForResource",
                "cloudwatch:PutDashboard",
                "cloudwatch:GetDashboard",
                "logs:CreateLogGroup",
                "logs:PutRetentionPolicy",
                "logs:AssociateKmsKey",
                "logs:DescribeLogGroups",
                "logs:TagResource",
                "logs:ListTagsForResource",
                "logs:PutMetricFilter",
                "logs:DescribeMetricFilters",
            ],
            Resource: [r.topics, r.alarms, r.dashboards, r.logGroups, `${r.logGroups}:*`],
        },
        {
            Sid: "FoundationChatbot",
            Effect: "Allow",
            Action: [
                "chatbot:CreateSlackChannelConfiguration",
                "chatbot:UpdateSlackChannelConfiguration",
                "chatbot:DescribeSlackChannelConfigurations",
                "chatbot:TagResource",
                "chatbot:ListTagsForResource",
            ],
            Resource: "*",
        },
        {
            Sid: "FoundationPassesChatbotRole",
            Effect: "Allow",
            Action: "iam:PassRole",
            Resource: r.roles,
            Condition: { StringEquals: { "iam:PassedToService": "chatbot.amazonaws.com" } },
        },
    ];
}

/** Read-only: enough for `pulumi preview` (or `terraform plan -lock=false`) of this repository. */
export function previewerPermissions(args: PermissionsArgs): PolicyDocument {
    const { naming, scope } = args;
    const bucket = stateBucketName(naming);
    const prefix = stateKeyPrefix(args.repository);
    const statements: Statement[] = [
        ...stateRead(args),
        { Sid: "ReadOwnState", Effect: "Allow", Action: "s3:GetObject", Resource: `${bucketArn(bucket)}/${prefix}*` },
        {
            Sid: "TakePreviewLock",
            Effect: "Allow",
            Action: ["s3:PutObject", "s3:DeleteObject"],
            Resource: `${bucketArn(bucket)}/${prefix.slice(0, -1)}${PREVIEW_LOCK_SUFFIX}`,
        },
        keyUse(naming, ["kms:Decrypt", "kms:DescribeKey"]),
    ];
    if (scope.dynamodbTables.length > 0) {
        statements.push({
            Sid: "ReadRepositoryTables",
            Effect: "Allow",
            Action: [
                "dynamodb:DescribeTable",
                "dynamodb:DescribeContinuousBackups",
                "dynamodb:DescribeTimeToLive",
                "dynamodb:ListTagsOfResource",
            ],
            Resource: tableArns(naming, scope.dynamodbTables),
        });
    }
    if (scope.s3Buckets.length > 0) {
        statements.push({
            Sid: "ReadRepositoryBuckets",
            Effect: "Allow",
            Action: ["s3:GetBucket*", "s3:GetEncryptionConfiguration", "s3:GetLifecycleConfiguration", "s3:ListBucket"],
            Resource: scope.s3Buckets.map(bucketArn),
        });
    }
    if (scope.lambdaFunctions.length > 0) {
        statements.push({
            Sid: "ReadRepositoryFunctions",
            Effect: "Allow",
            Action: ["lambda:GetFunction", "lambda:GetFunctionConfiguration", "lambda:GetAlias", "lambda:ListVersionsByFunction"],
            Resource: functionArns(naming, scope.lambdaFunctions),
        });
    }
    if (scope.foundation) {
        const r = foundationResources(naming);
        statements.push({
            Sid: "ReadFoundation",
            Effect: "Allow",
            Action: [
                "iam:GetRole",
                "iam:GetRolePolicy",
                "iam:ListRolePolicies",
                "iam:ListAttachedRolePolicies",
                "iam:GetOpenIDConnectProvider",
                "kms:GetKeyPolicy",
                "kms:GetKeyRotationStatus",
                "kms:ListResourceTags",
                "s3:GetBucket*",
                "s3:GetEncryptionConfiguration",
                "s3:GetLifecycleConfiguration",
                "dynamodb:DescribeTable",
                "dynamodb:DescribeContinuousBackups",
                "dynamodb:DescribeTimeToLive",
                "dynamodb:ListTagsOfResource",
                "sns:GetTopicAttributes",
                "sns:GetSubscriptionAttributes",
                "sns:ListTagsForResource",
                "cloudwatch:DescribeAlarms",
                "cloudwatch:GetDashboard",
                "cloudwatch:ListTagsForResource",
                "logs:DescribeLogGroups",
                "logs:DescribeMetricFilters",
                "logs:ListTagsForResource",
            ],
            Resource: [
                r.roles,
                r.oidcProvider,
                `arn:aws:kms:${naming.region}:${naming.accountId}:key/*`,
                ...r.buckets,
                ...r.tables,
                r.topics,
                r.alarms,
                r.dashboards,
                r.logGroups,
            ],
        });
    }
    return policyDocument(statements);
}

/** Lets the next environment's gated jobs ask this ledger whether a commit was deployed here. */
export function ledgerReaderPermissions(naming: Naming): PolicyDocument {
    const ledger = tableArn(naming, ledgerTableName(naming));
    return policyDocument([
        {
            Sid: "ReadDeploymentLedger",
            Effect: "Allow",
            Action: ["dynamodb:GetItem", "dynamodb:Query"],
            Resource: [ledger, `${ledger}/index/*`],
        },
        keyUse(naming, ["kms:Decrypt", "kms:DescribeKey"]),
    ]);
}
