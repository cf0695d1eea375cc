import { resourceRule } from "../lib/rule";
import { STATEFUL_TYPES } from "../lib/types";

/**
 * In prod, stateful resources set `protect`: CrossGuard never sees deletes and `pulumi destroy` loads no
 * policy pack, so the protect flag is what makes a destroy or an accidental removal fail.
 * @severity critical
 */
export const prodStatefulProtected = resourceRule({
    name: "prod-stateful-protected",
    description: "In prod, buckets, tables, keys, the OIDC provider and log groups set the protect option.",
    severity: "critical",
    remediationSteps: "Create the resource with the options of statefulProtection(environment) (protect and retainOnDelete).",
    url: "https://www.pulumi.com/docs/iac/concepts/options/protect/",
    check: (resource, { environment, notApplicable }) => {
        if (!STATEFUL_TYPES.includes(resource.type)) notApplicable("not a stateful resource");
        if (environment !== "prod") notApplicable(`only prod forbids deletion; this stack is ${environment}`);
        return resource.opts.protect
            ? []
            : [`${resource.type.split(":").pop()} '${resource.name}' is stateful and must set protect in prod.`];
    },
});
