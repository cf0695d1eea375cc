import { bucketSettings } from "../lib/buckets";
import { stackRule } from "../lib/rule";
import { BUCKET_SETTING_TYPES } from "../lib/types";
import { read } from "../lib/values";

const FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const;

/**
 * Every bucket (`Bucket` or the deprecated `BucketV2`) blocks public access with all four flags.
 * @severity critical
 */
export const s3PublicAccessBlocked = stackRule({
    name: "s3-public-access-blocked",
    description: "Every S3 bucket has a public access block with all four flags true.",
    severity: "critical",
    remediationSteps:
        "Add a BucketPublicAccessBlock for the bucket with blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets true.",
    url: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html",
    check: (resources, { notApplicable }) =>
        bucketSettings(resources, BUCKET_SETTING_TYPES.publicAccessBlock, notApplicable).flatMap(({ bucket, settings }) => {
            if (settings.length === 0) return [{ resource: bucket, message: `Bucket '${bucket.name}' has no public access block.` }];
            const off = FLAGS.filter((flag) => !settings.some((s) => read(() => s.props[flag]).known && s.props[flag] === true));
            return off.length === 0
                ? []
                : [{ resource: bucket, message: `Bucket '${bucket.name}' must block public access: ${off.join(", ")} not true.` }];
        }),
});
