import { resourceRule } from "../lib/rule";
import { documentsOf, invalidMessage, ownAccounts, type DocumentKind } from "../lib/documents";
import { accountOf, conditionsOn, statementLabel, statementsOf, type IamStatement } from "../lib/iam";
import { asArray, read } from "../lib/values";

/** Operators that pin a key to the values given; `...IfExists` and set operators would let an absent key pass. */
const PINNING_OPERATORS = /^(StringEquals|ArnEquals|ArnLike|StringLike)$/;
/** AWS Organizations' id format, as the config's `organizationId` must carry it. */
export const ORGANIZATION_ID = "^o-[a-z0-9]{10,32}$";

/**
 * Whether a condition confines the statement to this account or organisation: aws:SourceAccount one
 * of ours, aws:SourceArn (or CloudWatch Logs' encryption-context ARN, its documented equivalent in a
 * key policy) an ARN of our account, or aws:PrincipalOrgID the organisation the pack's config names. Any other organisation id is
 * foreign: anyone can create an organisation, so a bare `o-...` pins nothing. With no organisation
 * configured, no PrincipalOrgID pins (fail closed).
 */
function pinned(statement: IamStatement, accounts: readonly string[], organization: string | undefined): boolean {
    const every = (key: string, ok: (value: string) => boolean) => {
        const blocks = conditionsOn(statement, key).filter((c) => PINNING_OPERATORS.test(c.operator));
        return blocks.length > 0 && blocks.every((c) => c.values.length > 0 && c.values.every((v) => ok(String(v))));
    };
    const ours = (value: string) => accounts.includes(value);
    const arnOfOurs = (value: string) => {
        const account = /^arn:aws[a-z-]*:[^:]*:[^:]*:([^:]*):/.exec(value)?.[1];
        return account !== undefined && ours(account);
    };
    return (
        every("aws:SourceAccount", ours) ||
        every("aws:SourceArn", arnOfOurs) ||
        every("kms:EncryptionContext:aws:logs:arn", arnOfOurs) ||
        (organization !== undefined && every("aws:PrincipalOrgID", (v) => v === organization))
    );
}

/** Every principal of a statement that is not plainly this account's, described for the message. */
function untrustedPrincipals(statement: IamStatement, kind: DocumentKind, accounts: readonly string[]): string[] {
    const principal = statement.Principal;
    if (principal === undefined) return [];
    if (principal === "*") return ["everyone (*)"];
    if (typeof principal !== "object" || principal === null) return [`the principal ${JSON.stringify(principal)}`];
    const found: string[] = [];
    for (const [type, values] of Object.entries(principal as Record<string, unknown>)) {
        for (const raw of asArray(values)) {
            const value = String(raw);
            if (type === "AWS") {
                if (value.includes("*") || value.includes("?")) found.push(`everyone (AWS ${value})`);
                else {
                    const account = accountOf(value);
                    if (!account || !accounts.includes(account)) found.push(`another account (${value})`);
                }
            } else if (type === "Service") {
                // In a trust policy the service assumes the role only for a caller allowed iam:PassRole on it.
                if (kind !== "trust") found.push(`the service ${value} (shared by every account)`);
            } else if (type === "Federated") {
                const account = accountOf(value);
                if (!account || !accounts.includes(account)) found.push(`the identity provider ${value}, not this account's`);
            } else found.push(`${type} ${value}`);
        }
    }
    return found;
}

/**
 * The AWS principals of a trust statement that stand for a whole account or for everyone: `*`, a bare
 * account id, an account's root, or any pattern. Trusting one hands the role to every principal that
 * account's IAM lets call sts:AssumeRole, around the gates of the role's own identity provider.
 */
function wholeAccounts(statement: IamStatement): string[] {
    const principal = statement.Principal;
    if (principal === "*") return ["*"];
    if (typeof principal !== "object" || principal === null) return [];
    return asArray((principal as Record<string, unknown>).AWS)
        .map(String)
        .filter((v) => v.includes("*") || v.includes("?") || /^\d{12}$/.test(v) || /^arn:aws[a-z-]*:iam::\d{12}:root$/.test(v));
}

/**
 * The one way a trust may name this account's root: a condition that pins aws:PrincipalArn, with exact
 * operators and no wildcard, to principals of this account (AWS's advice for trusting a role that may be
 * recreated). Then only those principals, not the whole account, can assume the role.
 */
function principalArnPinned(statement: IamStatement, accounts: readonly string[]): boolean {
    const blocks = conditionsOn(statement, "aws:PrincipalArn");
    return (
        blocks.length > 0 &&
        blocks.every(
            (c) =>
                /^(StringEquals|ArnEquals)$/.test(c.operator) &&
                c.values.length > 0 &&
                c.values.every((v) => {
                    const value = String(v);
                    return !/[*?]/.test(value) && accounts.includes(accountOf(value) ?? "") && !/:root$/.test(value);
                }),
        )
    );
}

/** Lambda's resource policy is written one statement at a time, as `aws.lambda.Permission` inputs. */
export const LAMBDA_PERMISSION = "aws:lambda/permission:Permission";

/**
 * What is wrong with a Lambda permission: a principal that is not this account's (everyone, another
 * account, a service every account shares) with neither sourceAccount nor sourceArn of this account,
 * nor principalOrgId the configured organisation. Unknown values fail closed.
 */
