/** Resource type tokens the rules check; plain strings, so the pack loads no provider SDK at start-up. */
export const TYPES = {
    bucket: "aws:s3/bucket:Bucket",
    /** Deprecated in @pulumi/aws v7 but still creates a bucket: judged as one. */
    bucketV2: "aws:s3/bucketV2:BucketV2",
    bucketVersioning: "aws:s3/bucketVersioning:BucketVersioning",
    bucketVersioningV2: "aws:s3/bucketVersioningV2:BucketVersioningV2",
    bucketEncryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    bucketEncryptionV2: "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
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
    bucketLoggingV2: "aws:s3/bucketLoggingV2:BucketLoggingV2",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    githubEnvironment: "github:index/repositoryEnvironment:RepositoryEnvironment",
    githubEnvironmentSecret: "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret",
    githubSecret: "github:index/actionsSecret:ActionsSecret",
    githubRuleset: "github:index/repositoryRuleset:RepositoryRuleset",
    githubDeploymentPolicy: "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy",
} as const;

/** Every type that creates an S3 bucket: a rule about buckets judges each of them. */
export const BUCKET_TYPES: readonly string[] = [TYPES.bucket, TYPES.bucketV2];

export const isBucket = (type: string): boolean => BUCKET_TYPES.includes(type);

/**
 * A bucket's separate settings, by what they set: each deprecated `...V2` type writes the same S3
 * configuration as its successor, so both count.
 */
export const BUCKET_SETTING_TYPES = {
    versioning: [TYPES.bucketVersioning, TYPES.bucketVersioningV2],
    encryption: [TYPES.bucketEncryption, TYPES.bucketEncryptionV2],
    publicAccessBlock: [TYPES.bucketPublicAccessBlock],
    ownershipControls: [TYPES.bucketOwnershipControls],
    policy: [TYPES.bucketPolicy],
    logging: [TYPES.bucketLogging, TYPES.bucketLoggingV2],
} as const satisfies Record<string, readonly string[]>;

/** What must survive `pulumi destroy` and removal from the program in prod. */
export const STATEFUL_TYPES: readonly string[] = [...BUCKET_TYPES, TYPES.table, TYPES.key, TYPES.oidcProvider, TYPES.logGroup];

/** AWS types of this program that accept tags; each must carry the environment tag. */
export const TAGGABLE_TYPES: readonly string[] = [
    ...BUCKET_TYPES,
    TYPES.table,
    TYPES.key,
    TYPES.oidcProvider,
    TYPES.role,
    TYPES.topic,
    TYPES.logGroup,
    TYPES.metricAlarm,
    "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration",
];
