/**
 * Offline synthesis: runs the real program for a stack under the SDK's mock monitor with that stack's
 * real config file, prints what it would create, writes the graph as JSON, and runs the policy pack on
 * it through the analyzer protocol the Pulumi CLI uses. No credentials, no network.
 *
 *   npm run synth -- --stack prod [--out-dir out] [--config path/to/Pulumi.prod.yaml] [--no-policy]
 */
import * as fs from "fs";
import * as path from "path";
import { ConfigError, ENVIRONMENTS } from "../config";
import { parseArgs, UsageError } from "./lib/args";
import { readStackFile, StackFileError, stackFilePath, PROJECT_ROOT } from "./lib/stackFile";
import { analyzeGraph, POLICY_PACK_DIR, PolicyConfigError, PolicyPackProcess, readPolicyConfig, type Diagnostic } from "./lib/analyzer";
import { synthesize, type Graph } from "./lib/synthesize";
import { formatTable } from "./lib/table";

const USAGE = "usage: npm run synth -- --stack <dev|sit|prod|all> [--out-dir DIR] [--config FILE] [--policy-config FILE] [--no-policy]";

export function resourceTable(graph: Graph): string {
    const rows = graph.resources
        .filter((r) => r.type !== "pulumi:pulumi:Stack")
        .sort((a, b) => a.type.localeCompare(b.type) || a.name.localeCompare(b.name))
        .map((r) => [r.type, r.name, r.protect ? "protect" : "", r.retainOnDelete ? "retain" : ""]);
    return formatTable(["TYPE", "NAME", "PROTECT", "RETAIN"], rows);
}

export function violationTable(diagnostics: readonly Diagnostic[]): string {
    const rows = diagnostics.map((d) => [d.level, d.policy, d.urn.split("::").pop() ?? "", d.message.split("\n").pop() ?? ""]);
    return formatTable(["LEVEL", "POLICY", "RESOURCE", "MESSAGE"], rows);
}

async function main(argv: string[]): Promise<number> {
    const args = parseArgs(
        argv,
        { values: { stack: "all", "out-dir": "out", config: undefined, "policy-config": undefined }, switches: ["no-policy"] },
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
    const outDir = path.resolve(process.cwd(), args.values["out-dir"] as string);
    fs.mkdirSync(outDir, { recursive: true });

    const pack = args.switches.has("no-policy") ? undefined : await PolicyPackProcess.start();
    let mandatory = 0;
    try {
        for (const stack of stacks) {
            const file = args.values.config ? path.resolve(process.cwd(), args.values.config) : stackFilePath(stack, PROJECT_ROOT);
            const config = readStackFile(file);
            const graphs: Graph[] = [];
            for (const mode of ["resolved", "preview"] as const) {
                graphs.push(await synthesize({ stack, config, mode }));
            }
            const [resolved] = graphs;
            console.log(`\n== stack ${stack} (${path.relative(process.cwd(), file) || file}): ${resolved.resources.length - 1} resources`);
            console.log(resourceTable(resolved));
            console.log(`\nNote: ${resolved.note}`);
            for (const graph of graphs) {
                const out = path.join(outDir, `${stack}.${graph.mode}.json`);
                fs.writeFileSync(out, `${JSON.stringify(graph, null, 2)}\n`);
                console.log(`wrote ${path.relative(process.cwd(), out)}`);
            }
            if (!pack) continue;
            const policyConfigFile = args.values["policy-config"] ? path.resolve(process.cwd(), args.values["policy-config"]) : undefined;
            const policyConfig = readPolicyConfig(stack, policyConfigFile);
            const configName = path.relative(process.cwd(), policyConfigFile ?? path.join(POLICY_PACK_DIR, "config", `${stack}.json`));
            for (const graph of graphs) {
                const { diagnostics } = await analyzeGraph(graph, policyConfig, pack);
                const label = graph.mode === "preview" ? "a first preview (ids unknown)" : "resolved ids";
                mandatory += diagnostics.filter((d) => d.level === "mandatory").length;
                console.log(
                    `\npolicy pack, ${configName}, ${label}: ${diagnostics.length === 0 ? "no violations" : `${diagnostics.length} violation(s)`}`,
                );
                if (diagnostics.length > 0) console.log(violationTable(diagnostics));
            }
        }
    } finally {
        pack?.stop();
    }
    if (mandatory > 0) console.error(`synth: ${mandatory} mandatory policy violation(s)`);
    return mandatory > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
        if (
            error instanceof ConfigError ||
            error instanceof StackFileError ||
            error instanceof UsageError ||
            error instanceof PolicyConfigError
        ) {
            console.error(`synth: ${error.message}`);
            process.exit(2);
        }
        console.error(`synth: the program failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        process.exit(1);
    },
);
