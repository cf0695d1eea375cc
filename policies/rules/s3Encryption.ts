import type { PolicyResource } from "@pulumi/policy";
import { bucketSettings, inlineEncryption, inlineLogTargets } from "../lib/buckets";
import { stackRule } from "../lib/rule";
import { BUCKET_SETTING_TYPES, isBucket, TYPES } from "../lib/types";
import { asArray, read } from "../lib/values";

type Rules = Record<string, Record<string, unknown>>[];

/** The algorithms a bucket's encryption settings name (unknown ones are left out). */
function algorithms(settings: PolicyResource[]): string[] {
    return settings.flatMap((s) => {
        const rules = read(() => asArray(s.props.rules as Rules));
        if (!rules.known) return [];
        return rules.value.flatMap((rule) => {
            const algorithm = read(() => (rule.applyServerSideEncryptionByDefault ?? {}).sseAlgorithm);
            return algorithm.known && typeof algorithm.value === "string" ? [algorithm.value] : [];
        });
    });
}

/**
 * The names of buckets that receive S3 server access logs: some BucketLogging's `targetBucket` (or a
 * bucket's inline logging), a plain name known in a first preview. S3 delivers access logs only to
 * SSE-S3 buckets.
 */
function accessLogTargets(resources: PolicyResource[]): Set<string> {
    const names = new Set<string>();
    const logging: readonly string[] = BUCKET_SETTING_TYPES.logging;
    for (const r of resources) {
        if (isBucket(r.type)) for (const target of inlineLogTargets(r)) names.add(target);
        if (!logging.includes(r.type)) continue;
        const target = read(() => r.props.targetBucket);
        if (target.known && typeof target.value === "string") names.add(target.value);
    }
    return names;
}

/**
 * Every bucket (`Bucket` or the deprecated `BucketV2`) has a server-side encryption configuration, as a
 * separate resource or inline on the bucket; in sit and prod SSE-KMS with a customer key
 * of this stack. The key ARN is unknown in a first preview, so the key is recognised by the property
 * dependency of `rules` on a KMS key resource, never by reading the ARN. A bucket that receives server
 * access logs is the one exception: S3 cannot deliver logs to an SSE-KMS bucket, so there AES256 is
 * required instead.
 * @severity high
 */
export const s3Encryption = stackRule({
    name: "s3-encryption",
    description:
        "Every S3 bucket is encrypted; in sit and prod with SSE-KMS and a customer-managed key, except an access-log target bucket, which uses AES256.",
    severity: "high",
    remediationSteps:
        "Add a BucketServerSideEncryptionConfiguration with sseAlgorithm aws:kms and kmsMasterKeyId set to the environment key (AES256 for the access-log bucket).",
    url: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html",
    check: (resources, { environment, notApplicable }) => {
        const logTargets = accessLogTargets(resources);
        return bucketSettings(resources, BUCKET_SETTING_TYPES.encryption, notApplicable).flatMap(({ bucket, settings }) => {
            // Settings given inline on the bucket (deprecated, still applied by the provider) count as well; a
            // wrong inline setting fails even beside a right separate one, since the two fight over the bucket.
            const inline = inlineEncryption(bucket);
            if (settings.length === 0 && inline === undefined)
                return [{ resource: bucket, message: `Bucket '${bucket.name}' has no server-side encryption configuration.` }];
            const bucketName = read(() => bucket.props.bucket);
            if (bucketName.known && typeof bucketName.value === "string" && logTargets.has(bucketName.value)) {
                const inlineKnown = inline === undefined || inline.algorithms.known;
                const used = [...algorithms(settings), ...(inline?.algorithms.known ? inline.algorithms.value : [])];
                return inlineKnown && used.length > 0 && used.every((a) => a === "AES256")
                    ? []
                    : [{ resource: bucket, message: `Bucket '${bucket.name}' receives S3 access logs, so it must use AES256 (SSE-S3).` }];
            }
            if (environment === "dev") return [];
            const customerKey = settings.some((s) => {
                const keyFromStack = (s.propertyDependencies.rules ?? []).some((dep) => dep.type === TYPES.key);
                const rules = read(() => asArray(s.props.rules as Rules));
                if (!rules.known) return keyFromStack;
                return keyFromStack && algorithms([s]).includes("aws:kms");
            });
            const inlineCustomerKey =
                inline === undefined ||
                (inline.algorithms.known
                    ? inline.keyFromStack && inline.algorithms.value.length > 0 && inline.algorithms.value.every((a) => a === "aws:kms")
                    : inline.keyFromStack);
            return inlineCustomerKey && (settings.length === 0 || customerKey)
                ? []
                : [
                      {
                          resource: bucket,
                          message: `Bucket '${bucket.name}' must use SSE-KMS with this stack's customer-managed key in ${environment}.`,
                      },
                  ];
        });
    },
});
