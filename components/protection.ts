import type { Environment } from "../config";

/** How a stateful resource (bucket, table, key, log group, provider) is guarded against deletion. */
export interface StatefulProtection {
    /** Resource option: `pulumi destroy` and removals from the program fail instead of deleting. */
    readonly protect: boolean;
    /** Resource option: should the resource still leave the program, it stays in AWS. */
    readonly retainOnDelete: boolean;
    /** Bucket input: never empty a bucket to delete it. */
    readonly forceDestroy: false;
    /** Table input: AWS itself refuses DeleteTable. */
    readonly deletionProtectionEnabled: boolean;
    /** KMS input: the longest window AWS allows, so a scheduled deletion can be cancelled. */
    readonly keyDeletionWindowInDays: number;
}

/**
 * The one place that decides how stateful resources are protected. CrossGuard never sees deletes and
 * `pulumi destroy` loads no policy pack, so "no PROD destroy" has to be a property of the resources:
 * in prod everything stateful is protected and retained, whatever the caller asks for.
 */
export function statefulProtection(environment: Environment): StatefulProtection {
    const prod = environment === "prod";
    return {
        protect: prod,
        retainOnDelete: prod,
        forceDestroy: false,
        deletionProtectionEnabled: prod,
        keyDeletionWindowInDays: prod ? 30 : 7,
    };
}
