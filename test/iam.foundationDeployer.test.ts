import { strict as assert } from "assert";
import { roleName } from "../shared/names";
import { assertDecisions, loadStack, names, withRewrittenRole, type Case, type Stack } from "./support/iamStacks";

/**
 * Least privilege, proved by evaluation: every stack of the fixture organisation is synthesized, and each
 * request below is evaluated by an IAM policy evaluator (@cloud-copilot/iam-simulate) with the role's
 * inline policy, the permissions boundary it carries and the resource's policy (the state and log bucket
 * policies, the key policy), with the request's condition keys.
 */

for (const stackName of ["dev", "sit", "prod"]) {
    describe(`IAM evaluation of the ${stackName} stack`, () => {
        let stack: Stack;
        let n: ReturnType<typeof names>;
        before(async () => {
            stack = await loadStack(stackName);
            n = names(stack);
        });

        it("bounds every role with the pipeline boundary, which stays within IAM's size limits", () => {
            const { roles } = stack.policies;
            assert.equal(roles.length, stack.config.repositories.length * (stack.config.ledgerReaderEnvironment ? 3 : 2));
            assert.deepEqual(
                roles.filter((role) => !stack.policies.boundaries.has(role)),
                [],
            );
            const boundary = JSON.stringify(stack.policies.boundaries.get(n.foundationDeployer));
            assert.ok(boundary.length <= 6144, `the boundary is ${boundary.length} characters; a managed policy holds 6,144`);
            const largest = Math.max(...[...stack.policies.identity.values()].map((p) => JSON.stringify(p).length));
            assert.ok(largest <= 10240, `an inline policy is ${largest} characters; a role's inline policies hold 10,240`);
        });

        it("keeps the foundation deployer from raising its own privileges", async () => {
            const self = n.role(n.foundationDeployer);
            const withBoundary = { "iam:PermissionsBoundary": n.boundary };
            const fd = n.foundationDeployer;
            await assertDecisions(stack, [
                { role: fd, action: "iam:PutRolePolicy", resource: self, context: withBoundary, expected: "ExplicitlyDenied" },
                { role: fd, action: "iam:UpdateAssumeRolePolicy", resource: self, context: withBoundary, expected: "ExplicitlyDenied" },
                { role: fd, action: "iam:AttachRolePolicy", resource: self, context: withBoundary, expected: "ExplicitlyDenied" },
                {
                    role: fd,
                    action: "iam:DeleteRolePermissionsBoundary",
                    resource: self,
                    context: withBoundary,
                    expected: "ExplicitlyDenied",
                },
                { role: fd, action: "iam:PutRolePermissionsBoundary", resource: self, context: withBoundary, expected: "ExplicitlyDenied" },
                {
                    role: fd,
                    action: "iam:PassRole",
                    resource: self,
                    context: { "iam:PassedToService": "lambda.amazonaws.com" },
                    expected: "ExplicitlyDenied",
                },
                { role: fd, action: "iam:CreateRole", resource: n.role(`${stack.naming.prefix}-new`), expected: "ExplicitlyDenied" },
                {
                    role: fd,
                    action: "iam:CreateRole",
                    resource: n.role(`${stack.naming.prefix}-new`),
                    context: { "iam:PermissionsBoundary": `arn:aws:iam::${stack.naming.accountId}:policy/AdministratorAccess` },
                    expected: "ExplicitlyDenied",
                },
                { role: fd, action: "iam:CreateRole", resource: n.role("admin-new"), context: withBoundary, expected: "ImplicitlyDenied" },
                { role: fd, action: "iam:CreatePolicyVersion", resource: n.boundary, expected: "ExplicitlyDenied" },
                { role: fd, action: "iam:SetDefaultPolicyVersion", resource: n.boundary, expected: "ExplicitlyDenied" },
                { role: fd, action: "iam:DeletePolicy", resource: n.boundary, expected: "ExplicitlyDenied" },
            ]);
        });

        it("denies the foundation deployer's changes to itself and the boundary by its own policy alone, boundary or not", async () => {
            const self = n.role(n.foundationDeployer);
            const fd = n.foundationDeployer;
            const alone = { withoutBoundary: true, context: { "iam:PermissionsBoundary": n.boundary } };
            await assertDecisions(stack, [
                { role: fd, action: "iam:PutRolePolicy", resource: self, ...alone, expected: "ExplicitlyDenied" },
                { role: fd, action: "iam:UpdateAssumeRolePolicy", resource: self, ...alone, expected: "ExplicitlyDenied" },
                { role: fd, action: "iam:DeleteRolePermissionsBoundary", resource: self, ...alone, expected: "ExplicitlyDenied" },
                { role: fd, action: "iam:CreatePolicyVersion", resource: n.boundary, ...alone, expected: "ExplicitlyDenied" },
                {
                    role: fd,
                    action: "iam:CreateRole",
                    resource: n.role(`${stack.naming.prefix}-new`),
                    withoutBoundary: true,
                    expected: "ImplicitlyDenied",
                },
            ]);
        });

        it("keeps the foundation deployer from destroying state, its access log or the key", async () => {
            const fd = n.foundationDeployer;
            const version = { "s3:versionid": "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY" };
            await assertDecisions(stack, [
                {
                    role: fd,
                    action: "s3:DeleteObjectVersion",
                    resource: n.stateObject("cicd-foundation/.pulumi/stacks/x.json"),
                    context: version,
                    expected: "ExplicitlyDenied",
                },
                {
                    role: fd,
                    action: "s3:DeleteObjectVersion",
                    resource: n.stateObject("2_1_bbws_s3_schemas/terraform.tfstate"),
                    context: version,
                    expected: "ExplicitlyDenied",
                },
                { role: fd, action: "s3:DeleteBucket", resource: n.stateBucket, expected: "ExplicitlyDenied" },
                { role: fd, action: "s3:DeleteBucket", resource: n.logBucket, expected: "ExplicitlyDenied" },
                { role: fd, action: "s3:PutLifecycleConfiguration", resource: n.stateBucket, expected: "ExplicitlyDenied" },
                { role: fd, action: "s3:PutBucketVersioning", resource: n.stateBucket, expected: "ExplicitlyDenied" },
                { role: fd, action: "s3:PutBucketLogging", resource: n.stateBucket, expected: "ExplicitlyDenied" },
                { role: fd, action: "s3:PutBucketPolicy", resource: n.stateBucket, expected: "ExplicitlyDenied" },
                { role: fd, action: "kms:ScheduleKeyDeletion", resource: n.key, context: n.keyContext, expected: "ExplicitlyDenied" },
                { role: fd, action: "kms:DisableKey", resource: n.key, context: n.keyContext, expected: "ExplicitlyDenied" },
                { role: fd, action: "kms:DisableKeyRotation", resource: n.key, context: n.keyContext, expected: "ExplicitlyDenied" },
                { role: fd, action: "dynamodb:DeleteTable", resource: n.ledger, expected: "ExplicitlyDenied" },
            ]);
        });

        it("lets the foundation deployer do what `pulumi up`, refresh and import need", async () => {
            const fd = n.foundationDeployer;
            const withBoundary = { "iam:PermissionsBoundary": n.boundary };
            const pipelineRole = n.role(roleName(stack.naming, "previewer", "2_1_bbws_s3_schemas"));
            await assertDecisions(stack, [
                { role: fd, action: "iam:CreateRole", resource: pipelineRole, context: withBoundary, expected: "Allowed" },
                { role: fd, action: "iam:PutRolePolicy", resource: pipelineRole, context: withBoundary, expected: "Allowed" },
                { role: fd, action: "iam:UpdateAssumeRolePolicy", resource: pipelineRole, context: withBoundary, expected: "Allowed" },
                { role: fd, action: "iam:DeleteRole", resource: pipelineRole, context: withBoundary, expected: "Allowed" },
                { role: fd, action: "iam:ListInstanceProfilesForRole", resource: pipelineRole, expected: "Allowed" },
                { role: fd, action: "iam:GetRole", resource: n.role(fd), expected: "Allowed" },
                { role: fd, action: "iam:GetPolicyVersion", resource: n.boundary, expected: "Allowed" },
                { role: fd, action: "logs:DescribeLogGroups", resource: "*", expected: "Allowed" },
                { role: fd, action: "s3:GetBucketLogging", resource: n.stateBucket, expected: "Allowed" },
                { role: fd, action: "s3:GetBucketObjectLockConfiguration", resource: n.stateBucket, expected: "Allowed" },
                { role: fd, action: "s3:GetReplicationConfiguration", resource: n.logBucket, expected: "Allowed" },
                { role: fd, action: "s3:GetBucketCORS", resource: n.stateBucket, expected: "Allowed" },
                { role: fd, action: "s3:PutBucketTagging", resource: n.logBucket, expected: "Allowed" },
                // The buckets' protective settings and the key policy are the administrator's (the boundary denies them).
                { role: fd, action: "s3:PutBucketPublicAccessBlock", resource: n.logBucket, expected: "ExplicitlyDenied" },
                { role: fd, action: "sns:ListSubscriptionsByTopic", resource: n.topic, expected: "Allowed" },
                { role: fd, action: "kms:ListResourceTags", resource: n.key, context: n.keyContext, expected: "Allowed" },
                { role: fd, action: "kms:EnableKeyRotation", resource: n.key, context: n.keyContext, expected: "Allowed" },
                { role: fd, action: "kms:PutKeyPolicy", resource: n.key, context: n.keyContext, expected: "ExplicitlyDenied" },
                {
                    role: fd,
                    action: "kms:PutKeyPolicy",
                    resource: n.key,
                    context: { ...n.keyContext, "kms:BypassPolicyLockoutSafetyCheck": "true" },
                    expected: "ExplicitlyDenied",
                },
                { role: fd, action: "dynamodb:DescribeContinuousBackups", resource: n.ledger, expected: "Allowed" },
                {
                    role: fd,
                    action: "s3:PutObject",
                    resource: n.stateObject("cicd-foundation/.pulumi/stacks/cicd-foundation/x.json"),
                    expected: "Allowed",
                },
                { role: fd, action: "kms:Decrypt", resource: n.key, context: n.keyContext, expected: "Allowed" },
            ]);
        });

        it("keeps the foundation deployer's key rights on the environment key, its grants for AWS services, its key policy for an administrator", async () => {
            const fd = n.foundationDeployer;
            const fp = n.foundationPreviewer;
            const { prefix, environment } = stack.naming;
            const envAlias = n.keyAlias(`${prefix}-${environment}`);
            const forStorage = { ...n.keyContext, "kms:GrantIsForAWSResource": "true" };
            const toOutsider = {
                ...n.keyContext,
                "kms:GrantIsForAWSResource": "false",
                "kms:GranteePrincipal": "arn:aws:iam::111122223333:root",
                "kms:GrantOperations": ["Decrypt"],
            };
            await assertDecisions(stack, [
                { role: fd, action: "kms:CreateGrant", resource: n.key, context: forStorage, expected: "Allowed" },
                { role: fd, action: "kms:CreateGrant", resource: n.key, context: toOutsider, expected: "ImplicitlyDenied" },
                { role: fd, action: "kms:CreateGrant", resource: n.key, context: n.keyContext, expected: "ImplicitlyDenied" },
                {
                    role: fd,
                    action: "kms:CreateGrant",
                    resource: n.foreignKey,
                    context: { ...n.foreignKeyContext, "kms:GrantIsForAWSResource": "true" },
                    expected: "ImplicitlyDenied",
                },
                {
                    role: fd,
                    action: "kms:PutKeyPolicy",
                    resource: n.foreignKey,
                    context: n.foreignKeyContext,
                    expected: "ExplicitlyDenied",
                },
                { role: fd, action: "kms:PutKeyPolicy", resource: n.key, context: n.keyContext, expected: "ExplicitlyDenied" },
                {
                    role: fd,
                    action: "kms:PutKeyPolicy",
                    resource: n.key,
                    context: n.keyContext,
                    withoutBoundary: true,
                    expected: "ImplicitlyDenied",
                },
                { role: fd, action: "kms:TagResource", resource: n.key, context: n.keyContext, expected: "Allowed" },
                { role: fd, action: "kms:TagResource", resource: n.foreignKey, context: n.foreignKeyContext, expected: "ImplicitlyDenied" },
                { role: fd, action: "kms:UpdateKeyDescription", resource: n.foreignKey, expected: "ImplicitlyDenied" },
                {
                    role: fd,
                    action: "kms:GetKeyPolicy",
                    resource: n.foreignKey,
                    context: n.foreignKeyContext,
                    expected: "ImplicitlyDenied",
                },
                { role: fp, action: "kms:GetKeyPolicy", resource: n.key, context: n.keyContext, expected: "Allowed" },
                { role: fp, action: "kms:DescribeKey", resource: n.foreignKey, context: n.foreignKeyContext, expected: "ImplicitlyDenied" },
                { role: fd, action: "kms:CreateAlias", resource: envAlias, expected: "Allowed" },
                { role: fd, action: "kms:CreateAlias", resource: n.keyAlias("payments"), expected: "ImplicitlyDenied" },
                { role: fd, action: "kms:UpdateAlias", resource: envAlias, expected: "ExplicitlyDenied" },
                { role: fd, action: "kms:DeleteAlias", resource: envAlias, expected: "ExplicitlyDenied" },
            ]);
        });

        it("keeps the foundation deployer's bucket and table rights on the foundation's own, never the services' data", async () => {
            const fd = n.foundationDeployer;
            const fp = n.foundationPreviewer;
            const { prefix, environment } = stack.naming;
            const tenantTable = n.table(`${prefix}-tenant-acme`);
            const tenantBucket = n.bucket(`${prefix}-tenant-acme`);
            const templates = n.bucket(`${prefix}-templates-${environment}`);
            await assertDecisions(stack, [
                { role: fd, action: "dynamodb:UpdateTable", resource: n.ledger, expected: "Allowed" },
                { role: fd, action: "dynamodb:UpdateContinuousBackups", resource: n.lockTable, expected: "Allowed" },
                { role: fd, action: "dynamodb:DescribeTable", resource: `${n.ledger}/index/by-service-status`, expected: "Allowed" },
                { role: fd, action: "s3:PutBucketTagging", resource: n.stateBucket, expected: "Allowed" },
                { role: fd, action: "s3:GetBucketPolicy", resource: n.logBucket, expected: "Allowed" },
                { role: fd, action: "dynamodb:DeleteTable", resource: tenantTable, expected: "ImplicitlyDenied" },
                { role: fd, action: "dynamodb:UpdateTable", resource: tenantTable, expected: "ImplicitlyDenied" },
                {
                    role: fd,
                    action: "dynamodb:CreateTable",
                    resource: n.table(`${prefix}-anything-${environment}`),
                    expected: "ImplicitlyDenied",
                },
                { role: fd, action: "s3:PutBucketPolicy", resource: tenantBucket, expected: "ImplicitlyDenied" },
                { role: fd, action: "s3:PutBucketPublicAccessBlock", resource: tenantBucket, expected: "ImplicitlyDenied" },
                { role: fd, action: "s3:DeleteBucket", resource: templates, expected: "ImplicitlyDenied" },
                { role: fd, action: "s3:CreateBucket", resource: templates, expected: "ImplicitlyDenied" },
                { role: fd, action: "s3:PutBucketTagging", resource: templates, expected: "ImplicitlyDenied" },
                { role: fp, action: "s3:GetBucketPolicy", resource: templates, expected: "ImplicitlyDenied" },
                { role: fp, action: "dynamodb:DescribeTable", resource: tenantTable, expected: "ImplicitlyDenied" },
                { role: fp, action: "dynamodb:DescribeTable", resource: n.ledger, expected: "Allowed" },
            ]);
        });

        it("keeps the audit log's retention, key and group for an administrator, and grants nothing on a CloudTrail group it is not given", async () => {
            const fd = n.foundationDeployer;
            const groupItself = `${n.auditLogGroup}:*`;
            await assertDecisions(stack, [
                { role: fd, action: "logs:PutRetentionPolicy", resource: n.auditLogGroup, expected: "ExplicitlyDenied" },
                { role: fd, action: "logs:PutRetentionPolicy", resource: groupItself, expected: "ExplicitlyDenied" },
                { role: fd, action: "logs:DeleteRetentionPolicy", resource: n.auditLogGroup, expected: "ExplicitlyDenied" },
                { role: fd, action: "logs:DisassociateKmsKey", resource: n.auditLogGroup, expected: "ExplicitlyDenied" },
                { role: fd, action: "logs:DisassociateKmsKey", resource: groupItself, expected: "ExplicitlyDenied" },
                { role: fd, action: "logs:DeleteLogGroup", resource: groupItself, expected: "ExplicitlyDenied" },
                { role: fd, action: "logs:AssociateKmsKey", resource: n.auditLogGroup, expected: "Allowed" },
                { role: fd, action: "logs:TagResource", resource: n.auditLogGroup, expected: "Allowed" },
                {
                    role: fd,
                    action: "logs:PutRetentionPolicy",
                    resource: n.logGroup(`/${stack.naming.prefix}/other`),
                    expected: "ImplicitlyDenied",
                },
                { role: fd, action: "logs:PutMetricFilter", resource: n.logGroup("aws-cloudtrail-logs-org"), expected: "ImplicitlyDenied" },
            ]);
        });

        it("holds, in the boundary alone, what no policy the foundation deployer writes into a bounded role can do", async () => {
            const { prefix, environment } = stack.naming;
            const rewritten = `${prefix}-rewritten`;
            const r = withRewrittenRole(stack, rewritten, n.foundationDeployer);
            const settings = [
                "s3:PutReplicationConfiguration",
                "s3:PutBucketAcl",
                "s3:PutBucketOwnershipControls",
                "s3:PutBucketPublicAccessBlock",
                "s3:PutEncryptionConfiguration",
                "s3:PutBucketObjectLockConfiguration",
                "s3:PutBucketPolicy",
                "s3:DeleteBucketPolicy",
                "s3:PutBucketVersioning",
                "s3:PutLifecycleConfiguration",
                "s3:PutBucketLogging",
                "s3:DeleteBucket",
            ];
            const denied: Case[] = [
                ...[n.stateBucket, n.logBucket].flatMap((resource) =>
                    settings.map((action): Case => ({ role: rewritten, action, resource, expected: "ExplicitlyDenied" })),
                ),
                ...["logs:PutRetentionPolicy", "logs:DeleteRetentionPolicy", "logs:DisassociateKmsKey", "logs:DeleteLogGroup"].map(
                    (action): Case => ({ role: rewritten, action, resource: n.auditLogGroup, expected: "ExplicitlyDenied" }),
                ),
                { role: rewritten, action: "kms:PutKeyPolicy", resource: n.key, context: n.keyContext, expected: "ExplicitlyDenied" },
                {
                    role: rewritten,
                    action: "kms:ScheduleKeyDeletion",
                    resource: n.key,
                    context: n.keyContext,
                    expected: "ExplicitlyDenied",
                },
                {
                    role: rewritten,
                    action: "kms:UpdateAlias",
                    resource: n.keyAlias(`${prefix}-${environment}`),
                    expected: "ExplicitlyDenied",
                },
                { role: rewritten, action: "dynamodb:DeleteTable", resource: n.ledger, expected: "ExplicitlyDenied" },
                { role: rewritten, action: "dynamodb:DeleteTable", resource: n.lockTable, expected: "ExplicitlyDenied" },
                {
                    role: rewritten,
                    action: "s3:DeleteObjectVersion",
                    resource: n.stateObject("2_1_bbws_s3_schemas/terraform.tfstate"),
                    expected: "ExplicitlyDenied",
                },
                { role: rewritten, action: "iam:CreatePolicyVersion", resource: n.boundary, expected: "ExplicitlyDenied" },
                { role: rewritten, action: "iam:PutRolePolicy", resource: n.role(n.foundationDeployer), expected: "ExplicitlyDenied" },
                { role: rewritten, action: "iam:DeleteRolePermissionsBoundary", resource: n.role(rewritten), expected: "ExplicitlyDenied" },
                { role: rewritten, action: "iam:CreateRole", resource: n.role(`${prefix}-unbounded`), expected: "ExplicitlyDenied" },
                {
                    role: rewritten,
                    action: "iam:CreateUser",
                    resource: `arn:aws:iam::${stack.naming.accountId}:user/${prefix}-x`,
                    expected: "ImplicitlyDenied",
                },
                {
                    role: rewritten,
                    action: "iam:PutRolePolicy",
                    resource: n.role("OrganizationAccountAccessRole"),
                    // A role without the boundary: the boundary itself refuses any change to it.
                    expected: "ExplicitlyDenied",
                },
            ];
            // What remains by design: the foundation deployer defines every repository's role, so a role it
            // rewrites may act within the services (README "Security", "Residual risk"). A role tag naming the
            // service would not close it: the foundation deployer may re-trust that service's own role.
            const other = stack.config.repositories.find((repository) => repository.kind === "lambda");
            assert.ok(other);
            const remaining: Case[] = [
                {
                    role: rewritten,
                    action: "dynamodb:PutItem",
                    resource: n.ledger,
                    context: { "dynamodb:LeadingKeys": [other.name] },
                    expected: "Allowed",
                },
                {
                    role: rewritten,
                    action: "s3:PutObject",
                    resource: n.stateObject("2_1_bbws_s3_schemas/terraform.tfstate"),
                    expected: "Allowed",
                },
                { role: rewritten, action: "lambda:UpdateFunctionCode", resource: n.function("payments"), expected: "Allowed" },
                {
                    role: n.foundationDeployer,
                    action: "iam:UpdateAssumeRolePolicy",
                    resource: n.role(roleName(stack.naming, "deployer", other.name)),
                    context: { "iam:PermissionsBoundary": n.boundary },
                    expected: "Allowed",
                },
            ];
            await assertDecisions(r, [...denied, ...remaining]);
        });
    });
}
