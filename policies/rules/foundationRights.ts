import type { PolicyResource } from "@pulumi/policy";
import { actionCovers, iamPattern, isReadOnlyAction, statementLabel, statementsOf, type IamStatement } from "../lib/iam";
import { stackRule, type Subject } from "../lib/rule";
import { TYPES } from "../lib/types";
import { asArray, parseDocument, read } from "../lib/values";

/** KMS actions that administer a key rather than use it: its policy, grants, aliases, rotation, state, tags. */
const KEY_ADMINISTRATION = [
    "kms:CreateKey",
    "kms:PutKeyPolicy",
    "kms:CreateGrant",
    "kms:RetireGrant",
    "kms:RevokeGrant",
    "kms:CreateAlias",
    "kms:UpdateAlias",
    "kms:DeleteAlias",
    "kms:EnableKeyRotation",
    "kms:DisableKeyRotation",
    "kms:RotateKeyOnDemand",
    "kms:EnableKey",
    "kms:DisableKey",
    "kms:ScheduleKeyDeletion",
    "kms:CancelKeyDeletion",
    "kms:UpdateKeyDescription",
    "kms:TagResource",
    "kms:UntagResource",
];

/** Table-level changes: settings that keep the ledger and the locks (recovery, TTL, the table itself). */
const TABLE_SETTINGS = [
    "dynamodb:CreateTable",
    "dynamodb:UpdateTable",
    "dynamodb:DeleteTable",
    "dynamodb:UpdateContinuousBackups",
    "dynamodb:UpdateTimeToLive",
    "dynamodb:PutResourcePolicy",
    "dynamodb:DeleteResourcePolicy",
    "dynamodb:TagResource",
    "dynamodb:UntagResource",
];

/** Bucket-level changes: what keeps the state private, versioned, encrypted and logged. */
const BUCKET_SETTINGS = [
    "s3:CreateBucket",
    "s3:DeleteBucket",
    "s3:DeleteBucketPolicy",
    "s3:PutBucketAcl",
    "s3:PutBucketLogging",
    "s3:PutBucketObjectLockConfiguration",
    "s3:PutBucketOwnershipControls",
    "s3:PutBucketPolicy",
    "s3:PutBucketPublicAccessBlock",
    "s3:PutBucketTagging",
    "s3:PutBucketVersioning",
    "s3:PutEncryptionConfiguration",
    "s3:PutLifecycleConfiguration",
    "s3:PutReplicationConfiguration",
];

/** An IAM write other than iam:PassRole (which the policy-statements rule judges): changing identities is the foundation's. */
function iamWrite(pattern: string): boolean {
    const [service, verb = ""] = pattern.split(":");
    if (!iamPattern(service, true).test("iam") || isReadOnlyAction(`iam:${verb}`)) return false;
    return !(iamPattern(verb, true).test("PassRole") && /^pass/i.test(verb));
}

/** Role actions IAM authorizes with the target role's `iam:PermissionsBoundary`, as a Lambda deployer uses them. */
const BOUNDED_ROLE_WRITES = ["iam:CreateRole", "iam:AttachRolePolicy"];

/**
 * A Lambda service's deployer creates its functions' execution roles: IAM writes limited to role creation and
 * policy attachment, only on the Lambda execution-role space (`<prefix>-lambda-*`), only with the stack's
 * pipeline boundary as the new role's boundary. Such a delegation is bounded by the boundary, not foundation-level.
 */
function boundedLambdaRoleDelegation(statement: IamStatement): boolean {
    const actions = statement.NotAction !== undefined ? ["*"] : asArray(statement.Action);
    const resources = statement.NotResource !== undefined ? ["*"] : asArray(statement.Resource);
    const condition = (statement.Condition ?? {}) as Record<string, Record<string, unknown>>;
    const boundary = condition.StringEquals?.["iam:PermissionsBoundary"];
    return (
        actions.length > 0 &&
        actions.every((a) => BOUNDED_ROLE_WRITES.includes(a)) &&
        resources.length > 0 &&
        resources.every((r) => /^arn:aws[a-z-]*:iam::\d{12}:role\/[a-z0-9-]+-lambda-[^*?]+$/.test(r)) &&
        typeof boundary === "string" &&
        /^arn:aws[a-z-]*:iam::\d{12}:policy\/[a-z0-9-]+-pipeline-boundary-(dev|sit|prod)$/.test(boundary)
    );
}

