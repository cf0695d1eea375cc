import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StackContext } from "./context";
import { bucketArn } from "../shared/arns";
import { lockTableName, stateBucketName } from "../shared/names";
import { policyDocument, type PolicyDocument } from "./policyDocument";
import { declarePrivateBucket } from "./privateBucket";
import { statefulProtection } from "./protection";
import { StateAccessLog } from "./stateAccessLog";

/** Arguments for {@link StateBackend}. */
export interface StateBackendArgs {
    /**
     * The stack's facts. From its config: `state.noncurrentVersionDays` (days before a noncurrent state version
     * expires), `state.abortIncompleteUploadDays` (before an incomplete upload is aborted), `state.terraformLockTable`
     * (creates the Terraform lock table) and `monitoring.logRetentionDays` (the access logs are kept as long as the
     * audit logs).
     */
    readonly context: StackContext;
    /** The environment key (SSE-KMS for objects, SSE for the lock table). */
    readonly keyArn: pulumi.Input<string>;
}

/** The environment's state bucket (Pulumi and Terraform state of every repository) and its lock table. */
export class StateBackend extends pulumi.ComponentResource {
    public readonly bucket: aws.s3.Bucket;
    public readonly bucketName: string;
    /** The Terraform lock table, when `state.terraformLockTable` asks for it. */
    public readonly lockTable?: aws.dynamodb.Table;
    /** The lock table's name, known before it exists (the stack output `backend.lockTable` carries it). */
    public readonly lockTableName?: string;
    public readonly accessLog: StateAccessLog;

    constructor(name: string, args: StateBackendArgs, opts?: pulumi.ComponentResourceOptions) {
        super("cicd:state:StateBackend", name, {}, opts);
        const { naming, config } = args.context;
        const protection = statefulProtection(naming.environment);
        const stateful = { parent: this, protect: protection.protect, retainOnDelete: protection.retainOnDelete };
        const child = { parent: this };
        this.bucketName = stateBucketName(naming);

        this.bucket = declarePrivateBucket(
            name,
            {
                naming,
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
                        noncurrentVersionExpiration: { noncurrentDays: config.state.noncurrentVersionDays },
                    },
                    {
                        id: "abort-incomplete-uploads",
                        status: "Enabled",
                        filter: {},
                        abortIncompleteMultipartUpload: { daysAfterInitiation: config.state.abortIncompleteUploadDays },
                    },
                ],
            },
            child,
        );

        this.accessLog = new StateAccessLog(
            `${name}-access-logs`,
            // Kept as long as the audit logs.
            { naming, stateBucket: bucket, retentionDays: config.monitoring.logRetentionDays },
            { parent: this },
        );

        if (config.state.terraformLockTable) {
            this.lockTableName = lockTableName(naming);
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
