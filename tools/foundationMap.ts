/**
 * Writes the foundation map (`.github/foundation-map.json`) from the stack files, through the program's own
 * config parser and naming functions: every environment's account, region, bucket and tables, and every
 * repository's role ARNs. The reusable workflows read it from the foundation's repository at their own
 * commit, so what they assume and where they write is reviewed here, never set by a repository admin.
 * A test checks the committed file equals what this writes from the committed stack files.
 *
 *   npm run foundation-map                      (writes .github/foundation-map.json)
 *   npm run foundation-map -- --check           (exits 1 when the committed file is stale)
 *   npm run foundation-map -- --stacks DIR --out FILE
 *   eval "$(npm run --silent foundation-map -- --env prod)"   (the runbooks' shell variables, from FILE)
 */
import * as fs from "fs";
import * as path from "path";
import {
    ConfigError,
    ENVIRONMENTS,
    environmentViews,
    validateStacks,
    type StackConfig,
    displayName,
    PROJECT_ROOT,
    readStackFile,
} from "../config";
import { stackOfFile } from "../config/stackFiles";
import { FOUNDATION_MAP_PATH, foundationMap, foundationMapText } from "../components/foundationMap";
import { parseArgs, UsageError } from "./lib/args";
import { shellEnvironment } from "./lib/shellEnv";

const USAGE = `usage: npm run foundation-map -- [--stacks DIR] [--out FILE] [--check]
  --stacks DIR   folder of Pulumi.dev.yaml, Pulumi.sit.yaml and Pulumi.prod.yaml (default: the project's)
  --out FILE     where to write (default: ${FOUNDATION_MAP_PATH} of the project)
  --check        write nothing; exit 1 if FILE differs from what the stack files give
  --env ENV      write nothing; print FILE's values for ENV as shell exports (GITHUB_OWNER, AWS_REGION,
                 ACCOUNT_ID, PREFIX, STATE_BUCKET, LEDGER_TABLE, ...) for the runbooks`;

/**
 * The three environments' configs, validated together as `pulumi up` validates them; throws every problem at
 * once. With shards (docs/shards.md) every shard's stack file is read too, and each environment lists the
 * repositories of all its stacks: a shard's roles have the names the tier's would.
 */
export function readStackConfigs(directory: string): StackConfig[] {
    const shards = fs
        .readdirSync(directory)
        .sort()
        .map((entry) => stackOfFile(entry))
        .filter((stack): stack is string => stack !== undefined && !(ENVIRONMENTS as readonly string[]).includes(stack));
    const inputs = [...ENVIRONMENTS, ...shards].map((stack) => {
        const file = path.join(directory, `Pulumi.${stack}.yaml`);
        return { stack, raw: readStackFile(file), stackFile: displayName(file) };
    });
    const { configs, problems } = validateStacks(inputs);
    if (problems.length > 0) throw new ConfigError(inputs.map((i) => i.stackFile).join(", "), problems);
    return environmentViews(configs);
}

/** The map file's text for the stack files of a folder. */
export function foundationMapFor(directory: string): string {
    return foundationMapText(foundationMap(readStackConfigs(directory)));
}

function main(argv: string[]): void {
    const args = parseArgs(
        argv,
        { values: { stacks: PROJECT_ROOT, out: path.join(PROJECT_ROOT, FOUNDATION_MAP_PATH), env: undefined }, switches: ["check"] },
        USAGE,
    );
    const out = args.values.out as string;
    if (args.values.env !== undefined) {
        if (!fs.existsSync(out)) throw new UsageError(`${displayName(out)} does not exist: run 'npm run foundation-map' first`);
        console.log(shellEnvironment(fs.readFileSync(out, "utf8"), args.values.env, displayName(out)));
        return;
    }
    const text = foundationMapFor(args.values.stacks as string);
    if (args.switches.has("check")) {
        const current = fs.existsSync(out) ? fs.readFileSync(out, "utf8") : undefined;
        if (current === text) {
            console.log(`${displayName(out)} is up to date`);
            return;
        }
        console.error(`${displayName(out)} is stale: run 'npm run foundation-map' and commit it`);
        process.exit(1);
    }
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, text);
    console.log(`wrote ${displayName(out)}`);
}

if (require.main === module) {
    try {
        main(process.argv.slice(2));
    } catch (error) {
        console.error(`foundation-map: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(error instanceof UsageError ? 2 : 1);
    }
}
