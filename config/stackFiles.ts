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

/**
 * Reads a stack file as the engine would hand its config to the program: fully qualified keys, strings
 * for scalars, JSON for structures. `secure:` values are replaced by marked placeholders, so no
 * secret is ever needed or read offline.
 */
export function readStackFile(file: string): RawConfig {
    const name = displayName(file);
    if (!fs.existsSync(file)) throw new StackFileError(`${name}: no such stack file (looked for ${file})`);
    if (!fs.statSync(file).isFile()) throw new StackFileError(`${name}: is not a file`);
    let document: unknown;
    try {
        document = yaml.load(fs.readFileSync(file, "utf8"));
    } catch (error) {
        throw new StackFileError(`${name}: not valid YAML: ${(error as Error).message}`);
    }
    const tooLarge = expansionProblem(document);
    if (tooLarge !== undefined) throw new StackFileError(`${name}: ${tooLarge}`);
    const config = (document as { config?: unknown } | null)?.config;
    if (typeof config !== "object" || config === null || Array.isArray(config)) {
        throw new StackFileError(`${name}: has no 'config:' map`);
    }
    const values: Record<string, string> = {};
    const secretKeys: string[] = [];
    // YAML reads `key:` and `key: null` as null, which would reach the program as the text "null" (a prefix
    // "null" names every resource `null-...`): an empty value is an error, never a value.
    const empty = Object.entries(config as Record<string, unknown>).filter(([, value]) => value === null || value === "");
    if (empty.length > 0) {
        throw new StackFileError(
            empty.map(([key]) => `${name}: ${key} is empty (null or ''): give it a value or remove the key`).join("\n"),
        );
    }
    for (const [key, value] of Object.entries(config as Record<string, unknown>)) {
        if (typeof value === "object" && value !== null && !Array.isArray(value) && "secure" in value) {
            values[key] = secretPlaceholder(key);
            secretKeys.push(key);
        } else {
            values[key] = typeof value === "string" ? value : JSON.stringify(value);
        }
    }
    return { values, secretKeys, stackFile: file };
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
