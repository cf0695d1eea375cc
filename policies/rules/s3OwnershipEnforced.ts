import { bucketSettings } from "../lib/buckets";
import { stackRule } from "../lib/rule";
import { TYPES } from "../lib/types";
import { read } from "../lib/values";

/**
 * Every bucket disables ACLs (BucketOwnerEnforced), so access is decided by policies alone.
 * @severity high
 */
export const s3OwnershipEnforced = stackRule({
    name: "s3-ownership-enforced",
    description: "Every S3 bucket sets object ownership to BucketOwnerEnforced (ACLs disabled).",
    severity: "high",
    remediationSteps: "Add a BucketOwnershipControls for the bucket with rule.objectOwnership BucketOwnerEnforced.",
    url: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html",
    check: (resources, { notApplicable }) =>
        bucketSettings(resources, TYPES.bucketOwnershipControls, notApplicable).flatMap(({ bucket, settings }) => {
            const enforced = settings.some((s) => {
                const ownership = read(() => (s.props.rule as { objectOwnership?: unknown } | undefined)?.objectOwnership);
                return ownership.known && ownership.value === "BucketOwnerEnforced";
            });
            return enforced
                ? []
                : [{ resource: bucket, message: `Bucket '${bucket.name}' must set object ownership to BucketOwnerEnforced.` }];
        }),
});
