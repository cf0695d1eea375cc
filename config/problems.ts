/**
 * The one shape of a config problem and the one way to write its key, shared by every check: a check is a
 * pure function from parsed config to problems, and the loader prefixes each with the file that declares it.
 */
import { PROJECT } from "./schema";

/** One problem of a config: the namespaced key it is about (`cicd-foundation:a.b[2]`) and what is wrong. */
export interface ConfigProblem {
    readonly key: string;
    readonly message: string;
}

/** `cicd-foundation:<key>`, then `.name` or `[index]` for each part of the path. */
export function configKey(key: string, path: readonly PropertyKey[] = []): string {
    return path.reduce<string>(
        (out, part) => (typeof part === "number" ? `${out}[${part}]` : `${out}.${String(part)}`),
        `${PROJECT}:${key}`,
    );
}
