/**
 * The first two steps of reading a stack's config, before any rule: every key's namespace, name, secrecy and
 * JSON (the engine hands values over as strings), then each of our keys against its schema. Pure.
 */
import type { z } from "zod";
import { configKey, type ConfigProblem } from "./problems";
import { withEnvironment } from "./repositories";
import { secretNamedPaths } from "./rules";
import { KNOWN_NAMESPACES, PROJECT, PROJECT_KEYS, RETIRED_KEYS, SECRET_KEYS, type Environment, type ProjectKey } from "./schema";
import type { RawConfig } from "./stackFiles";
import { nearestKey, PROJECT_KEY_NAMES } from "./suggest";

/** Our keys as their schemas parsed them; a key that failed (or is not set) is absent. */
export type ParsedKeys = { -readonly [K in ProjectKey]?: z.infer<(typeof PROJECT_KEYS)[K]> };

/** The values of our keys as the schemas should see them. */
type Document = Partial<Record<ProjectKey, unknown>>;

/** A value as the engine passes it (a string) turned back into the stack file's value. */
export function decode(text: string): { value: unknown } | { invalid: true } {
    const trimmed = text.trimStart();
    if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
        try {
            return { value: JSON.parse(text) as unknown };
        } catch {
            return { invalid: true };
        }
    }
    if (text === "true" || text === "false") return { value: text === "true" };
    return { value: text };
}

/** A credential in plain text is readable by anyone who can read the repository: refused in every namespace. */
function plainSecretProblems(raw: RawConfig, fullKey: string, namespace: string, key: string, value: string): ConfigProblem[] {
    // Our own secret keys say so through their schema.
    if (raw.secretKeys.includes(fullKey) || (namespace === PROJECT && (SECRET_KEYS as string[]).includes(key))) return [];
    const decodedValue = decode(value);
    return secretNamedPaths(fullKey, "value" in decodedValue ? decodedValue.value : value).map((path) => ({
        key: path,
        message: `names a secret, so it must be set with 'pulumi config set --secret ${fullKey}', never in plain text`,
    }));
}

/** One key of the file: its problems, and its value for the schema when it is one of ours. */
function readKey(raw: RawConfig, fullKey: string, value: string, document: Document): ConfigProblem[] {
    const colon = fullKey.indexOf(":");
    if (colon < 0) return [{ key: fullKey, message: `has no namespace, so nothing reads it; write '${configKey(fullKey)}'` }];
    const namespace = fullKey.slice(0, colon);
    const key = fullKey.slice(colon + 1);
    if (!(KNOWN_NAMESPACES as readonly string[]).includes(namespace)) {
        const near = nearestKey(key);
        const hint = near ? `; did you mean '${configKey(near)}'?` : "";
        return [
            {
                key: fullKey,
                message: `is in namespace '${namespace}', which nothing reads (known: ${KNOWN_NAMESPACES.join(", ")})${hint}`,
            },
        ];
    }
    const problems = plainSecretProblems(raw, fullKey, namespace, key, value);
    if (namespace !== PROJECT) return problems;
    if (RETIRED_KEYS[key]) return [...problems, { key: fullKey, message: RETIRED_KEYS[key] }];
    if (!(PROJECT_KEY_NAMES as string[]).includes(key))
        return [...problems, { key: fullKey, message: `is not a known key (known: ${PROJECT_KEY_NAMES.join(", ")})` }];
    if ((SECRET_KEYS as string[]).includes(key)) {
        // The schema sees a secret's shape, never its value.
        document[key as ProjectKey] = raw.secretKeys.includes(fullKey) ? { secure: "[secret]" } : value;
        return problems;
    }
    const decoded = decode(value);
    if ("invalid" in decoded) return [...problems, { key: fullKey, message: "is not valid JSON" }];
    document[key as ProjectKey] = decoded.value;
    return problems;
}

/**
 * Every key: its namespace known, its name known, secrets encrypted, structures valid JSON. Returns our keys'
 * values for the schemas, with `{environment}` in name patterns read as the environment the stack's name gives.
 */
export function readDocument(raw: RawConfig, namedEnvironment: Environment | undefined): { document: Document; problems: ConfigProblem[] } {
    const document: Document = {};
    const problems = Object.entries(raw.values).flatMap(([fullKey, value]) => readKey(raw, fullKey, value, document));
    // Name patterns may say `{environment}`; the schema checks them as this stack reads them.
    if (namedEnvironment) document.repositories = withEnvironment(document.repositories, namedEnvironment);
    return { document, problems };
}

/** Every problem a schema finds in one value, each keyed from `top`. */
function schemaProblems(top: string, issues: readonly z.core.$ZodIssue[]): ConfigProblem[] {
    return issues.flatMap((issue) =>
        issue.code === "unrecognized_keys"
            ? issue.keys.map((k) => ({ key: configKey(top, [...issue.path, k]), message: issue.message }))
            : [{ key: configKey(top, issue.path), message: issue.message }],
    );
}

/** Each of our keys against its schema; a key that fails is left out, so the rules that need it stay unchecked. */
export function parseKeys(document: Document): { parsed: ParsedKeys; problems: ConfigProblem[] } {
    const parsed: ParsedKeys = {};
    const problems: ConfigProblem[] = [];
    for (const key of PROJECT_KEY_NAMES) {
        const result = PROJECT_KEYS[key].safeParse(document[key], { reportInput: true });
        if (result.success) (parsed as Record<string, unknown>)[key] = result.data;
        else problems.push(...schemaProblems(key, result.error.issues));
    }
    return { parsed, problems };
}
