import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ComparisonOperator, DeclaredAlarm, Severity } from "../../config";
import { SEVERITIES } from "../../config/schema";
import {
    DEPLOYMENT_METRIC_NAMESPACE,
    DEPLOYMENT_METRICS,
    FAILED_ASSUMPTIONS_METRIC,
    IDENTITY_METRIC_NAMESPACE,
} from "../../shared/metrics";
import { roleArn } from "../../shared/arns";
import type { Naming } from "../../shared/names";
import { alarmName, topicName, type Route } from "./names";

/** One metric an alarm reads. */
export interface AlarmMetric {
    readonly namespace: string;
    readonly metricName: string;
    readonly dimensions: Readonly<Record<string, string>>;
    readonly statistic: string;
    readonly periodSeconds: number;
}

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
    readonly metric?: AlarmMetric;
    /** ...or the sum of several (one per DynamoDB operation, say). */
    readonly sumOf?: readonly AlarmMetric[];
}

/** What the environment's alarms are made from. */
export interface AlarmSources {
    readonly naming: Naming;
    /** The foundation's tables, by the name CloudWatch knows them, with the operations the pipelines use. */
    readonly tables: readonly { readonly tableName: string; readonly operations: readonly string[] }[];
    /** The CloudTrail log group; the failed-assumption filter and alarm exist only when it is named. */
    readonly cloudTrailLogGroup?: string;
    readonly declaredAlarms: readonly DeclaredAlarm[];
    /**
     * The functions the Lambda services declare (`deploys.functions`): each gets the error alarm its rollouts
     * watch, so a canary always has something to roll back on. Defaults to none.
     */
    readonly lambdaFunctions?: readonly string[];
}

/** CloudTrail records of AssumeRoleWithWebIdentity that failed for one of this environment's deployer roles. */
export function failedAssumptionPattern(naming: Naming): string {
    const roles = roleArn(naming, `${naming.prefix}-deployer-${naming.environment}-*`);
    return `{ ($.eventName = "AssumeRoleWithWebIdentity") && ($.errorCode = "*") && ($.requestParameters.roleArn = "${roles}") }`;
}

export const FIVE_MINUTES = 300;

/** Fires on the first datapoint at or above 1; no datapoint means nothing happened. */
const ONCE = {
    threshold: 1,
    comparison: "GreaterThanOrEqualToThreshold" as const,
    evaluationPeriods: 1,
    treatMissingData: "notBreaching" as const,
};

/** A sum over five minutes of one metric. */
const fiveMinuteSum = (namespace: string, metricName: string, dimensions: Record<string, string>): AlarmMetric => ({
    namespace,
    metricName,
    dimensions,
    statistic: "Sum",
    periodSeconds: FIVE_MINUTES,
});

/** Failed deployments and rollbacks, as the deployment recorder counts them. */
function deploymentAlarmSpecs(naming: Naming, route: Route): AlarmSpec[] {
    const environment = { Environment: naming.environment };
    return [
        {
            key: "deployment-failed",
            description: `A deployment to ${naming.environment} failed (recorded by the deployment recorder).`,
            route,
            ...ONCE,
            metric: fiveMinuteSum(DEPLOYMENT_METRIC_NAMESPACE, DEPLOYMENT_METRICS.failed, environment),
        },
        {
            key: "deployment-rolled-back",
            description: `A rollback ran in ${naming.environment}.`,
            route,
            ...ONCE,
            metric: fiveMinuteSum(DEPLOYMENT_METRIC_NAMESPACE, DEPLOYMENT_METRICS.rolledBack, environment),
        },
    ];
}

/** A table's read and write throttles, and its server errors. */
function tableAlarmSpecs(table: AlarmSources["tables"][number]): AlarmSpec[] {
    const dimensions = { TableName: table.tableName };
    const throttles = (
        [
            ["ReadThrottleEvents", "read-throttles"],
            ["WriteThrottleEvents", "write-throttles"],
        ] as const
    ).map(([metricName, label]): AlarmSpec => ({
        key: `${table.tableName}-${label}`,
        description: `${table.tableName} is throttling ${label.startsWith("read") ? "reads" : "writes"}.`,
        route: "warning",
        ...ONCE,
        metric: fiveMinuteSum("AWS/DynamoDB", metricName, dimensions),
    }));
    return [
        ...throttles,
        {
            key: `${table.tableName}-system-errors`,
            description: `DynamoDB returned server errors for ${table.tableName}.`,
            route: "critical",
            ...ONCE,
            // SystemErrors exists per operation only, so the alarm adds up the operations the pipelines use.
            sumOf: table.operations.map((Operation) => fiveMinuteSum("AWS/DynamoDB", "SystemErrors", { ...dimensions, Operation })),
        },
    ];
}

