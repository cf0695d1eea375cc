import { bucketSettings, inlineVersioning } from "../lib/buckets";
import { stackRule } from "../lib/rule";
import { BUCKET_SETTING_TYPES } from "../lib/types";
import { read } from "../lib/values";

/**
 * State buckets (`Bucket` or the deprecated `BucketV2`) keep every version, set by a BucketVersioning
 * (or BucketVersioningV2) or inline on the bucket: rollback to a prior state checkpoint depends on it.
 * @severity high
 */
export const stateBucketVersioned = stackRule({
    name: "state-bucket-versioned",
    description: "Every state bucket (<prefix>-state-<env>) has versioning enabled.",
    severity: "high",
    remediationSteps:
        "Add a BucketVersioning for the state bucket with versioningConfiguration.status Enabled (or versioning.enabled true inline).",
    url: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html",
    check: (resources, { notApplicable }) => {
        const stateBuckets = bucketSettings(resources, BUCKET_SETTING_TYPES.versioning, notApplicable).filter(({ bucket }) => {
            const name = read(() => bucket.props.bucket);
            return name.known && typeof name.value === "string" && /-state-(dev|sit|prod)$/.test(name.value);
        });
        if (stateBuckets.length === 0) notApplicable("no state bucket in this stack");
        return stateBuckets.flatMap(({ bucket, settings }) => {
            const separate = settings.some((s) => {
                const status = read(() => (s.props.versioningConfiguration as { status?: unknown } | undefined)?.status);
                return status.known && status.value === "Enabled";
            });
            // Inline versioning (deprecated, still applied) counts too; turned off inline it fails whatever else says.
            const inline = inlineVersioning(bucket);
            const enabled = inline === undefined ? separate : inline && (settings.length === 0 || separate);
            return enabled ? [] : [{ resource: bucket, message: `State bucket '${bucket.name}' must have versioning enabled.` }];
        });
    },
});
