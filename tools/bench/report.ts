/**
 * The benchmark's report, docs/performance.md, section by section; tools/bench.ts measures, this writes.
 */
import * as os from "os";
import { markdownTable } from "../lib/table";

export const ms = (value: number) => `${Math.round(value)} ms`;
export const ratio = (slow: number, fast: number) => `${(slow / fast).toFixed(1)}×`;

/** Pack start-up medians: the pack compiled and as TypeScript, and the floors every pack pays. */
export interface PackStartup {
    readonly compiled: number;
    readonly typescript: number;
    readonly runner: number;
    readonly emptyPack: number;
}

/** One scale run: synthesis plus analysis of the prod stack with N repositories. */
export interface ScaleRow {
    readonly repositories: number;
    readonly resources: number;
    readonly synthMs: number;
    readonly analysisMs: number;
    readonly totalMs: number;
    readonly maxRssMb: number;
}

/** Everything the benchmark measured, as the report shows it. */
export interface Measurements {
    readonly runs: number;
    readonly programRows: string[][];
    readonly pack: PackStartup;
    readonly analysis: { readonly ms: number; readonly resources: number };
    readonly scaleRows: ScaleRow[];
    readonly shardRows: string[][];
}

/** The title and the machine it was measured on. */
export function headerSection(runs: number): string {
    const cpu = os.cpus()[0]?.model ?? "unknown CPU";
    return `# Performance

Measured by \`npm run bench\` in one run on ${new Date().toISOString().slice(0, 10)}: ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}. Medians of ${runs} runs (scale: ${Math.min(runs, 3)}). Timing on a shared machine is noisy: read the ratios, not the milliseconds. This file is written by the benchmark; edit \`tools/bench.ts\`, not this.`;
}

/** Program start-up plus synthesis, per stack. */
export function programSection(programRows: string[][]): string {
    return `## Program start-up plus synthesis

A fresh process per run, started as the Pulumi Node.js host (\`@pulumi/pulumi/cmd/run\`) starts it, with
source-map-support registered first, then the program under the mock monitor for the stack (a first
preview). **Default**: what the host does for a TypeScript project by default (\`typescript: true\`,
\`tsconfig.json\`): ts-node type-checks \`index.ts\` and the provider SDKs it imports. **Configured**: what
\`Pulumi.yaml\` asks for (\`typescript: false\`): package.json's main, \`runtime/main.js\`, runs the build in \`bin/\`.
_Start-up_ is the time until the program is loaded, before the first resource is registered.
_Configured, every trace mapped_ sets \`PULUMI_DEBUG_PROMISE_LEAKS\`, which turns off \`runtime/promiseStacks.js\`: the
SDK's stack trace on each of its promises is then source-mapped as on the default path.

${markdownTable(
    [
        "stack",
        "resources",
        "default",
        "configured",
        "ratio",
        "start-up default",
        "start-up configured",
        "start-up ratio",
        "configured, every trace mapped",
    ],
    programRows,
)}`;
}

/** Policy pack start-up and its floors. */
export function packSection(pack: PackStartup): string {
    return `## Policy pack start-up

Time until the pack serves (prints its port), started as the CLI starts it: \`run-policy-pack <engine>
<program>\` in \`policies/\`. **TypeScript**: the program \`./index.ts\`, type-checked by ts-node.
**Compiled**: \`.\`, whose \`main\` (\`main.js\`) runs the build in \`policies/bin\`. The floors: the SDK's
runner with a program that serves at once, and a \`PolicyPack\` without policies. The runner registers
ts-node, and so loads TypeScript, before it loads any pack (\`cmd/run-policy-pack\` passes
\`typeScript: true\` on Node.js whatever \`PulumiPolicy.yaml\` says); that floor bounds every pack's ratio.

${markdownTable(
    ["TypeScript", "compiled", "ratio", "floor: runner only", "floor: empty PolicyPack", "ratio at the runner floor"],
    [
        [
            ms(pack.typescript),
            ms(pack.compiled),
            ratio(pack.typescript, pack.compiled),
            ms(pack.runner),
            ms(pack.emptyPack),
            ratio(pack.typescript, pack.runner),
        ],
    ],
)}`;
}

