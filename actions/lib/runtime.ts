/**
 * The few parts of the GitHub Actions runtime protocol the shared actions use: inputs arrive as
 * `INPUT_<NAME>` environment variables, outputs are appended to the file `GITHUB_OUTPUT` names, and an
 * `::error::` line marks the failure in the run's annotations. Written here rather than taken from
 * `@actions/core` so the actions add no dependency to the project; the protocol is GitHub's documented one.
 */
import { randomUUID } from "crypto";
import * as fs from "fs";

export type Env = Readonly<Record<string, string | undefined>>;

/** An input as the runner passes it (`with: { change-ticket: ... }` is `INPUT_CHANGE-TICKET`), trimmed. */
export function input(env: Env, name: string): string {
    return (env[`INPUT_${name.replace(/ /g, "_").toUpperCase()}`] ?? "").trim();
}

/** Sets a step output; the heredoc delimiter is random so a value can never end it early. */
export function setOutput(env: Env, name: string, value: string): void {
    const file = env.GITHUB_OUTPUT;
    if (!file) return;
    const delimiter = `ghadelimiter_${randomUUID()}`;
    fs.appendFileSync(file, `${name}<<${delimiter}\n${value}\n${delimiter}\n`);
}

/** Workflow commands are line-based: escape what would end or split one. */
export function escapeCommand(message: string): string {
    return message.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** Runs an action's body; a thrown error becomes an `::error::` annotation and a failed step. */
export function runAction(body: () => Promise<number | void>): void {
    body().then(
        (code) => {
            process.exitCode = code ?? 0;
        },
        (error: unknown) => {
            console.log(`::error::${escapeCommand(error instanceof Error ? error.message : String(error))}`);
            process.exitCode = 1;
        },
    );
}
