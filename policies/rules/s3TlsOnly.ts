import { bucketSettings } from "../lib/buckets";
import { stackRule } from "../lib/rule";
import { BUCKET_SETTING_TYPES } from "../lib/types";
import { asArray, parseDocument, read } from "../lib/values";

interface Statement {
    Effect?: string;
    Principal?: unknown;
    Action?: string | string[];
    Condition?: Record<string, Record<string, unknown>>;
}

/** A Deny for everyone, on every S3 action, when the request is not over TLS. */
function deniesPlainHttp(statement: Statement): boolean {
    const secure = statement.Condition?.Bool?.["aws:SecureTransport"];
    const everyone = statement.Principal === "*" || (statement.Principal as { AWS?: unknown } | undefined)?.AWS === "*";
    return (
        statement.Effect === "Deny" && everyone && asArray(statement.Action).includes("s3:*") && (secure === false || secure === "false")
    );
}

/**
 * Every bucket's policy (a BucketPolicy, or the policy inline on a `Bucket` or deprecated `BucketV2`)
 * denies requests without TLS. The policy must be known at preview: it is built
 * from the bucket's name in config, so an unknown policy is itself a violation (fail closed).
 * @severity high
 */
export const s3TlsOnly = stackRule({
    name: "s3-tls-only",
    description: "Every S3 bucket has a bucket policy that denies requests without TLS (aws:SecureTransport false).",
    severity: "high",
    remediationSteps: "Add a BucketPolicy with tlsOnlyBucketPolicy(bucketName): Deny s3:* for * when aws:SecureTransport is false.",
    url: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html",
    check: (resources, { notApplicable }) =>
        bucketSettings(resources, BUCKET_SETTING_TYPES.policy, notApplicable).flatMap(({ bucket, settings }) => {
            // A policy given inline on the bucket (deprecated, still applied) is one of its policies.
            const inline = read(() => bucket.props.policy);
            const sources = [
                ...settings.map((s) => () => s.props.policy),
                ...(inline.known && !inline.value ? [] : [() => bucket.props.policy]),
            ];
            if (sources.length === 0)
                return [{ resource: bucket, message: `Bucket '${bucket.name}' has no bucket policy denying requests without TLS.` }];
            const policies = sources.map((policy) =>
                read(() => parseDocument(policy()) as { Statement?: Statement | Statement[] } | undefined),
            );
            if (policies.some((p) => !p.known)) {
                return [
                    {
                        resource: bucket,
                        message: `Bucket '${bucket.name}' has a bucket policy unknown at preview; build it from known names so it can be checked.`,
                    },
                ];
            }
            const ok = policies.some((p) => p.known && asArray(p.value?.Statement).some(deniesPlainHttp));
            return ok
                ? []
                : [{ resource: bucket, message: `Bucket '${bucket.name}' must deny requests without TLS in its bucket policy.` }];
        }),
});
