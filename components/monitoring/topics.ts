import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Severity } from "../../config";
import { SEVERITIES } from "../../config/schema";
import { accountRootArn, topicArn } from "../../shared/arns";
import type { Naming } from "../../shared/names";
import { policyDocument, toJson, type PolicyDocument } from "../policyDocument";
import { ROUTES, topicName, type Route } from "./names";

/** What the topics are made from. */
export interface TopicsArgs {
    readonly naming: Naming;
    readonly keyArn: pulumi.Input<string>;
    readonly emails: Readonly<Record<Severity, readonly string[]>>;
}

/**
 * One topic per route, encrypted with the environment key, each with its policy; the configured emails
 * subscribe to their severity's topic.
 */
export function createTopics(name: string, args: TopicsArgs, parent: pulumi.Resource): Record<Route, aws.sns.Topic> {
    const { naming } = args;
    const child = { parent };
    const topics = Object.fromEntries(
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
                { topic: topics[severity].arn, protocol: "email", endpoint },
                child,
            );
        }
    }
    return topics;
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
