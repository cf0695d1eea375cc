import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { statefulProtection } from "../protection";
import { createAlarms, type AlarmSources } from "./alarms";
import { createChatbot, type ChatbotArgs } from "./chatbot";
import { createDashboard } from "./dashboard";
import { auditLogGroupName, dashboardName, type Route } from "./names";
import { createTopics, type TopicsArgs } from "./topics";

export { ROUTES, alarmName, auditLogGroupName, dashboardName, topicName, type Route } from "./names";
export { topicPolicy, type TopicsArgs } from "./topics";
export { alarmSpecs, failedAssumptionPattern, lambdaErrorAlarmSpec, type AlarmMetric, type AlarmSources, type AlarmSpec } from "./alarms";
export { ALARMS_PER_WIDGET, alarmWidgets, dashboardBody } from "./dashboard";
export type { ChatbotArgs } from "./chatbot";

export interface MonitoringArgs extends TopicsArgs, AlarmSources, ChatbotArgs {
    readonly logRetentionDays: number;
}

/**
 * Topics, alarms, the dashboard and the audit log group of one environment. Every topic is encrypted
 * with the environment key; every alarm notifies the topic of its severity on ALARM and on OK.
 */
export class Monitoring extends pulumi.ComponentResource {
    public readonly topics: Record<Route, aws.sns.Topic>;
    public readonly alarms: aws.cloudwatch.MetricAlarm[];
    public readonly auditLogGroup: aws.cloudwatch.LogGroup;

    constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("cicd:monitoring:Monitoring", name, {}, opts);
        const { naming } = args;
        const protection = statefulProtection(naming.environment);
        // Topics first: the Slack channels and the alarms notify them.
        this.topics = createTopics(name, args, this);
        createChatbot(name, args, this.topics, this);
        this.alarms = createAlarms(name, args, this.topics, this);
        createDashboard(name, args, this);
        this.auditLogGroup = new aws.cloudwatch.LogGroup(
            `${name}-audit`,
            { name: auditLogGroupName(naming), retentionInDays: args.logRetentionDays, kmsKeyId: args.keyArn },
            { parent: this, protect: protection.protect, retainOnDelete: protection.retainOnDelete },
        );
        this.registerOutputs({ dashboard: dashboardName(naming), auditLogGroup: auditLogGroupName(naming) });
    }
}
