import type { Break } from "./break";
import { BREAKS as customerKeyEncryption } from "./customerKeyEncryption";
import { BREAKS as dynamodbPitr } from "./dynamodbPitr";
import { BREAKS as environmentTagged } from "./environmentTagged";
import { BREAKS as githubEnvironmentProtection } from "./githubEnvironmentProtection";
import { BREAKS as githubSecretsSecret } from "./githubSecretsSecret";
import { BREAKS as kmsKeyRotation } from "./kmsKeyRotation";
import { BREAKS as oidcTrust } from "./oidcTrust";
import { BREAKS as policyPrincipals } from "./policyPrincipals";
import { BREAKS as policyStatements } from "./policyStatements";
import { BREAKS as prodAlarmsActionable } from "./prodAlarmsActionable";
import { BREAKS as prodAuditRetention } from "./prodAuditRetention";
import { BREAKS as prodDeletionGuards } from "./prodDeletionGuards";
import { BREAKS as prodDeploymentBranches } from "./prodDeploymentBranches";
import { BREAKS as prodFoundationPresent } from "./prodFoundationPresent";
import { BREAKS as prodReviewRuleset } from "./prodReviewRuleset";
import { BREAKS as prodStatefulProtected } from "./prodStatefulProtected";
import { BREAKS as prodSubscriptionsInternal } from "./prodSubscriptionsInternal";
import { BREAKS as rolePermissionsBoundary } from "./rolePermissionsBoundary";
import { BREAKS as s3Encryption } from "./s3Encryption";
import { BREAKS as s3OwnershipEnforced } from "./s3OwnershipEnforced";
import { BREAKS as s3PublicAccessBlocked } from "./s3PublicAccessBlocked";
import { BREAKS as s3TlsOnly } from "./s3TlsOnly";
import { BREAKS as stateBucketVersioned } from "./stateBucketVersioned";

export { messagesOf, type Break } from "./break";

/** Every rule's breaks of the prod graph, by rule: the pack's end-to-end test runs them all. */
export const BREAKS_BY_RULE: Record<string, readonly Break[]> = {
    "customer-key-encryption": customerKeyEncryption,
    "dynamodb-pitr": dynamodbPitr,
    "environment-tagged": environmentTagged,
    "github-environment-protection": githubEnvironmentProtection,
    "github-secrets-secret": githubSecretsSecret,
    "kms-key-rotation": kmsKeyRotation,
    "oidc-trust": oidcTrust,
    "policy-principals": policyPrincipals,
    "policy-statements": policyStatements,
    "prod-alarms-actionable": prodAlarmsActionable,
    "prod-audit-retention": prodAuditRetention,
    "prod-deletion-guards": prodDeletionGuards,
    "prod-deployment-branches": prodDeploymentBranches,
    "prod-foundation-present": prodFoundationPresent,
    "prod-review-ruleset": prodReviewRuleset,
    "prod-stateful-protected": prodStatefulProtected,
    "prod-subscriptions-internal": prodSubscriptionsInternal,
    "role-permissions-boundary": rolePermissionsBoundary,
    "s3-encryption": s3Encryption,
    "s3-ownership-enforced": s3OwnershipEnforced,
    "s3-public-access-blocked": s3PublicAccessBlocked,
    "s3-tls-only": s3TlsOnly,
    "state-bucket-versioned": stateBucketVersioned,
};

export const PROD_BREAKS: readonly Break[] = Object.values(BREAKS_BY_RULE).flat();

/** One rule's breaks. */
export function breaksOf(rule: string): readonly Break[] {
    const found = BREAKS_BY_RULE[rule];
    if (!found) throw new Error(`no breaks of ${rule}`);
    return found;
}
