/**
 * Proves the test suite does not depend on the committed stack files: copies the repository to a temporary
 * directory, replaces Pulumi.dev/sit/prod.yaml with another organisation's (test/fixtures/github: owner
 * acme-org, region eu-west-1, accounts of its own, other repositories), regenerates the foundation map from
 * them as an adopting organisation does, and runs the test files given (default: the whole suite) there.
 *
 *   npx ts-node --transpile-only test/support/asOtherOrganisation.ts [test files...]
 *
 * Exits with mocha's status; the temporary copy is removed unless KEEP_COPY=1.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..", "..");
const OTHER = path.join(ROOT, "test", "fixtures", "github");
/** Not copied: dependencies are linked, and history and build output are not needed to run the tests. */
const SKIP = new Set([".git", "node_modules", "out"]);

function run(command: string, args: string[], cwd: string): number {
    const result = spawnSync(command, args, { cwd, stdio: "inherit" });
    return result.status ?? 1;
}

function main(): number {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), "other-organisation-"));
    try {
        for (const entry of fs.readdirSync(ROOT)) {
            if (!SKIP.has(entry)) fs.cpSync(path.join(ROOT, entry), path.join(copy, entry), { recursive: true, verbatimSymlinks: true });
        }
        fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(copy, "node_modules"), "dir");
        for (const stack of ["dev", "sit", "prod"]) {
            fs.copyFileSync(path.join(OTHER, `Pulumi.${stack}.yaml`), path.join(copy, `Pulumi.${stack}.yaml`));
        }
        console.log(`${copy}: Pulumi.dev/sit/prod.yaml replaced by ${path.relative(ROOT, OTHER)}'s organisation`);
        const tsNode = require.resolve("ts-node/dist/bin");
        const mapped = run(process.execPath, [tsNode, "--transpile-only", "tools/foundationMap.ts"], copy);
        if (mapped !== 0) return mapped;
        const files = process.argv.slice(2);
        const mocha = require.resolve("mocha/bin/mocha.js");
        const args = files.length > 0 ? ["--no-config", "-r", "ts-node/register/transpile-only", "--timeout", "300000", ...files] : [];
        return run(process.execPath, [mocha, ...args], copy);
    } finally {
        if (process.env.KEEP_COPY !== "1") fs.rmSync(copy, { recursive: true, force: true });
        else console.log(`kept ${copy}`);
    }
}

process.exitCode = main();
