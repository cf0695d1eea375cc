/**
 * The stack itself: its name decides the environment (a shard's stack is `<environment>-<shard>`), and the AWS
 * provider's keys pin it to its region, its one account and its environment's tag. Pure.
 */
import { decode } from "../document";
import type { ParsedStack } from "../parsedStack";
import { configKey, type ConfigProblem } from "../problems";
import { AWS_KEYS } from "../schema";

/** The stack's name against the environment and the shard its keys name. */
export function stackNameProblems(s: ParsedStack): ConfigProblem[] {
    if (s.stackNameProblem !== undefined)
        return [{ key: configKey(s.shard === undefined ? "environment" : "shard"), message: s.stackNameProblem }];
    const declared = s.parsed.environment;
    if (declared !== undefined && declared !== s.environment)
        return [{ key: configKey("environment"), message: `must match the stack name '${s.stack}', got '${declared}'` }];
    return [];
}

/** `aws:allowedAccountIds`: exactly the stack's account, so the stack can never touch another. */
function allowedAccountProblems(s: ParsedStack): ConfigProblem[] {
    const text = s.raw.values["aws:allowedAccountIds"];
    const allowed = text === undefined ? undefined : decode(text);
    if (allowed && "invalid" in allowed) return [{ key: "aws:allowedAccountIds", message: "is not valid JSON" }];
    if (s.parsed.accountId === undefined) return [];
    const list = allowed?.value;
    if (Array.isArray(list) && list.length === 1 && list[0] === s.accountId) return [];
    return [
        {
            key: "aws:allowedAccountIds",
            message: `must be exactly ["${s.accountId}"] so this stack can never touch another account, got ${text ?? "nothing"}`,
        },
    ];
}

/** `aws:defaultTags`: every resource tagged with the stack's environment. */
function defaultTagProblems(s: ParsedStack): ConfigProblem[] {
    const text = s.raw.values["aws:defaultTags"];
    const tags = text === undefined ? undefined : decode(text);
    if (tags && "invalid" in tags) return [{ key: "aws:defaultTags", message: "is not valid JSON" }];
    const environmentTag = (tags?.value as { tags?: { Environment?: unknown } } | undefined)?.tags?.Environment;
    if (environmentTag === s.environment) return [];
    return [
        {
            key: "aws:defaultTags",
            message: `must set tags.Environment to '${s.environment}', got ${JSON.stringify(environmentTag ?? null)}`,
        },
    ];
}

/** The AWS provider's keys: a known region, the one account, the environment's tag. */
export function awsProviderProblems(s: ParsedStack): ConfigProblem[] {
    const region: ConfigProblem[] = AWS_KEYS["aws:region"].safeParse(s.region).success
        ? []
        : [{ key: "aws:region", message: `must be a known AWS region, got ${JSON.stringify(s.raw.values["aws:region"] ?? null)}` }];
    return [...region, ...allowedAccountProblems(s), ...defaultTagProblems(s)];
}
