/**
 * Offline synthesis: runs the real program for a stack under the SDK's mock monitor with that stack's
 * real config file, prints what it would create, writes the graph as JSON, and runs the policy pack on
 * it through the analyzer protocol the Pulumi CLI uses. No credentials, no network.
 *
 *   npm run synth -- --stack prod [--out-dir out] [--config path/to/Pulumi.prod.yaml] [--no-policy] [--table|--wide]
 *
 * It prints a summary first (resources per type and per repository, the pack's verdict), in the terminal's
 * width; the table of every resource only on request.
 */
import * as path from "path";
import {
    ConfigError,
    ENVIRONMENTS,
    validateStack,
    validateStacks,
    readStackFile,
    StackFileError,
    stackFilePath,
    PROJECT_ROOT,
    SECRET_PLACEHOLDER_HOST,
    displayName,
} from "../config";
import { parseArgs, UsageError } from "./lib/args";
import { analyzeGraph, POLICY_PACK_DIR, PolicyConfigError, PolicyPackProcess, readPolicyConfig, type Diagnostic } from "./lib/analyzer";
import { synthesize, UNKNOWN, type Graph, type GraphResource } from "./lib/synthesize";
import { checkOutDir, OutputError, writeOutput } from "./lib/outDir";
import { shortType, summaryText } from "./lib/summary";
import { fitTable } from "./lib/table";
import { terminalWidth, wrap } from "./lib/terminal";

const USAGE = `usage: npm run synth -- --stack <dev|sit|prod|all> [--out-dir DIR] [--config FILE] [--policy-config FILE] [--no-policy] [--table] [--wide]

  --stack           the stack to synthesize; all: dev, sit and prod, and the rules across them (default: all)
  --out-dir         where the graphs are written, <stack>.resolved.json and <stack>.preview.json (default: out)
  --config          the stack file to run instead of Pulumi.<stack>.yaml (checked against the stack files beside it)
  --policy-config   the policy pack's config instead of policies/config/<stack>.json
  --no-policy       skip the policy pack
  --table           print every resource after the summary, cut to the terminal's width
  --wide            print every resource after the summary, uncut
  --help            print this and exit`;

/** What the PLACEHOLDERS column means; wrapped to the terminal's width when printed. */
export const PLACEHOLDER_NOTE =
    "PLACEHOLDERS: inputs that are stand-ins offline. Secrets (the Slack webhook's value, the GitHub token) are never " +
    "read; ids and ARNs of resources not yet created are placeholders; reviewer ids are not looked up in GitHub.";

export { shortType };

/** The inputs that name a resource in its cloud, in the order they are looked for. */
const NAME_INPUTS = ["name", "dashboardName", "secretName", "variableName", "branchPattern", "tagPattern", "environment"];

/** The resource's name in AWS or GitHub, as the program sets it; empty when the cloud picks it. */
export function cloudName(resource: GraphResource): string {
    if (!resource.custom) return "";
    // A bucket's settings (versioning, policy, ...) name the bucket they belong to, not themselves.
    if (resource.type === "aws:s3/bucket:Bucket") return typeof resource.inputs.bucket === "string" ? resource.inputs.bucket : "";
    const key = NAME_INPUTS.find((k) => typeof resource.inputs[k] === "string");
    return key === undefined ? "" : (resource.inputs[key] as string);
}

/** Whether a value holds a stand-in: a secret placeholder, a placeholder id or ARN, or an unknown. */
function holdsPlaceholder(value: unknown): boolean {
    if (typeof value === "string") {
        return value.includes(SECRET_PLACEHOLDER_HOST) || value.includes("placeholder") || value.includes(UNKNOWN);
    }
    if (Array.isArray(value)) return value.some(holdsPlaceholder);
    // Secrets arrive wrapped ({ <signature>, value }): their value is searched like any other.
    if (typeof value === "object" && value !== null) return Object.values(value).some(holdsPlaceholder);
    return false;
}

/** The inputs of a resource that are stand-ins offline; reviewer ids come from GitHub lookups, answered offline. */
export function placeholderInputs(resource: GraphResource): string[] {
    const keys = Object.keys(resource.inputs).filter((k) => holdsPlaceholder(resource.inputs[k]));
    if (resource.type === "github:index/repositoryEnvironment:RepositoryEnvironment" && "reviewers" in resource.inputs)
        keys.push("reviewers");
    return [...new Set(keys)].sort();
}

/**
 * The resources by type (a line per type), each with its logical name, its name in the cloud, its
 * protection options and the inputs that are placeholders offline, cut to `width` columns (Infinity: uncut).
 */
export function resourceTable(graph: Graph, width: number): string {
    const resources = graph.resources
        .filter((r) => r.type !== "pulumi:pulumi:Stack")
        .sort((a, b) => a.type.localeCompare(b.type) || a.name.localeCompare(b.name));
    const rows = resources.map((r) => [
        `  ${r.name}`,
        cloudName(r),
        [r.protect ? "protect" : "", r.retainOnDelete ? "retain" : ""].filter(Boolean).join(" "),
        placeholderInputs(r).join(", "),
    ]);
    const table = fitTable(["NAME", "CLOUD NAME", "OPTIONS", "PLACEHOLDERS"], rows, width, [0, 1, 3]).split("\n");
    // Each type once, above its resources.
    const out = table.slice(0, 2);
    resources.forEach((r, i) => {
        if (i === 0 || resources[i - 1].type !== r.type) out.push(shortType(r.type));
        out.push(table[i + 2]);
    });
    return out.join("\n");
}

/**
 * The pack's violations. For a person at a terminal, one block per violation so that a message is never cut:
 * level, policy and resource on a line, the message wrapped under it. Into a pipe or a file, one line per
 * violation (`grep` finds a violation whole), the message last and uncut.
 */
