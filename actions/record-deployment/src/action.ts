/**
 * The deployment recorder as an action: the same `main` as `npm run deployment`, with its arguments taken
 * from the action's inputs and defaults from the run (service, run id and attempt, commit, actor, run URL,
 * the GitHub server's URL, so GitHub Enterprise Server runs are recorded too). The ledger and the deployment
 * metric are the recorder's own (`shared/ledgerClient.ts`); nothing is redone here. A failed metric after the
 * ledger write is a warning there; a `finish` whose start was never written is a warning here (the job has
 * already failed at its start step, and that is the outcome to see).
 */
import { appendFileSync } from "fs";
import { main, productionLedger, workflowWarning } from "../../../tools/lib/recorder";
import { NotStartedError, type Ledger } from "../../../shared/ledgerClient";
import { input, type Env } from "../../lib/runtime";

const START = [
    "environment",
    "service",
    "run-id",
    "run-attempt",
    "commit",
    "version",
    "actor",
    "run-url",
    "server-url",
    "approvers",
    "change-ticket",
    "artifact-digest",
    "root",
    "table",
];

/** The recorder's arguments each command takes; an input not listed for the command is not passed. */
const ARGUMENTS: Record<string, readonly string[]> = {
    start: START,
    rollback: [...START, "target-tag"],
    finish: ["environment", "service", "run-id", "run-attempt", "outcome", "kind", "root", "table"],
    deployed: ["environment", "service", "commit", "root", "table"],
    live: ["environment", "service", "root", "table"],
};

/** GitHub's `job.status` words, so a caller can pass `outcome: ${{ job.status }}` as it is. */
const JOB_STATUS: Record<string, string> = { success: "succeeded", failure: "failed", cancelled: "cancelled" };

/** The recorder's command line for these inputs: pure, tested directly. */
export function recorderArguments(env: Env): string[] {
    const command = input(env, "command");
    const names = ARGUMENTS[command];
    if (!names) throw new Error(`command must be one of ${Object.keys(ARGUMENTS).join(", ")}, got '${command}'`);
    const server = env.GITHUB_SERVER_URL ?? "https://github.com";
    const defaults: Record<string, string> = {
        service: (env.GITHUB_REPOSITORY ?? "").split("/").pop() ?? "",
        "run-id": env.GITHUB_RUN_ID ?? "",
        "run-attempt": env.GITHUB_RUN_ATTEMPT ?? "",
        commit: env.GITHUB_SHA ?? "",
        version: env.GITHUB_REF_NAME ?? "",
        actor: env.GITHUB_ACTOR ?? "",
        "run-url": `${server}/${env.GITHUB_REPOSITORY ?? ""}/actions/runs/${env.GITHUB_RUN_ID ?? ""}`,
        // github.com is the recorder's default; a GitHub Enterprise Server's URL is passed.
        "server-url": env.GITHUB_SERVER_URL && env.GITHUB_SERVER_URL !== "https://github.com" ? env.GITHUB_SERVER_URL : "",
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
export async function recordDeploymentAction(env: Env, ledgerFor: (table: string) => Ledger = productionLedger): Promise<number> {
    const argv = recorderArguments(env);
    let code: number;
    try {
        code = await main(argv, ledgerFor, (name, value) => {
            if (env.GITHUB_OUTPUT) appendFileSync(env.GITHUB_OUTPUT, `${name}=${value}\n`);
        });
    } catch (error) {
        if (!(error instanceof NotStartedError)) throw error;
        console.log(workflowWarning(`nothing to finish: ${error.message}`));
        return 0;
    }
    if (code !== 0) console.log(`::error::the recorder answered no to '${argv[0]}' (exit ${code}); see the line above`);
    return code;
}
