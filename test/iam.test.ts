import { strict as assert } from "assert";
import { parseStackConfig, type StackConfig } from "../config";
import { boundaryPolicyArn, roleName, type Naming } from "../components/naming";
import { decide, stackPolicies, type Decision, type Request, type StackPolicies } from "./helpers/iamSimulation";
import { configValue, stackConfig, synth, withConfig } from "./helpers/stacks";

/**
 * Least privilege, proved by evaluation: every stack is synthesized from its real stack file, and each
 * request below is evaluated by an IAM policy evaluator (@cloud-copilot/iam-simulate) with the role's
 * inline policy, the permissions boundary it carries and the resource's policy (the state and log bucket
 * policies, the key policy), with the request's condition keys.
 */

interface Case extends Request {
    readonly expected: Decision;
}

interface Stack {
    readonly config: StackConfig;
    readonly naming: Naming;
    readonly policies: StackPolicies;
}

async function loadStack(name: string, raw = stackConfig(name)): Promise<Stack> {
    const config = parseStackConfig(raw, name);
    const naming = { prefix: config.prefix, environment: config.environment, accountId: config.accountId, region: config.region };
    return { config, naming, policies: stackPolicies(await synth(name, "resolved", raw), config.accountId) };
}

/** Evaluates every case and compares all decisions at once, so one failure shows the whole matrix. */
async function assertDecisions(stack: Stack, cases: readonly Case[]): Promise<void> {
    const describeCase = (c: Case) => `${c.role} ${c.action} ${c.resource} ${JSON.stringify(c.context ?? {})}`;
    const actual = await Promise.all(cases.map(async (c) => `${describeCase(c)} -> ${await decide(stack.policies, c)}`));
    assert.deepEqual(
        actual,
        cases.map((c) => `${describeCase(c)} -> ${c.expected}`),
    );
}

/**
 * The stack as it would be after the foundation deployer rewrote one bounded role's inline policy to
 * `*` on `*` (it may change the policy and trust of every role it creates): what the boundary alone holds.
 */
function withRewrittenRole(stack: Stack, role: string, bounded: string): Stack {
    const everything = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };
    const boundary = stack.policies.boundaries.get(bounded);
    assert.ok(boundary, `${bounded} carries no boundary`);
    return {
        ...stack,
        policies: {
            ...stack.policies,
            identity: new Map([...stack.policies.identity, [role, everything]]),
            boundaries: new Map([...stack.policies.boundaries, [role, boundary]]),
        },
    };
}

