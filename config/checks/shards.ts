/**
 * What a shard's stack leaves to its environment's foundation tier: the organisation's Slack secret, and the
 * state backend (shards keep their state in the environment's S3 backend). Pure.
 */
import type { ParsedStack } from "../parsedStack";
import { configKey, type ConfigProblem } from "../problems";

export function shardKeyProblems(s: ParsedStack): ConfigProblem[] {
    if (s.shard === undefined) return [];
    const problems: ConfigProblem[] = [];
    if (s.raw.values[configKey("slackWebhook")] !== undefined)
        problems.push({
            key: configKey("slackWebhook"),
            message: `is set in shard '${s.shard}''s stack: the organisation's SLACK_WEBHOOK_<ENV> secret is written by the foundation tier's stack alone; remove the key here`,
        });
    if (s.parsed.backend === "pulumi-cloud")
        problems.push({
            key: configKey("backend"),
            message: `is 'pulumi-cloud' in shard '${s.shard}''s stack: shards keep their state in the environment's S3 backend`,
        });
    return problems;
}
