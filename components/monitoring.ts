import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ComparisonOperator, DeclaredAlarm, Severity, SlackChannel } from "../config";
import { SEVERITIES } from "../config/schema";
import { DEPLOYMENT_METRIC_NAMESPACE, DEPLOYMENT_METRICS, FAILED_ASSUMPTIONS_METRIC, IDENTITY_METRIC_NAMESPACE } from "../shared/metrics";
import { accountRootArn, alarmArn, awsManagedPolicyArn, roleArn, topicArn } from "../shared/arns";
import { auditLogGroupName, chatbotConfigurationName, roleName, type Naming } from "../shared/names";
import { policyDocument, toJson, type PolicyDocument } from "./policyDocument";
import { statefulProtection } from "./protection";

/** Where an alarm's notifications go: a severity topic, or the topic for failed notifications. */
export type Route = Severity | "notifications-failed";
const ROUTES: readonly Route[] = [...SEVERITIES, "notifications-failed"];

/** One alarm as data: the component creates it, the tests read it. */
export interface AlarmSpec {
    readonly key: string;
    readonly description: string;
    readonly route: Route;
    readonly threshold: number;
    readonly comparison: ComparisonOperator;
    readonly evaluationPeriods: number;
    readonly treatMissingData: "missing" | "ignore" | "breaching" | "notBreaching";
    /** A single metric... */
    readonly metric?: {
        readonly namespace: string;
        readonly metricName: string;
        readonly dimensions: Readonly<Record<string, string>>;
        readonly statistic: string;
        readonly periodSeconds: number;
    };
    /** ...or the sum of several (one per DynamoDB operation, say). */
    readonly sumOf?: readonly {
        readonly namespace: string;
        readonly metricName: string;
        readonly dimensions: Readonly<Record<string, string>>;
        readonly statistic: string;
        readonly periodSeconds: number;
    }[];
}

export interface MonitoringArgs {
    readonly naming: Naming;
    readonly keyArn: pulumi.Input<string>;
    /** The foundation's tables, by the name CloudWatch knows them, with the operations the pipelines use. */
    readonly tables: readonly { readonly tableName: string; readonly operations: readonly string[] }[];
    readonly emails: Readonly<Record<Severity, readonly string[]>>;
    readonly slackChannels: readonly SlackChannel[];
    readonly logRetentionDays: number;
    /** The CloudTrail log group; the failed-assumption filter and alarm exist only when it is named. */
    readonly cloudTrailLogGroup?: string;
    readonly declaredAlarms: readonly DeclaredAlarm[];
    /**
     * The functions the Lambda services declare (`deploys.functions`): each gets the error alarm its rollouts
     * watch, so a canary always has something to roll back on. Defaults to none.
     */
    readonly lambdaFunctions?: readonly string[];
    /** The boundary every role the program creates carries, the Chatbot role included. */
    readonly permissionsBoundaryArn: string;
    /** Resources the Chatbot role waits for, such as the boundary policy. Defaults to none. */
    readonly rolesDependOn?: pulumi.Resource[];
}

export const topicName = (n: Naming, route: Route) => `${n.prefix}-alerts-${route}-${n.environment}`;
export const alarmName = (n: Naming, key: string) => `${n.prefix}-${n.environment}-${key}`;
export const dashboardName = (n: Naming) => `${n.prefix}-cicd-${n.environment}`;

/**
 * Topics, alarms, the dashboard and the audit log group of one environment. Every topic is encrypted
 * with the environment key; every alarm notifies the topic of its severity on ALARM and on OK.
 */
export class Monitoring extends pulumi.ComponentResource {
    public readonly topics: Record<Route, aws.sns.Topic>;
    public readonly alarms: aws.cloudwatch.MetricAlarm[] = [];
    public readonly auditLogGroup: aws.cloudwatch.LogGroup;

    constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("cicd:monitoring:Monitoring", name, {}, opts);
        const { naming } = args;
        const child = { parent: this };
        const protection = statefulProtection(naming.environment);