function names(stack: Stack) {
    const { naming } = stack;
    const { prefix, environment: env, accountId: acct, region } = naming;
    return {
        foundationDeployer: roleName(naming, "deployer", "cicd-foundation"),
        foundationPreviewer: roleName(naming, "previewer", "cicd-foundation"),
        boundary: boundaryPolicyArn(naming),
        role: (name: string) => `arn:aws:iam::${acct}:role/${name}`,
        stateObject: (key: string) => `arn:aws:s3:::${prefix}-state-${env}/${key}`,
        stateBucket: `arn:aws:s3:::${prefix}-state-${env}`,
        logBucket: `arn:aws:s3:::${prefix}-state-access-logs-${env}`,
        key: `arn:aws:kms:${region}:${acct}:key/0b5f3c1e-1111-2222-3333-444455556666`,
        /** Another key of the account, e.g. a team's own; every key is `key/<id>`, only its aliases differ. */
        foreignKey: `arn:aws:kms:${region}:${acct}:key/99999999-aaaa-bbbb-cccc-000000000000`,
        foreignKeyContext: { "kms:ResourceAliases": ["alias/payments"] },
        keyAlias: (name: string) => `arn:aws:kms:${region}:${acct}:alias/${name}`,
        table: (name: string) => `arn:aws:dynamodb:${region}:${acct}:table/${name}`,
        bucket: (name: string) => `arn:aws:s3:::${name}`,
        logGroup: (name: string) => `arn:aws:logs:${region}:${acct}:log-group:${name}`,
        auditLogGroup: `arn:aws:logs:${region}:${acct}:log-group:/${prefix}/deployments/${env}`,
        keyContext: { "kms:ResourceAliases": [`alias/${prefix}-${env}`] },
        ledger: `arn:aws:dynamodb:${region}:${acct}:table/${prefix}-deployments-${env}`,
        lockTable: `arn:aws:dynamodb:${region}:${acct}:table/${prefix}-state-lock-${env}`,
        topic: `arn:aws:sns:${region}:${acct}:${prefix}-alerts-critical-${env}`,
        function: (name: string) => `arn:aws:lambda:${region}:${acct}:function:${name}`,
        chatConfiguration: (name: string) => `arn:aws:chatbot::${acct}:chat-configuration/slack-channel/${name}`,
        alarm: (name: string) => `arn:aws:cloudwatch:${region}:${acct}:alarm:${name}`,
    };
}

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

        it("lets each deployer write its own service's ledger items and no other's", async () => {
            const services = stack.config.repositories.map((r) => r.name);
            const cases = stack.config.repositories.flatMap((repository, i): Case[] => {
                const role = roleName(stack.naming, "deployer", repository.name);
                const other = services[(i + 1) % services.length];
                return [
                    {
                        role,
                        action: "dynamodb:PutItem",
                        resource: n.ledger,
                        context: { "dynamodb:LeadingKeys": [repository.name] },
                        expected: "Allowed",
                    },
                    {
                        role,
                        action: "dynamodb:UpdateItem",
                        resource: n.ledger,
                        context: { "dynamodb:LeadingKeys": [repository.name] },
                        expected: "Allowed",
                    },
                    {
                        role,
                        action: "dynamodb:PutItem",
                        resource: n.ledger,
                        context: { "dynamodb:LeadingKeys": [other] },
                        expected: "ImplicitlyDenied",
                    },
                    {
                        role,
                        action: "dynamodb:UpdateItem",
                        resource: n.ledger,
                        context: { "dynamodb:LeadingKeys": [other] },
                        expected: "ImplicitlyDenied",
                    },
                    {
                        role,
                        action: "dynamodb:Query",
                        resource: `${n.ledger}/index/by-service-status`,
                        context: { "dynamodb:LeadingKeys": [repository.name] },
                        expected: "Allowed",
                    },
                    {
                        role,
                        action: "dynamodb:Query",
                        resource: `${n.ledger}/index/by-status`,
                        context: { "dynamodb:LeadingKeys": ["failed"] },
                        expected: "ImplicitlyDenied",
                    },
                    { role, action: "dynamodb:Scan", resource: n.ledger, expected: "ImplicitlyDenied" },
                ];
            });
            await assertDecisions(stack, cases);
        });

        it("lets each previewer read its own state and nothing else, and write nothing", async () => {
            const services = stack.config.repositories.map((r) => r.name);
            const cases = stack.config.repositories.flatMap((repository, i): Case[] => {
                const role = roleName(stack.naming, "previewer", repository.name);
                const own = repository.name;
                const other = services[(i + 1) % services.length];
                // The foundation refreshes the state bucket itself, and S3's HeadBucket is authorized as
                // s3:ListBucket with no prefix: its previewer can list (never read) other repositories' keys.
                const listOther = repository.kind === "pulumi" ? "Allowed" : "ImplicitlyDenied";
                return [
                    { role, action: "s3:GetObject", resource: n.stateObject(`${own}/.pulumi/stacks/x.json`), expected: "Allowed" },
                    { role, action: "s3:ListBucket", resource: n.stateBucket, context: { "s3:prefix": `${own}/` }, expected: "Allowed" },
                    { role, action: "s3:GetObject", resource: n.stateObject(`${other}/terraform.tfstate`), expected: "ImplicitlyDenied" },
                    { role, action: "s3:ListBucket", resource: n.stateBucket, context: { "s3:prefix": `${other}/` }, expected: listOther },
                    { role, action: "s3:PutObject", resource: n.stateObject(`${own}/.pulumi/locks/x.json`), expected: "ImplicitlyDenied" },
                    {
                        role,
                        action: "s3:DeleteObject",
                        resource: n.stateObject(`${own}/.pulumi/locks/x.json`),
                        expected: "ImplicitlyDenied",
                    },
                    { role, action: "s3:PutObject", resource: n.stateObject(`${own}/terraform.tfstate`), expected: "ImplicitlyDenied" },
                    {
                        role,
                        action: "dynamodb:PutItem",
                        resource: n.lockTable,
                        context: {
                            "dynamodb:LeadingKeys": [`${stack.naming.prefix}-state-${stack.naming.environment}/${own}/terraform.tfstate`],
                        },
                        expected: "ImplicitlyDenied",
                    },
                    {
                        role,
                        action: "dynamodb:PutItem",
                        resource: n.ledger,
                        context: { "dynamodb:LeadingKeys": [own] },
                        expected: "ImplicitlyDenied",
                    },
                ];
            });
            await assertDecisions(stack, cases);
        });

        it("lets only the Pulumi repository's roles call KMS directly; the others decrypt only through S3 or DynamoDB", async () => {
            const cases = stack.config.repositories.flatMap((repository): Case[] => {
                const direct = repository.kind === "pulumi" ? "Allowed" : "ImplicitlyDenied";
                const viaStorage = repository.kind === "lambda" || repository.kind === "container" ? "ImplicitlyDenied" : "Allowed";
                const s3 = { ...n.keyContext, "kms:ViaService": `s3.${stack.naming.region}.amazonaws.com` };
                return ["deployer", "previewer"].flatMap((kind): Case[] => {
                    const role = roleName(stack.naming, kind as "deployer", repository.name);
                    return [
                        { role, action: "kms:Decrypt", resource: n.key, context: n.keyContext, expected: direct },
                        {
                            role,
                            action: "kms:Decrypt",
                            resource: n.key,
                            context: s3,
                            expected: repository.kind === "pulumi" ? "Allowed" : viaStorage,
                        },
                    ];
                });
            });
            await assertDecisions(stack, cases);
        });

        it("lets a Lambda deployer pass only its own service's execution roles, only to Lambda, and deploy only its functions", async () => {
            const lambdas = stack.config.repositories.filter((r) => r.kind === "lambda");
            assert.equal(lambdas.length, 3);
            const cases = lambdas.flatMap((repository, i): Case[] => {
                const role = roleName(stack.naming, "deployer", repository.name);
                const other = lambdas[(i + 1) % lambdas.length];
                const ownRole = n.role(`${stack.naming.prefix}-lambda-${repository.name}@exec`);
                const otherRole = n.role(`${stack.naming.prefix}-lambda-${other.name}@exec`);
                const fn = (r: typeof repository) => n.function(r.deploys.lambdaFunctions[0].replace("*", stack.naming.environment));
                const toLambda = { "iam:PassedToService": "lambda.amazonaws.com" };
                return [
                    { role, action: "iam:PassRole", resource: ownRole, context: toLambda, expected: "Allowed" },
                    { role, action: "iam:PassRole", resource: otherRole, context: toLambda, expected: "ImplicitlyDenied" },
                    {
                        role,
                        action: "iam:PassRole",
                        resource: ownRole,
                        context: { "iam:PassedToService": "ec2.amazonaws.com" },
                        expected: "ImplicitlyDenied",
                    },
                    {
                        role,
                        action: "iam:PassRole",
                        resource: n.role(n.foundationDeployer),
                        context: toLambda,
                        expected: "ExplicitlyDenied",
                    },
                    { role, action: "lambda:UpdateFunctionCode", resource: fn(repository), expected: "Allowed" },
                    { role, action: "lambda:UpdateAlias", resource: `${fn(repository)}:live`, expected: "Allowed" },
                    { role, action: "lambda:UpdateFunctionCode", resource: fn(other), expected: "ImplicitlyDenied" },
                    { role, action: "lambda:UpdateFunctionConfiguration", resource: fn(repository), expected: "ImplicitlyDenied" },
                    {
                        role,
                        action: "cloudwatch:DescribeAlarms",
                        resource: n.alarm(`${stack.naming.prefix}-${stack.naming.environment}-canary`),
                        expected: "Allowed",
                    },
                    { role, action: "s3:PutObject", resource: n.stateObject(`${repository.name}/x`), expected: "ImplicitlyDenied" },
                ];
            });
            await assertDecisions(stack, cases);
        });

        it("lets a Terraform deployer take only its own state path's lock items", async () => {
            const terraform = stack.config.repositories.filter((r) => r.kind === "terraform");
            assert.equal(terraform.length, 3);
            const bucket = `${stack.naming.prefix}-state-${stack.naming.environment}`;
            const cases = terraform.flatMap((repository, i): Case[] => {
                const role = roleName(stack.naming, "deployer", repository.name);
                const other = terraform[(i + 1) % terraform.length].name;
                const lock = (path: string) => ({ "dynamodb:LeadingKeys": [path] });
                return [
                    {
                        role,
                        action: "dynamodb:PutItem",
                        resource: n.lockTable,
                        context: lock(`${bucket}/${repository.name}/terraform.tfstate`),
                        expected: "Allowed",
                    },
                    {
                        role,
                        action: "dynamodb:GetItem",
                        resource: n.lockTable,
                        context: lock(`${bucket}/${repository.name}/terraform.tfstate-md5`),
                        expected: "Allowed",
                    },
                    {
                        role,
                        action: "dynamodb:DeleteItem",
                        resource: n.lockTable,
                        context: lock(`${bucket}/${repository.name}/terraform.tfstate`),
                        expected: "Allowed",
                    },
                    {
                        role,
                        action: "dynamodb:PutItem",
                        resource: n.lockTable,
                        context: lock(`${bucket}/${other}/terraform.tfstate`),
                        expected: "ImplicitlyDenied",
                    },
                    {
                        role,
                        action: "dynamodb:DeleteItem",
                        resource: n.lockTable,
                        context: lock(`${bucket}/${other}/terraform.tfstate`),
                        expected: "ImplicitlyDenied",
                    },
                    { role, action: "s3:PutObject", resource: n.stateObject(`${repository.name}/terraform.tfstate`), expected: "Allowed" },
                    { role, action: "s3:PutObject", resource: n.stateObject(`${other}/terraform.tfstate`), expected: "ImplicitlyDenied" },
                ];
            });
            await assertDecisions(stack, cases);
        });

        it("lets a Terraform deployer read and list its own state's versions for a rollback, and never delete one", async () => {
            const terraform = stack.config.repositories.filter((r) => r.kind === "terraform");
            const cases = terraform.flatMap((repository, i): Case[] => {
                const role = roleName(stack.naming, "deployer", repository.name);
                const other = terraform[(i + 1) % terraform.length].name;
                const own = n.stateObject(`${repository.name}/terraform.tfstate`);
                return [
                    { role, action: "s3:GetObjectVersion", resource: own, expected: "Allowed" },
                    {
                        role,
                        action: "s3:GetObjectVersion",
                        resource: n.stateObject(`${other}/terraform.tfstate`),
                        expected: "ImplicitlyDenied",
                    },
                    {
                        role,
                        action: "s3:ListBucketVersions",
                        resource: n.stateBucket,
                        context: { "s3:prefix": `${repository.name}/` },
                        expected: "Allowed",
                    },
                    {
                        role,
                        action: "s3:ListBucketVersions",
                        resource: n.stateBucket,
                        context: { "s3:prefix": `${other}/` },
                        expected: "ImplicitlyDenied",
                    },
                    { role, action: "s3:DeleteObjectVersion", resource: own, expected: "ExplicitlyDenied" },
                ];
            });
            await assertDecisions(stack, cases);
        });
    });
}

