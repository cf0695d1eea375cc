import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { accessLogBucketName, stateBucketName, type Naming } from "../shared/names";
import { bucketArn } from "../shared/arns";
import { policyDocument, type PolicyDocument } from "./policyDocument";
import { declarePrivateBucket } from "./privateBucket";

/** Arguments for {@link StateAccessLog}. */
export interface StateAccessLogArgs {
    readonly naming: Naming;
    /** The state bucket whose requests are logged. */
    readonly stateBucket: pulumi.Input<string>;
    /** Days a log object is kept: the audit logs' retention (seven years in prod). */
    readonly retentionDays: number;
}

/**
 * Who read or wrote which state object, and when: the state bucket's S3 server access logs, delivered to
 * `<prefix>-state-access-logs-<env>`. S3 delivers server access logs only to a bucket encrypted with SSE-S3,
 * so this bucket uses AES256 and not the environment key; everything else matches the state bucket.
 */
export class StateAccessLog extends pulumi.ComponentResource {
    public readonly bucket: aws.s3.Bucket;
    public readonly bucketName: string;

    constructor(name: string, args: StateAccessLogArgs, opts?: pulumi.ComponentResourceOptions) {
        super("cicd:state:StateAccessLog", name, {}, opts);
        const child = { parent: this };
        this.bucketName = accessLogBucketName(args.naming);

        this.bucket = declarePrivateBucket(
            name,
            {
                naming: args.naming,
                bucketName: this.bucketName,
                encryption: { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
                policy: accessLogBucketPolicy(args.naming),
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
                        id: "keep-like-the-audit-logs",
                        status: "Enabled",
                        filter: {},
                        expiration: { days: args.retentionDays },
                        noncurrentVersionExpiration: { noncurrentDays: args.retentionDays },
                    },
                ],
            },
            child,
        );
        // The target is the plain name, so the logging settings are known in a first preview.
        new aws.s3.BucketLogging(
            name,
            { bucket: args.stateBucket, targetBucket: this.bucketName, targetPrefix: `${stateBucketName(args.naming)}/` },
            { parent: this, dependsOn: [this.bucket] },
        );
        this.registerOutputs({ bucketName: this.bucketName });
    }
}

/** S3's log delivery may write, only for this account's state bucket; nobody may use the bucket without TLS. */
export function accessLogBucketPolicy(naming: Naming): PolicyDocument {
    const logs = bucketArn(accessLogBucketName(naming));
    return policyDocument([
        {
            Sid: "S3LogDeliveryWritesStateAccessLogs",
            Effect: "Allow",
            Principal: { Service: "logging.s3.amazonaws.com" },
            Action: "s3:PutObject",
            Resource: `${logs}/*`,
            Condition: {
                StringEquals: { "aws:SourceAccount": naming.accountId },
                ArnEquals: { "aws:SourceArn": bucketArn(stateBucketName(naming)) },
            },
        },
        {
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: [logs, `${logs}/*`],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
    ]);
}