export function violationTable(diagnostics: readonly Diagnostic[], width: number, oneLine = false): string {
    const lastLine = (message: string) => message.split("\n").pop() ?? "";
    if (oneLine) {
        const rows = diagnostics.map((d) => [d.level, d.policy, d.urn.split("::").pop() ?? "", lastLine(d.message)]);
        return fitTable(["LEVEL", "POLICY", "RESOURCE", "MESSAGE"], rows, undefined);
    }
    return diagnostics
        .map((d) => {
            const head = `${d.level.toUpperCase()} ${d.policy}: ${d.urn.split("::").pop() ?? ""}`;
            const message = wrap(lastLine(d.message), width - 4)
                .split("\n")
                .map((line) => `    ${line}`);
            return [wrap(head, width), ...message].join("\n");
        })
        .join("\n");
}

async function main(argv: string[]): Promise<number> {
    const args = parseArgs(
        argv,
        {
            values: { stack: "all", "out-dir": "out", config: undefined, "policy-config": undefined },
            switches: ["no-policy", "table", "wide"],
        },
        USAGE,
    );
    const stackArg = args.values.stack as string;
    const stacks = stackArg === "all" ? [...ENVIRONMENTS] : [stackArg];
    for (const stack of stacks) {
        if (!(ENVIRONMENTS as readonly string[]).includes(stack))
            throw new UsageError(`--stack must be dev, sit, prod or all, got '${stack}'\n${USAGE}`);
    }
    if ((args.values.config || args.values["policy-config"]) && stacks.length !== 1) {
        throw new UsageError(`--config and --policy-config need a single --stack\n${USAGE}`);
    }
    const outDir = checkOutDir(args.values["out-dir"] as string, USAGE);
    const width = terminalWidth();

    // Every input is read and validated, the rules across stacks included, before anything is written.
    const files = stacks.map((stack) =>
        args.values.config ? path.resolve(process.cwd(), args.values.config) : stackFilePath(stack, PROJECT_ROOT),
    );
    const configs = stacks.map((stack, i) => ({ stack, raw: readStackFile(files[i]) }));
    if (stacks.length === 1) validateStack(configs[0].raw, stacks[0]);
    else {
        const { problems } = validateStacks(configs);
        if (problems.length > 0) throw new ConfigError(files.map(displayName).join(", "), problems);
    }
    const policyConfigFile = args.values["policy-config"] ? path.resolve(process.cwd(), args.values["policy-config"]) : undefined;
    const policyConfigs = args.switches.has("no-policy") ? [] : stacks.map((stack) => readPolicyConfig(stack, policyConfigFile));

    const pack = args.switches.has("no-policy") ? undefined : await PolicyPackProcess.start();
    let mandatory = 0;
    try {
        for (const [i, { stack, raw }] of configs.entries()) {
            const graphs: Graph[] = [];
            for (const mode of ["resolved", "preview"] as const) {
                graphs.push(await synthesize({ stack, config: raw, mode }));
            }
            const [resolved] = graphs;
            console.log(`\n${summaryText(resolved, displayName(files[i]), width)}`);
            console.log(`\n${wrap(`Note: ${resolved.note}`, width)}`);
            if (pack) {
                const configName = path.relative(process.cwd(), policyConfigFile ?? path.join(POLICY_PACK_DIR, "config", `${stack}.json`));
                for (const graph of graphs) {
                    const { diagnostics } = await analyzeGraph(graph, policyConfigs[i], pack);
                    const label = graph.mode === "preview" ? "a first preview (ids unknown)" : "resolved ids";
                    mandatory += diagnostics.filter((d) => d.level === "mandatory").length;
                    const verdict = diagnostics.length === 0 ? "no violations" : `${diagnostics.length} violation(s)`;
                    console.log(`\n${wrap(`policy pack, ${configName}, ${label}: ${verdict}`, width)}`);
                    if (diagnostics.length > 0) console.log(violationTable(diagnostics, width, !process.stdout.isTTY));
                }
            }
            const table = args.switches.has("wide") ? Number.POSITIVE_INFINITY : args.switches.has("table") ? width : undefined;
            if (table !== undefined) {
                console.log(`\n${resourceTable(resolved, table)}`);
                console.log(wrap(PLACEHOLDER_NOTE, width));
            }
            console.log("");
            for (const graph of graphs) {
                const out = path.join(outDir, `${stack}.${graph.mode}.json`);
                writeOutput(out, `${JSON.stringify(graph, null, 2)}\n`);
                console.log(wrap(`wrote ${path.relative(process.cwd(), out)}`, width));
            }
            if (table === undefined) console.log(wrap("Every resource, its cloud name and options: add --table (or --wide).", width));
        }
    } finally {
        pack?.stop();
    }
    if (mandatory > 0) console.error(`synth: ${mandatory} mandatory policy violation(s)`);
    return mandatory > 0 ? 1 : 0;
}

// Run as a command (tests import the formatting functions).
if (require.main === module) {
    // A reader that stops early (`| head`) closes the pipe: that ends the listing, it is not a failure.
    process.stdout.on("error", (error: NodeJS.ErrnoException) => {
        if (error.code === "EPIPE") process.exit(0);
        throw error;
    });

    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (error: unknown) => {
            if (
                error instanceof ConfigError ||
                error instanceof StackFileError ||
                error instanceof UsageError ||
                error instanceof OutputError ||
                error instanceof PolicyConfigError
            ) {
                console.error(`synth: ${error.message}`);
                process.exit(2);
            }
            console.error(`synth: the program failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
            process.exit(1);
        },
    );
}
