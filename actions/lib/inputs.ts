/**
 * The inputs of an action with commands (`command: release`, `command: rollback`...): each input checked
 * against its shape, each command's required inputs present. Shared by the release actions, which add
 * their own rules across inputs to the problems before throwing.
 */
import type { Env } from "./runtime";

/** Per input, the pattern its value must match and the shape the message names. */
export type InputChecks = Readonly<Record<string, readonly [RegExp, string]>>;

/** A problem with the action's inputs; every problem is in the message, each naming its input. */
export class InputError extends Error {
    constructor(readonly problems: readonly string[]) {
        super(problems.join("\n"));
        this.name = "InputError";
    }
}

/**
 * Reads the inputs the runner passes as INPUT_<NAME> variables (empty means not given) and lists every
 * problem: a value of the wrong shape, no command, a command's required input missing. Pure.
 */
export function checkedInputs(
    env: Env,
    checks: InputChecks,
    commands: Readonly<Record<string, readonly string[]>>,
): { values: Record<string, string>; command: string | undefined; problems: string[] } {
    const values: Record<string, string> = {};
    for (const name of Object.keys(checks)) {
        const value = (env[`INPUT_${name.toUpperCase()}`] ?? "").trim();
        if (value !== "") values[name] = value;
    }
    const problems: string[] = [];
    for (const [name, value] of Object.entries(values)) {
        const [pattern, shape] = checks[name];
        if (!pattern.test(value)) problems.push(`input ${name} must be ${shape}, got '${value}'`);
    }
    const command = values.command;
    if (!command) problems.push(`input command is required (${Object.keys(commands).join(", ")})`);
    else if (command in commands) {
        for (const name of commands[command]) if (!values[name]) problems.push(`input ${name} is required for ${command}`);
    }
    return { values, command, problems };
}
