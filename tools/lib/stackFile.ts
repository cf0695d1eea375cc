import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import type { RawConfig } from "../../config";

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
 * Project root: where Pulumi.yaml and the stack files are. Found by walking up, so the tools also work
 * compiled to another folder (the benchmark runs them compiled, without ts-node).
 */
export const PROJECT_ROOT = (() => {
    for (let directory = __dirname; ; directory = path.dirname(directory)) {
        if (fs.existsSync(path.join(directory, "Pulumi.yaml"))) return directory;
        if (path.dirname(directory) === directory) throw new Error(`no Pulumi.yaml above ${__dirname}`);
    }
})();

export function stackFilePath(stack: string, directory = PROJECT_ROOT): string {
    return path.join(directory, `Pulumi.${stack}.yaml`);
}

/**
 * Reads a stack file as the engine would hand its config to the program: fully qualified keys, strings
 * for scalars, JSON for structures. `secure:` values are replaced by marked placeholders, so no
 * secret is ever needed or read offline.
 */
export function readStackFile(file: string): RawConfig {
    const name = path.basename(file);
    if (!fs.existsSync(file)) throw new StackFileError(`${name}: no such stack file (looked for ${file})`);
    let document: unknown;
    try {
        document = yaml.load(fs.readFileSync(file, "utf8"));
    } catch (error) {
        throw new StackFileError(`${name}: not valid YAML: ${(error as Error).message}`);
    }
    const config = (document as { config?: unknown } | null)?.config;
    if (typeof config !== "object" || config === null || Array.isArray(config)) {
        throw new StackFileError(`${name}: has no 'config:' map`);
    }
    const values: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, value] of Object.entries(config as Record<string, unknown>)) {
        if (typeof value === "object" && value !== null && !Array.isArray(value) && "secure" in value) {
            values[key] = secretPlaceholder(key);
            secretKeys.push(key);
        } else {
            values[key] = typeof value === "string" ? value : JSON.stringify(value);
        }
    }
    return { values, secretKeys };
}
