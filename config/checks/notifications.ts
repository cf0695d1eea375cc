/** Where notices go: prod's deployment and alarm notices must reach Slack, so prod's foundation tier sets the webhook. Pure. */
import type { ParsedStack } from "../parsedStack";
import { configKey, type ConfigProblem } from "../problems";

export function notificationProblems(s: ParsedStack): ConfigProblem[] {
    if (s.environment !== "prod" || s.shard !== undefined || s.raw.values[configKey("slackWebhook")] !== undefined) return [];
    return [
        {
            key: configKey("slackWebhook"),
            message:
                "is required in prod, where deployment and alarm notices must reach Slack: run 'pulumi config set --secret slackWebhook <url>' on the prod stack",
        },
    ];
}
