import type { PolicyResource } from "@pulumi/policy";
import { dependentsByTarget } from "./rule";
import { TYPES } from "./types";

/**
 * A bucket's settings are separate resources in @pulumi/aws v7. Each is matched to its bucket through
 * the property dependency of its `bucket` input: known in a first preview, when every id is unknown.
 */
export function bucketSettings(
    resources: PolicyResource[],
    settingType: string,
    notApplicable: (reason: string) => never,
): { bucket: PolicyResource; settings: PolicyResource[] }[] {
    const buckets = resources.filter((r) => r.type === TYPES.bucket);
    if (buckets.length === 0) notApplicable("no S3 bucket in this stack");
    const byBucket = dependentsByTarget(resources, settingType, "bucket");
    return buckets.map((bucket) => ({ bucket, settings: byBucket.get(bucket.urn) ?? [] }));
}