        this.topics = Object.fromEntries(
            ROUTES.map((route) => {
                const topic = new aws.sns.Topic(`${name}-${route}`, { name: topicName(naming, route), kmsMasterKeyId: args.keyArn }, child);
                new aws.sns.TopicPolicy(
                    `${name}-${route}`,
                    { arn: topic.arn, policy: toJson(topicPolicy(naming, topicArn(naming, topicName(naming, route)))) },
                    child,
                );
                return [route, topic];
            }),
        ) as Record<Route, aws.sns.Topic>;

        for (const severity of SEVERITIES) {
            for (const endpoint of args.emails[severity]) {
                new aws.sns.TopicSubscription(
                    `${name}-${severity}-email-${endpoint}`,
                    { topic: this.topics[severity].arn, protocol: "email", endpoint },
                    child,
                );
            }
        }
        if (args.slackChannels.length > 0) {
            const chatbotRole = new aws.iam.Role(
                `${name}-chatbot`,
                {
                    name: roleName(naming, "chatbot", "slack"),
                    description: "AWS Chatbot: posts this environment's alarms to Slack and reads CloudWatch",
                    assumeRolePolicy: toJson(
                        policyDocument([{ Effect: "Allow", Principal: { Service: "chatbot.amazonaws.com" }, Action: "sts:AssumeRole" }]),
                    ),
                    permissionsBoundary: args.permissionsBoundaryArn,
                },
                { parent: this, dependsOn: args.rolesDependOn },
            );
            new aws.iam.RolePolicy(
                `${name}-chatbot`,
                {
                    role: chatbotRole.name,
                    policy: toJson(
                        policyDocument([
                            // What Chatbot reads to post an alarm with its chart: this environment's alarms, and metrics.
                            {
                                Sid: "DescribeAlarms",
                                Effect: "Allow",
                                Action: ["cloudwatch:DescribeAlarms", "cloudwatch:DescribeAlarmHistory"],
                                Resource: alarmArn(naming, alarmName(naming, "*")),
                            },
                            {
                                Sid: "ReadMetrics",
                                Effect: "Allow",
                                Action: [
                                    "cloudwatch:GetMetricData",
                                    "cloudwatch:GetMetricStatistics",
                                    "cloudwatch:GetMetricWidgetImage",
                                    "cloudwatch:ListMetrics",
                                ],
                                Resource: "*",
                            },
                        ]),
                    ),
                },
                child,
            );
            for (const channel of args.slackChannels) {
                const channelName = channel.name.slice(1);
                new aws.chatbot.SlackChannelConfiguration(
                    `${name}-slack-${channelName}`,
                    {
                        // The foundation deployer may change only configurations named `<prefix>-<env>-*`.
                        configurationName: chatbotConfigurationName(naming, channelName),
                        iamRoleArn: chatbotRole.arn,
                        slackTeamId: channel.workspaceId,
                        slackChannelId: channel.channelId,
                        snsTopicArns: channel.severities.map((severity) => this.topics[severity].arn),
                        // What people in the channel may do through the bot: read CloudWatch, nothing else.
                        guardrailPolicyArns: [awsManagedPolicyArn("CloudWatchReadOnlyAccess")],
                        loggingLevel: "ERROR",
                    },
                    child,
                );
            }
        }

        if (args.cloudTrailLogGroup) {
            new aws.cloudwatch.LogMetricFilter(
                `${name}-failed-web-identity`,
                {
                    name: `${naming.prefix}-${naming.environment}-failed-web-identity`,
                    logGroupName: args.cloudTrailLogGroup,
                    pattern: failedAssumptionPattern(naming),
                    metricTransformation: {
                        namespace: IDENTITY_METRIC_NAMESPACE,
                        name: FAILED_ASSUMPTIONS_METRIC,
                        value: "1",
                        defaultValue: "0",
                    },
                },
                child,
            );
        }

