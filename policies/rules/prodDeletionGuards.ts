import { resourceRule } from "../lib/rule";
import { TYPES } from "../lib/types";
import { read } from "../lib/values";

/**
 * In prod the resources refuse deletion themselves, so even a protect flag removed by mistake leaves
 * AWS saying no: buckets never force-destroy, tables keep deletion protection, keys wait 30 days.
 * @severity critical
 */
export const prodDeletionGuards = resourceRule({
    name: "prod-deletion-guards",
    description: "In prod, buckets never forceDestroy, tables enable deletion protection and KMS keys wait 30 days.",
    severity: "critical",
    remediationSteps: "Use statefulProtection('prod'): forceDestroy false, deletionProtectionEnabled true, deletionWindowInDays 30.",
    url: "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/WorkingWithTables.Basics.html#WorkingWithTables.Basics.DeletionProtection",
    check: ({ type, name, props }, { environment, notApplicable }) => {
        if (environment !== "prod") notApplicable(`only prod forbids deletion; this stack is ${environment}`);
        switch (type) {
            case TYPES.bucket:
            case TYPES.bucketV2: {
                const forceDestroy = read(() => props.forceDestroy);
                return forceDestroy.known && forceDestroy.value !== true ? [] : [`Bucket '${name}' must not set forceDestroy in prod.`];
            }
            case TYPES.table: {
                const protection = read(() => props.deletionProtectionEnabled);
                return protection.known && protection.value === true ? [] : [`Table '${name}' must set deletionProtectionEnabled in prod.`];
            }
            case TYPES.key: {
                const window = read(() => props.deletionWindowInDays);
                return window.known && window.value === 30 ? [] : [`KMS key '${name}' must set deletionWindowInDays to 30 in prod.`];
            }
            default:
                return notApplicable("not a bucket, table or key");
        }
    },
});
