import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DEPLOYMENT_METRIC_NAMESPACE, DEPLOYMENT_METRICS } from "../../shared/metrics";
import { alarmArn } from "../../shared/arns";
import { alarmSpecs, FIVE_MINUTES, type AlarmSources } from "./alarms";
import { alarmName, dashboardName } from "./names";

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
export function dashboardBody(args: Pick<AlarmSources, "naming" | "tables" | "cloudTrailLogGroup" | "declaredAlarms">) {
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

/** The environment's dashboard, named `<prefix>-cicd-<env>`. */
export function createDashboard(name: string, args: AlarmSources, parent: pulumi.Resource): aws.cloudwatch.Dashboard {
    return new aws.cloudwatch.Dashboard(
        `${name}-dashboard`,
        { dashboardName: dashboardName(args.naming), dashboardBody: JSON.stringify(dashboardBody(args)) },
        { parent },
    );
}
