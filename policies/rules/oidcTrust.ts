import type { PolicyResource } from "@pulumi/policy";
import { dependentsByTarget, stackRule } from "../lib/rule";
import { READ_ONLY_MANAGED_POLICIES, statementsOf, statementWrites, type IamStatement } from "../lib/iam";
import { TYPES } from "../lib/types";
import { asArray, parseDocument, read } from "../lib/values";

const HOST = "token.actions.githubusercontent.com";
const AUD = `${HOST}:aud`;
const SUB = `${HOST}:sub`;
/** `repo:OWNER/REPO:...` or the immutable `repo:OWNER@ID/REPO@ID:...`, no wildcard in owner or repository. */
const NAMED_REPOSITORY = /^repo:[A-Za-z0-9-]+(@\d+)?\/[A-Za-z0-9._-]+(@\d+)?:(.+)$/;

function trustsGithub(statement: IamStatement): boolean {
    const principal = statement.Principal as { Federated?: string | string[] } | undefined;
    return statement.Effect === "Allow" && asArray(principal?.Federated).some((f) => f.endsWith(`:oidc-provider/${HOST}`));
}

/** Every value of a condition key, across every operator that names it. */
function conditionValues(statement: IamStatement, key: string, operators: RegExp): { operator: string; values: unknown[] }[] {
    return Object.entries(statement.Condition ?? {})
        .filter(([operator, block]) => operators.test(operator) && block && key in block)
        .map(([operator, block]) => ({ operator, values: asArray(block[key] as unknown) }));
}

function writes(
    role: PolicyResource,
    inlineByRole: Map<string, PolicyResource[]>,
    attachedByRole: Map<string, PolicyResource[]>,
): boolean | "unknown" {
    let unknown = false;
    for (const policy of inlineByRole.get(role.urn) ?? []) {
        const document = read(() => parseDocument(policy.props.policy));
        if (!document.known) unknown = true;
        else if (statementsOf(document.value).some(statementWrites)) return true;
    }
    for (const attachment of attachedByRole.get(role.urn) ?? []) {
        const arn = read(() => attachment.props.policyArn);
        if (!arn.known || !READ_ONLY_MANAGED_POLICIES.includes(String(arn.value))) return true;
    }
    const managed = read(() => asArray(role.props.managedPolicyArns as string[]));
    if (!managed.known || managed.value.some((arn) => !READ_ONLY_MANAGED_POLICIES.includes(arn))) return true;
    return unknown ? "unknown" : false;
}

/**
 * Roles assumed from GitHub Actions: `aud` is checked with StringEquals `sts.amazonaws.com`; no
 * `ForAllValues:` (it is true when the key is absent); `sub` names repositories with no wildcard in
 * owner or repository; a role trusting `pull_request` only reads; in prod a role that writes trusts
 * only `environment:prod` subjects. Every value of every condition is inspected.
 * @severity critical
 */
export const oidcTrust = stackRule({
    name: "oidc-trust",
    description: "GitHub OIDC roles check aud and sub exactly; pull-request roles only read; prod writers trust only environment:prod.",
    severity: "critical",
    remediationSteps:
        "Build the trust policy with trustPolicy(): StringEquals aud sts.amazonaws.com and sub repo:OWNER/REPO:environment:<env> (deployers) or :pull_request (read-only previewers).",
    url: "https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services",
    check: (resources, { environment, notApplicable }) => {
        if (!resources.some((r) => r.type === TYPES.role)) notApplicable("no IAM role in this stack");
        const inlineByRole = dependentsByTarget(resources, TYPES.rolePolicy, "role");
        const attachedByRole = dependentsByTarget(resources, TYPES.rolePolicyAttachment, "role");
        const findings: { resource: PolicyResource; message: string }[] = [];
        for (const role of resources.filter((r) => r.type === TYPES.role)) {
            const say = (message: string) => findings.push({ resource: role, message: `Role '${role.name}': ${message}` });
            const trust = read(() => parseDocument(role.props.assumeRolePolicy));
            if (!trust.known) {
                say("its trust policy is unknown at preview; build it from config (the account id), not from resource outputs.");
                continue;
            }
            const github = statementsOf(trust.value).filter(trustsGithub);
            if (github.length === 0) continue;
            const subjects: string[] = [];
            for (const statement of github) {
                if (Object.keys(statement.Condition ?? {}).some((op) => op.startsWith("ForAllValues:"))) {
                    say("must not use ForAllValues: in an Allow; it matches when the key is missing.");
                }
                const aud = conditionValues(statement, AUD, /./);
                const audOk =
                    aud.length > 0 &&
                    aud.every(
                        (c) => c.operator === "StringEquals" && c.values.length > 0 && c.values.every((v) => v === "sts.amazonaws.com"),
                    );
                if (!audOk) say(`must check ${AUD} with StringEquals "sts.amazonaws.com" only.`);
                const sub = conditionValues(statement, SUB, /^(StringEquals|StringLike)$/);
                if (sub.length === 0) say(`must restrict ${SUB} to named repositories.`);
                for (const { values } of sub) {
                    for (const value of values) {
                        const text = String(value);
                        const named = NAMED_REPOSITORY.exec(text);
                        if (!named) say(`subject '${text}' must name one repository, with no wildcard in owner or repository.`);
                        subjects.push(text);
                    }
                }
            }
            const roleWrites = writes(role, inlineByRole, attachedByRole);
            const pullRequests = subjects.filter((s) => s.endsWith(":pull_request"));
            if (pullRequests.length > 0 && roleWrites !== false) {
                say(`trusts pull requests (${pullRequests.join(", ")}) but its permissions are not read-only.`);
            }
            if (environment === "prod" && roleWrites !== false) {
                const others = subjects.filter((s) => NAMED_REPOSITORY.exec(s)?.[3] !== "environment:prod");
                if (others.length > 0) say(`can write in prod, so it may trust only environment:prod subjects, not ${others.join(", ")}.`);
            }
        }
        return findings;
    },
});
