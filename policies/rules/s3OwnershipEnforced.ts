import { bucketSettings, inlineAclProblems } from "../lib/buckets";
import { stackRule } from "../lib/rule";
import { BUCKET_SETTING_TYPES } from "../lib/types";
import { read } from "../lib/values";

/**
 * Every bucket (`Bucket` or the deprecated `BucketV2`) disables ACLs (BucketOwnerEnforced), so access is
 * decided by policies alone; a bucket sets no ACL inline (`acl` other than private, `grants`).
 * @severity high
 */
export const s3OwnershipEnforced = stackRule({
    name: "s3-ownership-enforced",
    description: "Every S3 bucket sets object ownership to BucketOwnerEnforced (ACLs disabled) and grants nothing by ACL inline.",
    severity: "high",
    remediationSteps: "Add a BucketOwnershipControls for the bucket with rule.objectOwnership BucketOwnerEnforced.",
    url: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html",
    check: (resources, { notApplicable }) =>
        bucketSettings(resources, BUCKET_SETTING_TYPES.ownershipControls, notApplicable).flatMap(({ bucket, settings }) => {
            const enforced = settings.some((s) => {
                const ownership = read(() => (s.props.rule as { objectOwnership?: unknown } | undefined)?.objectOwnership);
                return ownership.known && ownership.value === "BucketOwnerEnforced";
            });
            const findings = enforced
                ? []
                : [{ resource: bucket, message: `Bucket '${bucket.name}' must set object ownership to BucketOwnerEnforced.` }];
            // ACLs given inline on the bucket: S3 refuses them once ACLs are disabled, and they grant access otherwise.
            const acl = inlineAclProblems(bucket);
            if (acl.length > 0)
                findings.push({
                    resource: bucket,
                    message: `Bucket '${bucket.name}' must not use ACLs: ${acl.join(", and ")}; grant access by policy.`,
                });
            return findings;
        }),
});