/**
 * Services whose writes hold what the foundation guards or reach past the account's boundary: assuming other
 * roles, the audit trail, the organisation and the account. No organisation allow-list may add them, and no
 * repository's role may write them.
 */
const GUARDED_SERVICES = ["sts", "cloudtrail", "organizations", "account"];

/** A write of a guarded service (`sts:AssumeRole`, `cloudtrail:StopLogging`, `cloudtrail:*`), or false. */
function guardedWrite(pattern: string): boolean {
    const [service, verb = ""] = pattern.split(":");
    return GUARDED_SERVICES.some((s) => iamPattern(service, true).test(s)) && !isReadOnlyAction(`${service}:${verb}`);
}

/** The name a table or bucket ARN pattern covers (`*` covers every name), or undefined for other resources. */
function namePattern(resource: string, service: "dynamodb" | "s3"): string | undefined {
    if (resource === "*") return "*";
    const match =
        service === "dynamodb"
            ? /^arn:aws[a-z-]*:dynamodb:[^:]*:[^:]*:table\/([^/]*)$/.exec(resource)
            : /^arn:aws[a-z-]*:s3:::([^/]*)$/.exec(resource);
    return match?.[1];
}

/** Why a statement holds foundation-level rights over the stack's tables and buckets, or what IAM or KMS it administers. */
function foundationLevel(statement: IamStatement, tables: readonly string[], buckets: readonly string[]): string[] {
    if (statement.Effect !== "Allow") return [];
    // NotAction grants everything it does not name: as foundation-level as `*`.
    const actions = statement.NotAction !== undefined ? ["*"] : asArray(statement.Action);
    const resources = statement.NotResource !== undefined ? ["*"] : asArray(statement.Resource);
    const found: string[] = [];
    const iam = boundedLambdaRoleDelegation(statement) ? [] : actions.filter(iamWrite);
    if (iam.length > 0) found.push(`IAM writes (${iam.join(", ")})`);
    const kms = actions.filter((a) => KEY_ADMINISTRATION.some((k) => actionCovers(a, k)));
    if (kms.length > 0) found.push(`KMS key administration (${kms.join(", ")})`);
    const guarded = actions.filter(guardedWrite);
    if (guarded.length > 0) found.push(`writes of services the foundation guards (${guarded.join(", ")})`);
    const settingsOn = (settings: readonly string[], service: "dynamodb" | "s3", names: readonly string[], what: string) => {
        const granted = actions.filter((a) => settings.some((s) => actionCovers(a, s)));
        if (granted.length === 0) return;
        const covered = names.filter((name) =>
            resources.some((r) => {
                const pattern = namePattern(r, service);
                return pattern !== undefined && iamPattern(pattern).test(name);
            }),
        );
        if (covered.length > 0) found.push(`${what} settings (${granted.join(", ")} on ${covered.join(", ")})`);
    };
    settingsOn(TABLE_SETTINGS, "dynamodb", tables, "the foundation's table");
    settingsOn(BUCKET_SETTINGS, "s3", buckets, "the foundation's bucket");
    return found;
}

/**
 * The roles the boundary keeps for the administrator: every role ARN a Deny of the boundary names for
 * iam:UpdateAssumeRolePolicy. Those roles cannot be changed by any pipeline, so they alone may hold rights
 * over the foundation; undefined when the boundary is missing, repeated or unknown (then no role is exempt).
 */
