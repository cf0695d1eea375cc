import { strict as assert } from "assert";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import type { Graph } from "../tools/lib/synthesize";
import { editDocument, withResource } from "./helpers/breaks";
import { find, mutate, runResourceRule, type RunOptions, ruleNamed, resourceViolations, stackOutcome, PROD } from "./helpers/policy";
import { synth, T } from "./helpers/stacks";

const stackViolations = (name: string, graph: Graph, options: RunOptions) => stackOutcome(name, graph, options).violations;
const prod = PROD;
const ORGANIZATION = "o-a1b2c3d4e5";
const withOrganization: RunOptions = { config: { environment: "prod", organizationId: ORGANIZATION } };
const ACCOUNT = "093646564004";
const PULUMI_PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/api.pulumi.com/oidc`;
const SUBJECT = "pulumi:deploy:org:acme:project:cicd-foundation:stack:prod:operation:*:scope:write";

/** A role Pulumi Deployments assume: audience the organisation, subject the stack, any operation. */
function pulumiTrust(change: (statement: Record<string, unknown>) => void = () => undefined): string {
    const statement: Record<string, unknown> = {
        Sid: "PulumiDeployments",
        Effect: "Allow",
        Principal: { Federated: PULUMI_PROVIDER },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
            StringEquals: { "api.pulumi.com/oidc:aud": "acme" },
            StringLike: { "api.pulumi.com/oidc:sub": SUBJECT },
        },
    };
    change(statement);
    return JSON.stringify({ Version: "2012-10-17", Statement: [statement] });
}
const withPulumiRole = (graph: Graph, trust: string) =>
    withResource(graph, T.role, "pulumi-deployments", { name: "bbws-pulumi-deployments-prod", assumeRolePolicy: trust });
const condition = (statement: Record<string, unknown>) => statement.Condition as Record<string, Record<string, unknown>>;

/** The permissions boundary's shape: service wildcards on everything, IAM on the prefix's roles, the never-ever Denies. */
const BOUNDARY = {
    Version: "2012-10-17",
    Statement: [
        {
            Sid: "ServiceWildcards",
            Effect: "Allow",
            Action: ["s3:*", "dynamodb:*", "lambda:*", "kms:*", "sns:*", "cloudwatch:*", "logs:*"],
            Resource: "*",
        },
        { Sid: "OwnRoles", Effect: "Allow", Action: ["iam:*"], Resource: `arn:aws:iam::${ACCOUNT}:role/bbws-*` },
        {
            Sid: "PassOwnRoles",
            Effect: "Allow",
            Action: "iam:PassRole",
            Resource: `arn:aws:iam::${ACCOUNT}:role/bbws-*`,
            Condition: { StringEquals: { "iam:PassedToService": "lambda.amazonaws.com" } },
        },
        {
            Sid: "NeverChangeTheBoundary",
            Effect: "Deny",
            Action: ["iam:CreatePolicyVersion", "iam:DeletePolicy"],
            Resource: `arn:aws:iam::${ACCOUNT}:policy/bbws-pipeline-boundary-prod`,
        },
        { Sid: "NeverRemoveBoundaries", Effect: "Deny", Action: ["iam:DeleteRolePermissionsBoundary"], Resource: "*" },
        { Sid: "NeverDeleteStateVersions", Effect: "Deny", Action: ["s3:DeleteObjectVersion"], Resource: "*" },
    ],
};
const withBoundary = (graph: Graph, document: unknown) =>
    withResource(graph, "aws:iam/policy:Policy", "pipeline-boundary", {
        name: "bbws-pipeline-boundary-prod",
        policy: JSON.stringify(document),
    });

describe("policy documents, Pulumi Deployments trust, access-log buckets and branch patterns", () => {
    const graphs: Record<string, Graph> = {};
    before(async () => {
        for (const mode of ["resolved", "preview"] as const) graphs[mode] = await synth("prod", mode);
    });

    for (const mode of ["resolved", "preview"]) {
        describe(`oidc-trust on a Pulumi Deployments role (${mode})`, () => {
            const run = (trust: string, options: RunOptions = prod) =>
                stackViolations("oidc-trust", withPulumiRole(graphs[mode], trust), options);
            it("passes a role pinned to the organisation, project and stack, for any operation", () => {
                assert.deepEqual(run(pulumiTrust()), []);
            });
            it("passes it against the organisation, project and stacks the pack's config names", () => {
                const config = {
                    environment: "prod",
                    pulumiDeployments: { organization: "acme", project: "cicd-foundation", stacks: ["prod"] },
                };
                assert.deepEqual(run(pulumiTrust(), { config }), []);
            });
            it("flags a subject of a stack the pack's config does not name", () => {
                const config = { environment: "prod", pulumiDeployments: { organization: "acme", stacks: ["sit"] } };
                assert.deepEqual(run(pulumiTrust(), { config }), [
                    `Role 'pulumi-deployments': subject '${SUBJECT}' must be pulumi:deploy:org:<org>:project:<project>:stack:<stack>:operation:<op>:scope:write for the audience's organisation, a stack of sit, with no wildcard but the operation.`,
                ]);
            });
            it("flags an audience matched with StringLike", () => {
                const trust = pulumiTrust((s) => {
                    delete condition(s).StringEquals;
                    condition(s).StringLike["api.pulumi.com/oidc:aud"] = "acme";
                });
                assert.deepEqual(run(trust), [
                    "Role 'pulumi-deployments': must check api.pulumi.com/oidc:aud with StringEquals the Pulumi organisation (one exact, lowercase name).",
                ]);
            });
            it("flags an audience that is not the organisation the config names", () => {
                const config = { environment: "prod", pulumiDeployments: { organization: "globex" } };
                assert.deepEqual(run(pulumiTrust(), { config }), [
                    `Role 'pulumi-deployments': must check api.pulumi.com/oidc:aud with StringEquals the Pulumi organisation (one exact, lowercase name: "globex").`,
                ]);
            });
            for (const [what, subject] of [
                ["any stack", "pulumi:deploy:org:acme:project:cicd-foundation:stack:*:operation:*:scope:write"],
                ["any project", "pulumi:deploy:org:acme:project:*:stack:prod:operation:update:scope:write"],
                ["another organisation", "pulumi:deploy:org:globex:project:cicd-foundation:stack:prod:operation:update:scope:write"],
                ["everything after the organisation", "pulumi:deploy:org:acme:*"],
            ]) {
                it(`flags a subject admitting ${what}`, () => {
                    const trust = pulumiTrust((s) => (condition(s).StringLike["api.pulumi.com/oidc:sub"] = subject));
                    assert.deepEqual(run(trust), [
                        `Role 'pulumi-deployments': subject '${subject}' must be pulumi:deploy:org:<org>:project:<project>:stack:<stack>:operation:<op>:scope:write for the audience's organisation, with no wildcard but the operation.`,
                    ]);
                });
            }
            it("flags the provider of another account", () => {
                const trust = pulumiTrust(
                    (s) => (s.Principal = { Federated: "arn:aws:iam::111122223333:oidc-provider/api.pulumi.com/oidc" }),
                );
                assert.deepEqual(run(trust), [
                    `Role 'pulumi-deployments': statement 'PulumiDeployments' must trust only this account's Pulumi Deployments provider, not {"Federated":"arn:aws:iam::111122223333:oidc-provider/api.pulumi.com/oidc"}.`,
                ]);
            });
        });

        it(`oidc-trust flags a read-only role reading another named repository's state (${mode})`, () => {
            let sid = "";
            const broken = editDocument(graphs[mode], T.rolePolicy, "2_1_bbws_s3_schemas-previewer", "policy", (d) => {
                const read = d.Statement.find((s) => s.Action === "s3:GetObject");
                assert.ok(read);
                sid = String(read.Sid);
                read.Resource = "arn:aws:s3:::bbws-state-prod/cicd-foundation/*";
            });
            assert.deepEqual(stackViolations("oidc-trust", broken, prod), [
                `Role '2_1_bbws_s3_schemas-previewer': is read-only, so it may read only its own repository's state: it statement '${sid}' reads objects of bbws-state-prod beyond its own prefix.`,
            ]);
        });

        describe(`policy-principals (${mode})`, () => {
            it("passes the program's service principals pinned by aws:SourceAccount and the logs encryption context", () => {
                assert.deepEqual(resourceViolations("policy-principals", graphs[mode], prod), []);
            });
            it("flags a service principal in a topic policy without a pin", () => {
                const broken = editDocument(graphs[mode], "aws:sns/topicPolicy:TopicPolicy", "monitoring-info", "policy", (d) => {
                    const events = d.Statement.find((s) => s.Sid === "EventsPublish");
                    if (events) delete events.Condition;
                });
                assert.deepEqual(resourceViolations("policy-principals", broken, prod), [
                    "TopicPolicy 'monitoring-info': policy statement 'EventsPublish' allows the service events.amazonaws.com (shared by every account) without a condition pinning it to this account (aws:SourceAccount, aws:SourceArn or aws:PrincipalOrgID).",
                ]);
            });
            it("passes everyone when aws:PrincipalOrgID pins the organisation the config names, and flags a SourceAccount of another account", () => {
                const pinned = editDocument(graphs[mode], T.bucketPolicy, "state", "policy", (d) =>
                    d.Statement.push(
                        {
                            Sid: "Organisation",
                            Effect: "Allow",
                            Principal: "*",
                            Action: "s3:GetObject",
                            Resource: "*",
                            Condition: { StringEquals: { "aws:PrincipalOrgID": ORGANIZATION } },
                        },
                        {
                            Sid: "Elsewhere",
                            Effect: "Allow",
                            Principal: "*",
                            Action: "s3:GetObject",
                            Resource: "*",
                            Condition: { StringEquals: { "aws:SourceAccount": "111122223333" } },
                        },
                    ),
                );
                assert.deepEqual(resourceViolations("policy-principals", pinned, withOrganization), [
                    "BucketPolicy 'state': policy statement 'Elsewhere' allows everyone (*) without a condition pinning it to this account (aws:SourceAccount, aws:SourceArn or aws:PrincipalOrgID).",
                ]);
            });
            it("passes the access-log bucket's policy: S3 logging pinned by aws:SourceAccount and the state bucket's aws:SourceArn", () => {
                const logging = {
                    Sid: "S3ServerAccessLogs",
                    Effect: "Allow",
                    Principal: { Service: "logging.s3.amazonaws.com" },
                    Action: "s3:PutObject",
                    Resource: "arn:aws:s3:::bbws-state-access-logs-prod/*",
                    Condition: {
                        StringEquals: { "aws:SourceAccount": ACCOUNT },
                        ArnLike: { "aws:SourceArn": "arn:aws:s3:::bbws-state-prod" },
                    },
                };
                const graph = withResource(graphs[mode], T.bucketPolicy, "access-logs", {
                    policy: JSON.stringify({ Statement: [logging] }),
                });
                assert.deepEqual(resourceViolations("policy-principals", graph, prod), []);
                const arnOnly = withResource(graphs[mode], T.bucketPolicy, "access-logs", {
                    policy: JSON.stringify({
                        Statement: [{ ...logging, Condition: { ArnLike: { "aws:SourceArn": "arn:aws:s3:::bbws-state-prod" } } }],
                    }),
                });
                // An S3 bucket ARN names no account: alone it pins nothing.
                assert.deepEqual(resourceViolations("policy-principals", arnOnly, prod), [
                    "BucketPolicy 'access-logs': policy statement 'S3ServerAccessLogs' allows the service logging.s3.amazonaws.com (shared by every account) without a condition pinning it to this account (aws:SourceAccount, aws:SourceArn or aws:PrincipalOrgID).",
                ]);
            });
            it("passes a service principal in a role's trust policy, which iam:PassRole gates", () => {
                const graph = withResource(graphs[mode], T.role, "chatbot", {
                    assumeRolePolicy: JSON.stringify({
                        Statement: [{ Effect: "Allow", Principal: { Service: "chatbot.amazonaws.com" }, Action: "sts:AssumeRole" }],
                    }),
                });
                assert.deepEqual(resourceViolations("policy-principals", graph, prod), []);
            });
            it("counts even this account's root as foreign, and no condition as pinning, when the provider names no allowed account (fail closed)", () => {
                const copy = JSON.parse(JSON.stringify(graphs[mode])) as Graph;
                delete copy.defaultProviders.aws.inputs.allowedAccountIds;
                const key = resourceViolations("policy-principals", copy, prod).filter((v) => v.startsWith("Key 'key'"));
                assert.deepEqual(key, [
                    `Key 'key': policy statement 'AccountAdministersKeyThroughIam' allows another account (arn:aws:iam::${ACCOUNT}:root) without a condition pinning it to this account (aws:SourceAccount, aws:SourceArn or aws:PrincipalOrgID).`,
                    "Key 'key': policy statement 'CloudWatchLogsEncryptsThisAccountsLogGroups' allows the service logs.af-south-1.amazonaws.com (shared by every account) without a condition pinning it to this account (aws:SourceAccount, aws:SourceArn or aws:PrincipalOrgID).",
                    "Key 'key': policy statement 'AlarmsAndEventsPublishToEncryptedTopics' allows the service cloudwatch.amazonaws.com (shared by every account), the service events.amazonaws.com (shared by every account) without a condition pinning it to this account (aws:SourceAccount, aws:SourceArn or aws:PrincipalOrgID).",
                ]);
            });
            it("fails closed on a policy document unknown at preview", () => {
                const broken = mutate(
                    graphs[mode],
                    "aws:sns/topicPolicy:TopicPolicy",
                    "monitoring-info",
                    (r) => (r.inputs.policy = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"),
                );
                assert.deepEqual(resourceViolations("policy-principals", broken, prod), [
                    "TopicPolicy 'monitoring-info': its policy is unknown at preview; build it from names in config so it can be checked.",
                ]);
            });
            it("judges a resource policy of a type the pack does not list", () => {
                const queue = withResource(graphs[mode], "aws:sqs/queuePolicy:QueuePolicy", "jobs", {
                    policy: JSON.stringify({
                        Statement: [{ Sid: "Anyone", Effect: "Allow", Principal: "*", Action: "sqs:SendMessage", Resource: "*" }],
                    }),
                });
                const ecr = withResource(queue, "aws:ecrpublic/repositoryPolicy:RepositoryPolicy", "images", {
                    policy: JSON.stringify({
                        Statement: [{ Sid: "Partner", Effect: "Allow", Principal: { AWS: "222233334444" }, Action: "ecr:*" }],
                    }),
                });
                assert.deepEqual(resourceViolations("policy-principals", ecr, prod), [
                    "QueuePolicy 'jobs': policy statement 'Anyone' allows everyone (*) without a condition pinning it to this account (aws:SourceAccount, aws:SourceArn or aws:PrincipalOrgID).",
                    "RepositoryPolicy 'images': policy statement 'Partner' allows another account (222233334444) without a condition pinning it to this account (aws:SourceAccount, aws:SourceArn or aws:PrincipalOrgID).",
                ]);
            });
        });

        describe(`policy-statements (${mode})`, () => {
            it("passes the permissions boundary's shape: service wildcards on *, IAM on the prefix's roles, Deny lists", () => {
                assert.deepEqual(resourceViolations("policy-statements", withBoundary(graphs[mode], BOUNDARY), prod), []);
            });
            it("flags a boundary that allows iam:* on * or NotAction, and NotResource anywhere", () => {
                const broken = {
                    ...BOUNDARY,
                    Statement: [
                        ...BOUNDARY.Statement,
                        { Sid: "AllOfIam", Effect: "Allow", Action: "iam:*", Resource: "*" },
                        { Sid: "AllBut", Effect: "Allow", NotAction: "iam:*", Resource: "*" },
                        { Sid: "DenyElsewhere", Effect: "Deny", Action: "s3:*", NotResource: "arn:aws:s3:::bbws-*" },
                    ],
                };
                assert.deepEqual(resourceViolations("policy-statements", withBoundary(graphs[mode], broken), prod), [
                    "Policy 'pipeline-boundary': policy statement 'AllOfIam' allows iam:* on every resource.",
                    "Policy 'pipeline-boundary': policy statement 'AllOfIam' allows iam:PassRole on every role.",
                    "Policy 'pipeline-boundary': policy statement 'AllBut' uses NotAction in an Allow (it grants every action it does not name).",
                    "Policy 'pipeline-boundary': policy statement 'DenyElsewhere' uses NotResource (it covers every resource it does not name).",
                ]);
            });
            it("flags NotPrincipal in an Allow and iam:PassRole on every role of the account", () => {
                const broken = editDocument(graphs[mode], T.bucketPolicy, "state", "policy", (d) =>
                    d.Statement.push({
                        Sid: "AllButMe",
                        Effect: "Allow",
                        NotPrincipal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
                        Action: "s3:GetObject",
                        Resource: "*",
                    }),
                );
                const passing = editDocument(broken, T.rolePolicy, "cicd-foundation-deployer", "policy", (d) =>
                    d.Statement.push({
                        Sid: "PassEveryRole",
                        Effect: "Allow",
                        Action: "iam:Pass*",
                        Resource: `arn:aws:iam::${ACCOUNT}:role/*`,
                    }),
                );
                assert.deepEqual(resourceViolations("policy-statements", passing, prod), [
                    "BucketPolicy 'state': policy statement 'AllButMe' uses NotPrincipal in an Allow (it admits every principal it does not name).",
                    "RolePolicy 'cicd-foundation-deployer': policy statement 'PassEveryRole' allows iam:PassRole on every role.",
                ]);
            });
            it("judges a role's own inline policies", () => {
                const broken = mutate(graphs[mode], T.role, "cicd-foundation-deployer", (r) => {
                    r.inputs.inlinePolicies = [
                        {
                            name: "extra",
                            policy: JSON.stringify({ Statement: [{ Sid: "All", Effect: "Allow", Action: "*", Resource: "*" }] }),
                        },
                    ];
                });
                assert.deepEqual(resourceViolations("policy-statements", broken, prod), [
                    "Role 'cicd-foundation-deployer': inlinePolicies[extra] statement 'All' allows every action (*).",
                ]);
            });
        });

        describe(`s3-encryption exempts the access-log bucket from the customer key (${mode})`, () => {
            /** An access-log bucket as the contract shapes one: AES256, named as the logging target. */
            function withAccessLogs(graph: Graph, algorithm: string, target = "bbws-ledger-exports-logs-prod"): Graph {
                const bucketUrn = "urn:pulumi:prod::cicd-foundation::aws:s3/bucket:Bucket::access-logs";
                const withBucket = withResource(graph, T.bucket, "access-logs", {
                    bucket: "bbws-ledger-exports-logs-prod",
                    forceDestroy: false,
                });
                const withEncryption = withResource(
                    withBucket,
                    T.sse,
                    "access-logs",
                    {
                        bucket: mode === "preview" ? "04da6b54-80e4-46f7-96ec-b56ff0331ba9" : "bbws-ledger-exports-logs-prod",
                        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: algorithm } }],
                    },
                    [],
                    { bucket: [bucketUrn] },
                );
                return withResource(withEncryption, "aws:s3/bucketLogging:BucketLogging", "ledger-exports", {
                    bucket: "bbws-ledger-exports-prod",
                    targetBucket: target,
                    targetPrefix: "exports/",
                });
            }
            it("passes the access-log bucket on AES256", () => {
                assert.deepEqual(stackViolations("s3-encryption", withAccessLogs(graphs[mode], "AES256"), prod), []);
            });
            it("flags the access-log bucket on KMS, which S3 cannot deliver logs to", () => {
                assert.deepEqual(stackViolations("s3-encryption", withAccessLogs(graphs[mode], "aws:kms"), prod), [
                    "Bucket 'access-logs' receives S3 access logs, so it must use AES256 (SSE-S3).",
                ]);
            });
            it("still requires the customer key of a bucket no BucketLogging targets", () => {
                assert.deepEqual(stackViolations("s3-encryption", withAccessLogs(graphs[mode], "AES256", "bbws-other-logs-prod"), prod), [
                    "Bucket 'access-logs' must use SSE-KMS with this stack's customer-managed key in prod.",
                ]);
            });
        });

        describe(`prod-deployment-branches judges patterns as GitHub does (${mode})`, () => {
            const run = (pattern: string, allowed?: string[]) => {
                const graph = mutate(
                    graphs[mode],
                    "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy",
                    "cicd-foundation-prod-branch-main",
                    (r) => (r.inputs.branchPattern = pattern),
                );
                const config = allowed ? { environment: "prod", deploymentBranches: allowed } : { environment: "prod" };
                return resourceViolations("prod-deployment-branches", graph, { config });
            };
            it("passes a release branch a configured release/* pattern matches, and the pattern itself", () => {
                assert.deepEqual(run("release/2026.11", ["main", "release/*"]), []);
                assert.deepEqual(run("release/*", ["main", "release/*"]), []);
            });
            it("flags a nested branch, since * does not cross / in GitHub's patterns", () => {
                assert.deepEqual(run("release/2026/11", ["main", "release/*"]), [
                    "Deployment policy 'cicd-foundation-prod-branch-main' allows 'release/2026/11'; prod may deploy only from the protected branches main, release/*.",
                ]);
            });
            it("flags ** even when the config lists it", () => {
                assert.deepEqual(run("**", ["main", "**"]), [
                    "Deployment policy 'cicd-foundation-prod-branch-main' allows '**'; prod may deploy only from the protected branches main, **.",
                ]);
            });
            it("flags a branch the stack file does not allow", () => {
                assert.deepEqual(run("develop"), [
                    "Deployment policy 'cicd-foundation-prod-branch-main' allows 'develop'; prod may deploy only from the protected branches main.",
                ]);
            });
        });

        it(`prod-alarms-actionable counts alarm actions whose ARNs are unknown (${mode})`, () => {
            const alarm = find(graphs[mode], "aws:cloudwatch/metricAlarm:MetricAlarm", "monitoring-deployment-failed");
            assert.equal((alarm.inputs.alarmActions as unknown[]).length, 1);
            assert.deepEqual(runResourceRule(ruleNamed("prod-alarms-actionable") as ResourceValidationPolicy, graphs[mode], alarm, prod), {
                violations: [],
            });
        });
    }
});
