import { customerKeyEncryption } from "./customerKeyEncryption";
import { deployScopesDisjoint } from "./deployScopesDisjoint";
import { dynamodbPitr } from "./dynamodbPitr";
import { ecrImmutableTags } from "./ecrImmutableTags";
import { ecrKmsEncryption } from "./ecrKmsEncryption";
import { ecrScanOnPush } from "./ecrScanOnPush";
import { ecsTaskRolesReserved } from "./ecsTaskRolesReserved";
import { environmentTagged } from "./environmentTagged";
import { foundationRights } from "./foundationRights";
import { githubEnvironmentProtection } from "./githubEnvironmentProtection";
import { githubSecretsSecret } from "./githubSecretsSecret";
import { kmsKeyRotation } from "./kmsKeyRotation";
import { oidcTrust } from "./oidcTrust";
import { policyPrincipals } from "./policyPrincipals";
import { policyStatements } from "./policyStatements";
import { prodAlarmsActionable } from "./prodAlarmsActionable";
import { prodAuditRetention } from "./prodAuditRetention";
import { prodDeletionGuards } from "./prodDeletionGuards";
import { prodDeploymentBranches } from "./prodDeploymentBranches";
import { prodFoundationPresent } from "./prodFoundationPresent";
import { prodReviewRuleset } from "./prodReviewRuleset";
import { prodStatefulProtected } from "./prodStatefulProtected";
import { prodSubscriptionsInternal } from "./prodSubscriptionsInternal";
import { rolePermissionsBoundary } from "./rolePermissionsBoundary";
import { s3Encryption } from "./s3Encryption";
import { s3OwnershipEnforced } from "./s3OwnershipEnforced";
import { s3PublicAccessBlocked } from "./s3PublicAccessBlocked";
import { s3TlsOnly } from "./s3TlsOnly";
import { stateBucketVersioned } from "./stateBucketVersioned";

/** Every rule of the pack, in the order they are reported. */
export const rules = [
    prodStatefulProtected,
    prodDeletionGuards,
    prodFoundationPresent,
    s3Encryption,
    s3PublicAccessBlocked,
    s3OwnershipEnforced,
    s3TlsOnly,
    stateBucketVersioned,
    customerKeyEncryption,
    kmsKeyRotation,
    dynamodbPitr,
    ecrKmsEncryption,
    ecrScanOnPush,
    ecrImmutableTags,
    ecsTaskRolesReserved,
    oidcTrust,
    policyPrincipals,
    policyStatements,
    rolePermissionsBoundary,
    foundationRights,
    deployScopesDisjoint,
    prodAuditRetention,
    prodAlarmsActionable,
    prodSubscriptionsInternal,
    prodReviewRuleset,
    prodDeploymentBranches,
    githubEnvironmentProtection,
    githubSecretsSecret,
    environmentTagged,
];
