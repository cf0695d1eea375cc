import { strict as assert } from "assert";
import { ConfigError, parseStackConfig } from "../config";
import { failedAssumptionPattern, topicPolicy } from "../components/monitoring";
import type { Graph } from "../tools/lib/synthesize";
import { configValue, resource, resourcesOf, stackConfig, synth, withConfig } from "./helpers/stacks";
import { graphOf } from "./support/graphs";

const M = {
    topic: "aws:sns/topic:Topic",
    topicPolicy: "aws:sns/topicPolicy:TopicPolicy",
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    dashboard: "aws:cloudwatch/dashboard:Dashboard",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    filter: "aws:cloudwatch/logMetricFilter:LogMetricFilter",
    subscription: "aws:sns/topicSubscription:TopicSubscription",
    chatbot: "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration",
} as const;
const KEY_ARN = "arn:placeholder:kms:key";
/** The placeholder ARN offline synthesis gives a topic: an alarm's action must be exactly that topic's. */
const topicArn = (graph: Graph, route: string) => `arn:placeholder:sns:${resource(graph, M.topic, `monitoring-${route}`).name}`;
const naming = { prefix: "bbws", environment: "prod" as const, accountId: "093646564004", region: "af-south-1" };
const P = "cicd-foundation";

describe("monitoring of the prod stack", () => {
    let graph: Graph;
    before(async () => {
        const prod = stackConfig("prod");
        graph = await synth(
            "prod",
            "resolved",
            withConfig(prod, {
                [`${P}:notifications`]: {
                    emails: { critical: ["oncall@company.example"], warning: [], info: [] },
                    slackChannels: [
                        { name: "#prod-alerts", workspaceId: "T0123ABCD", channelId: "C0123ABCD", severities: ["critical", "warning"] },
                        { name: "#oncall-alerts", workspaceId: "T0123ABCD", channelId: "C0456EFGH", severities: ["critical"] },
                    ],
                },
                [`${P}:monitoring`]: {
                    ...configValue<Record<string, unknown>>(prod, `${P}:monitoring`),
                    cloudTrailLogGroup: "aws-cloudtrail-logs-org",
                },
            }),
        );
    });

    it("encrypts the four topics with the environment key", () => {
        assert.deepEqual(
            resourcesOf(graph, M.topic).map((t) => [t.inputs.name, t.inputs.kmsMasterKeyId]),
            ["critical", "warning", "info", "notifications-failed"].map((route) => [`bbws-alerts-${route}-prod`, KEY_ARN]),
        );
    });

    it("lets only this account's CloudWatch and EventBridge publish from outside, over TLS", () => {
        const arn = "arn:aws:sns:af-south-1:093646564004:bbws-alerts-critical-prod";
        assert.deepEqual(
            JSON.parse(resource(graph, M.topicPolicy, "monitoring-critical").inputs.policy as string),
            topicPolicy(naming, arn),
        );
        assert.deepEqual(
            topicPolicy(naming, arn).Statement.map((s) => [s.Sid, s.Effect, s.Principal, s.Condition]),
            [
                ["AccountManagesTopic", "Allow", { AWS: "arn:aws:iam::093646564004:root" }, undefined],
                [
                    "AlarmsPublish",
                    "Allow",
                    { Service: "cloudwatch.amazonaws.com" },
                    { StringEquals: { "aws:SourceAccount": "093646564004" } },
                ],
                ["EventsPublish", "Allow", { Service: "events.amazonaws.com" }, { StringEquals: { "aws:SourceAccount": "093646564004" } }],
                ["DenyInsecureTransport", "Deny", "*", { Bool: { "aws:SecureTransport": "false" } }],
            ],
        );
    });

    it("wires every alarm to the topic of its severity, on ALARM and on OK", () => {
        const routes = Object.fromEntries(
            resourcesOf(graph, M.alarm).map((a) => {
                assert.deepEqual(a.inputs.okActions, a.inputs.alarmActions);
                return [a.inputs.name, (a.inputs.alarmActions as string[])[0]];
            }),
        );
        assert.deepEqual(routes, {
            "bbws-prod-deployment-failed": topicArn(graph, "critical"),
            "bbws-prod-deployment-rolled-back": topicArn(graph, "critical"),
            "bbws-prod-bbws-deployments-prod-read-throttles": topicArn(graph, "warning"),
            "bbws-prod-bbws-deployments-prod-write-throttles": topicArn(graph, "warning"),
            "bbws-prod-bbws-deployments-prod-system-errors": topicArn(graph, "critical"),
            "bbws-prod-bbws-state-lock-prod-read-throttles": topicArn(graph, "warning"),
            "bbws-prod-bbws-state-lock-prod-write-throttles": topicArn(graph, "warning"),
            "bbws-prod-bbws-state-lock-prod-system-errors": topicArn(graph, "critical"),
            "bbws-prod-failed-web-identity": topicArn(graph, "warning"),
            "bbws-prod-notifications-failed-critical": topicArn(graph, "notifications-failed"),
            "bbws-prod-notifications-failed-warning": topicArn(graph, "notifications-failed"),
            "bbws-prod-notifications-failed-info": topicArn(graph, "notifications-failed"),
            "bbws-prod-tenants-instances-errors": topicArn(graph, "critical"),
            "bbws-prod-tenants-instances-throttles": topicArn(graph, "warning"),
            "bbws-prod-tenants-instances-p99-duration": topicArn(graph, "warning"),
            "bbws-prod-tenants-api-5xx": topicArn(graph, "critical"),
        });
    });

    it("alarms on any failed deployment in prod, silence meaning none", () => {
        const { alarmActions: _a, okActions: _o, ...inputs } = resource(graph, M.alarm, "monitoring-deployment-failed").inputs;
        assert.deepEqual(inputs, {
            name: "bbws-prod-deployment-failed",
            alarmDescription: "A deployment to prod failed (recorded by the deployment recorder).",
            comparisonOperator: "GreaterThanOrEqualToThreshold",
            threshold: 1,
            evaluationPeriods: 1,
            treatMissingData: "notBreaching",
            namespace: "CICD/Deployments",
            metricName: "DeploymentFailed",
            dimensions: { Environment: "prod" },
            period: 300,
            statistic: "Sum",
        });
    });

    it("adds up the ledger's per-operation system errors", () => {
        assert.deepEqual(resource(graph, M.alarm, "monitoring-bbws-deployments-prod-system-errors").inputs.metricQueries, [
            ...["PutItem", "UpdateItem", "GetItem", "Query"].map((Operation, i) => ({
                id: `m${i}`,
                returnData: false,
                metric: {
                    namespace: "AWS/DynamoDB",
                    metricName: "SystemErrors",
                    dimensions: { TableName: "bbws-deployments-prod", Operation },
                    period: 300,
                    stat: "Sum",
                },
            })),
            { id: "total", expression: "SUM([m0, m1, m2, m3])", returnData: true },
        ]);
    });

    it("counts failed web-identity assumptions of the deployer roles from CloudTrail", () => {
        assert.deepEqual(resource(graph, M.filter, "monitoring-failed-web-identity").inputs, {
            name: "bbws-prod-failed-web-identity",
            logGroupName: "aws-cloudtrail-logs-org",
            pattern:
                '{ ($.eventName = "AssumeRoleWithWebIdentity") && ($.errorCode = "*") && ($.requestParameters.roleArn = "arn:aws:iam::093646564004:role/bbws-deployer-prod-*") }',
            metricTransformation: { namespace: "CICD/Identity", name: "FailedWebIdentityAssumptions", value: "1", defaultValue: "0" },
        });
        assert.equal(failedAssumptionPattern(naming), resource(graph, M.filter, "monitoring-failed-web-identity").inputs.pattern);
    });

    it("creates the config-declared alarms, a percentile as an extended statistic", () => {
        const { alarmActions: _a, okActions: _o, ...inputs } = resource(graph, M.alarm, "monitoring-tenants-instances-p99-duration").inputs;
        assert.deepEqual(inputs, {
            name: "bbws-prod-tenants-instances-p99-duration",
            alarmDescription: "The tenants-instances Lambda's p99 duration is above 3 seconds.",
            comparisonOperator: "GreaterThanThreshold",
            threshold: 3000,
            evaluationPeriods: 3,
            treatMissingData: "notBreaching",
            namespace: "AWS/Lambda",
            metricName: "Duration",
            dimensions: { FunctionName: "bbws-tenants-instances-prod" },
            period: 300,
            extendedStatistic: "p99",
        });
    });

    it("builds a dashboard that names the real alarms and tables", () => {
        const body = JSON.parse(resource(graph, M.dashboard, "monitoring-dashboard").inputs.dashboardBody as string);
        assert.equal(resource(graph, M.dashboard, "monitoring-dashboard").inputs.dashboardName, "bbws-cicd-prod");
        const [deployments, alarms, tables] = body.widgets;
        assert.deepEqual(deployments.properties.metrics, [
            ["CICD/Deployments", "DeploymentSucceeded", "Environment", "prod"],
            ["CICD/Deployments", "DeploymentFailed", "Environment", "prod"],
            ["CICD/Deployments", "DeploymentRolledBack", "Environment", "prod"],
        ]);
        const names = resourcesOf(graph, M.alarm).map((a) => `arn:aws:cloudwatch:af-south-1:093646564004:alarm:${a.inputs.name}`);
        assert.deepEqual([...alarms.properties.alarms].sort(), names.sort());
        assert.deepEqual(
            [...new Set(tables.properties.metrics.map((m: string[]) => m[3]))],
            ["bbws-deployments-prod", "bbws-state-lock-prod"],
        );
    });

    it("keeps audit records seven years, encrypted and protected", () => {
        const group = resource(graph, M.logGroup, "monitoring-audit");
        assert.deepEqual(group.inputs, { name: "/bbws/deployments/prod", retentionInDays: 2557, kmsKeyId: KEY_ARN });
        assert.deepEqual([group.protect, group.retainOnDelete], [true, true]);
    });

    it("subscribes the configured emails and Slack channels", () => {
        assert.deepEqual(
            resourcesOf(graph, M.subscription).map((s) => [s.inputs.protocol, s.inputs.endpoint, s.inputs.topic]),
            [["email", "oncall@company.example", topicArn(graph, "critical")]],
        );
        assert.deepEqual(
            resourcesOf(graph, M.chatbot)
                .sort((a, b) => b.name.localeCompare(a.name))
                .map((c) => [
                    c.inputs.configurationName,
                    c.inputs.slackTeamId,
                    c.inputs.slackChannelId,
                    c.inputs.snsTopicArns,
                    c.inputs.guardrailPolicyArns,
                ]),
            [
                [
                    "bbws-prod-prod-alerts",
                    "T0123ABCD",
                    "C0123ABCD",
                    [topicArn(graph, "critical"), topicArn(graph, "warning")],
                    ["arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess"],
                ],
                [
                    "bbws-prod-oncall-alerts",
                    "T0123ABCD",
                    "C0456EFGH",
                    [topicArn(graph, "critical")],
                    ["arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess"],
                ],
            ],
        );
    });
});