/** GitHub Actions failing to assume a deployer role, counted by the CloudTrail metric filter. */
function failedAssumptionAlarmSpec(naming: Naming): AlarmSpec {
    return {
        key: "failed-web-identity",
        description: `GitHub Actions failed to assume a ${naming.environment} deployer role (wrong subject or audience).`,
        route: "warning",
        ...ONCE,
        metric: fiveMinuteSum(IDENTITY_METRIC_NAMESPACE, FAILED_ASSUMPTIONS_METRIC, {}),
    };
}

/** A severity topic SNS could not deliver from. */
function notificationsFailedAlarmSpec(naming: Naming, severity: Severity): AlarmSpec {
    return {
        key: `notifications-failed-${severity}`,
        description: `SNS could not deliver notifications of the ${severity} topic.`,
        route: "notifications-failed",
        ...ONCE,
        metric: fiveMinuteSum("AWS/SNS", "NumberOfNotificationsFailed", { TopicName: topicName(naming, severity) }),
    };
}

/** An alarm the stack file declares, as declared. */
function declaredAlarmSpec(declared: DeclaredAlarm): AlarmSpec {
    return {
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
    };
}

/** Every alarm of the environment, as data. */
export function alarmSpecs(args: AlarmSources): AlarmSpec[] {
    const { naming } = args;
    const deploymentSeverity: Severity = naming.environment === "prod" ? "critical" : "warning";
    return [
        ...deploymentAlarmSpecs(naming, deploymentSeverity),
        ...(args.lambdaFunctions ?? []).map((functionName) => lambdaErrorAlarmSpec(functionName, deploymentSeverity)),
        ...args.tables.flatMap(tableAlarmSpecs),
        ...(args.cloudTrailLogGroup ? [failedAssumptionAlarmSpec(naming)] : []),
        ...SEVERITIES.map((severity) => notificationsFailedAlarmSpec(naming, severity)),
        ...args.declaredAlarms.map(declaredAlarmSpec),
    ];
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

/** Percentiles, trimmed and winsorized means and ranges are extended statistics (config/checks/alarms.ts). */
const EXTENDED_STATISTIC = /^(p|tm|wm|tc|ts)\d|^(TM|WM|TC|TS|PR)\(|^IQM$/;

/** The metric part of an alarm's inputs: one metric, or a metric math sum of several. */
function alarmMetricInputs(spec: AlarmSpec) {
    if (spec.metric) {
        return {
            namespace: spec.metric.namespace,
            metricName: spec.metric.metricName,
            dimensions: { ...spec.metric.dimensions },
            period: spec.metric.periodSeconds,
            ...(EXTENDED_STATISTIC.test(spec.metric.statistic)
                ? { extendedStatistic: spec.metric.statistic }
                : { statistic: spec.metric.statistic }),
        };
    }
    const sumOf = spec.sumOf ?? [];
    return {
        metricQueries: [
            ...sumOf.map((m, i) => ({
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
            { id: "total", expression: `SUM([${sumOf.map((_, i) => `m${i}`).join(", ")}])`, returnData: true },
        ],
    };
}

/**
 * The failed-assumption metric filter (when the CloudTrail log group is named) and every alarm, each
 * notifying its route's topic on ALARM and on OK.
 */
export function createAlarms(
    name: string,
    args: AlarmSources,
    topics: Record<Route, aws.sns.Topic>,
    parent: pulumi.Resource,
): aws.cloudwatch.MetricAlarm[] {
    const { naming } = args;
    const child = { parent };
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
    return alarmSpecs(args).map((spec) => {
        const topicArn = topics[spec.route].arn;
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
        return new aws.cloudwatch.MetricAlarm(`${name}-${spec.key}`, { ...common, ...alarmMetricInputs(spec) }, child);
    });
}
