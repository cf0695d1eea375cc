import {
    accessLogBucketName,
    chatbotConfigurationName,
    keyAliasName,
    ledgerTableName,
    lockTableName,
    roleName,
    stateBucketName,
    type Naming,
    auditLogGroupName,
} from "../../shared/names";
import {
    alarmArn,
    boundaryPolicyArn,
    bucketArn,
    chatbotConfigurationArn,
    containerRepositoriesArn,
    dashboardArn,
    keyAliasArn,
    keyArns,
    logGroupArn,
    oidcProviderArn,
    pipelineRolesArn,
    pulumiOidcProviderArn,
    roleArn,
    topicArn,
} from "../../shared/arns";
import type { Statement } from "../policyDocument";
import { bootstrapTierDenials } from "./boundary";
import { BUCKET_READS, TABLE_WRITES, tableArns, type PermissionsArgs } from "./statements";

/**
 * The repository that holds this program: what its deployer and previewer may do with the resources the
 * program manages. Each action is one the AWS provider calls for a resource type the program declares, on
 * create, read (refresh and import), update or delete; actions AWS authorizes only on `*` are kept apart.
 */
function foundationResources(naming: Naming, cloudTrailLogGroup?: string) {
    const { prefix, accountId } = naming;
    // Logs actions name a log group with or without a trailing `:*`.
    const logGroup = (name: string) => [logGroupArn(naming, name), `${logGroupArn(naming, name)}:*`];
    return {
        roles: pipelineRolesArn(naming),
        oidcProvider: oidcProviderArn(accountId, naming.githubOidcHost),
        pulumiOidcProvider: pulumiOidcProviderArn(accountId),
        boundary: boundaryPolicyArn(naming),
        // The program's own buckets and tables by name: `<prefix>-*` would cover the services' data too.
        buckets: [stateBucketName(naming), accessLogBucketName(naming)].map(bucketArn),
        tables: tableArns(naming, [ledgerTableName(naming), lockTableName(naming)]),
        topics: topicArn(naming, `${prefix}-*`),
        alarms: alarmArn(naming, `${prefix}-*`),
        dashboards: dashboardArn(naming, `${prefix}-*`),
        auditLogGroup: logGroup(auditLogGroupName(naming)),
        // The account's CloudTrail group is not the program's: it only reads and writes the metric filter on it.
        cloudTrailLogGroup: cloudTrailLogGroup ? logGroup(cloudTrailLogGroup) : [],
        keys: keyArns(naming),
        keyAlias: keyAliasArn(naming),
        chatConfigurations: chatbotConfigurationArn(naming, chatbotConfigurationName(naming, "*")),
        chatbotRole: roleArn(naming, roleName(naming, "chatbot", "slack")),
        containerRepositories: containerRepositoriesArn(naming),
    };
}

/** Matches only the environment key: every KMS key of the account is `key/*`, so the alias tells them apart. */
const environmentKeyOnly = (naming: Naming) => ({ "ForAnyValue:StringEquals": { "kms:ResourceAliases": keyAliasName(naming) } });

/** IAM actions that accept `iam:PermissionsBoundary`: allowed only on roles that carry the boundary. */
const BOUNDED_ROLE_CHANGES = [
    "iam:CreateRole",
    "iam:PutRolePermissionsBoundary",
    "iam:PutRolePolicy",
    "iam:DeleteRolePolicy",
    "iam:DetachRolePolicy",
    "iam:UpdateAssumeRolePolicy",
    "iam:DeleteRole",
];

/** Reads the provider makes on refresh, import and before every change. */
const READS = {
    iam: [
        "iam:GetRole",
        "iam:GetRolePolicy",
        "iam:ListRolePolicies",
        "iam:ListAttachedRolePolicies",
        "iam:ListInstanceProfilesForRole",
        "iam:ListRoleTags",
    ],
    oidc: ["iam:GetOpenIDConnectProvider", "iam:ListOpenIDConnectProviderTags"],
    boundary: ["iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListPolicyVersions", "iam:ListPolicyTags"],
    kms: ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags"],
    s3: BUCKET_READS,
    dynamodb: [
        "dynamodb:DescribeTable",
        "dynamodb:DescribeContinuousBackups",
        "dynamodb:DescribeTimeToLive",
        "dynamodb:DescribeKinesisStreamingDestination",
        "dynamodb:ListTagsOfResource",
    ],
    sns: ["sns:GetTopicAttributes", "sns:GetSubscriptionAttributes", "sns:ListSubscriptionsByTopic", "sns:ListTagsForResource"],
    cloudwatch: ["cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource", "cloudwatch:GetDashboard"],
    logs: ["logs:DescribeMetricFilters", "logs:ListTagsForResource"],
    ecr: ["ecr:DescribeRepositories", "ecr:GetLifecyclePolicy", "ecr:GetRepositoryPolicy", "ecr:ListTagsForResource"],
};

