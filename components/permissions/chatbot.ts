import { alarmName } from "../monitoring/names";
import type { Naming } from "../../shared/names";
import { policyDocument, type PolicyDocument } from "../policyDocument";
import { alarmArn } from "../../shared/arns";

/** The Slack role's trust: AWS Chatbot alone assumes it. */
export function chatbotTrustPolicy(): PolicyDocument {
    return policyDocument([{ Effect: "Allow", Principal: { Service: "chatbot.amazonaws.com" }, Action: "sts:AssumeRole" }]);
}

/** What Chatbot reads to post an alarm with its chart: this environment's alarms, and metrics. */
export function chatbotPermissions(naming: Naming): PolicyDocument {
    return policyDocument([
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
    ]);
}