describe("IAM evaluation of the ledger reader", () => {
    it("lets the next environment's gated job read its own service's sit items only", async () => {
        const stack = await loadStack("sit");
        const ledger = `arn:aws:dynamodb:${stack.config.region}:${stack.config.accountId}:table/bbws-deployments-sit`;
        const role = roleName(stack.naming, "ledger-reader", "2_1_bbws_s3_schemas");
        const own = { "dynamodb:LeadingKeys": ["2_1_bbws_s3_schemas"] };
        await assertDecisions(stack, [
            { role, action: "dynamodb:Query", resource: `${ledger}/index/by-service-commit`, context: own, expected: "Allowed" },
            { role, action: "dynamodb:GetItem", resource: ledger, context: own, expected: "Allowed" },
            {
                role,
                action: "dynamodb:Query",
                resource: ledger,
                context: { "dynamodb:LeadingKeys": ["cicd-foundation"] },
                expected: "ImplicitlyDenied",
            },
            { role, action: "dynamodb:PutItem", resource: ledger, context: own, expected: "ImplicitlyDenied" },
        ]);
    });
});

describe("IAM evaluation of the CloudTrail metric filter", () => {
    it("gives the foundation deployer only the metric filter on the account's CloudTrail log group", async () => {
        const raw = stackConfig("prod");
        const monitoring = configValue<Record<string, unknown>>(raw, "cicd-foundation:monitoring");
        const trailName = "aws-cloudtrail-logs-org";
        const stack = await loadStack(
            "prod",
            withConfig(raw, { "cicd-foundation:monitoring": { ...monitoring, cloudTrailLogGroup: trailName } }),
        );
        const n = names(stack);
        const fd = n.foundationDeployer;
        const fp = n.foundationPreviewer;
        const trail = n.logGroup(trailName);
        await assertDecisions(stack, [
            { role: fd, action: "logs:PutMetricFilter", resource: trail, expected: "Allowed" },
            { role: fd, action: "logs:DeleteMetricFilter", resource: `${trail}:*`, expected: "Allowed" },
            { role: fd, action: "logs:DescribeMetricFilters", resource: trail, expected: "Allowed" },
            { role: fp, action: "logs:DescribeMetricFilters", resource: trail, expected: "Allowed" },
            { role: fp, action: "logs:PutMetricFilter", resource: trail, expected: "ImplicitlyDenied" },
            { role: fd, action: "logs:DeleteLogGroup", resource: trail, expected: "ImplicitlyDenied" },
            { role: fd, action: "logs:PutRetentionPolicy", resource: trail, expected: "ImplicitlyDenied" },
            { role: fd, action: "logs:DeleteRetentionPolicy", resource: `${trail}:*`, expected: "ImplicitlyDenied" },
            { role: fd, action: "logs:DisassociateKmsKey", resource: trail, expected: "ImplicitlyDenied" },
            { role: fd, action: "logs:TagResource", resource: trail, expected: "ImplicitlyDenied" },
            { role: fd, action: "logs:PutRetentionPolicy", resource: n.auditLogGroup, expected: "ExplicitlyDenied" },
        ]);
    });
});

