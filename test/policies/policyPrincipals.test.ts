import { strict as assert } from "assert";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { UNKNOWN, type Graph } from "../../tools/lib/synthesize";
import { find, mutate, runResourceRule, type RunOptions, ruleNamed, resourceViolations, PROD } from "../helpers/policy";
import { ACCOUNTS } from "../support/accounts";
import { editDocument, withResource } from "../support/edits";
import { useGraphs } from "../support/graphs";
import { itDoesNotApply, itFlagsEachBreak, itPassesEveryStack } from "../support/rules";
import { T } from "../support/types";

const prod = PROD;
const ORGANIZATION = "o-a1b2c3d4e5";
const PIN = "without a condition pinning it to this account (aws:SourceAccount, aws:SourceArn or aws:PrincipalOrgID).";
const ACCOUNT = ACCOUNTS.prod;
const withOrganization: RunOptions = { config: { environment: "prod", organizationId: ORGANIZATION } };

describe("policy-principals", () => {
    const graphs = useGraphs();

    itPassesEveryStack("policy-principals", graphs);
    itFlagsEachBreak("policy-principals", graphs);
    itDoesNotApply("policy-principals", graphs, [["prod", T.table, "carries no policy document"]]);

    for (const mode of ["resolved", "preview"]) {
        // (policies.review.test.ts)
        describe(`policy-principals pins aws:PrincipalOrgID to the configured organisation (${mode})`, () => {
            const everyoneIn = (organization: string | string[]) =>
                editDocument(graphs[`prod.${mode}`], T.key, "key", "policy", (d) =>
                    d.Statement.push({
                        Sid: "Organisation",
                        Effect: "Allow",
                        Principal: { AWS: "*" },
                        Action: "kms:Decrypt",
                        Resource: "*",
                        Condition: { StringEquals: { "aws:PrincipalOrgID": organization } },
                    }),
                );
            const configured: RunOptions = { config: { environment: "prod", organizationId: ORGANIZATION } };
            it("passes everyone of the organisation the config names", () => {
                assert.deepEqual(resourceViolations("policy-principals", everyoneIn(ORGANIZATION), configured), []);
            });
            it("flags another organisation, which anyone can create", () => {
                assert.deepEqual(resourceViolations("policy-principals", everyoneIn("o-attacker1234"), configured), [
                    `Key 'key': policy statement 'Organisation' allows everyone (AWS *) ${PIN}`,
                ]);
            });
            it("flags a list holding the organisation and another one", () => {
                assert.deepEqual(resourceViolations("policy-principals", everyoneIn([ORGANIZATION, "o-attacker1234"]), configured), [
                    `Key 'key': policy statement 'Organisation' allows everyone (AWS *) ${PIN}`,
                ]);
            });
            it("flags every organisation when the config names none (fail closed)", () => {
                assert.deepEqual(resourceViolations("policy-principals", everyoneIn(ORGANIZATION), prod), [
                    `Key 'key': policy statement 'Organisation' allows everyone (AWS *) ${PIN}`,
                ]);
            });
            it("does not apply to a table, which carries no policy document", () => {
                const graph = graphs[`prod.${mode}`];
                assert.deepEqual(
                    runResourceRule(
                        ruleNamed("policy-principals") as ResourceValidationPolicy,
                        graph,
                        find(graph, T.table, "ledger"),
                        configured,
                    ),
                    {
                        violations: [],
                        notApplicable: "carries no policy document",
                    },
                );
            });
        });
        // (policies.probes.test.ts)
        describe(`policy-principals judges a Lambda permission like a resource policy statement (${mode})`, () => {
            const permission = (inputs: Record<string, unknown>) =>
                withResource(graphs[`prod.${mode}`], T.lambdaPermission, "invoke", {
                    action: "lambda:InvokeFunction",
                    function: "bbws-tenants-instances-prod",
                    ...inputs,
                });
            const outcome = (inputs: Record<string, unknown>) => {
                const graph = permission(inputs);
                return runResourceRule(
                    ruleNamed("policy-principals") as ResourceValidationPolicy,
                    graph,
                    find(graph, T.lambdaPermission, "invoke"),
                    prod,
                );
            };
            const unpinned = (who: string) =>
                `Permission 'invoke': allows ${who} to invoke the function without sourceAccount or sourceArn pinning it to this account.`;
            it("passes this account as the principal", () => {
                assert.deepEqual(outcome({ principal: ACCOUNT }), { violations: [] });
            });
            it("passes a service pinned by sourceAccount", () => {
                assert.deepEqual(outcome({ principal: "s3.amazonaws.com", sourceAccount: ACCOUNT }), { violations: [] });
            });
            it("passes a service pinned by a sourceArn of this account", () => {
                const sourceArn = `arn:aws:events:af-south-1:${ACCOUNT}:rule/bbws-nightly`;
                assert.deepEqual(outcome({ principal: "events.amazonaws.com", sourceArn }), { violations: [] });
            });
            it("passes a sourceArn unknown at preview when sourceAccount pins it", () => {
                assert.deepEqual(outcome({ principal: "s3.amazonaws.com", sourceAccount: ACCOUNT, sourceArn: UNKNOWN }), {
                    violations: [],
                });
            });
            it("flags everyone (*) without a pin", () => {
                assert.deepEqual(outcome({ principal: "*" }), { violations: [unpinned("everyone (*)")] });
            });
            it("flags another account", () => {
                assert.deepEqual(outcome({ principal: "111122223333" }), { violations: [unpinned("another account (111122223333)")] });
            });
            it("flags everyone pinned to another account", () => {
                assert.deepEqual(outcome({ principal: "*", sourceAccount: "111122223333" }), { violations: [unpinned("everyone (*)")] });
            });
            it("flags a service pinned only by a bucket ARN, which names no account", () => {
                assert.deepEqual(outcome({ principal: "s3.amazonaws.com", sourceArn: "arn:aws:s3:::bbws-uploads-prod" }), {
                    violations: [unpinned("the service s3.amazonaws.com (shared by every account)")],
                });
            });
            it("flags a sourceArn unknown at preview without sourceAccount (fail closed)", () => {
                assert.deepEqual(outcome({ principal: "s3.amazonaws.com", sourceArn: UNKNOWN }), {
                    violations: [
                        "Permission 'invoke': allows the service s3.amazonaws.com (shared by every account) with a sourceArn unknown at preview; set sourceAccount to this account as well.",
                    ],
                });
            });
            it("flags a principal unknown at preview (fail closed)", () => {
                assert.deepEqual(outcome({ principal: UNKNOWN }), {
                    violations: [
                        "Permission 'invoke': its principal is unknown at preview; build it from names in config so it can be checked.",
                    ],
                });
            });
        });
        // (policies.documents.test.ts)
        describe(`policy-principals (${mode})`, () => {
            it("passes the program's service principals pinned by aws:SourceAccount and the logs encryption context", () => {
                assert.deepEqual(resourceViolations("policy-principals", graphs[`prod.${mode}`], prod), []);
            });
            it("flags a service principal in a topic policy without a pin", () => {
                const broken = editDocument(graphs[`prod.${mode}`], T.topicPolicy, "monitoring-info", "policy", (d) => {
                    const events = d.Statement.find((s) => s.Sid === "EventsPublish");
                    if (events) delete events.Condition;
                });
                assert.deepEqual(resourceViolations("policy-principals", broken, prod), [
                    "TopicPolicy 'monitoring-info': policy statement 'EventsPublish' allows the service events.amazonaws.com (shared by every account) without a condition pinning it to this account (aws:SourceAccount, aws:SourceArn or aws:PrincipalOrgID).",
                ]);
            });
            it("passes everyone when aws:PrincipalOrgID pins the organisation the config names, and flags a SourceAccount of another account", () => {
                const pinned = editDocument(graphs[`prod.${mode}`], T.bucketPolicy, "state", "policy", (d) =>
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
                const graph = withResource(graphs[`prod.${mode}`], T.bucketPolicy, "access-logs", {
                    policy: JSON.stringify({ Statement: [logging] }),
                });
                assert.deepEqual(resourceViolations("policy-principals", graph, prod), []);
                const arnOnly = withResource(graphs[`prod.${mode}`], T.bucketPolicy, "access-logs", {
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
                const graph = withResource(graphs[`prod.${mode}`], T.role, "chatbot", {
                    assumeRolePolicy: JSON.stringify({
                        Statement: [{ Effect: "Allow", Principal: { Service: "chatbot.amazonaws.com" }, Action: "sts:AssumeRole" }],
                    }),
                });
                assert.deepEqual(resourceViolations("policy-principals", graph, prod), []);
            });
            it("counts even this account's root as foreign, and no condition as pinning, when the provider names no allowed account (fail closed)", () => {
                const copy = JSON.parse(JSON.stringify(graphs[`prod.${mode}`])) as Graph;
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
                    graphs[`prod.${mode}`],
                    T.topicPolicy,
                    "monitoring-info",
                    (r) => (r.inputs.policy = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"),
                );
                assert.deepEqual(resourceViolations("policy-principals", broken, prod), [
                    "TopicPolicy 'monitoring-info': its policy is unknown at preview; build it from names in config so it can be checked.",
                ]);
            });
            it("judges a resource policy of a type the pack does not list", () => {
                const queue = withResource(graphs[`prod.${mode}`], "aws:sqs/queuePolicy:QueuePolicy", "jobs", {
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
    }
});