/** Actions AWS authorizes only on `*`: listing and creating where no ARN exists yet. */
const WILDCARD_ONLY = [
    "kms:CreateKey",
    "kms:ListAliases",
    "kms:ListKeys",
    "logs:DescribeLogGroups",
    "chatbot:CreateSlackChannelConfiguration",
    "chatbot:DescribeSlackChannelConfigurations",
    "chatbot:ListTagsForResource",
];

/** What {@link foundationResources} names: the ARNs the foundation's statements are granted on. */
type FoundationResources = ReturnType<typeof foundationResources>;

/** Roles only with the boundary, the bootstrap tier left alone, the chatbot's role passed, the OIDC providers. */
function identityStatements(args: PermissionsArgs, r: FoundationResources): Statement[] {
    return [
        {
            Sid: "RolesOnlyWithTheBoundary",
            Effect: "Allow",
            Action: BOUNDED_ROLE_CHANGES,
            Resource: r.roles,
            Condition: { StringEquals: { "iam:PermissionsBoundary": r.boundary } },
        },
        {
            Sid: "RoleUpkeep",
            Effect: "Allow",
            Action: [...READS.iam, "iam:TagRole", "iam:UntagRole", "iam:UpdateRole", "iam:UpdateRoleDescription"],
            Resource: r.roles,
        },
        ...bootstrapTierDenials(args.naming, args.bootstrapRoleNames),
        {
            Sid: "PassOnlyTheChatbotRole",
            Effect: "Allow",
            Action: "iam:PassRole",
            Resource: r.chatbotRole,
            Condition: { StringEquals: { "iam:PassedToService": "chatbot.amazonaws.com" } },
        },
        {
            Sid: "GithubOidcProvider",
            Effect: "Allow",
            Action: [
                ...READS.oidc,
                "iam:CreateOpenIDConnectProvider",
                "iam:UpdateOpenIDConnectProviderThumbprint",
                "iam:AddClientIDToOpenIDConnectProvider",
                "iam:RemoveClientIDFromOpenIDConnectProvider",
                "iam:TagOpenIDConnectProvider",
                "iam:UntagOpenIDConnectProvider",
            ],
            Resource: r.oidcProvider,
        },
        // Pulumi Cloud mode: Deployments' provider is administrator-owned; refresh and drift runs only read it.
        { Sid: "ReadPulumiOidcProvider", Effect: "Allow", Action: READS.oidc, Resource: r.pulumiOidcProvider },
        { Sid: "ReadTheBoundary", Effect: "Allow", Action: READS.boundary, Resource: r.boundary },
    ];
}

/** The environment key: its upkeep, grants to the storage it encrypts, and its alias bound once. */
function environmentKeyStatements(naming: Naming, r: FoundationResources): Statement[] {
    return [
        {
            Sid: "EnvironmentKey",
            Effect: "Allow",
            Action: [...READS.kms, "kms:EnableKeyRotation", "kms:UpdateKeyDescription", "kms:TagResource", "kms:UntagResource"],
            Resource: r.keys,
            Condition: environmentKeyOnly(naming),
        },
        {
            // DynamoDB and CloudWatch Logs take grants on the key when a table or log group is encrypted with
            // it; a grant to anyone else (another account, a role) would hand the key out.
            Sid: "EnvironmentKeyGrantsForStorage",
            Effect: "Allow",
            Action: "kms:CreateGrant",
            Resource: r.keys,
            Condition: { ...environmentKeyOnly(naming), Bool: { "kms:GrantIsForAWSResource": "true" } },
        },
        {
            // Alias actions take no kms:ResourceAliases, so the alias is named. Every policy names the key
            // through it, so retargeting or deleting it is the administrator's (the boundary denies both):
            // CreateAlias can bind the alias only while it does not exist.
            Sid: "EnvironmentKeyAlias",
            Effect: "Allow",
            Action: "kms:CreateAlias",
            Resource: [r.keyAlias, r.keys],
        },
    ];
}

/** The state and access-log buckets, and the ledger and lock tables. */
function storageStatements(r: FoundationResources): Statement[] {
    return [
        {
            Sid: "Buckets",
            Effect: "Allow",
            Action: [
                ...READS.s3,
                "s3:CreateBucket",
                "s3:PutBucketTagging",
                // Deleting either bucket and changing its protective settings (policy, ACL, ownership,
                // public access block, encryption, versioning, lifecycle, logging, replication, object lock)
                // are the administrator's: the boundary denies them, and this policy does not grant them.
            ],
            Resource: r.buckets,
        },
        {
            Sid: "Tables",
            Effect: "Allow",
            Action: [...READS.dynamodb, ...TABLE_WRITES],
            Resource: r.tables,
        },
    ];
}

