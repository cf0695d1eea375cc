import {
    accessLogBucketName,
    lambdaExecutionRoleSpace,
    ecsTaskRoleSpace,
    ledgerTableName,
    lockTableName,
    roleName,
    stateBucketName,
    type Naming,
    auditLogGroupName,
} from "../../shared/names";
import {
    boundaryPolicyArn,
    bucketArn,
    containerRepositoriesArn,
    keyAliasArn,
    logGroupArn,
    oidcProviderArn,
    pipelineRolesArn,
    pulumiOidcProviderArn,
    roleArn,
    tableArn,
} from "../../shared/arns";
import { policyDocument, type PolicyDocument, type Statement } from "../policyDocument";

/** Every IAM action that changes a role or lets someone act as it. */
export const ROLE_CHANGES = [
    "iam:AttachRolePolicy",
    "iam:DeleteRole",
    "iam:DeleteRolePermissionsBoundary",
    "iam:DeleteRolePolicy",
    "iam:DetachRolePolicy",
    "iam:PassRole",
    "iam:PutRolePermissionsBoundary",
    "iam:PutRolePolicy",
    "iam:TagRole",
    "iam:UntagRole",
    "iam:UpdateAssumeRolePolicy",
    "iam:UpdateRole",
    "iam:UpdateRoleDescription",
];

/**
 * Role changes IAM authorizes with the target role's `iam:PermissionsBoundary` (AWS's service authorization
 * reference for IAM lists the key on exactly these role actions, and on GetRole): the boundary denies each of
 * them on any role that does not carry it, wherever the role is and whoever created it.
 */
export const ROLE_CHANGES_BY_BOUNDARY = [
    "iam:AttachRolePolicy",
    "iam:CreateRole",
    "iam:DeleteRole",
    "iam:DeleteRolePolicy",
    "iam:DetachRolePolicy",
    "iam:PutRolePermissionsBoundary",
    "iam:PutRolePolicy",
    "iam:UpdateAssumeRolePolicy",
    "iam:UpdateRole",
    "iam:UpdateRoleDescription",
];

/**
 * What a pipeline may do to a role of this foundation, at most. Role actions IAM authorizes without the
 * target's boundary (iam:PassRole, iam:TagRole, iam:UntagRole, the instance-profile and service-linked-role
 * actions) cannot be conditioned on it: PassRole is allowed only on the spaces reserved for bounded roles,
 * tags stay (they grant nothing here), and the others are not allowed at all.
 */
const ROLE_ACTIONS = [
    ...ROLE_CHANGES_BY_BOUNDARY,
    "iam:GetRole",
    "iam:GetRolePolicy",
    "iam:ListAttachedRolePolicies",
    "iam:ListInstanceProfilesForRole",
    "iam:ListRolePolicies",
    "iam:ListRoleTags",
    "iam:TagRole",
    "iam:UntagRole",
];

/** Every IAM action that changes a managed policy. */
export const POLICY_CHANGES = [
    "iam:CreatePolicyVersion",
    "iam:DeletePolicy",
    "iam:DeletePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:TagPolicy",
    "iam:UntagPolicy",
];

/** The services whose resources the pipelines manage; `iam:` is granted on roles only, never on `*`. */
export const BOUNDED_SERVICES = [
    "s3:*",
    "dynamodb:*",
    "lambda:*",
    "kms:*",
    "sns:*",
    "cloudwatch:*",
    "logs:*",
    "chatbot:*",
    "codedeploy:*",
    "ecr:*",
    "ecs:*",
];

/** The services of {@link BOUNDED_SERVICES}, by prefix: the foundation's own names live there. */
export const FOUNDATION_SERVICES: readonly string[] = BOUNDED_SERVICES.map((s) => s.split(":")[0]);

/**
 * Services no organisation allow-list may add, each with the reason: they hold what the foundation guards
 * (identities, the key, the audit trail) or reach past the account's boundary (roles assumed, the organisation).
 */
export const GUARDED_SERVICES: Readonly<Record<string, string>> = {
    iam: "IAM is the foundation's: pipelines create roles only in the reserved, bounded name spaces",
    sts: "assuming other roles would step outside the boundary",
    kms: "the environment key and its policy are the foundation's",
    cloudtrail: "the audit trail is the foundation's",
    organizations: "the organisation is administered outside every pipeline",
    account: "the account's settings are administered outside every pipeline",
};

/**
 * What keeps a container repository's images trustworthy and its own: who else may pull or push (its policy),
 * immutable tags, scan on push, the registry's scanning and replication, and the images rollbacks return to.
 * Set when the foundation creates the repository; only an administrator changes them.
 */
const CONTAINER_REPOSITORY_GUARDS = [
    "ecr:SetRepositoryPolicy",
    "ecr:DeleteRepositoryPolicy",
    "ecr:PutImageTagMutability",
    "ecr:PutImageScanningConfiguration",
    "ecr:BatchDeleteImage",
];
const REGISTRY_GUARDS = [
    "ecr:PutRegistryPolicy",
    "ecr:DeleteRegistryPolicy",
    "ecr:PutReplicationConfiguration",
    "ecr:PutRegistryScanningConfiguration",
];