describe("IAM evaluation of the Chatbot rights", () => {
    it("lets the foundation deployer change only this foundation's channel configurations and pass only the Chatbot role", async () => {
        const raw = stackConfig("prod");
        const channels = [{ name: "#prod-alerts", workspaceId: "T0123ABCD", channelId: "C0123ABCD", severities: ["critical"] }];
        const stack = await loadStack("prod", withConfig(raw, { "cicd-foundation:notifications": { slackChannels: channels } }));
        const n = names(stack);
        const fd = n.foundationDeployer;
        const chatbotRole = n.role(roleName(stack.naming, "chatbot", "slack"));
        await assertDecisions(stack, [
            {
                role: fd,
                action: "chatbot:UpdateSlackChannelConfiguration",
                resource: n.chatConfiguration("bbws-prod-prod-alerts"),
                expected: "Allowed",
            },
            {
                role: fd,
                action: "chatbot:DeleteSlackChannelConfiguration",
                resource: n.chatConfiguration("bbws-prod-prod-alerts"),
                expected: "Allowed",
            },
            {
                role: fd,
                action: "chatbot:UpdateSlackChannelConfiguration",
                resource: n.chatConfiguration("payments-alerts"),
                expected: "ImplicitlyDenied",
            },
            {
                role: fd,
                action: "chatbot:DeleteSlackChannelConfiguration",
                resource: n.chatConfiguration("bbws-sit-alerts"),
                expected: "ImplicitlyDenied",
            },
            {
                role: fd,
                action: "iam:PassRole",
                resource: chatbotRole,
                context: { "iam:PassedToService": "chatbot.amazonaws.com" },
                expected: "Allowed",
            },
            {
                role: fd,
                action: "iam:PassRole",
                resource: chatbotRole,
                context: { "iam:PassedToService": "lambda.amazonaws.com" },
                expected: "ImplicitlyDenied",
            },
        ]);
        assert.deepEqual(
            stack.policies.roles.filter((role) => !stack.policies.boundaries.has(role)),
            [],
        );
        assert.equal(stack.policies.roles.includes(roleName(stack.naming, "chatbot", "slack")), true);
    });
});
