/** A command-line problem: the message names the argument; the tools print it and exit 2. */
export class UsageError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "UsageError";
    }
}

export interface FlagSpec {
    /** Flags that take a value, with their defaults (undefined: optional, no default). */
    readonly values: Record<string, string | undefined>;
    /** Flags that are on or off. */
    readonly switches: readonly string[];
}

export interface ParsedArgs {
    readonly values: Record<string, string | undefined>;
    readonly switches: Set<string>;
}

/** Whether the arguments ask for the usage (`--help` or `-h` anywhere): then nothing else is checked. */
export function wantsHelp(argv: readonly string[]): boolean {
    return argv.some((arg) => arg === "--help" || arg === "-h");
}

/**
 * Parses `--flag value`, `--flag=value` and `--switch`; anything else is a UsageError naming it.
 * `--help` or `-h` prints the usage on stdout and ends the command with exit 0, whatever else was given.
 */
export function parseArgs(argv: readonly string[], spec: FlagSpec, usage: string): ParsedArgs {
    // The command line too: a command word parsed before the flags (`deployment -- --help`) would
    // otherwise keep `--help` out of the arguments handed here.
    if (wantsHelp(argv) || wantsHelp(process.argv.slice(2))) {
        process.stdout.write(`${usage}\n`);
        process.exit(0);
    }
    const values: Record<string, string | undefined> = { ...spec.values };
    const switches = new Set<string>();
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (!arg.startsWith("--")) throw new UsageError(`unexpected argument '${arg}'\n${usage}`);
        const [flag, inline] = arg.slice(2).split(/=(.*)/s, 2);
        if (spec.switches.includes(flag)) {
            if (inline !== undefined) throw new UsageError(`--${flag} takes no value\n${usage}`);
            switches.add(flag);
        } else if (flag in spec.values) {
            const value = inline ?? argv[++i];
            if (value === undefined || value.startsWith("--")) throw new UsageError(`--${flag} needs a value\n${usage}`);
            values[flag] = value;
        } else {
            throw new UsageError(`unknown option '--${flag}'\n${usage}`);
        }
    }
    return { values, switches };
}
