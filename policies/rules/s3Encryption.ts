import { bucketSettings } from "../lib/buckets";
import { stackRule } from "../lib/rule";
import { TYPES } from "../lib/types";
import { asArray, read } from "../lib/values";

/**
 * Every bucket has a server-side encryption configuration; in sit and prod SSE-KMS with a customer key
 * of this stack. The key ARN is unknown in a first preview, so the key is recognised by the property
 * dependency of `rules` on a KMS key resource, never by reading the ARN.
 * @severity high
 */
export const s3Encryption = stackRule({
    name: "s3-encryption",
    description: "Every S3 bucket is encrypted; in sit and prod with SSE-KMS and a customer-managed key.",
    severity: "high",
    remediationSteps:
        "Add a BucketServerSideEncryptionConfiguration with sseAlgorithm aws:kms and kmsMasterKeyId set to the environment key.",
    url: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html",
    check: (resources, { environment, notApplicable }) =>
        bucketSettings(resources, TYPES.bucketEncryption, notApplicable).flatMap(({ bucket, settings }) => {
            if (settings.length === 0)
                return [{ resource: bucket, message: `Bucket '${bucket.name}' has no server-side encryption configuration.` }];
            if (environment === "dev") return [];
            const customerKey = settings.some((s) => {
                const keyFromStack = (s.propertyDependencies.rules ?? []).some((dep) => dep.type === TYPES.key);
                const rules = read(() => asArray(s.props.rules as Record<string, Record<string, unknown>>[]));
                if (!rules.known) return keyFromStack;
                return rules.value.some((rule) => {
                    const byDefault = rule.applyServerSideEncryptionByDefault ?? {};
                    const algorithm = read(() => byDefault.sseAlgorithm);
                    return algorithm.known && algorithm.value === "aws:kms" && keyFromStack;
                });
            });
            return customerKey
                ? []
                : [
                      {
                          resource: bucket,
                          message: `Bucket '${bucket.name}' must use SSE-KMS with this stack's customer-managed key in ${environment}.`,
                      },
                  ];
        }),
});
