/**
 * Stack files on disk, read as the engine hands their config to the program. The program reads them itself
 * to check the rules that span stacks; the offline tools read them to run a stack without the CLI.
 */
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { expansionProblem } from "./yamlLimits";

/** Raw config as the engine hands it over: fully qualified keys, values as strings (JSON for structures). */
export interface RawConfig {
    readonly values: Readonly<Record<string, string>>;
    readonly secretKeys: readonly string[];
    /** The file the values were read from, when read from one (errors name it). */
    readonly stackFile?: string;
    /** The Pulumi.yaml whose project-level values are merged in, when any are (errors about them name it). */
    readonly projectFile?: string;
    /** The keys whose values come from {@link projectFile}. */
    readonly projectKeys?: readonly string[];
}

/** Set by the offline tools to the stack file they run (`--config FILE`): errors name it, its neighbours are the other stacks. */
export const STACK_FILE_VARIABLE = "CICD_FOUNDATION_STACK_FILE";

/** Marks every secret the offline tools stand in for; never a real value. */
export const SECRET_PLACEHOLDER_HOST = "secret-placeholder.invalid";

/** The stand-in for a `secure:` value: shaped like the URL or token it replaces, and plainly fake. */
export function secretPlaceholder(key: string): string {
    return `https://${SECRET_PLACEHOLDER_HOST}/${key.replace(":", "/")}`;
}

export class StackFileError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "StackFileError";
    }
}

/**
 * The project root: where Pulumi.yaml and the stack files are. Found by walking up from this file, so the
 * program finds it compiled (bin/config/) as well as from source, whatever the working directory.
 */
export function projectRoot(from = __dirname): string {
    for (let directory = from; ; directory = path.dirname(directory)) {
        if (fs.existsSync(path.join(directory, "Pulumi.yaml"))) return directory;
        if (path.dirname(directory) === directory) throw new StackFileError(`no Pulumi.yaml above ${from}`);
    }
}

export function stackFilePath(stack: string, directory = projectRoot()): string {
    return path.join(directory, `Pulumi.${stack}.yaml`);
}

/** How errors name a file: relative to the working directory when inside it, else in full. */
export function displayName(file: string): string {
    const relative = path.relative(process.cwd(), file);
    return relative && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : file;
}

/** The stack a `Pulumi.<stack>.yaml` file configures, or undefined for any other file name. */
export function stackOfFile(file: string): string | undefined {
    return /^Pulumi\.([^.]+)\.yaml$/.exec(path.basename(file))?.[1];
}

/** Keys that are declared once for every stack, in Pulumi.yaml or in the stack files, never in both. */
export const ONE_PLACE_KEYS: readonly string[] = ["cicd-foundation:repositories"];

/** Reads a YAML file's `config:` map; undefined when the file has none. */
function readConfigMap(file: string, name: string): Record<string, unknown> | undefined {
    let document: unknown;
    try {
        document = yaml.load(fs.readFileSync(file, "utf8"));
    } catch (error) {
        throw new StackFileError(`${name}: not valid YAML: ${(error as Error).message}`);
    }
    const tooLarge = expansionProblem(document);
    if (tooLarge !== undefined) throw new StackFileError(`${name}: ${tooLarge}`);
    const config = (document as { config?: unknown } | null)?.config;
    return typeof config === "object" && config !== null && !Array.isArray(config) ? (config as Record<string, unknown>) : undefined;
}

/**
 * The project-level values of the Pulumi.yaml beside a stack file (`config: <key>: value: ...`), as the engine
 * merges them into every stack's config: only keys that carry a `value` (the others declare a type). None when
 * the folder has no Pulumi.yaml (a folder of stack files a tool or a test runs).
 */
export function readProjectConfig(directory: string): { file: string; values: Record<string, unknown> } | undefined {
    const file = path.join(directory, "Pulumi.yaml");
    if (!fs.existsSync(file)) return undefined;
    const config = readConfigMap(file, displayName(file)) ?? {};
    const values = Object.fromEntries(
        Object.entries(config)
            .filter(([, declared]) => typeof declared === "object" && declared !== null && "value" in declared)
            .map(([key, declared]) => [key, (declared as { value: unknown }).value]),
    );
    return { file, values };
}

