import { ownAccounts } from "../lib/documents";
import { stackRule } from "../lib/rule";
import { TYPES } from "../lib/types";
import { read } from "../lib/values";

/**
 * Every role carries the stack's permissions boundary. The expected ARN is derived from the stack
 * itself: the one managed policy named `<prefix>-pipeline-boundary-<env>` (the program builds that name
 * from its prefix and environment, so it is known in a first preview), in an account of the role's
 * provider (`allowedAccountIds`). Deriving it from the stack rather than a config key keeps the rule
 * right without policy config (Pulumi Cloud) and for any prefix. No boundary policy, or two, fails closed.
 * A shard's stack holds no boundary (its foundation tier's stack does): its config names the tier's policy in
 * `boundaryPolicy`, which must still end in `-pipeline-boundary-<env>`, and is read only when the stack holds none.
 * @severity critical
 */
export const rolePermissionsBoundary = stackRule({
    name: "role-permissions-boundary",
    description:
        "Every IAM role carries the permissions boundary arn:aws:iam::<account>:policy/<prefix>-pipeline-boundary-<env>, the stack's one boundary policy.",
    severity: "critical",
    remediationSteps:
        "Create roles through the program's components, which pass permissionsBoundaryArn; keep exactly one <prefix>-pipeline-boundary-<env> managed policy in the stack.",
    url: "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html",
    config: { boundaryPolicy: { type: "string", minLength: 1 } },
    check: (resources, { environment, notApplicable, config }) => {
        const roles = resources.filter((r) => r.type === TYPES.role);
        if (roles.length === 0) notApplicable("the stack creates no IAM role");
        const suffix = `-pipeline-boundary-${environment}`;
        // Two resources naming the same policy are one ARN: count names, not resources.
        const names = [
            ...new Set(
                resources
                    .filter((r) => r.type === TYPES.managedPolicy)
                    .map((r) => read(() => r.props.name))
                    .flatMap((n) => (n.known && typeof n.value === "string" && n.value.endsWith(suffix) ? [n.value] : [])),
            ),
        ];
        const named = config.boundaryPolicy;
        if (names.length === 0 && typeof named === "string" && named.endsWith(suffix)) names.push(named);
        const findings: { resource: { name: string; urn: string }; message: string }[] = [];
        if (names.length !== 1) {
            const found = names.length === 0 ? "none" : names.join(", ");
            for (const role of roles)
                findings.push({
                    resource: role,
                    message: `Role '${role.name}': the stack must hold exactly one managed policy named <prefix>${suffix} to bound it; found ${found}.`,
                });
            return findings;
        }
        for (const role of roles) {
            const expected = ownAccounts(role.provider).map((account) => `arn:aws:iam::${account}:policy/${names[0]}`);
            const boundary = read(() => role.props.permissionsBoundary);
            if (!boundary.known)
                findings.push({
                    resource: role,
                    message: `Role '${role.name}': its permissionsBoundary is unknown at preview; build it from names as ${expected[0] ?? `arn:aws:iam::<account>:policy/${names[0]}`}.`,
                });
            else if (boundary.value === undefined || boundary.value === "")
                findings.push({
                    resource: role,
                    message: `Role '${role.name}': has no permissionsBoundary; every role is bounded by ${names[0]}.`,
                });
            else if (!expected.includes(String(boundary.value)))
                findings.push({
                    resource: role,
                    message: `Role '${role.name}': permissionsBoundary ${String(boundary.value)} is not ${expected.join(" or ") || `${names[0]} of an allowed account (aws:allowedAccountIds is unset)`}.`,
                });
        }
        return findings;
    },
});