/**
 * S3 settings that keep the state and its access log private, encrypted, versioned, logged and in this
 * account: only an administrator changes them. The foundation deployer may rewrite any bounded role's trust
 * and policy, so these denials, not the roles' own policies, are what holds.
 */
const STATE_BUCKET_GUARDS = [
    "s3:DeleteBucket",
    "s3:DeleteBucketPolicy",
    "s3:PutBucketAcl",
    "s3:PutBucketLogging",
    "s3:PutBucketObjectLockConfiguration",
    "s3:PutBucketOwnershipControls",
    "s3:PutBucketPolicy",
    "s3:PutBucketPublicAccessBlock",
    "s3:PutBucketVersioning",
    "s3:PutEncryptionConfiguration",
    "s3:PutLifecycleConfiguration",
    "s3:PutReplicationConfiguration",
];

/** What keeps the audit log group's records: how long they stay, the key that encrypts them, the group itself. */
const AUDIT_LOG_GUARDS = ["logs:DeleteLogGroup", "logs:DeleteRetentionPolicy", "logs:DisassociateKmsKey", "logs:PutRetentionPolicy"];

/** The administrator-owned tier the pipeline never changes: the boundary and the foundation's deployer roles. */
export function bootstrapTierDenials(naming: Naming, bootstrapRoleNames: readonly string[]): Statement[] {
    return [
        {
            Sid: "BoundaryIsAdministratorOwned",
            Effect: "Deny",
            Action: POLICY_CHANGES,
            Resource: boundaryPolicyArn(naming),
        },
        {
            Sid: "BootstrapRolesAreAdministratorOwned",
            Effect: "Deny",
            Action: ROLE_CHANGES,
            Resource: bootstrapRoleNames.map((name) => roleArn(naming, name)),
        },
    ];
}

/** The ceiling: the services the pipelines manage, IAM only on the foundation's own roles and providers. */
function boundaryAllows(naming: Naming, added: readonly string[]): Statement[] {
    return [
        { Sid: "ServicesThePipelinesManage", Effect: "Allow", Action: [...BOUNDED_SERVICES, ...added], Resource: "*" },
        { Sid: "RolesOfThisFoundation", Effect: "Allow", Action: ROLE_ACTIONS, Resource: pipelineRolesArn(naming) },
        // A role is passed only where the program passes one: a Lambda service's execution roles (the
        // `<prefix>-lambda-*` space, reserved for bounded roles) to Lambda, the chatbot's role to Chatbot.
        {
            Sid: "PassExecutionRolesToLambda",
            Effect: "Allow",
            Action: "iam:PassRole",
            Resource: roleArn(naming, lambdaExecutionRoleSpace(naming)),
            Condition: { StringEquals: { "iam:PassedToService": "lambda.amazonaws.com" } },
        },
        // A Lambda service's rollout role (the `<prefix>-codedeploy-*` space, reserved for bounded roles) to CodeDeploy.
        {
            Sid: "PassRolloutRolesToCodeDeploy",
            Effect: "Allow",
            Action: "iam:PassRole",
            Resource: roleArn(naming, `${naming.prefix}-codedeploy-*`),
            Condition: { StringEquals: { "iam:PassedToService": "codedeploy.amazonaws.com" } },
        },
        // A container service's task and execution roles (the `<prefix>-ecs-*` space, reserved for bounded roles) to ECS tasks.
        {
            Sid: "PassTaskRolesToEcs",
            Effect: "Allow",
            Action: "iam:PassRole",
            Resource: roleArn(naming, ecsTaskRoleSpace(naming)),
            Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
        },
        {
            Sid: "PassTheChatbotRole",
            Effect: "Allow",
            Action: "iam:PassRole",
            Resource: roleArn(naming, roleName(naming, "chatbot", "slack")),
            Condition: { StringEquals: { "iam:PassedToService": "chatbot.amazonaws.com" } },
        },
        {
            Sid: "GithubOidcProvider",
            Effect: "Allow",
            Action: "iam:*OpenIDConnectProvider*",
            Resource: oidcProviderArn(naming.accountId, naming.githubOidcHost),
        },
        {
            Sid: "ReadPulumiOidcProvider",
            Effect: "Allow",
            Action: ["iam:GetOpenIDConnectProvider", "iam:ListOpenIDConnectProviderTags"],
            Resource: pulumiOidcProviderArn(naming.accountId),
        },
        {
            Sid: "ReadTheBoundary",
            Effect: "Allow",
            Action: ["iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListPolicyVersions", "iam:ListPolicyTags"],
            Resource: boundaryPolicyArn(naming),
        },
    ];
}

