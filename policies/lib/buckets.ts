import type { PolicyResource } from "@pulumi/policy";
import { dependentsByTarget } from "./rule";
import { BUCKET_TYPES, TYPES } from "./types";
import { asArray, read, type Read } from "./values";

/**
 * A bucket's settings are separate resources in @pulumi/aws v7. Each is matched to its bucket through
 * the property dependency of its `bucket` input: known in a first preview, when every id is unknown.
 * Every type that creates a bucket (`Bucket`, the deprecated `BucketV2`) is a bucket here, and every
 * type that writes the setting (the deprecated `...V2` settings too) a setting.
 */
export function bucketSettings(
    resources: PolicyResource[],
    settingTypes: string | readonly string[],
    notApplicable: (reason: string) => never,
): { bucket: PolicyResource; settings: PolicyResource[] }[] {
    const buckets = resources.filter((r) => BUCKET_TYPES.includes(r.type));
    if (buckets.length === 0) notApplicable("no S3 bucket in this stack");
    const indexes = asArray(settingTypes as string | string[]).map((type) => dependentsByTarget(resources, type, "bucket"));
    return buckets.map((bucket) => ({ bucket, settings: indexes.flatMap((byBucket) => byBucket.get(bucket.urn) ?? []) }));
}

/**
 * The deprecated inline inputs a bucket may still carry instead of separate settings. `Bucket` (v7) takes
 * one object each; `BucketV2` takes the same settings as lists (`serverSideEncryptionConfigurations`,
 * `versionings`, `loggings`) with list-valued leaves (`applyServerSideEncryptionByDefaults`).
 */
const INLINE: Record<string, { encryption: string; versioning: string; logging: string }> = {
    [TYPES.bucket]: { encryption: "serverSideEncryptionConfiguration", versioning: "versioning", logging: "logging" },
    [TYPES.bucketV2]: { encryption: "serverSideEncryptionConfigurations", versioning: "versionings", logging: "loggings" },
};

type Obj = Record<string, unknown>;
const objects = (value: unknown): Obj[] => asArray(value as Obj | Obj[] | undefined).filter((v) => typeof v === "object" && v !== null);

/** A bucket's inline default encryption: absent, or the algorithms it names and whether its key is one of this stack's. */
export interface InlineEncryption {
    /** The algorithms named (`aws:kms`, `AES256`); unknown when the configuration itself is unknown at preview. */
    readonly algorithms: Read<string[]>;
    /** The configuration depends on a KMS key resource of this stack (its ARN may be unknown in a first preview). */
    readonly keyFromStack: boolean;
}

export function inlineEncryption(bucket: PolicyResource): InlineEncryption | undefined {
    const spec = INLINE[bucket.type];
    if (!spec) return undefined;
    const present = read(() => objects(bucket.props[spec.encryption]).length > 0);
    if (present.known && !present.value) return undefined;
    const algorithms = read(() =>
        objects(bucket.props[spec.encryption]).flatMap((configuration) =>
            // Bucket: { rule: { applyServerSideEncryptionByDefault } }; BucketV2: { rules: [{ applyServerSideEncryptionByDefaults: [...] }] }.
            [...objects(configuration.rule), ...objects(configuration.rules)].flatMap((rule) =>
                [...objects(rule.applyServerSideEncryptionByDefault), ...objects(rule.applyServerSideEncryptionByDefaults)].map((d) =>
                    String(d.sseAlgorithm),
                ),
            ),
        ),
    );
    const keyFromStack = (bucket.propertyDependencies[spec.encryption] ?? []).some((dep) => dep.type === TYPES.key);
    return { algorithms, keyFromStack };
}

/** A bucket's inline versioning: absent (undefined), or whether it is enabled (unknown counts as not). */
export function inlineVersioning(bucket: PolicyResource): boolean | undefined {
    const spec = INLINE[bucket.type];
    if (!spec) return undefined;
    const settings = read(() => objects(bucket.props[spec.versioning]).map((v) => v.enabled));
    if (!settings.known) return false;
    if (settings.value.length === 0) return undefined;
    return settings.value.every((enabled) => enabled === true);
}

/** The buckets a bucket's inline logging sends its access logs to (names known at preview). */
export function inlineLogTargets(bucket: PolicyResource): string[] {
    const spec = INLINE[bucket.type];
    if (!spec) return [];
    const targets = read(() => objects(bucket.props[spec.logging]).map((l) => l.targetBucket));
    return targets.known ? targets.value.filter((t): t is string => typeof t === "string") : [];
}

/**
 * ACLs a bucket grants inline: a canned `acl` other than `private`, or explicit `grants`. With ownership
 * BucketOwnerEnforced S3 refuses both, so a program that sets them expects ACLs to work.
 */
export function inlineAclProblems(bucket: PolicyResource): string[] {
    if (!BUCKET_TYPES.includes(bucket.type)) return [];
    const problems: string[] = [];
    const acl = read(() => bucket.props.acl);
    if (!acl.known) problems.push("its acl is unknown at preview");
    else if (acl.value !== undefined && acl.value !== "private") problems.push(`it sets the ACL '${String(acl.value)}' inline`);
    const grants = read(() => asArray(bucket.props.grants as unknown[]).length);
    if (!grants.known || grants.value > 0) problems.push("it grants access by ACL (grants) inline");
    return problems;
}
