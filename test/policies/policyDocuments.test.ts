import { strict as assert } from "assert";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { FIXTURE_ACCOUNT, fixtureGraph, ruleNamed, runResourceRule, type FixtureResource, type RunOptions } from "../helpers/policy";

// Policy documents IAM would refuse, and grants of whole services: the shapes of an external rule set's IAM
// fixtures (a statement with a service wildcard on "*", a document that does not parse), as Pulumi resources.

const prod: RunOptions = { config: { environment: "prod" } };
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const MANAGED_POLICY = "aws:iam/policy:Policy";
const ROLE = "aws:iam/role:Role";
const document = (...statements: Record<string, unknown>[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const allow = (Sid: string, Action: unknown, Resource: unknown) => ({ Sid, Effect: "Allow", Action, Resource });
const OIDC_TRUST = document({
    Effect: "Allow",
    Principal: { Federated: `arn:aws:iam::${FIXTURE_ACCOUNT}:oidc-provider/token.actions.githubusercontent.com` },
    Action: "sts:AssumeRoleWithWebIdentity",
    Condition: { StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" } },
});

for (const mode of ["resolved", "preview"] as const) {
    /** A rule's outcome on one resource of its own fixture graph. */
    const judge = (rule: string, resource: FixtureResource, options = prod) => {
        const graph = fixtureGraph("prod", mode, [resource]);
        const target = graph.resources.find((r) => r.name === resource.name);
        assert.ok(target);
        return runResourceRule(ruleNamed(rule) as ResourceValidationPolicy, graph, target, options);
    };
    const rolePolicy = (policy: unknown): FixtureResource => ({
        type: ROLE_POLICY,
        name: "deployer",
        inputs: { role: "acme-deployer-prod", policy },
    });
    const refusal = (kind: string, name: string, label: string, why: string) =>
        `${kind} '${name}': its ${label} ${why}, so IAM would refuse it and it cannot be judged; build it with JSON.stringify from a document of statements.`;

    describe(`a policy document IAM would refuse is a violation, never skipped (${mode})`, () => {
        const cases: [string, string, string][] = [
            ["text that is not JSON", '{"Version": "2012-10-17", "Statement": [', "is not valid JSON"],
            ["JSON that is not an object", "[]", "is not a JSON object"],
            ["a document without statements", '{"Version": "2012-10-17"}', "has no Statement"],
            ["an empty statement list", '{"Version": "2012-10-17", "Statement": []}', "has no Statement"],
            [
                "a statement whose Effect is not Allow or Deny",
                document({ Effect: "allow", Action: "s3:GetObject", Resource: "*" }),
                "statement 1 is not an object with Effect Allow or Deny",
            ],
            ["an empty string", "", "is not valid JSON"],
        ];
        for (const [what, policy, why] of cases)
            it(`refuses ${what} in both document rules`, () => {
                for (const rule of ["policy-statements", "policy-principals"])
                    assert.deepEqual(
                        judge(rule, rolePolicy(policy)),
                        { violations: [refusal("RolePolicy", "deployer", "policy", why)] },
                        rule,
                    );
            });
        it("refuses a role whose trust policy or inline policy does not parse", () => {
            const role: FixtureResource = {
                type: ROLE,
                name: "deployer-role",
                inputs: { assumeRolePolicy: "not json", inlinePolicies: [{ name: "extra", policy: "{oops" }] },
            };
            assert.deepEqual(judge("policy-principals", role).violations, [
                refusal("Role", "deployer-role", "assumeRolePolicy", "is not valid JSON"),
                refusal("Role", "deployer-role", "inlinePolicies[extra]", "is not valid JSON"),
            ]);
        });
        it("refuses broken JSON under a policy input of a type the pack does not list, and passes a valid document", () => {
            const queue = (policy: string): FixtureResource => ({ type: "aws:sqs/queuePolicy:QueuePolicy", name: "q", inputs: { policy } });
            assert.deepEqual(judge("policy-principals", queue("{ broken")).violations, [
                refusal("QueuePolicy", "q", "policy", "is not valid JSON"),
            ]);
            const generic = (policy: string): FixtureResource => ({
                type: "aws:glacier/vaultLock:VaultLock",
                name: "v",
                inputs: { policy },
            });
            assert.deepEqual(judge("policy-statements", generic("{ broken")).violations, [
                refusal("VaultLock", "v", "policy", "is not valid JSON"),
            ]);
            assert.deepEqual(judge("policy-statements", rolePolicy(document(allow("Reads", "s3:GetObject", "arn:aws:s3:::acme-data/*")))), {
                violations: [],
            });
        });
        it("does not apply to other JSON or names under a `policy` input of a type the pack does not list", () => {
            const lifecycle: FixtureResource = {
                type: "aws:ecr/lifecyclePolicy:LifecyclePolicy",
                name: "images",
                inputs: { repository: "acme", policy: JSON.stringify({ rules: [{ rulePriority: 1, action: { type: "expire" } }] }) },
            };
            assert.deepEqual(judge("policy-principals", lifecycle), { violations: [], notApplicable: "carries no policy document" });
            const named: FixtureResource = {
                type: "aws:appautoscaling/policy:Policy",
                name: "scale",
                inputs: { policy: "target-tracking" },
            };
            assert.deepEqual(judge("policy-statements", named), { violations: [], notApplicable: "carries no policy document" });
        });
    });

    describe(`policy-statements refuses whole services on every resource in a grant (${mode})`, () => {
        const whole = (kind: string, name: string, label: string, sid: string, services: string) =>
            `${kind} '${name}': ${label} statement '${sid}' allows whole services (${services}) on every resource.`;
        it("flags s3:* on *, and dynamodb:* with s3:* on every table ARN", () => {
            assert.deepEqual(judge("policy-statements", rolePolicy(document(allow("AllOfS3", "s3:*", "*")))).violations, [
                whole("RolePolicy", "deployer", "policy", "AllOfS3", "s3:*"),
            ]);
            assert.deepEqual(
                judge(
                    "policy-statements",
                    rolePolicy(document(allow("Data", ["dynamodb:*", "s3:*", "s3:GetObject"], ["arn:aws:dynamodb:*:*:*"]))),
                ).violations,
                [whole("RolePolicy", "deployer", "policy", "Data", "dynamodb:*, s3:*")],
            );
        });
        it("flags a whole service in a managed policy, a role's inline policy and a user's policy", () => {
            const managed: FixtureResource = {
                type: MANAGED_POLICY,
                name: "deploy",
                inputs: { name: "acme-deploy-prod", policy: document(allow("Lambda", "lambda:*", "*")) },
            };
            assert.deepEqual(judge("policy-statements", managed).violations, [whole("Policy", "deploy", "policy", "Lambda", "lambda:*")]);
            const role: FixtureResource = {
                type: ROLE,
                name: "worker",
                inputs: {
                    assumeRolePolicy: OIDC_TRUST,
                    inlinePolicies: [
                        { name: "queues", policy: document(allow("Queues", "SQS:*", "arn:aws:sqs:eu-west-1:123456789012:*")) },
                    ],
                },
            };
            assert.deepEqual(judge("policy-statements", role).violations, [
                whole("Role", "worker", "inlinePolicies[queues]", "Queues", "SQS:*"),
            ]);
            const user: FixtureResource = {
                type: "aws:iam/userPolicy:UserPolicy",
                name: "ops",
                inputs: { user: "ops", policy: document(allow("Logs", "logs:**", "arn:*")) },
            };
            assert.deepEqual(judge("policy-statements", user).violations, [whole("UserPolicy", "ops", "policy", "Logs", "logs:**")]);
        });
        it("passes named actions on *, a whole service on named resources, and the stack's boundary with service wildcards", () => {
            assert.deepEqual(judge("policy-statements", rolePolicy(document(allow("Reads", ["s3:GetObject", "s3:ListBucket"], "*")))), {
                violations: [],
            });
            assert.deepEqual(
                judge(
                    "policy-statements",
                    rolePolicy(document(allow("OwnBucket", "s3:*", ["arn:aws:s3:::acme-site-prod", "arn:aws:s3:::acme-site-prod/*"]))),
                ),
                {
                    violations: [],
                },
            );
            const boundary: FixtureResource = {
                type: MANAGED_POLICY,
                name: "boundary",
                inputs: { name: "acme-pipeline-boundary-prod", policy: document(allow("Ceiling", ["s3:*", "dynamodb:*", "kms:*"], "*")) },
            };
            assert.deepEqual(judge("policy-statements", boundary), { violations: [] });
        });
        it("judges a boundary named for another environment as a grant", () => {
            const boundary: FixtureResource = {
                type: MANAGED_POLICY,
                name: "boundary",
                inputs: { name: "acme-pipeline-boundary-dev", policy: document(allow("Ceiling", "s3:*", "*")) },
            };
            assert.deepEqual(judge("policy-statements", boundary).violations, [whole("Policy", "boundary", "policy", "Ceiling", "s3:*")]);
        });
        it("leaves resource policies to policy-principals: a key policy's kms:* for this account's root passes", () => {
            const key: FixtureResource = {
                type: "aws:kms/key:Key",
                name: "key",
                inputs: {
                    policy: document({
                        Sid: "Account",
                        Effect: "Allow",
                        Principal: { AWS: `arn:aws:iam::${FIXTURE_ACCOUNT}:root` },
                        Action: "kms:*",
                        Resource: "*",
                    }),
                },
            };
            assert.deepEqual(judge("policy-statements", key), { violations: [] });
        });
        it("flags the permissions boundary attached to a role as a grant", () => {
            const arn = `arn:aws:iam::${FIXTURE_ACCOUNT}:policy/acme-pipeline-boundary-prod`;
            const attachment: FixtureResource = {
                type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
                name: "ceiling-as-grant",
                inputs: { role: "acme-deployer-prod", policyArn: arn },
            };
            assert.deepEqual(judge("policy-statements", attachment).violations, [
                `RolePolicyAttachment 'ceiling-as-grant': attaches the permissions boundary ${arn} as a grant; it is a ceiling of whole services, never a role's policy.`,
            ]);
        });
        it("does not apply to a resource with no document and no attachment", () => {
            const topic: FixtureResource = { type: "aws:sns/topic:Topic", name: "alerts", inputs: { name: "acme-alerts" } };
            assert.deepEqual(judge("policy-statements", topic), { violations: [], notApplicable: "carries no policy document" });
        });
    });
}