/** Topics, alarms, the dashboard, the audit log group, the CloudTrail metric filter and the Slack configurations. */
function monitoringStatements(r: FoundationResources): Statement[] {
    return [
        {
            Sid: "Topics",
            Effect: "Allow",
            Action: [
                ...READS.sns,
                "sns:CreateTopic",
                "sns:DeleteTopic",
                "sns:SetTopicAttributes",
                "sns:Subscribe",
                "sns:Unsubscribe",
                "sns:SetSubscriptionAttributes",
                "sns:TagResource",
                "sns:UntagResource",
            ],
            Resource: r.topics,
        },
        {
            Sid: "AlarmsAndDashboard",
            Effect: "Allow",
            Action: [
                ...READS.cloudwatch,
                "cloudwatch:PutMetricAlarm",
                "cloudwatch:DeleteAlarms",
                "cloudwatch:TagResource",
                "cloudwatch:UntagResource",
                "cloudwatch:PutDashboard",
                "cloudwatch:DeleteDashboards",
            ],
            Resource: [r.alarms, r.dashboards],
        },
        {
            // Its retention, its key's removal and its deletion are the administrator's: the boundary denies them.
            Sid: "AuditLogGroup",
            Effect: "Allow",
            Action: [...READS.logs, "logs:CreateLogGroup", "logs:AssociateKmsKey", "logs:TagResource", "logs:UntagResource"],
            Resource: r.auditLogGroup,
        },
        ...(r.cloudTrailLogGroup.length
            ? [
                  {
                      Sid: "CloudTrailMetricFilter",
                      Effect: "Allow" as const,
                      Action: ["logs:DescribeMetricFilters", "logs:PutMetricFilter", "logs:DeleteMetricFilter"],
                      Resource: r.cloudTrailLogGroup,
                  },
              ]
            : []),
        {
            Sid: "OwnChatConfigurations",
            Effect: "Allow",
            Action: [
                "chatbot:UpdateSlackChannelConfiguration",
                "chatbot:DeleteSlackChannelConfiguration",
                "chatbot:TagResource",
                "chatbot:UntagResource",
            ],
            Resource: r.chatConfigurations,
        },
    ];
}

/** The foundation's own deployer: every resource type the program manages, within the boundary. */
export function foundationDeployerStatements(args: PermissionsArgs): Statement[] {
    const r = foundationResources(args.naming, args.cloudTrailLogGroup);
    return [
        ...identityStatements(args, r),
        { Sid: "CreateAndList", Effect: "Allow", Action: WILDCARD_ONLY, Resource: "*" },
        ...environmentKeyStatements(args.naming, r),
        ...storageStatements(r),
        ...monitoringStatements(r),
        // The container services' repositories; their policy, tag mutability and scanning the boundary keeps as created.
        {
            Sid: "ContainerRepositories",
            Effect: "Allow",
            Action: [
                ...READS.ecr,
                "ecr:CreateRepository",
                "ecr:DeleteRepository",
                "ecr:PutLifecyclePolicy",
                "ecr:DeleteLifecyclePolicy",
                "ecr:TagResource",
                "ecr:UntagResource",
            ],
            Resource: r.containerRepositories,
        },
    ];
}

/** The foundation's previewer: the same reads, nothing that writes. */
export function foundationPreviewerStatements(args: PermissionsArgs): Statement[] {
    const r = foundationResources(args.naming, args.cloudTrailLogGroup);
    return [
        { Sid: "ReadRoles", Effect: "Allow", Action: READS.iam, Resource: r.roles },
        { Sid: "ReadGithubOidcProvider", Effect: "Allow", Action: READS.oidc, Resource: r.oidcProvider },
        { Sid: "ReadPulumiOidcProvider", Effect: "Allow", Action: READS.oidc, Resource: r.pulumiOidcProvider },
        { Sid: "ReadTheBoundary", Effect: "Allow", Action: READS.boundary, Resource: r.boundary },
        {
            Sid: "List",
            Effect: "Allow",
            Action: [
                "kms:ListAliases",
                "kms:ListKeys",
                "logs:DescribeLogGroups",
                "chatbot:DescribeSlackChannelConfigurations",
                "chatbot:ListTagsForResource",
            ],
            Resource: "*",
        },
        { Sid: "ReadKey", Effect: "Allow", Action: READS.kms, Resource: r.keys, Condition: environmentKeyOnly(args.naming) },
        { Sid: "ReadBuckets", Effect: "Allow", Action: READS.s3, Resource: r.buckets },
        { Sid: "ReadTables", Effect: "Allow", Action: READS.dynamodb, Resource: r.tables },
        { Sid: "ReadTopics", Effect: "Allow", Action: READS.sns, Resource: r.topics },
        { Sid: "ReadAlarmsAndDashboard", Effect: "Allow", Action: READS.cloudwatch, Resource: [r.alarms, r.dashboards] },
        { Sid: "ReadAuditLogGroup", Effect: "Allow", Action: READS.logs, Resource: r.auditLogGroup },
        { Sid: "ReadContainerRepositories", Effect: "Allow", Action: READS.ecr, Resource: r.containerRepositories },
        ...(r.cloudTrailLogGroup.length
            ? [
                  {
                      Sid: "ReadCloudTrailMetricFilter",
                      Effect: "Allow" as const,
                      Action: "logs:DescribeMetricFilters",
                      Resource: r.cloudTrailLogGroup,
                  },
              ]
            : []),
    ];
}
