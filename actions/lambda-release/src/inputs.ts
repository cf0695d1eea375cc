import { checkedInputs, InputError, type InputChecks } from "../../lib/inputs";
import type { Env } from "../../lib/runtime";
import { DEPLOY_TAG, ENVIRONMENTS, REPOSITORY_NAME } from "../../../shared/formats";

/** The action's commands and the inputs each one needs. */
export const COMMANDS = {
    package: ["package", "commit"],
    deploy: ["function-name", "alias", "package", "manifest", "commit", "tag", "strategy"],
    stability: ["service", "commit", "ledger-table", "minimum-hours"],
    "rollback-target": ["function-name", "alias"],
    rollback: ["function-name", "alias", "version"],
    "abort-canary": ["function-name", "alias"],
    release: [
        "function-name",
        "alias",
        "package",
        "manifest",
        "commit",
        "tag",
        "service",
        "environment",
        "prefix",
        "account-id",
        "region",
        "rollout",
    ],
    report: ["deployment-id"],
} as const;
export type Command = keyof typeof COMMANDS;

const CHECKS: InputChecks = {
    command: [new RegExp(`^(${Object.keys(COMMANDS).join("|")})$`), Object.keys(COMMANDS).join(", ")],
    "function-name": [/^(arn:aws[\w-]*:lambda:[a-z0-9-]+:\d{12}:function:)?[A-Za-z0-9_-]{1,64}$/, "a Lambda function name or ARN"],
    alias: [/^(?!^\d+$)[A-Za-z0-9_-]{1,128}$/, "an alias name (letters, digits, - and _, not only digits)"],
    package: [/^\S+\.zip$/, "the path of the .zip package"],
    manifest: [/^\S+\.json$/, "the path of the build manifest (.json)"],
    commit: [/^[0-9a-f]{40}$/, "a full 40-character commit SHA"],
    tag: [DEPLOY_TAG, "a deploy-<env>-<YYYYMMDDTHHMMSSZ> or deploy-<env>-<function>-<YYYYMMDDTHHMMSSZ> tag"],
    strategy: [/^(all-at-once|canary)$/, "all-at-once or canary"],
    "canary-alarms": [/^[^,\s][^,]*(,\s*[^,\s][^,]*)*$/, "comma-separated CloudWatch alarm names"],
    alarms: [/^[^,\s][^,]*(,\s*[^,\s][^,]*)*$/, "comma-separated CloudWatch alarm names"],
    "canary-weights": [/^([1-9]\d?)(,[1-9]\d?)*$/, "ascending percentages from 1 to 99, e.g. 10 or 10,50"],
    "bake-minutes": [/^([1-9]\d{0,2})$/, "minutes from 1 to 999"],
    "poll-seconds": [/^([1-9]\d{0,2})$/, "seconds from 1 to 999"],
    service: [REPOSITORY_NAME, "a repository name"],
    "ledger-table": [/^[A-Za-z0-9_.-]{3,255}$/, "a DynamoDB table name"],
    "minimum-hours": [/^(0|[1-9]\d{0,3})$/, "whole hours from 0 to 9999"],
    version: [/^[1-9]\d{0,9}$/, "a published version number"],
    environment: [new RegExp(`^(${ENVIRONMENTS.join("|")})$`), "dev, sit or prod"],
    prefix: [/^[a-z0-9][a-z0-9-]{0,30}$/, "the foundation's name prefix"],
    "account-id": [/^\d{12}$/, "a 12-digit AWS account id"],
    region: [/^[a-z]{2}(-[a-z]+)+-\d$/, "an AWS region"],
    rollout: [
        /^Lambda(Canary10Percent(5|10|15|30)Minutes|Linear10PercentEvery(1Minute|2Minutes|3Minutes|10Minutes)|AllAtOnce)$/,
        "a CodeDeploy Lambda configuration without its CodeDeployDefault. prefix, e.g. LambdaCanary10Percent5Minutes",
    ],
    policies: [
        /^arn:aws:iam::(aws|\d{12}):policy\/\S+(,\s*arn:aws:iam::(aws|\d{12}):policy\/\S+)*$/,
        "comma-separated managed policy ARNs",
    ],
    runtime: [/^[a-z0-9.]{3,30}$/, "a Lambda runtime, e.g. nodejs22.x"],
    handler: [/^[^\s]{1,128}$/, "a handler, e.g. index.handler"],
    "before-hook": [/^[A-Za-z0-9_-]{1,64}$/, "a Lambda function name"],
    "after-hook": [/^[A-Za-z0-9_-]{1,64}$/, "a Lambda function name"],
    "deployment-id": [/^d-[A-Z0-9]{9}$/, "a CodeDeploy deployment id (d-XXXXXXXXX)"],
};

export interface Inputs {
    readonly command: Command;
    readonly values: Readonly<Record<string, string>>;
}

export { InputError };

/**
 * Reads and checks the inputs the runner passes as INPUT_<NAME> variables (empty means not given), with the
 * rules across inputs of the Lambda commands. Pure: the tests call it with a plain object.
 */
export function readInputs(env: Env): Inputs {
    const { values, command, problems } = checkedInputs(env, CHECKS, COMMANDS);
    if (command && command in COMMANDS) {
        if (command === "deploy" && values.strategy === "canary" && !values["canary-alarms"]) {
            problems.push("input canary-alarms is required for a canary: the alarms that roll it back");
        }
        if (command === "release" && values.rollout === "LambdaAllAtOnce" && values.environment === "prod") {
            problems.push("input rollout must shift prod gradually (a canary or linear rollout), got 'LambdaAllAtOnce'");
        }
        if (command === "rollback-target" && values.version && values.tag) problems.push("give input version or input tag, not both");
        if (command === "rollback-target" && !values.version && !values.tag && !(values.service && values["ledger-table"])) {
            problems.push(
                "input service and ledger-table are required to find the previous deployment when neither version nor tag is given",
            );
        }
    }
    const weights = (values["canary-weights"] ?? "").split(",").map(Number);
    if (weights.some((w, i) => i > 0 && w <= weights[i - 1]))
        problems.push(`input canary-weights must ascend, got '${values["canary-weights"]}'`);
    if (problems.length > 0) throw new InputError(problems);
    return { command: command as Command, values };
}
