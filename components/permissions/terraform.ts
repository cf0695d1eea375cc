import { bucketArn, lockTableName, stateBucketName, tableArn } from "../naming";
import type { Statement } from "../policyDocument";
import { BUCKET_READS, bucketArns, stateKeyPrefix, TABLE_WRITES, tableArns, type PermissionsArgs } from "./statements";

const TABLE_READS = [
    "dynamodb:DescribeTable",
    "dynamodb:DescribeContinuousBackups",
    "dynamodb:DescribeTimeToLive",
    "dynamodb:ListTagsOfResource",
];

/**
 * Terraform's S3 backend locks `<bucket>/<key>` (and keeps `<bucket>/<key>-md5`) in the lock table; a
 * repository's keys are under its own prefix, so `dynamodb:LeadingKeys` confines it to its own locks.
 */
export function ownLockItems(args: PermissionsArgs) {
    const path = `${stateBucketName(args.naming)}/${stateKeyPrefix(args.repository)}*`;
    return { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": [path] }, Null: { "dynamodb:LeadingKeys": "false" } };
}

/** A Terraform repository's deployer: its lock items, and the tables and buckets it declares. */
export function terraformDeployerStatements(args: PermissionsArgs): Statement[] {
    const { naming } = args;
    const bucket = bucketArn(stateBucketName(naming));
    const prefix = stateKeyPrefix(args.repository);
    const statements: Statement[] = [
        // Rollback by state version: the deployer reads an earlier version of its own state and pushes it back.
        { Sid: "ReadOwnStateVersions", Effect: "Allow", Action: "s3:GetObjectVersion", Resource: `${bucket}/${prefix}*` },
        {
            Sid: "ListOwnStateVersions",
            Effect: "Allow",
            Action: "s3:ListBucketVersions",
            Resource: bucket,
            Condition: { StringLike: { "s3:prefix": [`${prefix}*`] } },
        },
    ];
    if (args.terraformLockTable) {
        const table = tableArn(naming, lockTableName(naming));
        statements.push(
            {
                Sid: "TakeOwnStateLock",
                Effect: "Allow",
                Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"],
                Resource: table,
                Condition: ownLockItems(args),
            },
            { Sid: "DescribeLockTable", Effect: "Allow", Action: "dynamodb:DescribeTable", Resource: table },
        );
    }
    return [...statements, ...manageDeclaredStorage(args)];
}

/** The tables and buckets a repository declares (`deploys`), managed in full: shared by Terraform and served Pulumi. */
export function manageDeclaredStorage(args: PermissionsArgs): Statement[] {
    const { naming, scope } = args;
    const statements: Statement[] = [];
    if (scope.dynamodbTables.length > 0) {
        statements.push({
            Sid: "ManageRepositoryTables",
            Effect: "Allow",
            Action: [...TABLE_READS, ...TABLE_WRITES],
            Resource: tableArns(naming, scope.dynamodbTables),
        });
    }
    if (scope.s3Buckets.length > 0) {
        statements.push({
            Sid: "ManageRepositoryBuckets",
            Effect: "Allow",
            Action: [
                ...BUCKET_READS,
                "s3:CreateBucket",
                "s3:PutBucketTagging",
                "s3:PutBucketPolicy",
                "s3:PutBucketVersioning",
                "s3:PutBucketLogging",
                "s3:PutLifecycleConfiguration",
                "s3:PutEncryptionConfiguration",
                "s3:PutBucketPublicAccessBlock",
                "s3:PutBucketOwnershipControls",
                "s3:PutObject",
                "s3:GetObject",
            ],
            Resource: bucketArns(scope.s3Buckets),
        });
    }
    return statements;
}

/** `terraform plan -lock=false`: reads only, no lock table. */
export function terraformPreviewerStatements(args: PermissionsArgs): Statement[] {
    return readDeclaredStorage(args);
}

/** Reads of the tables and buckets a repository declares: what a plan or a preview refreshes. */
export function readDeclaredStorage(args: PermissionsArgs): Statement[] {
    const { naming, scope } = args;
    const statements: Statement[] = [];
    if (scope.dynamodbTables.length > 0) {
        statements.push({
            Sid: "ReadRepositoryTables",
            Effect: "Allow",
            Action: TABLE_READS,
            Resource: tableArns(naming, scope.dynamodbTables),
        });
    }
    if (scope.s3Buckets.length > 0) {
        statements.push({
            Sid: "ReadRepositoryBuckets",
            Effect: "Allow",
            Action: BUCKET_READS,
            Resource: scope.s3Buckets.map((p) => `arn:aws:s3:::${p}`),
        });
    }
    return statements;
}