        for (const spec of alarmSpecs(args)) {
            const topicArn = this.topics[spec.route].arn;
            const common = {
                name: alarmName(naming, spec.key),
                alarmDescription: spec.description,
                comparisonOperator: spec.comparison,
                threshold: spec.threshold,
                evaluationPeriods: spec.evaluationPeriods,
                treatMissingData: spec.treatMissingData,
                alarmActions: [topicArn],
                okActions: [topicArn],
            };
            const metric = spec.metric
                ? {
                      namespace: spec.metric.namespace,
                      metricName: spec.metric.metricName,
                      dimensions: { ...spec.metric.dimensions },
                      period: spec.metric.periodSeconds,
                      // Percentiles, trimmed and winsorized means and ranges are extended statistics (config/checks/alarms.ts).
                      ...(/^(p|tm|wm|tc|ts)\d|^(TM|WM|TC|TS|PR)\(|^IQM$/.test(spec.metric.statistic)
                          ? { extendedStatistic: spec.metric.statistic }
                          : { statistic: spec.metric.statistic }),
                  }
                : {
                      metricQueries: [
                          ...(spec.sumOf ?? []).map((m, i) => ({
                              id: `m${i}`,
                              returnData: false,
                              metric: {
                                  namespace: m.namespace,
                                  metricName: m.metricName,
                                  dimensions: { ...m.dimensions },
                                  period: m.periodSeconds,
                                  stat: m.statistic,
                              },
                          })),
                          { id: "total", expression: `SUM([${(spec.sumOf ?? []).map((_, i) => `m${i}`).join(", ")}])`, returnData: true },
                      ],
                  };
            this.alarms.push(new aws.cloudwatch.MetricAlarm(`${name}-${spec.key}`, { ...common, ...metric }, child));
        }

        new aws.cloudwatch.Dashboard(
            `${name}-dashboard`,
            { dashboardName: dashboardName(naming), dashboardBody: JSON.stringify(dashboardBody(args)) },
            child,
        );

        this.auditLogGroup = new aws.cloudwatch.LogGroup(
            `${name}-audit`,
            { name: auditLogGroupName(naming), retentionInDays: args.logRetentionDays, kmsKeyId: args.keyArn },
            { parent: this, protect: protection.protect, retainOnDelete: protection.retainOnDelete },
        );
        this.registerOutputs({ dashboard: dashboardName(naming), auditLogGroup: auditLogGroupName(naming) });
    }
}

/**
 * The account manages the topic through IAM; from outside the account only CloudWatch alarms and
 * EventBridge rules of this account may publish, and only over TLS.
 */