/** The analysis of prod's first preview by a running pack. */
export function analysisSection(analysis: Measurements["analysis"]): string {
    return `## Analysis

The running pack analyzes the prod stack (a first preview, ${analysis.resources} resources): one \`Analyze\` per resource and one \`AnalyzeStack\`: **${ms(analysis.ms)}**.`;
}

/** Synthesis plus analysis at N repositories, with the cost of one more repository. */
export function scaleSection(scaleRows: readonly ScaleRow[]): string {
    const perRepo = (row: ScaleRow) => row.totalMs / row.repositories;
    // What one more repository costs: the slope from the smallest run, free of the fixed start-up.
    const base = scaleRows[0];
    const marginal = (row: ScaleRow) => (row === base ? Number.NaN : (row.totalMs - base.totalMs) / (row.repositories - base.repositories));
    const firstSlope = scaleRows.length > 1 ? marginal(scaleRows[1]) : Number.NaN;
    return `## Scale

The prod stack file with N generated repositories; synthesis plus analysis in a fresh process (configured path).
_Per repository_ divides the whole run, fixed start-up included, so it falls as N grows; _added per
repository_ is the slope from the smallest run, and _vs first slope_ compares each slope with the first:
a quadratic rule or component would make it grow with N.

${markdownTable(
    [
        "repositories",
        "resources",
        "synthesis",
        "analysis",
        "total (process)",
        "per repository",
        "added per repository",
        "vs first slope",
        "peak memory",
    ],
    scaleRows.map((row) => [
        String(row.repositories),
        String(row.resources),
        ms(row.synthMs),
        ms(row.analysisMs),
        ms(row.totalMs),
        ms(perRepo(row)),
        row === base ? "-" : ms(marginal(row)),
        row === base ? "-" : ratio(marginal(row), firstSlope),
        `${row.maxRssMb} MiB`,
    ]),
)}`;
}

/** The sharded layouts: each shard's prod stack, and the foundation tier beside them. */
export function shardSection(shardRows: readonly string[][]): string {
    const firstShardRow = shardRows[0];
    const perRepositoryRatio =
        shardRows.length > 1
            ? shardRows
                  .slice(1)
                  .map((row) => `${row[0]}: ${ratio(parseFloat(row[5]), parseFloat(firstShardRow[5]))}`)
                  .join(", ")
            : "";
    return `## Shards

N generated repositories split into shards of at most 62 (docs/shards.md: a shard's GitHub side stays within
GitHub's 500 content-creating requests an hour), each shard's prod stack (the largest: it declares the shard's
GitHub side for all three environments) synthesized and analyzed by the pack in a fresh process, one run per shard.
Every run also reads and checks every other stack file of the project (three per shard), so a shard's time grows
with the organisation only through that check. _Per repository_ is the median over shards of a shard's time divided
by its repositories${perRepositoryRatio ? `; against the first layout: ${perRepositoryRatio}` : ""}.

${markdownTable(
    [
        "repositories",
        "shards",
        "repositories a shard",
        "median shard",
        "slowest shard (synthesis + analysis)",
        "per repository",
        "peak memory",
        "foundation tier (prod)",
    ],
    shardRows,
)}`;
}

/** The whole report, as docs/performance.md carries it before the GitHub budget section. */
export function benchReport(m: Measurements): string {
    const sections = [
        headerSection(m.runs),
        programSection(m.programRows),
        packSection(m.pack),
        analysisSection(m.analysis),
        scaleSection(m.scaleRows),
        shardSection(m.shardRows),
    ];
    return `${sections.join("\n\n")}\n`;
}