/** The error for a key declared in both files: one copy would silently win over the other. */
export function bothPlacesProblem(key: string, projectFile: string, stackFile: string): string {
    return `${displayName(stackFile)}: ${key} is declared in ${displayName(projectFile)} too: declare it once, in ${displayName(projectFile)} for every stack (per-environment differences as 'environments' and 'overrides' inside an entry), or in each stack file, not in both`;
}

/**
 * Reads a stack file as the engine would hand its config to the program: fully qualified keys, strings
 * for scalars, JSON for structures, with the project-level values of the Pulumi.yaml beside it merged in
 * (the stack file's own value wins, except for {@link ONE_PLACE_KEYS}, which may be in one place only).
 * `secure:` values are replaced by marked placeholders, so no secret is ever needed or read offline.
 */
export function readStackFile(file: string): RawConfig {
    const name = displayName(file);
    if (!fs.existsSync(file)) throw new StackFileError(`${name}: no such stack file (looked for ${file})`);
    if (!fs.statSync(file).isFile()) throw new StackFileError(`${name}: is not a file`);
    const config = readConfigMap(file, name);
    if (config === undefined) throw new StackFileError(`${name}: has no 'config:' map`);
    const values: Record<string, string> = {};
    const secretKeys: string[] = [];
    // YAML reads `key:` and `key: null` as null, which would reach the program as the text "null" (a prefix
    // "null" names every resource `null-...`): an empty value is an error, never a value.
    const empty = Object.entries(config).filter(([, value]) => value === null || value === "");
    if (empty.length > 0) {
        throw new StackFileError(
            empty.map(([key]) => `${name}: ${key} is empty (null or ''): give it a value or remove the key`).join("\n"),
        );
    }
    const project = readProjectConfig(path.dirname(file));
    const twice = ONE_PLACE_KEYS.filter((key) => project && key in project.values && key in config);
    if (project && twice.length > 0) throw new StackFileError(twice.map((key) => bothPlacesProblem(key, project.file, file)).join("\n"));
    const projectKeys = Object.keys(project?.values ?? {}).filter((key) => !(key in config));
    const merged = { ...Object.fromEntries(projectKeys.map((key) => [key, project?.values[key]])), ...config };
    for (const [key, value] of Object.entries(merged)) {
        if (typeof value === "object" && value !== null && !Array.isArray(value) && "secure" in value) {
            values[key] = secretPlaceholder(key);
            secretKeys.push(key);
        } else {
            values[key] = typeof value === "string" ? value : JSON.stringify(value);
        }
    }
    return {
        values,
        secretKeys,
        stackFile: file,
        ...(project && projectKeys.length > 0 ? { projectFile: project.file, projectKeys } : {}),
    };
}

/**
 * Where the engine's merged values came from, read from the files on disk (the engine hands the program one
 * merged map): the keys only the Pulumi.yaml beside the stack file declares. Throws a StackFileError for a
 * key that may be in one place only and is in both.
 */
export function configOrigin(stackFile: string): Pick<RawConfig, "projectFile" | "projectKeys"> {
    const project = readProjectConfig(path.dirname(stackFile));
    if (!project) return {};
    const own = fs.existsSync(stackFile) ? (readConfigMap(stackFile, displayName(stackFile)) ?? {}) : {};
    const twice = ONE_PLACE_KEYS.filter((key) => key in project.values && key in own);
    if (twice.length > 0) throw new StackFileError(twice.map((key) => bothPlacesProblem(key, project.file, stackFile)).join("\n"));
    const projectKeys = Object.keys(project.values).filter((key) => !(key in own));
    return projectKeys.length > 0 ? { projectFile: project.file, projectKeys } : {};
}

/** The other stacks' files: beside the given stack file, else beside Pulumi.yaml. */
export function siblingStackFiles(stackFile: string, stack: string, root = projectRoot()): { stack: string; file: string }[] {
    const found = new Map<string, string>();
    for (const directory of [root, path.dirname(stackFile)]) {
        if (!fs.existsSync(directory)) continue;
        for (const entry of fs.readdirSync(directory).sort()) {
            const other = stackOfFile(entry);
            if (other !== undefined && other !== stack) found.set(other, path.join(directory, entry));
        }
    }
    return [...found].map(([other, file]) => ({ stack: other, file }));
}