export function topicPolicy(naming: Naming, topicArn: string): PolicyDocument {
    const sameAccount = { StringEquals: { "aws:SourceAccount": naming.accountId } };
    return policyDocument([
        {
            Sid: "AccountManagesTopic",
            Effect: "Allow",
            Principal: { AWS: accountRootArn(naming.accountId) },
            Action: ["sns:Publish", "sns:Subscribe", "sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:ListSubscriptionsByTopic"],
            Resource: topicArn,
        },
        {
            Sid: "AlarmsPublish",
            Effect: "Allow",
            Principal: { Service: "cloudwatch.amazonaws.com" },
            Action: "sns:Publish",
            Resource: topicArn,
            Condition: sameAccount,
        },
        {
            Sid: "EventsPublish",
            Effect: "Allow",
            Principal: { Service: "events.amazonaws.com" },
            Action: "sns:Publish",
            Resource: topicArn,
            Condition: sameAccount,
        },
        {
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "sns:Publish",
            Resource: topicArn,
            Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
    ]);
}

/** CloudTrail records of AssumeRoleWithWebIdentity that failed for one of this environment's deployer roles. */
export function failedAssumptionPattern(naming: Naming): string {
    const roles = roleArn(naming, `${naming.prefix}-deployer-${naming.environment}-*`);
    return `{ ($.eventName = "AssumeRoleWithWebIdentity") && ($.errorCode = "*") && ($.requestParameters.roleArn = "${roles}") }`;
}

const FIVE_MINUTES = 300;

/** Every alarm of the environment, as data. */
export function alarmSpecs(
    args: Pick<MonitoringArgs, "naming" | "tables" | "cloudTrailLogGroup" | "declaredAlarms" | "lambdaFunctions">,
): AlarmSpec[] {
    const { naming } = args;
    const deploymentSeverity: Severity = naming.environment === "prod" ? "critical" : "warning";
    const once = { threshold: 1, comparison: "GreaterThanOrEqualToThreshold" as const, evaluationPeriods: 1 };
    const environment = { Environment: naming.environment };
    const specs: AlarmSpec[] = [
        {
            key: "deployment-failed",
            description: `A deployment to ${naming.environment} failed (recorded by the deployment recorder).`,
            route: deploymentSeverity,
            ...once,
            // No deployment, no datapoint: silence means nothing failed.
            treatMissingData: "notBreaching",
            metric: {
                namespace: DEPLOYMENT_METRIC_NAMESPACE,
                metricName: DEPLOYMENT_METRICS.failed,
                dimensions: environment,
                statistic: "Sum",
                periodSeconds: FIVE_MINUTES,
            },
        },
        {
            key: "deployment-rolled-back",
            description: `A rollback ran in ${naming.environment}.`,
            route: deploymentSeverity,
            ...once,
            treatMissingData: "notBreaching",
            metric: {
                namespace: DEPLOYMENT_METRIC_NAMESPACE,
                metricName: DEPLOYMENT_METRICS.rolledBack,
                dimensions: environment,
                statistic: "Sum",
                periodSeconds: FIVE_MINUTES,
            },
        },
    ];
    for (const functionName of args.lambdaFunctions ?? []) {
        specs.push(lambdaErrorAlarmSpec(functionName, deploymentSeverity));
    }
    for (const table of args.tables) {
        const dimensions = { TableName: table.tableName };
        for (const [metricName, label] of [
            ["ReadThrottleEvents", "read-throttles"],
            ["WriteThrottleEvents", "write-throttles"],
        ] as const) {
            specs.push({
                key: `${table.tableName}-${label}`,
                description: `${table.tableName} is throttling ${label.startsWith("read") ? "reads" : "writes"}.`,
                route: "warning",
                ...once,
                treatMissingData: "notBreaching",
                metric: { namespace: "AWS/DynamoDB", metricName, dimensions, statistic: "Sum", periodSeconds: FIVE_MINUTES },
            });
        }
        specs.push({
            key: `${table.tableName}-system-errors`,
            description: `DynamoDB returned server errors for ${table.tableName}.`,
            route: "critical",
            ...once,
            treatMissingData: "notBreaching",
            // SystemErrors exists per operation only, so the alarm adds up the operations the pipelines use.
            sumOf: table.operations.map((Operation) => ({
                namespace: "AWS/DynamoDB",
                metricName: "SystemErrors",
                dimensions: { ...dimensions, Operation },
                statistic: "Sum",
                periodSeconds: FIVE_MINUTES,
            })),
        });
    }
    if (args.cloudTrailLogGroup) {
        specs.push({
            key: "failed-web-identity",
            description: `GitHub Actions failed to assume a ${naming.environment} deployer role (wrong subject or audience).`,
            route: "warning",
            ...once,
            treatMissingData: "notBreaching",
            metric: {
                namespace: IDENTITY_METRIC_NAMESPACE,
                metricName: FAILED_ASSUMPTIONS_METRIC,
                dimensions: {},
                statistic: "Sum",
                periodSeconds: FIVE_MINUTES,
            },
        });
    }
    for (const severity of SEVERITIES) {
        specs.push({
            key: `notifications-failed-${severity}`,
            description: `SNS could not deliver notifications of the ${severity} topic.`,
            route: "notifications-failed",
            ...once,
            treatMissingData: "notBreaching",
            metric: {
                namespace: "AWS/SNS",
                metricName: "NumberOfNotificationsFailed",
                dimensions: { TopicName: topicName(naming, severity) },
                statistic: "Sum",
                periodSeconds: FIVE_MINUTES,
            },
        });
    }
    for (const declared of args.declaredAlarms) {
        specs.push({
            key: declared.name,
            description: declared.description,
            route: declared.severity,
            threshold: declared.threshold,
            comparison: declared.comparison,
            evaluationPeriods: declared.evaluationPeriods,
            treatMissingData: declared.treatMissingData,
            metric: {
                namespace: declared.namespace,
                metricName: declared.metricName,
                dimensions: declared.dimensions,
                statistic: declared.statistic,
                periodSeconds: declared.periodSeconds,
            },
        });
    }
    return specs;
}

/** CloudWatch's alarm status widget shows at most 100 alarms. */
export const ALARMS_PER_WIDGET = 100;

/**
 * The alarm status widgets: one beside the deployments for up to 100 alarms, and each further hundred in a
 * widget of its own below the rest, so no alarm is left off the dashboard.
 */
export function alarmWidgets(alarmArns: readonly string[]) {
    const chunks = Array.from({ length: Math.max(1, Math.ceil(alarmArns.length / ALARMS_PER_WIDGET)) }, (_, i) =>
        alarmArns.slice(i * ALARMS_PER_WIDGET, (i + 1) * ALARMS_PER_WIDGET),
    );
    return chunks.map((alarms, i) => ({
        type: "alarm",
        ...(i === 0 ? { x: 12, y: 0, width: 12 } : { x: 0, y: 100 + 6 * i, width: 24 }),
        height: 6,
        properties: { title: chunks.length === 1 ? "Alarms" : `Alarms (${i + 1} of ${chunks.length})`, alarms },
    }));
}

/** The environment's dashboard: deployments by outcome, every alarm's state, the tables' health. */
export function dashboardBody(args: Pick<MonitoringArgs, "naming" | "tables" | "cloudTrailLogGroup" | "declaredAlarms">) {
    const { naming } = args;
    const region = naming.region;
    const alarmArns = alarmSpecs(args).map((spec) => alarmArn(naming, alarmName(naming, spec.key)));
    const outcome = (metric: string) => [DEPLOYMENT_METRIC_NAMESPACE, metric, "Environment", naming.environment];
    return {
        widgets: [
            {
                type: "metric",
                x: 0,
                y: 0,
                width: 12,
                height: 6,
                properties: {
                    title: `Deployments to ${naming.environment} by outcome`,
                    region,
                    stat: "Sum",
                    period: 86400,
                    view: "bar",
                    metrics: [DEPLOYMENT_METRICS.succeeded, DEPLOYMENT_METRICS.failed, DEPLOYMENT_METRICS.rolledBack].map(outcome),
                },
            },
            ...alarmWidgets(alarmArns),
            {
                type: "metric",
                x: 0,
                y: 6,
                width: 24,
                height: 6,
                properties: {
                    title: "Foundation tables: throttles and capacity",
                    region,
                    stat: "Sum",
                    period: FIVE_MINUTES,
                    metrics: args.tables.flatMap((t) =>
                        ["ReadThrottleEvents", "WriteThrottleEvents", "ConsumedReadCapacityUnits", "ConsumedWriteCapacityUnits"].map(
                            (m) => ["AWS/DynamoDB", m, "TableName", t.tableName],
                        ),
                    ),
                },
            },
        ],
    };
}

/**
 * A declared function's error alarm, named as its rollouts expect it (`<prefix>-<env>-lambda-<function>-errors`):
 * any error of the `live` alias in a minute. During a rollout both versions serve the alias, so CodeDeploy
 * stops and rolls back on the first error; missing data (no traffic) is not an error.
 */
export function lambdaErrorAlarmSpec(functionName: string, route: Route): AlarmSpec {
    return {
        key: `lambda-${functionName}-errors`,
        description: `${functionName} (alias live) reported errors; a rollout under way rolls back.`,
        route,
        threshold: 1,
        comparison: "GreaterThanOrEqualToThreshold",
        evaluationPeriods: 1,
        treatMissingData: "notBreaching",
        metric: {
            namespace: "AWS/Lambda",
            metricName: "Errors",
            dimensions: { FunctionName: functionName, Resource: `${functionName}:live` },
            statistic: "Sum",
            periodSeconds: 60,
        },
    };
}