describe("monitoring per stack", () => {
    for (const [stack, retention, deployments] of [
        ["dev", 90, "warning"],
        ["sit", 365, "warning"],
        ["prod", 2557, "critical"],
    ] as const) {
        it(`${stack}: audit retention ${retention} days, deployment alarms ${deployments}, no identity alarm without CloudTrail`, async () => {
            const graph = await graphOf(stack, "resolved");
            assert.equal(resource(graph, M.logGroup, "monitoring-audit").inputs.retentionInDays, retention);
            assert.deepEqual(resource(graph, M.alarm, "monitoring-deployment-failed").inputs.alarmActions, [
                `arn:placeholder:sns:monitoring-${deployments}`,
            ]);
            assert.deepEqual(resourcesOf(graph, M.filter), []);
            assert.equal(resourcesOf(graph, M.alarm).length, 15);
        });
    }
});

describe("monitoring config: bad input names the key and the file", () => {
    const monitoring = () => configValue<{ alarms: Record<string, unknown>[] }>(stackConfig("sit"), `${P}:monitoring`);
    const problems = (changes: Record<string, unknown>) => {
        try {
            parseStackConfig(withConfig(stackConfig("sit"), changes), "sit");
        } catch (error) {
            assert.ok(error instanceof ConfigError);
            return error.problems;
        }
        return assert.fail("expected a ConfigError");
    };
    const withAlarm = (change: Record<string, unknown>) => ({
        [`${P}:monitoring`]: { ...monitoring(), alarms: [{ ...monitoring().alarms[0], ...change }] },
    });

    it("rejects an unknown severity", () => {
        assert.deepEqual(problems(withAlarm({ severity: "urgent" })), [
            `Pulumi.sit.yaml: ${P}:monitoring.alarms[0].severity must be one of critical, warning, info, got "urgent"`,
        ]);
    });
    it("rejects a threshold that is not a number", () => {
        assert.deepEqual(problems(withAlarm({ threshold: "five" })), [
            `Pulumi.sit.yaml: ${P}:monitoring.alarms[0].threshold must be a number, got "five"`,
        ]);
    });
    it("rejects an email that is not an address", () => {
        assert.deepEqual(problems({ [`${P}:notifications`]: { emails: { critical: ["oncall-at-company"] } } }), [
            `Pulumi.sit.yaml: ${P}:notifications.emails.critical[0] must be an email address, got "oncall-at-company"`,
        ]);
    });
    it("rejects a Slack channel without its workspace id", () => {
        assert.deepEqual(problems({ [`${P}:notifications`]: { slackChannels: [{ name: "#sit-alerts", channelId: "C0123ABCD" }] } }), [
            `Pulumi.sit.yaml: ${P}:notifications.slackChannels[0].workspaceId is required: AWS Chatbot needs the workspace and channel ids`,
        ]);
    });
});
