import { rules } from "../../policies/rules";
import { strict as assert } from "assert";
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { UNKNOWN, type Graph } from "../../tools/lib/synthesize";
import { find, runResourceRule, runStackRule, type RunOptions, ruleNamed, PROD } from "../helpers/policy";
import { ACCOUNTS } from "../support/accounts";
import { withResource } from "../support/edits";
import { memoGraph, useGraphs } from "../support/graphs";
import { itFlagsEachBreak, itPassesEveryStack } from "../support/rules";
import { configValue, stackConfig, synth, withConfig } from "../support/stacks";
import { T } from "../support/types";

const prod = PROD;
const ACCOUNT = ACCOUNTS.prod;
const P = "cicd-foundation";

describe("prod-subscriptions-internal", () => {
    const graphs = useGraphs();
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
        for (const mode of ["resolved", "preview"] as const)
            graphs[`notified.${mode}`] = await memoGraph(`prod.notified.${mode}`, () => synth("prod", mode, notified));
    });

    itPassesEveryStack("prod-subscriptions-internal", graphs);
    itFlagsEachBreak("prod-subscriptions-internal", graphs);

    for (const mode of ["resolved", "preview"]) {
        // (policies.probes.test.ts)
        describe(`prod-subscriptions-internal keeps prod's notifications in the organisation (${mode})`, () => {
            const subscribe = (graph: Graph, protocol: string, endpoint: string) =>
                withResource(graph, T.topicSubscription, "extra", {
                    topic: `arn:aws:sns:af-south-1:${ACCOUNT}:bbws-prod-critical`,
                    protocol,
                    endpoint,
                });
            const outcome = (graph: Graph, options = prod) =>
                runResourceRule(
                    ruleNamed("prod-subscriptions-internal") as ResourceValidationPolicy,
                    graph,
                    find(graph, T.topicSubscription, "extra"),
                    options,
                );
            it("passes every rule on prod with the program's email subscriptions and Chatbot role", () => {
                const graph = graphs[`notified.${mode}`];
                assert.deepEqual(
                    graph.resources.filter((r) => r.type === T.topicSubscription).map((r) => [r.inputs.protocol, r.inputs.endpoint]),
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
                assert.deepEqual(outcome(subscribe(graphs[`prod.${mode}`], "sqs", `arn:aws:sqs:af-south-1:${ACCOUNT}:bbws-alerts`)), {
                    violations: [],
                });
            });
            for (const protocol of ["https", "http"]) {
                it(`flags an ${protocol} endpoint`, () => {
                    assert.deepEqual(outcome(subscribe(graphs[`prod.${mode}`], protocol, `${protocol}://hooks.example.com/alerts`)), {
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
                    assert.deepEqual(outcome(subscribe(graphs[`prod.${mode}`], protocol, endpoint)), {
                        violations: [
                            `Subscription 'extra': ${protocol} endpoint ${endpoint} is not in this account; prod's notifications stay in the organisation.`,
                        ],
                    });
                });
            }
            it("flags an sqs endpoint unknown at preview (fail closed)", () => {
                assert.deepEqual(outcome(subscribe(graphs[`prod.${mode}`], "sqs", UNKNOWN)), {
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
                const topic = graph.resources.find((r) => r.type === T.topic);
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
    }
});
