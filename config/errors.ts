/** The error a bad config throws: every problem of the run, each a line naming its file and key. */
import * as pulumi from "@pulumi/pulumi";

/**
 * Thrown for a bad stack config; `problems` lists every one of them, each naming its key and file.
 * A RunError, so the Pulumi CLI prints the message without a stack trace.
 */
export class ConfigError extends pulumi.RunError {
    constructor(
        public readonly stackFile: string,
        public readonly problems: readonly string[],
    ) {
        super(`${stackFile} has ${problems.length} problem(s):\n  - ${problems.join("\n  - ")}`);
        this.name = "ConfigError";
    }

    /**
     * By name, not by class: the program runs compiled from bin/ while the tools and tests import this
     * source, so one error meets two copies of the class.
     */
    static override [Symbol.hasInstance](value: unknown): boolean {
        return value instanceof Error && value.name === "ConfigError" && Array.isArray((value as Partial<ConfigError>).problems);
    }
}