function administratorOwnedRoles(resources: PolicyResource[]): Set<string> | undefined {
    // Any environment's boundary: whether it is this environment's is role-permissions-boundary's question.
    const boundaries = resources.filter((r) => {
        const name = read(() => r.props.name);
        return r.type === TYPES.managedPolicy && name.known && /-pipeline-boundary-(dev|sit|prod)$/.test(String(name.value));
    });
    if (boundaries.length !== 1) return undefined;
    const document = read(() => parseDocument(boundaries[0].props.policy));
    if (!document.known) return undefined;
    const roles = statementsOf(document.value)
        .filter((s) => s.Effect === "Deny" && asArray(s.Action).some((a) => actionCovers(a, "iam:UpdateAssumeRolePolicy")))
        .flatMap((s) => asArray(s.Resource))
        .flatMap((arn) => /^arn:aws[a-z-]*:iam::\d{12}:role\/([^*?]+)$/.exec(arn)?.[1] ?? []);
    return new Set(roles);
}

/** The name of the role a role policy belongs to: through its dependency on the role (known at preview), else its input. */
function roleOf(policy: PolicyResource): string | undefined {
    const [role] = policy.propertyDependencies.role ?? [];
    const name = role ? read(() => role.props.name) : read(() => policy.props.role);
    return name.known && typeof name.value === "string" ? name.value : undefined;
}

/**
 * Only the foundation's own deployer holds the foundation's rights: IAM writes (iam:PassRole aside, judged by
 * policy-statements), KMS key administration, writes of the services it guards (role assumption, the audit
 * trail, the organisation, the account), and the settings of the stack's own tables and buckets (the
 * ledger's recovery, the state bucket's policy, versioning, encryption). Its deployer is known by the boundary:
 * the roles the boundary keeps administrator-owned, so that whoever may change the foundation cannot itself be
 * changed by a pipeline. Any other role with such a statement, whatever its repository's kind, is a violation;
 * with no single boundary in the stack every such statement is (fail closed).
 * @severity critical
 */
export const foundationRights = stackRule({
    name: "foundation-rights",
    description:
        "IAM writes, KMS key administration, writes of STS, CloudTrail, Organizations and Account, and the settings of the foundation's tables and buckets are granted only to the roles the permissions boundary keeps administrator-owned (the foundation's deployer).",
    severity: "critical",
    remediationSteps:
        "Give the foundation's rights only to the repository marked deploys.foundation: true; every other repository's roles get the statements of their kind (components/permissions).",
    url: "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html",
    check: (resources, { notApplicable }) => {
        const policies = resources.filter((r) => r.type === TYPES.rolePolicy);
        if (policies.length === 0) notApplicable("the stack creates no role policy");
        const owned = administratorOwnedRoles(resources);
        const tables = resources.filter((r) => r.type === TYPES.table).flatMap((r) => nameOf(r, "name"));
        const buckets = resources.filter((r) => r.type === TYPES.bucket).flatMap((r) => nameOf(r, "bucket"));
        const findings: { resource: Subject; message: string }[] = [];
        for (const policy of policies) {
            const role = roleOf(policy);
            if (role !== undefined && owned?.has(role)) continue;
            const document = read(() => parseDocument(policy.props.policy));
            if (!document.known) {
                findings.push({
                    resource: policy,
                    message: `Role policy '${policy.name}': its document is unknown at preview; build it from names.`,
                });
                continue;
            }
            statementsOf(document.value).forEach((statement, i) => {
                const rights = foundationLevel(statement, tables, buckets);
                if (rights.length === 0) return;
                const who = role === undefined ? "a role whose name is unknown" : `role '${role}'`;
                const why =
                    owned === undefined
                        ? "the stack has no single permissions boundary naming the foundation's deployer"
                        : "it is not the foundation's deployer";
                findings.push({
                    resource: policy,
                    message: `Role policy '${policy.name}': ${statementLabel(statement, i)} grants ${who} ${rights.join("; ")}, and ${why}.`,
                });
            });
        }
        return findings;
    },
});

const nameOf = (r: PolicyResource, property: string): string[] => {
    const value = read(() => r.props[property]);
    return value.known && typeof value.value === "string" ? [value.value] : [];
};
