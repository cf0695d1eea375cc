/**
 * The deployment recorder as an action: the same `main` as `npm run deployment`, with its arguments taken
 * from the action's inputs and defaults from the run (service, run id and attempt, commit, actor, run URL).
 * The ledger and the deployment metric are the recorder's own (`tools/lib/ledger.ts`); nothing is redone here.
 */
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { appendFileSync } from "fs";
import { main } from "../../../tools/deployment";
import { Ledger } from "../../../tools/lib/ledger";
import { input, type Env } from "../../lib/runtime";

/** The recorder's arguments each command takes; an input not listed for the command is not passed. */
const ARGUMENTS: Record<string, readonly string[]> = {
    start: [
        "environment",
        "service",
        "run-id",
        "run-attempt",
        "commit",
        "version",
        "actor",
        "run-url",
        "approvers",
        "change-ticket",
        "table",
    ],
    rollback: [
        "environment",
        "service",
        "run-id",
        "run-attempt",
        "commit",
        "version",
        "actor",
        "run-url",
        "approvers",
        "change-ticket",
        "target-tag",
        "table",
    ],
    finish: ["environment", "service", "run-id", "run-attempt", "outcome", "kind", "table"],
    deployed: ["environment", "service", "commit", "table"],
    live: ["environment", "service", "table"],
};

/** GitHub's `job.status` words, so a caller can pass `outcome: ${{ job.status }}` as it is. */
const JOB_STATUS: Record<string, string> = { success: "succeeded", failure: "failed", cancelled: "cancelled" };

/** The recorder's command line for these inputs: pure, tested directly. */
export function recorderArguments(env: Env): string[] {
    const command = input(env, "command");
    const names = ARGUMENTS[command];
    if (!names) throw new Error(`command must be one of ${Object.keys(ARGUMENTS).join(", ")}, got '${command}'`);
    const defaults: Record<string, string> = {
        service: (env.GITHUB_REPOSITORY ?? "").split("/").pop() ?? "",
        "run-id": env.GITHUB_RUN_ID ?? "",
        "run-attempt": env.GITHUB_RUN_ATTEMPT ?? "",
        commit: env.GITHUB_SHA ?? "",
        version: env.GITHUB_REF_NAME ?? "",
        actor: env.GITHUB_ACTOR ?? "",
        "run-url": `${env.GITHUB_SERVER_URL ?? "https://github.com"}/${env.GITHUB_REPOSITORY ?? ""}/actions/runs/${env.GITHUB_RUN_ID ?? ""}`,
        table: env.LEDGER_TABLE ?? "",
    };
    const argv = [command];
    for (const name of names) {
        let value = input(env, name) || defaults[name] || "";
        if (name === "outcome") value = JOB_STATUS[value] ?? value;
        if (value) argv.push(`--${name}`, value);
    }
    return argv;
}

/** Runs the recorder; `deployed` answering "no" fails the step, which is what the promotion check needs. */
export async function recordDeploymentAction(env: Env): Promise<number> {
    const argv = recorderArguments(env);
    const code = await main(
        argv,
        (tableName) => new Ledger({ tableName, dynamodb: new DynamoDBClient({}), cloudwatch: new CloudWatchClient({}) }),
        (name, value) => {
            if (env.GITHUB_OUTPUT) appendFileSync(env.GITHUB_OUTPUT, `${name}=${value}\n`);
        },
    );
    if (code !== 0) console.log(`::error::the recorder answered no to '${argv[0]}' (exit ${code}); see the line above`);
    return code;
}