function lambdaPermissionProblems(
    name: string,
    props: Record<string, unknown>,
    accounts: readonly string[],
    organization: string | undefined,
): string[] {
    const principal = read(() => props.principal);
    if (!principal.known)
        return [`Permission '${name}': its principal is unknown at preview; build it from names in config so it can be checked.`];
    const value = String(principal.value ?? "");
    const account = accountOf(value);
    if (account !== undefined && accounts.includes(account)) return [];
    const sourceAccount = read(() => props.sourceAccount);
    const sourceArn = read(() => props.sourceArn);
    const orgId = read(() => props.principalOrgId);
    if (sourceAccount.known && sourceAccount.value !== undefined && accounts.includes(String(sourceAccount.value))) return [];
    const arnAccount = sourceArn.known && sourceArn.value !== undefined ? accountOf(String(sourceArn.value)) : undefined;
    if (arnAccount !== undefined && accounts.includes(arnAccount)) return [];
    if (organization !== undefined && orgId.known && orgId.value === organization) return [];
    const who =
        value === "*"
            ? "everyone (*)"
            : account !== undefined
              ? `another account (${value})`
              : `the service ${value} (shared by every account)`;
    if (!sourceArn.known)
        return [`Permission '${name}': allows ${who} with a sourceArn unknown at preview; set sourceAccount to this account as well.`];
    return [`Permission '${name}': allows ${who} to invoke the function without sourceAccount or sourceArn pinning it to this account.`];
}

/**
 * No policy document, of any resource, allows a wildcard, another account or a shared service
 * principal unless a condition pins it to this account or organisation. This account is the AWS
 * provider's `allowedAccountIds`. A document unknown at preview is a violation: it must be built
 * from names in config, so it can be judged before anything exists. A Lambda permission is a statement
 * of the function's resource policy: its principal is judged the same way, pinned by sourceAccount,
 * sourceArn or principalOrgId. A trust policy never names a whole account (`*`, an account id or root,
 * this account's included) unless aws:PrincipalArn pins named principals of this account.
 * @severity critical
 */
export const policyPrincipals = resourceRule({
    name: "policy-principals",
    description:
        "No policy document (IAM, trust, KMS, SNS, S3 or other resource policy) and no Lambda permission allows a wildcard, foreign or shared service principal unless aws:SourceAccount, aws:SourceArn or aws:PrincipalOrgID (the organisationId the pack's config names; a Lambda permission's sourceAccount, sourceArn or principalOrgId) pins it to this account; no trust policy names a whole account (*, an account id or root) unless aws:PrincipalArn pins named principals of this account.",
    severity: "critical",
    remediationSteps:
        "Name this account's principals, or add a condition aws:SourceAccount = the account id (or aws:SourceArn of this account's resource, or aws:PrincipalOrgID = the organisation id set as organizationId in policies/config/<stack>.json) to the statement; give a Lambda permission sourceAccount (and sourceArn).",
    url: "https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html",
    config: {
        organizationId: { type: "string", pattern: ORGANIZATION_ID },
    },
    check: ({ type, name, props, provider }, { notApplicable, config }) => {
        if (type === LAMBDA_PERMISSION)
            return lambdaPermissionProblems(
                name,
                props,
                ownAccounts(provider),
                typeof config.organizationId === "string" ? config.organizationId : undefined,
            );
        const documents = documentsOf(type, props);
        if (documents.length === 0) notApplicable("carries no policy document");
        const accounts = ownAccounts(provider);
        const organization = typeof config.organizationId === "string" ? config.organizationId : undefined;
        const kindName = type.split(":").pop();
        const problems: string[] = [];
        for (const { label, kind, document, invalid } of documents) {
            if (!document.known) {
                problems.push(
                    `${kindName} '${name}': its ${label} is unknown at preview; build it from names in config so it can be checked.`,
                );
                continue;
            }
            if (invalid !== undefined) {
                problems.push(invalidMessage(kindName, name, label, invalid));
                continue;
            }
            statementsOf(document.value).forEach((statement, index) => {
                if (statement.Effect !== "Allow") return;
                const untrusted = untrustedPrincipals(statement, kind, accounts);
                const reported = untrusted.length > 0 && !pinned(statement, accounts, organization);
                if (reported)
                    problems.push(
                        `${kindName} '${name}': ${label} ${statementLabel(statement, index)} allows ${untrusted.join(", ")} without a condition pinning it to this account (aws:SourceAccount, aws:SourceArn or aws:PrincipalOrgID).`,
                    );
                if (kind !== "trust") return;
                const own = (value: string) => value !== "*" && accounts.includes(accountOf(value) ?? "");
                const wide = wholeAccounts(statement)
                    // Everyone and foreign accounts are named once, by the message above, when it fires.
                    .filter((value) => !(reported && !own(value)))
                    .filter((value) => !(own(value) && principalArnPinned(statement, accounts)));
                if (wide.length > 0)
                    problems.push(
                        `${kindName} '${name}': ${label} ${statementLabel(statement, index)} trusts whole accounts (${wide.join(", ")}): any principal there allowed sts:AssumeRole takes the role; trust this account's identity provider, or pin aws:PrincipalArn (StringEquals or ArnEquals) to named principals of this account.`,
                    );
            });
        }
        return problems;
    },
});
