import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Severity, SlackChannel } from "../../config";
import { awsManagedPolicyArn } from "../../shared/arns";
import { chatbotConfigurationName, roleName, type Naming } from "../../shared/names";
import { chatbotPermissions, chatbotTrustPolicy } from "../permissions/chatbot";
import { toJson } from "../policyDocument";

/** What AWS Chatbot's Slack channels are made from. */
export interface ChatbotArgs {
    readonly naming: Naming;
    readonly slackChannels: readonly SlackChannel[];
    /** The boundary every role the program creates carries, the Chatbot role included. */
    readonly permissionsBoundaryArn: string;
    /** Resources the Chatbot role waits for, such as the boundary policy. Defaults to none. */
    readonly rolesDependOn?: pulumi.Resource[];
}

/**
 * AWS Chatbot posts the alarms of each configured channel's severities to Slack, through one role that
 * reads CloudWatch. Nothing is created when no channel is configured.
 */
export function createChatbot(
    name: string,
    args: ChatbotArgs,
    topics: Readonly<Record<Severity, aws.sns.Topic>>,
    parent: pulumi.Resource,
): void {
    if (args.slackChannels.length === 0) return;
    const { naming } = args;
    const chatbotRole = new aws.iam.Role(
        `${name}-chatbot`,
        {
            name: roleName(naming, "chatbot", "slack"),
            description: "AWS Chatbot: posts this environment's alarms to Slack and reads CloudWatch",
            assumeRolePolicy: toJson(chatbotTrustPolicy()),
            permissionsBoundary: args.permissionsBoundaryArn,
        },
        { parent, dependsOn: args.rolesDependOn },
    );
    new aws.iam.RolePolicy(`${name}-chatbot`, { role: chatbotRole.name, policy: toJson(chatbotPermissions(naming)) }, { parent });
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
                snsTopicArns: channel.severities.map((severity) => topics[severity].arn),
                // What people in the channel may do through the bot: read CloudWatch, nothing else.
                guardrailPolicyArns: [awsManagedPolicyArn("CloudWatchReadOnlyAccess")],
                loggingLevel: "ERROR",
            },
            { parent },
        );
    }
}
