/**
 * The one shape of a config problem and the one way to write its key, shared by every check: a check is a
 * pure function from parsed config to problems, and the loader prefixes each with the file that declares it.
 */
import { PROJECT } from "./schema";

/** One problem of a config: the key it is about and what is wrong. */
export interface ConfigProblem {
    /**
     * Namespaced (`cicd-foundation:a.b[2]`, `aws:region`); from a check of one part of a value (a repository
     * entry), the path inside that part (`deploys.ecsServices`), which its caller places with {@link configKey};
     * empty for a problem of files as a whole, which no single key can be blamed for.
     */
    readonly key: string;
    readonly message: string;
    /**
     * The file (or the files, comma-separated) to name, set by the checks across stack files; a check of one
     * stack leaves it to the loader, which knows where each key was declared.
     */
    readonly file?: string;
}

/** `a.b[2].c` from a path: names as `.name`, positions as `[index]`; a part may itself be a written path (`deploys.tagged[0]`). */
export function keyPath(path: readonly PropertyKey[]): string {
    return path.reduce<string>(
        (out, part, i) => (typeof part === "number" ? `${out}[${part}]` : i === 0 ? String(part) : `${out}.${String(part)}`),
        "",
    );
}

/** `cicd-foundation:<key>`, then `.name` or `[index]` for each part of the path; a provider's key (`aws:region`) is kept as written. */
export function configKey(key: string, path: readonly PropertyKey[] = []): string {
    return keyPath([key.includes(":") ? key : `${PROJECT}:${key}`, ...path]);
}

/** A problem as the error lists it: `<file>: <key> <message>`. */
export function formatProblem(problem: ConfigProblem, file: string): string {
    return `${problem.file ?? file}: ${problem.key === "" ? "" : `${problem.key} `}${problem.message}`;
}
