import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { bucketArn } from "../shared/arns";
import { lockTableName, stateBucketName, type Naming } from "../shared/names";
import { policyDocument, type PolicyDocument } from "./policyDocument";
import { declarePrivateBucket } from "./privateBucket";
import { statefulProtection } from "./protection";
import { StateAccessLog } from "./stateAccessLog";

/** Arguments for {@link StateBackend}. */
export interface StateBackendArgs {
    readonly naming: Naming;
    /** The environment key (SSE-KMS for objects, SSE for the lock table). */
    readonly keyArn: pulumi.Input<string>;
    /** Days before a noncurrent state version expires. Defaults to 90. */
    readonly noncurrentVersionDays: number;
    /** Days before an incomplete multipart upload is aborted. Defaults to 7. */
    readonly abortIncompleteUploadDays: number;
    /** Creates the Terraform lock table when true (the Terraform repositories need it). */
    readonly terraformLockTable: boolean;
    /** Days the state bucket's access logs are kept: the audit logs' retention. */
    readonly accessLogRetentionDays: number;
}

/** The environment's state bucket (Pulumi and Terraform state of every repository) and its lock table. */
export class StateBackend extends pulumi.ComponentResource {
    public readonly bucket: aws.s3.Bucket;
    public readonly bucketName: string;
    public readonly lockTable?: aws.dynamodb.Table;
    public readonly lockTableName?: string;
    public readonly accessLog: StateAccessLog;

    constructor(name: string, args: StateBackendArgs, opts?: pulumi.ComponentResourceOptions) {
        super("cicd:state:StateBackend", name, {}, opts);
        const protection = statefulProtection(args.naming.environment);
        const stateful = { parent: this, protect: protection.protect, retainOnDelete: protection.retainOnDelete };
        const child = { parent: this };
        this.bucketName = stateBucketName(args.naming);

        this.bucket = declarePrivateBucket(
            name,
            {
                naming: args.naming,
                bucketName: this.bucketName,
                encryption: {
                    applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.keyArn },
                    // One data key per bucket instead of one KMS call per object: cheaper, same protection.
                    bucketKeyEnabled: true,
                },
                policy: tlsOnlyBucketPolicy(this.bucketName),
            },
            this,
        );
        const bucket = this.bucket.id;
        new aws.s3.BucketLifecycleConfiguration(
            name,
            {
                bucket,
                rules: [
                    {
                        id: "expire-noncurrent-state-versions",
                        status: "Enabled",
                        filter: {},
                        noncurrentVersionExpiration: { noncurrentDays: args.noncurrentVersionDays },
                    },
                    {
                        id: "abort-incomplete-uploads",
                        status: "Enabled",
                        filter: {},
                        abortIncompleteMultipartUpload: { daysAfterInitiation: args.abortIncompleteUploadDays },
                    },
                ],
            },
            child,
        );

        this.accessLog = new StateAccessLog(
            `${name}-access-logs`,
            { naming: args.naming, stateBucket: bucket, retentionDays: args.accessLogRetentionDays },
            { parent: this },
        );

        if (args.terraformLockTable) {
            this.lockTableName = lockTableName(args.naming);
            this.lockTable = new aws.dynamodb.Table(
                `${name}-lock`,
                {
                    name: this.lockTableName,
                    billingMode: "PAY_PER_REQUEST",
                    hashKey: "LockID",
                    attributes: [{ name: "LockID", type: "S" }],
                    pointInTimeRecovery: { enabled: true },
                    serverSideEncryption: { enabled: true, kmsKeyArn: args.keyArn },
                    deletionProtectionEnabled: protection.deletionProtectionEnabled,
                },
                stateful,
            );
        }
        this.registerOutputs({
            bucketName: this.bucketName,
            lockTableName: this.lockTableName,
            accessLogBucket: this.accessLog.bucketName,
        });
    }
}

/** Denies every request that does not use TLS, whoever makes it. */
export function tlsOnlyBucketPolicy(bucketName: string): PolicyDocument {
    return policyDocument([
        {
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: [bucketArn(bucketName), `${bucketArn(bucketName)}/*`],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
    ]);
}
