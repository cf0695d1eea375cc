/**
 * The performance benchmark: medians over several runs, measured in one run on this machine, written to
 * docs/performance.md. Nothing here asserts an absolute time; the targets are read off the table.
 *
 *   npm run bench [-- --runs 5] [--scales 10,100,300] [--out docs/performance.md]
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { parseArgs, UsageError } from "./lib/args";
import { analyzeGraph, POLICY_PACK_DIR, PolicyPackProcess, readPolicyConfig } from "./lib/analyzer";
import { PROJECT_ROOT, readStackFile, stackFilePath } from "./lib/stackFile";
import { synthesize } from "./lib/synthesize";
import { formatTable } from "./lib/table";

const USAGE = "usage: npm run bench -- [--runs N] [--scales 10,100,300] [--out FILE]";
const PROGRAM = path.join(PROJECT_ROOT, "tools", "bench", "program.js");

const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const ms = (value: number) => `${Math.round(value)} ms`;
const ratio = (slow: number, fast: number) => `${(slow / fast).toFixed(1)}×`;

/** Runs a command to its end; its wall time from spawn to exit and its last stdout line. */
function timed(args: string[], cwd = PROJECT_ROOT): Promise<{ wallMs: number; last: string }> {
    return new Promise((resolve, reject) => {
        const started = process.hrtime.bigint();
        const child = spawn(process.execPath, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        child.on("close", (code) => {
            const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
            if (code !== 0) reject(new Error(`${args.join(" ")} exited ${code}:\n${stderr}`));
            else resolve({ wallMs, last: stdout.trim().split("\n").pop() ?? "" });
        });
    });
}

/** Time from spawn until the pack serves (prints its port), started as the CLI starts it. */
function packStartup(program: string): Promise<number> {
    const runPolicyPack = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [POLICY_PACK_DIR] });
    return new Promise((resolve, reject) => {
        const started = process.hrtime.bigint();
        const child = spawn(process.execPath, [runPolicyPack, "127.0.0.1:0", program], {
            cwd: POLICY_PACK_DIR,
            stdio: ["ignore", "pipe", "pipe"],
        });
        let stderr = "";
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        child.stdout.on("data", (chunk: Buffer) => {
            if (/^\d+$/m.test(chunk.toString())) {
                resolve(Number(process.hrtime.bigint() - started) / 1e6);
                child.kill();
            }
        });
        child.on("exit", (code) => (code !== null && code !== 0 ? reject(new Error(`pack exited ${code}: ${stderr}`)) : undefined));
    });
}

async function repeat<T>(runs: number, run: () => Promise<T>): Promise<T[]> {
    const results: T[] = [];
    for (let i = 0; i < runs; i++) results.push(await run());
    return results;
}

/** The prod stack file with N generated repositories instead of the seeds' seven. */
function scaledStackFile(directory: string, repositories: number): string {
    const document = yaml.load(fs.readFileSync(stackFilePath("prod"), "utf8")) as { config: Record<string, unknown> };
    document.config["cicd-foundation:repositories"] = Array.from({ length: repositories }, (_, i) => {
        const name = `service-${String(i + 1).padStart(3, "0")}`;
        return { name, deploys: { lambdaFunctions: [`bbws-${name}-*`], dynamodbTables: [`bbws-${name}-*`] } };
    });
    const file = path.join(directory, `Pulumi.prod.yaml`);
    fs.writeFileSync(file, yaml.dump(document));
    return file;
}

