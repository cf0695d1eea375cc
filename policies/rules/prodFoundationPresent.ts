import { stackRule } from "../lib/rule";
import { BUCKET_TYPES, TYPES } from "../lib/types";
import { read } from "../lib/values";

/**
 * Removing a resource from the program is a delete that CrossGuard never sees. In prod the stack must
 * still contain the state bucket, the deployment ledger and the key, so their removal shows in preview.
 * @severity critical
 */
export const prodFoundationPresent = stackRule({
    name: "prod-foundation-present",
    description: "A prod stack contains the state bucket, the deployment ledger and the KMS key.",
    severity: "critical",
    remediationSteps: "Restore the StateBackend, DeploymentLedger and EncryptionKey components in index.ts; never remove them from prod.",
    check: (resources, { environment, notApplicable }) => {
        if (environment !== "prod") notApplicable(`only prod forbids deletion; this stack is ${environment}`);
        const named = (types: readonly string[], suffix: string, property: string) =>
            resources.some((r) => {
                if (!types.includes(r.type)) return false;
                const name = read(() => r.props[property]);
                return name.known && typeof name.value === "string" && name.value.endsWith(suffix);
            });
        const missing = [
            named(BUCKET_TYPES, "-state-prod", "bucket") ? undefined : "the state bucket (<prefix>-state-prod)",
            named([TYPES.table], "-deployments-prod", "name") ? undefined : "the deployment ledger (<prefix>-deployments-prod)",
            resources.some((r) => r.type === TYPES.key) ? undefined : "the environment KMS key",
        ].filter((m): m is string => m !== undefined);
        const stack = { name: "stack", urn: resources.find((r) => r.type === "pulumi:pulumi:Stack")?.urn ?? "" };
        return missing.map((m) => ({ resource: stack, message: `The prod stack no longer contains ${m}.` }));
    },
});
