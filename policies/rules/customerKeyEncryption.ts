import type { PolicyResource } from "@pulumi/policy";
import { stackRule } from "../lib/rule";
import { TYPES } from "../lib/types";
import { read } from "../lib/values";

/** Where each type names its key, and the flag that must be on for the key to be used at all. */
const KEYED: Record<string, { property: string; nested?: string; enabledFlag?: string }> = {
    [TYPES.table]: { property: "serverSideEncryption", nested: "kmsKeyArn", enabledFlag: "enabled" },
    [TYPES.topic]: { property: "kmsMasterKeyId" },
    [TYPES.logGroup]: { property: "kmsKeyId" },
};

function usesStackKey(resource: PolicyResource): boolean {
    const spec = KEYED[resource.type];
    const fromKey = (resource.propertyDependencies[spec.property] ?? []).some((dep) => dep.type === TYPES.key);
    const value = read(() => {
        const outer = resource.props[spec.property] as Record<string, unknown> | string | undefined;
        return spec.nested ? (outer as Record<string, unknown> | undefined)?.[spec.nested] : outer;
    });
    if (spec.enabledFlag) {
        const enabled = read(() => (resource.props[spec.property] as Record<string, unknown> | undefined)?.[spec.enabledFlag as string]);
        if (!enabled.known || enabled.value !== true) return false;
    }
    // Unknown: computed from another resource; it counts only if that resource is one of our keys.
    if (!value.known) return fromKey;
    return typeof value.value === "string" && value.value.length > 0 && !value.value.includes("alias/aws/") && fromKey;
}

/**
 * DynamoDB tables (sit and prod), SNS topics and log groups (every environment) are encrypted with a
 * customer-managed key of this stack. The key is recognised through the property dependency on a KMS
 * key resource, so the rule runs in a first preview, when the key ARN is unknown.
 * @severity high
 */
export const customerKeyEncryption = stackRule({
    name: "customer-key-encryption",
    description: "Tables (sit, prod), SNS topics and log groups are encrypted with this stack's customer-managed KMS key.",
    severity: "high",
    remediationSteps:
        "Pass the environment key's ARN: table serverSideEncryption { enabled: true, kmsKeyArn }, topic kmsMasterKeyId, log group kmsKeyId.",
    url: "https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#customer-cmk",
    check: (resources, { environment, notApplicable }) => {
        const keyed = resources.filter((r) => r.type in KEYED && (r.type !== TYPES.table || environment !== "dev"));
        if (keyed.length === 0)
            notApplicable(`no ${environment === "dev" ? "topic or log group" : "table, topic or log group"} in this stack`);
        return keyed
            .filter((r) => !usesStackKey(r))
            .map((r) => ({
                resource: r,
                message: `${r.type.split(":").pop()} '${r.name}' must be encrypted with this stack's customer-managed KMS key.`,
            }));
    },
});