/** No role loses the boundary, and no role without it is created, changed, re-trusted or deleted. */
function roleDenials(naming: Naming): Statement[] {
    return [
        { Sid: "NoRoleLosesTheBoundary", Effect: "Deny", Action: "iam:DeleteRolePermissionsBoundary", Resource: "*" },
        // The target role's boundary, not its name, decides: a role without this boundary (an administrator's,
        // or one created before the foundation) is neither created, changed, re-trusted nor deleted by a pipeline.
        {
            Sid: "NoRoleWithoutTheBoundary",
            Effect: "Deny",
            Action: ROLE_CHANGES_BY_BOUNDARY,
            Resource: "*",
            Condition: { StringNotEquals: { "iam:PermissionsBoundary": boundaryPolicyArn(naming) } },
        },
    ];
}

/** The state and its access log keep their settings and their versions. */
function stateDenials(naming: Naming): Statement[] {
    const guardedBuckets = [stateBucketName(naming), accessLogBucketName(naming)].map(bucketArn);
    return [
        { Sid: "StateSettingsStay", Effect: "Deny", Action: STATE_BUCKET_GUARDS, Resource: guardedBuckets },
        {
            Sid: "StateVersionsStay",
            Effect: "Deny",
            Action: ["s3:DeleteObjectVersion", "s3:PutObjectRetention", "s3:BypassGovernanceRetention"],
            Resource: guardedBuckets.map((arn) => `${arn}/*`),
        },
    ];
}

/** Keys stay, keep their policies and their safety check; the environment key's alias stays on it. */
function keyDenials(naming: Naming): Statement[] {
    return [
        {
            Sid: "KeysStay",
            Effect: "Deny",
            Action: ["kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:DisableKeyRotation", "kms:DeleteImportedKeyMaterial"],
            Resource: "*",
        },
        {
            Sid: "KeyPoliciesKeepTheirSafetyCheck",
            Effect: "Deny",
            Action: "kms:CreateKey",
            Resource: "*",
            Condition: { Bool: { "kms:BypassPolicyLockoutSafetyCheck": "true" } },
        },
        // The key is created with its policy and refresh only reads it; a key policy can hand the key to
        // anyone, so changing one is an administrator's. No pipeline manages a key of its own.
        { Sid: "KeyPoliciesAreAdministratorOwned", Effect: "Deny", Action: "kms:PutKeyPolicy", Resource: "*" },
        // Every policy names the environment key through its alias: retargeting or deleting the alias
        // would hand those rights to another key. Alias actions take no kms:ResourceAliases, so the alias is named.
        {
            Sid: "KeyAliasStays",
            Effect: "Deny",
            Action: ["kms:DeleteAlias", "kms:UpdateAlias"],
            Resource: keyAliasArn(naming),
        },
    ];
}

/** The ledger, the locks, the audit log, the container repositories' and registry's settings and the OIDC provider stay. */
function recordDenials(naming: Naming): Statement[] {
    // CloudWatch Logs names a log group with or without a trailing `:*`, depending on the action.
    const auditLog = logGroupArn(naming, auditLogGroupName(naming));
    return [
        {
            Sid: "LedgerAndLocksStay",
            Effect: "Deny",
            Action: "dynamodb:DeleteTable",
            Resource: [tableArn(naming, ledgerTableName(naming)), tableArn(naming, lockTableName(naming))],
        },
        { Sid: "AuditLogStays", Effect: "Deny", Action: AUDIT_LOG_GUARDS, Resource: [auditLog, `${auditLog}:*`] },
        {
            Sid: "ContainerRepositorySettingsStay",
            Effect: "Deny",
            Action: CONTAINER_REPOSITORY_GUARDS,
            Resource: containerRepositoriesArn(naming),
        },
        { Sid: "RegistrySettingsStay", Effect: "Deny", Action: REGISTRY_GUARDS, Resource: "*" },
        { Sid: "OidcProviderStays", Effect: "Deny", Action: "iam:DeleteOpenIDConnectProvider", Resource: "*" },
    ];
}

/**
 * The permissions boundary of every role the program creates. Its Allow statements are the ceiling
 * (service wildcards, IAM only on the foundation's own roles); its Deny statements hold what no pipeline
 * may ever do, whatever a role's own policy says: change the bootstrap tier, create, change, re-trust or
 * delete a role without this boundary, destroy state, its access log, the ledger, the locks, the audit log or the key.
 */
export function permissionsBoundary(
    naming: Naming,
    bootstrapRoleNames: readonly string[],
    deployableServices: readonly string[] = [],
): PolicyDocument {
    // The organisation's allow-list raises the ceiling by exactly its services; the config refuses a guarded one.
    const added = [...new Set(deployableServices)]
        .filter((service) => !FOUNDATION_SERVICES.includes(service))
        .sort()
        .map((service) => `${service}:*`);
    return policyDocument([
        ...boundaryAllows(naming, added),
        ...bootstrapTierDenials(naming, bootstrapRoleNames),
        ...roleDenials(naming),
        ...stateDenials(naming),
        ...keyDenials(naming),
        ...recordDenials(naming),
    ]);
}