async function main(argv: string[]): Promise<void> {
    const args = parseArgs(argv, { values: { runs: "5", scales: "10,100,300", out: "docs/performance.md" }, switches: [] }, USAGE);
    const runs = Number(args.values.runs);
    if (!Number.isInteger(runs) || runs < 1 || runs > 50)
        throw new UsageError(`--runs must be a whole number from 1 to 50, got '${args.values.runs}'\n${USAGE}`);
    const scales = (args.values.scales as string).split(",").map(Number);
    if (scales.some((n) => !Number.isInteger(n) || n < 1 || n > 1000))
        throw new UsageError(`--scales must list whole numbers from 1 to 1000, got '${args.values.scales}'\n${USAGE}`);
    const log = (line: string) => process.stderr.write(`${line}\n`);

    // 1. Program start-up plus synthesis, per stack: the configured path against ts-node with type checking.
    const programRows: string[][] = [];
    for (const stack of ["dev", "sit", "prod"]) {
        const run = (tsconfig: string) => repeat(runs, () => timed([PROGRAM, tsconfig, `Pulumi.${stack}.yaml`, stack]));
        const fast = await run("tsconfig.pulumi.json");
        const slow = await run("tsconfig.json");
        const startup = (results: { wallMs: number; last: string }[]) => median(results.map((r) => JSON.parse(r.last).startupMs as number));
        const fastMs = median(fast.map((r) => r.wallMs));
        const slowMs = median(slow.map((r) => r.wallMs));
        programRows.push([
            stack,
            String(JSON.parse(fast[0].last).resources),
            ms(slowMs),
            ms(fastMs),
            ratio(slowMs, fastMs),
            ms(startup(slow)),
            ms(startup(fast)),
            ratio(startup(slow), startup(fast)),
        ]);
        log(`program ${stack}: ${ms(slowMs)} -> ${ms(fastMs)}`);
    }

    // 2. Policy pack start-up as the CLI starts it: compiled main against the TypeScript source.
    const compiled = median(await repeat(runs, () => packStartup(".")));
    const typescript = median(await repeat(runs, () => packStartup("./index.ts")));
    log(`pack start-up: ${ms(typescript)} -> ${ms(compiled)}`);

    // 3. Analysis of the prod stack (a first preview) by a running pack.
    const pack = await PolicyPackProcess.start();
    const graph = await synthesize({ stack: "prod", config: readStackFile(stackFilePath("prod")), mode: "preview" });
    const analysis = median(
        await repeat(runs, async () => {
            const started = process.hrtime.bigint();
            await analyzeGraph(graph, readPolicyConfig("prod"), pack);
            return Number(process.hrtime.bigint() - started) / 1e6;
        }),
    );
    pack.stop();
    log(`analysis: ${ms(analysis)}`);

    // 4. Scale: synthesis plus analysis of one stack with N repositories, each in a fresh process.
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), "bench-"));
    const scaleRows: { repositories: number; resources: number; synthMs: number; analysisMs: number; totalMs: number; maxRssMb: number }[] =
        [];
    for (const repositories of scales) {
        const file = scaledStackFile(fs.mkdtempSync(path.join(directory, `${repositories}-`)), repositories);
        const results = (await repeat(Math.min(runs, 3), () => timed([PROGRAM, "tsconfig.pulumi.json", file, "prod", "--analyze"]))).map(
            (r) => ({
                ...(JSON.parse(r.last) as { resources: number; synthMs: number; analysisMs: number; maxRssMb: number; mandatory: number }),
                wallMs: r.wallMs,
            }),
        );
        if (results.some((r) => r.mandatory > 0))
            throw new Error(`the generated stack with ${repositories} repositories has mandatory violations`);
        scaleRows.push({
            repositories,
            resources: results[0].resources,
            synthMs: median(results.map((r) => r.synthMs)),
            analysisMs: median(results.map((r) => r.analysisMs)),
            totalMs: median(results.map((r) => r.wallMs)),
            maxRssMb: Math.max(...results.map((r) => r.maxRssMb)),
        });
        log(`scale ${repositories}: ${ms(scaleRows[scaleRows.length - 1].totalMs)}`);
    }
    fs.rmSync(directory, { recursive: true, force: true });
    const perRepo = (row: (typeof scaleRows)[number]) => row.totalMs / row.repositories;
    // What one more repository costs: the slope from the smallest run, free of the fixed start-up.
    const base = scaleRows[0];
    const marginal = (row: (typeof scaleRows)[number]) =>
        row === base ? Number.NaN : (row.totalMs - base.totalMs) / (row.repositories - base.repositories);
    const firstSlope = scaleRows.length > 1 ? marginal(scaleRows[1]) : Number.NaN;

    const cpu = os.cpus()[0]?.model ?? "unknown CPU";
    const report = `# Performance

Measured by \`npm run bench\` in one run on ${new Date().toISOString().slice(0, 10)}: ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}. Medians of ${runs} runs (scale: ${Math.min(runs, 3)}). Timing on a shared machine is noisy: read the ratios, not the milliseconds.

## Program start-up plus synthesis

A fresh process per run, started as the Pulumi Node.js host starts a TypeScript program (ts-node registered
as \`@pulumi/pulumi/cmd/run/run.js\` does), then the real \`index.ts\` under the mock monitor for the stack
(a first preview). **Default**: \`tsconfig.json\`, ts-node type-checks the program and the provider SDKs.
**Configured**: \`tsconfig.pulumi.json\` (\`noCheck\`), which \`Pulumi.yaml\` names, so ts-node only transpiles.
*Start-up* is the time until the program and its components are loaded and compiled (type-checked on the
default path), before the first resource is registered; the rest is the SDK registering resources, the
same work on both paths.

${formatTable(["stack", "resources", "default", "configured", "ratio", "start-up default", "start-up configured", "start-up ratio"], programRows)}

## Policy pack start-up

Time until the pack serves, started as the CLI starts it (\`run-policy-pack <engine> <program>\` in \`policies/\`).
**TypeScript**: the program \`./index.ts\`, type-checked by ts-node. **Compiled**: \`.\`, whose \`main\` is \`bin/index.js\`.

${formatTable(["TypeScript", "compiled", "ratio"], [[ms(typescript), ms(compiled), ratio(typescript, compiled)]])}

## Analysis

The running pack analyzes the prod stack (a first preview, ${graph.resources.length} resources): one \`Analyze\` per resource and one \`AnalyzeStack\`: **${ms(analysis)}**.

## Scale

The prod stack file with N generated repositories; synthesis plus analysis in a fresh process (configured path).
*Per repository* divides the whole run, fixed start-up included, so it falls as N grows; *added per
repository* is the slope from the smallest run, and *vs first slope* compares each slope with the first:
a quadratic rule or component would make it grow with N.

${formatTable(
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
)}
`;
    const out = path.resolve(PROJECT_ROOT, args.values.out as string);
    fs.writeFileSync(out, report);
    process.stdout.write(report);
    log(`wrote ${path.relative(process.cwd(), out)}`);
}

main(process.argv.slice(2)).then(
    () => process.exit(0),
    (error: unknown) => {
        console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(error instanceof UsageError ? 2 : 1);
    },
);
