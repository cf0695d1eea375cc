import type { DeployScope, RepositoryKind } from "../../config";
import { DEPLOYMENT_METRIC_NAMESPACE } from "../../shared/metrics";
import { bucketArn, functionArn, keyArns, tableArn } from "../../shared/arns";
import { keyAliasName, ledgerTableName, stateBucketName, type Naming } from "../../shared/names";
import type { Statement } from "../policyDocument";

/**
 * How statements are written, shared by every kind of role: state, ledger, key and metric rights, and
 * the ARN patterns of a repository's resources. What each kind of role may do lives in its own file.
 */

export type { RepositoryKind };

/** What a role's rights are built from: the environment's names and one repository. */
export interface PermissionsArgs {
    readonly naming: Naming;
    readonly repository: string;
    readonly kind: RepositoryKind;
    readonly scope: DeployScope;
    readonly terraformLockTable: boolean;
    /** Deployer role names of the repositories that hold this program (administrator-owned). */
    readonly bootstrapRoleNames: readonly string[];
    /** CloudTrail log group the failed-assumption metric filter reads; the foundation deployer manages that filter. */
    readonly cloudTrailLogGroup?: string;
}

/** Where a repository's state lives in the environment's bucket: one prefix per repository. */
export const stateKeyPrefix = (repository: string) => `${repository}/`;

/** `pulumi login` URL of a repository's state in the environment's bucket. */
export const backendUrl = (bucket: string, repository: string, region: string) => `s3://${bucket}/${repository}?region=${region}&awssdk=v2`;

export function tableArns(naming: Naming, patterns: readonly string[]): string[] {
    return patterns.flatMap((p) => [tableArn(naming, p), `${tableArn(naming, p)}/index/*`]);
}
export function bucketArns(patterns: readonly string[]): string[] {
    return patterns.flatMap((p) => [bucketArn(p), `${bucketArn(p)}/*`]);
}
export function functionArns(naming: Naming, patterns: readonly string[]): string[] {
    return patterns.flatMap((p) => [functionArn(naming, p), `${functionArn(naming, p)}:*`]);
}

/**
 * The environment key, named through its alias (known before the key exists). `via` limits its use to
 * requests S3 or DynamoDB make on the caller's behalf, so the role cannot decrypt anything directly; only
 * the Pulumi repository, whose stack secrets are encrypted with the key, calls KMS itself.
 */
export function keyUse(naming: Naming, actions: string[], via?: readonly ("s3" | "dynamodb")[]): Statement {
    const aliases = { "kms:ResourceAliases": keyAliasName(naming) };
    const services = via?.map((service) => `${service}.${naming.region}.amazonaws.com`);
    return {
        Sid: via ? "UseEnvironmentKeyThroughStorage" : "UseEnvironmentKey",
        Effect: "Allow",
        Action: actions,
        Resource: keyArns(naming),
        Condition: services
            ? { "ForAnyValue:StringEquals": aliases, StringEquals: { "kms:ViaService": services } }
            : { "ForAnyValue:StringEquals": aliases },
    };
}

/** Lists and reads only the repository's own state prefix. */
export function stateRead(naming: Naming, repository: string): Statement[] {
    const bucket = bucketArn(stateBucketName(naming));
    const prefix = stateKeyPrefix(repository);
    return [
        {
            Sid: "ListOwnState",
            Effect: "Allow",
            Action: "s3:ListBucket",
            Resource: bucket,
            Condition: { StringLike: { "s3:prefix": [`${prefix}*`] } },
        },
        { Sid: "ReadStateBucketSettings", Effect: "Allow", Action: ["s3:GetBucketLocation", "s3:GetBucketVersioning"], Resource: bucket },
        { Sid: "ReadOwnState", Effect: "Allow", Action: "s3:GetObject", Resource: `${bucket}/${prefix}*` },
    ];
}

/** Writes the repository's own state prefix. Deleting an object only adds a delete marker: versions stay. */
export function stateWrite(naming: Naming, repository: string): Statement {
    return {
        Sid: "WriteOwnState",
        Effect: "Allow",
        Action: ["s3:PutObject", "s3:DeleteObject"],
        Resource: `${bucketArn(stateBucketName(naming))}/${stateKeyPrefix(repository)}*`,
    };
}

/**
 * Items of one service only: the ledger's partition key is the service (the repository name), and every
 * index a scoped role queries has the same partition key, so `dynamodb:LeadingKeys` covers them all.
 * `Null` keeps the statement from matching a request that names no key at all.
 */
export function ownServiceItems(service: string) {
    return { "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": [service] }, Null: { "dynamodb:LeadingKeys": "false" } };
}

/** Records and reads the service's own deployments in the environment's ledger. */
export function ledgerWrite(naming: Naming, service: string): Statement {
    const ledger = tableArn(naming, ledgerTableName(naming));
    return {
        Sid: "RecordOwnDeployments",
        Effect: "Allow",
        Action: ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:GetItem", "dynamodb:Query"],
        Resource: [ledger, `${ledger}/index/*`],
        Condition: ownServiceItems(service),
    };
}

export function ledgerRead(naming: Naming, service: string): Statement {
    const ledger = tableArn(naming, ledgerTableName(naming));
    return {
        Sid: "ReadOwnDeployments",
        Effect: "Allow",
        Action: ["dynamodb:GetItem", "dynamodb:Query"],
        Resource: [ledger, `${ledger}/index/*`],
        Condition: ownServiceItems(service),
    };
}

/** The deployment metric the recorder publishes; PutMetricData accepts no resource, so the namespace scopes it. */
export const publishDeploymentMetric: Statement = {
    Sid: "PublishDeploymentMetric",
    Effect: "Allow",
    Action: "cloudwatch:PutMetricData",
    Resource: "*",
    Condition: { StringEquals: { "cloudwatch:namespace": DEPLOYMENT_METRIC_NAMESPACE } },
};

/** What the AWS provider reads of a bucket on refresh and import: every deployer that manages buckets needs all of it. */
export const BUCKET_READS = [
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
];

/** What managing a table takes beyond reading it: create, update, delete, backups, TTL and tags. */
export const TABLE_WRITES = [
    "dynamodb:CreateTable",
    "dynamodb:UpdateTable",
    "dynamodb:DeleteTable",
    "dynamodb:UpdateContinuousBackups",
    "dynamodb:UpdateTimeToLive",
    "dynamodb:TagResource",
    "dynamodb:UntagResource",
];
