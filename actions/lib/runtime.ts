/**
 * The two parts of the GitHub Actions runtime protocol the shared actions use: inputs arrive as
 * `INPUT_<NAME>` environment variables, and an `::error::` line marks a failure in the run's
 * annotations. Written here rather than taken from `@actions/core` so the actions add no dependency to
 * the project; the protocol is GitHub's documented one.
 */
export type Env = Readonly<Record<string, string | undefined>>;

/** An input as the runner passes it (`with: { change-ticket: ... }` is `INPUT_CHANGE-TICKET`), trimmed. */
export function input(env: Env, name: string): string {
    return (env[`INPUT_${name.replace(/ /g, "_").toUpperCase()}`] ?? "").trim();
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
