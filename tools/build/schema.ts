/**
 * Writes the stack files' JSON Schema (schema/stack-config.schema.json), generated from the config schema,
 * for editors: each stack file names it in its `yaml-language-server` comment. A test checks the committed
 * file equals what this writes.
 *
 *   npm run schema
 */
import * as fs from "fs";
import * as path from "path";
import { stackFileJsonSchema } from "../../config/stackFileSchema";
import { parseArgs, UsageError } from "../lib/args";
import { PROJECT_ROOT } from "../../config";

export const SCHEMA_FILE = path.join(PROJECT_ROOT, "schema", "stack-config.schema.json");

/** The file's text: the schema as JSON, formatted as `prettier --check` wants it. */
export async function schemaText(): Promise<string> {
    // A development tool: prettier is a dev dependency, loaded only here.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const prettier = require("prettier") as {
        format(text: string, options: object): Promise<string>;
        resolveConfig(file: string): Promise<object | null>;
    };
    const options = { ...(await prettier.resolveConfig(SCHEMA_FILE)), filepath: SCHEMA_FILE };
    return prettier.format(JSON.stringify(stackFileJsonSchema()), options);
}

async function main(argv: string[]): Promise<void> {
    parseArgs(argv, { values: {}, switches: [] }, "usage: npm run schema   (writes schema/stack-config.schema.json)");
    const text = await schemaText();
    fs.mkdirSync(path.dirname(SCHEMA_FILE), { recursive: true });
    fs.writeFileSync(SCHEMA_FILE, text);
    console.log(`wrote ${path.relative(process.cwd(), SCHEMA_FILE)}`);
}

if (require.main === module) {
    main(process.argv.slice(2)).catch((error: unknown) => {
        console.error(`schema: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(error instanceof UsageError ? 2 : 1);
    });
}
