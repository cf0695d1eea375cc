import { checkedInputs, InputError, type InputChecks } from "../../lib/inputs";
import type { Env } from "../../lib/runtime";
import { DEPLOY_TAG, REPOSITORY_NAME } from "../../../shared/formats";

/** The action's commands and the inputs each one needs. */
export const COMMANDS = {
    scan: ["repository", "digest"],
    promotion: ["service", "digest", "ledger-table", "minimum-hours"],
    deploy: ["cluster", "service-name", "container", "repository-uri", "digest", "commit", "tag", "alarms"],
    "rollback-target": ["cluster", "service-name"],
    rollback: ["cluster", "service-name", "task-definition"],
} as const;
export type Command = keyof typeof COMMANDS;

const CHECKS: InputChecks = {
    command: [new RegExp(`^(${Object.keys(COMMANDS).join("|")})$`), Object.keys(COMMANDS).join(", ")],
    repository: [/^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/, "an ECR repository name"],
    "repository-uri": [
        /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/,
        "an ECR repository URI (<account>.dkr.ecr.<region>.amazonaws.com/<name>)",
    ],
    digest: [/^sha256:[0-9a-f]{64}$/, "an image digest (sha256:<64 hex>)"],
    cluster: [/^[A-Za-z0-9_-]{1,255}$/, "an ECS cluster name"],
    "service-name": [/^[A-Za-z0-9_-]{1,255}$/, "an ECS service name"],
    container: [/^[A-Za-z0-9_-]{1,255}$/, "a container name of the task definition"],
    commit: [/^[0-9a-f]{40}$/, "a full 40-character commit SHA"],
    tag: [DEPLOY_TAG, "a deploy-<env>[-<root>]-<YYYYMMDDTHHMMSSZ> tag"],
    alarms: [/^[^,\s][^,]*(,\s*[^,\s][^,]*)*$/, "comma-separated CloudWatch alarm names"],
    "max-critical": [/^(0|[1-9]\d{0,3})$/, "a whole number of findings from 0 to 9999"],
    "max-high": [/^(0|[1-9]\d{0,3})$/, "a whole number of findings from 0 to 9999"],
    "timeout-minutes": [/^[1-9]\d{0,2}$/, "minutes from 1 to 999"],
    "poll-seconds": [/^[1-9]\d{0,2}$/, "seconds from 1 to 999"],
    service: [REPOSITORY_NAME, "a repository name"],
    "ledger-table": [/^[A-Za-z0-9_.-]{3,255}$/, "a DynamoDB table name"],
    "minimum-hours": [/^(0|[1-9]\d{0,3})$/, "whole hours from 0 to 9999"],
    "task-definition": [
        /^arn:aws[\w-]*:ecs:[a-z0-9-]+:\d{12}:task-definition\/[A-Za-z0-9_-]{1,255}:[1-9]\d*$/,
        "a task definition ARN with its revision",
    ],
};

export interface Inputs {
    readonly command: Command;
    readonly values: Readonly<Record<string, string>>;
}

export { InputError };

/** Reads and checks the inputs the runner passes as INPUT_<NAME> variables (empty means not given). Pure. */
export function readInputs(env: Env): Inputs {
    const { values, command, problems } = checkedInputs(env, CHECKS, COMMANDS);
    if (problems.length > 0) throw new InputError(problems);
    return { command: command as Command, values };
}
