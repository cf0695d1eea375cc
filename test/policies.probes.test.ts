import { strict as assert } from "assert";
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { rules } from "../policies/rules";
import { UNKNOWN, type Graph } from "../tools/lib/synthesize";
import { editDocument, withResource } from "./helpers/breaks";
import {
    copyOf,
    find,
    mutate,
    runResourceRule,
    runStackRule,
    type RunOptions,
    ruleNamed,
    resourceViolations,
    stackOutcome,
    PROD,
} from "./helpers/policy";
import { configValue, stackConfig, synth, T, withConfig } from "./helpers/stacks";

// The security reviewer's probes that used to pass silently: a role assuming any role, a Lambda
// permission anyone may use, prod notifications leaving the organisation, a role without the stack's
// boundary, and a prod environment any protected branch may deploy to.

const prod = PROD;
const ACCOUNT = "093646564004";
const PERMISSION = "aws:lambda/permission:Permission";
const SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription";
const ENVIRONMENT = "github:index/repositoryEnvironment:RepositoryEnvironment";
const MANAGED_POLICY = "aws:iam/policy:Policy";
const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/bbws-pipeline-boundary-prod`;
const P = "cicd-foundation";

describe("the pack's answers to the reviewer's probes", () => {
    const graphs: Record<string, Graph> = {};
    before(async () => {
        const prodConfig = stackConfig("prod");
        // The stack file's commented example: email subscriptions and a Chatbot role.
        const notified = withConfig(prodConfig, {
            [`${P}:notifications`]: {
                emails: { critical: ["oncall@company.example"], warning: [], info: [] },
                slackChannels: [{ name: "#prod-alerts", workspaceId: "T0123ABCD", channelId: "C0123ABCD", severities: ["critical"] }],
            },
            [`${P}:monitoring`]: configValue<Record<string, unknown>>(prodConfig, `${P}:monitoring`),
        });
        for (const mode of ["resolved", "preview"] as const) {
            graphs[mode] = await synth("prod", mode);
            graphs[`notified.${mode}`] = await synth("prod", mode, notified);
            graphs[`sit.${mode}`] = await synth("sit", mode);
        }
    });

    for (const mode of ["resolved", "preview"]) {
        describe(`policy-statements refuses sts:AssumeRole on every role (${mode})`, () => {
            const assume = (action: string, resource: string) =>
                editDocument(graphs[mode], T.rolePolicy, "cicd-foundation-deployer", "policy", (d) =>
                    d.Statement.push({ Sid: "Assume", Effect: "Allow", Action: action, Resource: resource }),
                );
            const flagged = "RolePolicy 'cicd-foundation-deployer': policy statement 'Assume' allows sts:AssumeRole on every role.";
            it("passes sts:AssumeRole on one named role", () => {
                const graph = assume("sts:AssumeRole", `arn:aws:iam::${ACCOUNT}:role/bbws-ledger-reader-sit`);
                assert.deepEqual(resourceViolations("policy-statements", graph, prod), []);
            });
            it("flags sts:AssumeRole on *", () => {
                assert.deepEqual(resourceViolations("policy-statements", assume("sts:AssumeRole", "*"), prod), [flagged]);
            });
            it("flags sts:* on every role of the account", () => {
                assert.deepEqual(resourceViolations("policy-statements", assume("sts:*", `arn:aws:iam::${ACCOUNT}:role/*`), prod), [
                    flagged,
                ]);
            });
            it("flags sts:AssumeRole* on the account's every resource", () => {
                assert.deepEqual(resourceViolations("policy-statements", assume("sts:AssumeRole*", `arn:aws:iam::${ACCOUNT}:*`), prod), [
                    flagged,
                ]);
            });
            it("does not apply to a table, which carries no policy document", () => {
                assert.deepEqual(
                    runResourceRule(
                        ruleNamed("policy-statements") as ResourceValidationPolicy,
                        graphs[mode],
                        find(graphs[mode], T.table, "ledger"),
                        prod,
                    ),
                    { violations: [], notApplicable: "carries no policy document" },
                );
            });
        });

        describe(`policy-principals judges a Lambda permission like a resource policy statement (${mode})`, () => {
            const permission = (inputs: Record<string, unknown>) =>
                withResource(graphs[mode], PERMISSION, "invoke", {
                    action: "lambda:InvokeFunction",
                    function: "bbws-tenants-instances-prod",
                    ...inputs,
                });
            const outcome = (inputs: Record<string, unknown>) => {
                const graph = permission(inputs);
                return runResourceRule(
                    ruleNamed("policy-principals") as ResourceValidationPolicy,
                    graph,
                    find(graph, PERMISSION, "invoke"),
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

        describe(`prod-subscriptions-internal keeps prod's notifications in the organisation (${mode})`, () => {
            const subscribe = (graph: Graph, protocol: string, endpoint: string) =>
                withResource(graph, SUBSCRIPTION, "extra", {
                    topic: `arn:aws:sns:af-south-1:${ACCOUNT}:bbws-prod-critical`,
                    protocol,
                    endpoint,
                });
            const outcome = (graph: Graph, options = prod) =>
                runResourceRule(
                    ruleNamed("prod-subscriptions-internal") as ResourceValidationPolicy,
                    graph,
                    find(graph, SUBSCRIPTION, "extra"),
                    options,
                );
            it("passes every rule on prod with the program's email subscriptions and Chatbot role", () => {
                const graph = graphs[`notified.${mode}`];
                assert.deepEqual(
                    graph.resources.filter((r) => r.type === SUBSCRIPTION).map((r) => [r.inputs.protocol, r.inputs.endpoint]),
                    [["email", "oncall@company.example"]],
                );
                const found = rules.flatMap((r) => [
                    ...("validateResource" in r
                        ? graph.resources.flatMap((res) => runResourceRule(r as ResourceValidationPolicy, graph, res, prod).violations)
                        : []),
                    ...("validateStack" in r ? runStackRule(r as StackValidationPolicy, graph, prod).violations : []),
                ]);
                assert.deepEqual(found, []);
            });
            it("passes a queue of this account", () => {
                assert.deepEqual(outcome(subscribe(graphs[mode], "sqs", `arn:aws:sqs:af-south-1:${ACCOUNT}:bbws-alerts`)), {
                    violations: [],
                });
            });
            for (const protocol of ["https", "http"]) {
                it(`flags an ${protocol} endpoint`, () => {
                    assert.deepEqual(outcome(subscribe(graphs[mode], protocol, `${protocol}://hooks.example.com/alerts`)), {
                        violations: [
                            `Subscription 'extra': protocol '${protocol}' delivers prod's notifications outside the organisation; use email or an ARN of this account.`,
                        ],
                    });
                });
            }
            for (const [protocol, endpoint] of [
                ["sqs", "arn:aws:sqs:af-south-1:111122223333:collector"],
                ["lambda", "arn:aws:lambda:af-south-1:111122223333:function:collector"],
            ]) {
                it(`flags an ${protocol} endpoint in another account`, () => {
                    assert.deepEqual(outcome(subscribe(graphs[mode], protocol, endpoint)), {
                        violations: [
                            `Subscription 'extra': ${protocol} endpoint ${endpoint} is not in this account; prod's notifications stay in the organisation.`,
                        ],
                    });
                });
            }
            it("flags an sqs endpoint unknown at preview (fail closed)", () => {
                assert.deepEqual(outcome(subscribe(graphs[mode], "sqs", UNKNOWN)), {
                    violations: [
                        "Subscription 'extra': its sqs endpoint is unknown at preview; build the ARN from names in config so its account can be checked.",
                    ],
                });
            });
            it("does not apply in sit", () => {
                const sit: RunOptions = { config: { environment: "sit" } };
                assert.deepEqual(outcome(subscribe(graphs[`sit.${mode}`], "https", "https://hooks.example.com/alerts"), sit), {
                    violations: [],
                    notApplicable: "subscriptions are restricted in prod; this stack is sit",
                });
            });
            it("does not apply to a topic", () => {
                const graph = graphs[`notified.${mode}`];
                const topic = graph.resources.find((r) => r.type === "aws:sns/topic:Topic");
                assert.ok(topic);
                assert.deepEqual(
                    runResourceRule(ruleNamed("prod-subscriptions-internal") as ResourceValidationPolicy, graph, topic, prod),
                    {
                        violations: [],
                        notApplicable: "not an SNS subscription",
                    },
                );
            });
        });

        describe(`role-permissions-boundary requires the stack's boundary on every role (${mode})`, () => {
            const boundary = (role: string, value: unknown) =>
                mutate(graphs[mode], T.role, role, (r) => {
                    if (value === undefined) delete r.inputs.permissionsBoundary;
                    else r.inputs.permissionsBoundary = value;
                });
            const roleNames = (graph: Graph) => graph.resources.filter((r) => r.type === T.role).map((r) => r.name);
            it("passes the program's roles, each bounded by arn:aws:iam::<account>:policy/bbws-pipeline-boundary-prod", () => {
                assert.deepEqual(
                    [...new Set(graphs[mode].resources.filter((r) => r.type === T.role).map((r) => r.inputs.permissionsBoundary))],
                    [BOUNDARY],
                );
                assert.deepEqual(stackOutcome("role-permissions-boundary", graphs[mode], prod), { violations: [] });
            });
            it("flags a role without a boundary", () => {
                assert.deepEqual(stackOutcome("role-permissions-boundary", boundary("cicd-foundation-previewer", undefined), prod), {
                    violations: [
                        "Role 'cicd-foundation-previewer': has no permissionsBoundary; every role is bounded by bbws-pipeline-boundary-prod.",
                    ],
                });
            });
            it("flags another boundary of this account", () => {
                const other = `arn:aws:iam::${ACCOUNT}:policy/bbws-lenient-boundary`;
                assert.deepEqual(stackOutcome("role-permissions-boundary", boundary("cicd-foundation-previewer", other), prod), {
                    violations: [`Role 'cicd-foundation-previewer': permissionsBoundary ${other} is not ${BOUNDARY}.`],
                });
            });
            it("flags the boundary's name in another account", () => {
                const other = "arn:aws:iam::111122223333:policy/bbws-pipeline-boundary-prod";
                assert.deepEqual(stackOutcome("role-permissions-boundary", boundary("cicd-foundation-deployer", other), prod), {
                    violations: [`Role 'cicd-foundation-deployer': permissionsBoundary ${other} is not ${BOUNDARY}.`],
                });
            });
            it("flags a boundary unknown at preview (fail closed: the program builds it from names)", () => {
                assert.deepEqual(stackOutcome("role-permissions-boundary", boundary("cicd-foundation-deployer", UNKNOWN), prod), {
                    violations: [
                        `Role 'cicd-foundation-deployer': its permissionsBoundary is unknown at preview; build it from names as ${BOUNDARY}.`,
                    ],
                });
            });
            it("flags every role when the stack has no boundary policy", () => {
                const graph: Graph = {
                    ...copyOf(graphs[mode]),
                    resources: graphs[mode].resources.filter((r) => r.type !== MANAGED_POLICY),
                };
                assert.deepEqual(
                    stackOutcome("role-permissions-boundary", graph, prod).violations,
                    roleNames(graph).map(
                        (role) =>
                            `Role '${role}': the stack must hold exactly one managed policy named <prefix>-pipeline-boundary-prod to bound it; found none.`,
                    ),
                );
            });
            it("flags every role when a second policy claims to be the boundary", () => {
                const graph = withResource(graphs[mode], MANAGED_POLICY, "rival", {
                    name: "evil-pipeline-boundary-prod",
                    policy: JSON.stringify({ Version: "2012-10-17", Statement: [] }),
                });
                assert.deepEqual(
                    stackOutcome("role-permissions-boundary", graph, prod).violations,
                    roleNames(graph).map(
                        (role) =>
                            `Role '${role}': the stack must hold exactly one managed policy named <prefix>-pipeline-boundary-prod to bound it; found bbws-pipeline-boundary-prod, evil-pipeline-boundary-prod.`,
                    ),
                );
            });
            it("does not apply to a stack without roles", () => {
                const graph: Graph = { ...copyOf(graphs[mode]), resources: graphs[mode].resources.filter((r) => r.type !== T.role) };
                assert.deepEqual(stackOutcome("role-permissions-boundary", graph, prod), {
                    violations: [],
                    notApplicable: "the stack creates no IAM role",
                });
            });
        });

        describe(`github-environment-protection refuses "any protected branch" in prod (${mode})`, () => {
            const branchPolicy = (graph: Graph, name: string, policy: Record<string, boolean>) =>
                mutate(graph, ENVIRONMENT, name, (r) => (r.inputs.deploymentBranchPolicy = policy));
            it("passes the program's custom branch policies", () => {
                assert.deepEqual(find(graphs[mode], ENVIRONMENT, "cicd-foundation-prod").inputs.deploymentBranchPolicy, {
                    customBranchPolicies: true,
                    protectedBranches: false,
                });
                assert.deepEqual(resourceViolations("github-environment-protection", graphs[mode], prod), []);
            });
            it("flags protectedBranches true", () => {
                const graph = branchPolicy(graphs[mode], "cicd-foundation-prod", { protectedBranches: true, customBranchPolicies: false });
                assert.deepEqual(resourceViolations("github-environment-protection", graph, prod), [
                    "Environment 'cicd-foundation-prod' lets any protected branch deploy to prod; use custom branch policies naming the allowed branches.",
                ]);
            });
            it("flags a branch policy unknown at preview (fail closed)", () => {
                const graph = mutate(graphs[mode], ENVIRONMENT, "cicd-foundation-prod", (r) => (r.inputs.deploymentBranchPolicy = UNKNOWN));
                assert.deepEqual(resourceViolations("github-environment-protection", graph, prod), [
                    "Environment 'cicd-foundation-prod' must restrict which branches deploy to prod.",
                ]);
            });
            it("leaves sit's branch policy to sit's own rules, in prod's stack that declares it", () => {
                const graph = branchPolicy(graphs[mode], "cicd-foundation-sit", {
                    protectedBranches: true,
                    customBranchPolicies: false,
                });
                assert.deepEqual(resourceViolations("github-environment-protection", graph, prod), []);
            });
            it("does not apply to a role", () => {
                const graph = graphs[mode];
                assert.deepEqual(
                    runResourceRule(
                        ruleNamed("github-environment-protection") as ResourceValidationPolicy,
                        graph,
                        find(graph, T.role, "cicd-foundation-deployer"),
                        prod,
                    ),
                    { violations: [], notApplicable: "not a GitHub environment" },
                );
            });
        });
    }
});
