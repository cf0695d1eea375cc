import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { PolicyDocument } from "./policyDocument";
import { statefulProtection } from "./protection";
import { type Naming } from "../shared/names";

/** What differs between the foundation's private buckets: their name, default encryption and bucket policy. */
export interface PrivateBucketArgs {
    readonly naming: Naming;
    readonly bucketName: string;
    readonly encryption: aws.types.input.s3.BucketServerSideEncryptionConfigurationRule;
    readonly policy: PolicyDocument;
}

/**
 * A bucket as the foundation keeps every bucket of its own: versioned, encrypted by default, every public
 * access blocked, ACLs off (BucketOwnerEnforced), its policy attached, and in prod protected and retained.
 * Declared as children of `parent` under `name`, so each component keeps its resources' names.
 */
export function declarePrivateBucket(name: string, args: PrivateBucketArgs, parent: pulumi.Resource): aws.s3.Bucket {
    const protection = statefulProtection(args.naming.environment);
    const stateful = { parent, protect: protection.protect, retainOnDelete: protection.retainOnDelete };
    const child = { parent };
    const created = new aws.s3.Bucket(name, { bucket: args.bucketName, forceDestroy: protection.forceDestroy }, stateful);
    const bucket = created.id;
    new aws.s3.BucketVersioning(name, { bucket, versioningConfiguration: { status: "Enabled" } }, stateful);
    new aws.s3.BucketServerSideEncryptionConfiguration(name, { bucket, rules: [args.encryption] }, child);
    new aws.s3.BucketPublicAccessBlock(
        name,
        { bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
        child,
    );
    new aws.s3.BucketOwnershipControls(name, { bucket, rule: { objectOwnership: "BucketOwnerEnforced" } }, child);
    new aws.s3.BucketPolicy(name, { bucket, policy: JSON.stringify(args.policy) }, child);
    return created;
}
