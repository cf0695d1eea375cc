/** Resource type tokens the rules check; plain strings, so the pack loads no provider SDK at start-up. */
export const TYPES = {
    bucket: "aws:s3/bucket:Bucket",
    bucketVersioning: "aws:s3/bucketVersioning:BucketVersioning",
    bucketEncryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    bucketPublicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    bucketOwnershipControls: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    table: "aws:dynamodb/table:Table",
    key: "aws:kms/key:Key",
    oidcProvider: "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    rolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    policyAttachment: "aws:iam/policyAttachment:PolicyAttachment",
    managedPolicy: "aws:iam/policy:Policy",
    topic: "aws:sns/topic:Topic",
    topicPolicy: "aws:sns/topicPolicy:TopicPolicy",
    metricAlarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    bucketLogging: "aws:s3/bucketLogging:BucketLogging",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    githubEnvironment: "github:index/repositoryEnvironment:RepositoryEnvironment",
    githubEnvironmentSecret: "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret",
    githubSecret: "github:index/actionsSecret:ActionsSecret",
    githubRuleset: "github:index/repositoryRuleset:RepositoryRuleset",
    githubDeploymentPolicy: "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy",
} as const;

/** What must survive `pulumi destroy` and removal from the program in prod. */
export const STATEFUL_TYPES: readonly string[] = [TYPES.bucket, TYPES.table, TYPES.key, TYPES.oidcProvider, TYPES.logGroup];

/** AWS types of this program that accept tags; each must carry the environment tag. */
export const TAGGABLE_TYPES: readonly string[] = [
    TYPES.bucket,
    TYPES.table,
    TYPES.key,
    TYPES.oidcProvider,
    TYPES.role,
    TYPES.topic,
    TYPES.logGroup,
    TYPES.metricAlarm,
    "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration",
];
