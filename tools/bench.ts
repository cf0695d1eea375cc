/**
 * The performance benchmark: medians over several runs, measured in one run on this machine, written to
 * docs/performance.md. Nothing here asserts an absolute time; the targets are read off the table.
 *
 *   npm run bench [-- --runs 5] [--stacks dev,sit,prod] [--scales 10,100,300] [--sharded 300,1000] [--out docs/performance.md]
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { ENVIRONMENTS, PROJECT_ROOT, readStackFile, stackFilePath } from "../config";
import { budgets, budgetSection, withBudgetSection } from "./githubBudget";
import { shardedStacks, shardSummary, type ShardRun } from "./bench/shards";
import { parseArgs, UsageError } from "./lib/args";
import { analyzeGraph, POLICY_PACK_DIR, PolicyPackProcess, readPolicyConfig } from "./lib/analyzer";
import { synthesize } from "./lib/synthesize";
import { benchReport, ms, ratio, type Measurements, type PackStartup, type ScaleRow } from "./bench/report";

const USAGE = "usage: npm run bench -- [--runs N] [--stacks dev,sit,prod] [--scales 10,100,300] [--sharded 300,1000] [--out FILE]";
const PROGRAM = path.join(PROJECT_ROOT, "tools", "bench", "program.js");
/** Where the harness (tools/lib and what it imports) is compiled to, and the floor packs are written. */
const BENCH_DIR = path.join(PROJECT_ROOT, "out", "bench");

// The build's transpiler, plain JavaScript (tools/build/compile.js).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const build = require("./build/compile") as {
    readConfig(target: string): { options: object };
    transpileFiles(files: string[], options: object, rootDir: string, outDir: string): void;
};

const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * The harness compiled, so a measured process loads no TypeScript tooling that pulumi would not load:
 * tools/lib with the program sources it imports, at their relative paths under BENCH_DIR.
 */
function compileHarness(): void {
    // Every folder may hold folders (components/permissions/, config/checks/).
    const sources = (folder: string) =>
        fs
            .readdirSync(path.join(PROJECT_ROOT, folder), { recursive: true, encoding: "utf8" })
            .filter((f) => f.endsWith(".ts"))
            .map((f) => path.join(folder, f));
    const files = [...sources(path.join("tools", "lib")), ...sources("config"), ...sources("components"), ...sources("shared")].map((f) =>
        path.join(PROJECT_ROOT, f),
    );
    fs.rmSync(BENCH_DIR, { recursive: true, force: true });
    build.transpileFiles(files, build.readConfig("tsconfig.json").options, PROJECT_ROOT, BENCH_DIR);
}

type Way = "default" | "configured";
type ProgramResult = { resources: number; startupMs: number; synthMs: number; analysisMs?: number; maxRssMb: number; mandatory?: number };

/** One program run in a fresh process (tools/bench/program.js): its wall time and what it reported. */
function runProgram(
    way: Way,
    stackFile: string,
    stack: string,
    options: { analyze?: boolean; policyConfig?: string; env?: NodeJS.ProcessEnv } = {},
) {
    const args = [
        PROGRAM,
        way,
        BENCH_DIR,
        stackFile,
        stack,
        ...(options.analyze ? ["--analyze", ...(options.policyConfig ? [options.policyConfig] : [])] : []),
    ];
    return timed(args, options.env).then(({ wallMs, last }) => ({ wallMs, ...(JSON.parse(last) as ProgramResult) }));
}

/** Runs a command to its end; its wall time from spawn to exit and its last stdout line. */
function timed(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ wallMs: number; last: string }> {
    return new Promise((resolve, reject) => {
        const started = process.hrtime.bigint();
        const child = spawn(process.execPath, args, {
            cwd: PROJECT_ROOT,
            env: { ...process.env, ...env },
            stdio: ["ignore", "pipe", "pipe"],
        });
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

/** Time from spawn until the pack serves (prints its port), started as the CLI starts it, in policies/. */
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

/**
 * The floors of pack start-up, written under BENCH_DIR: the SDK's runner with a program that serves at
 * once (what every pack pays before its own code runs), and a PolicyPack without policies.
 */
function floorPacks(): { runner: string; emptyPack: string } {
    const runner = path.join(BENCH_DIR, "floor-runner.js");
    fs.writeFileSync(runner, 'process.stdout.write("0\\n");\n');
    const emptyPack = path.join(BENCH_DIR, "floor-pack.js");
    fs.writeFileSync(
        emptyPack,
        'const { PolicyPack } = require("@pulumi/policy");\nnew PolicyPack("floor", { policies: [], enforcementLevel: "mandatory" });\n',
    );
    return { runner, emptyPack };
}

async function repeat<T>(runs: number, run: () => Promise<T>): Promise<T[]> {
    const results: T[] = [];
    for (let i = 0; i < runs; i++) results.push(await run());
    return results;
}

/**
 * The prod stack file with N generated repositories besides the foundation's own, written with dev's and
 * sit's serving the same ones: the program checks a stack against the stack files beside it.
 */
function scaledStackFile(directory: string, repositories: number): string {
    const generated = Array.from({ length: repositories }, (_, i) => {
        const name = `service-${String(i + 1).padStart(3, "0")}`;
        return { name, kind: "lambda", deploys: { lambdaFunctions: [`bbws-${name}-*`], dynamodbTables: [`bbws-${name}-*`] } };
    });
    for (const stack of ENVIRONMENTS) {
        const document = yaml.load(fs.readFileSync(stackFilePath(stack), "utf8")) as { config: Record<string, unknown> };
        // Read as the program reads it: the repositories may be declared once, in Pulumi.yaml.
        const declared = readStackFile(stackFilePath(stack)).values["cicd-foundation:repositories"] ?? "[]";
        const own = JSON.parse(declared) as { deploys?: { foundation?: boolean } }[];
        document.config["cicd-foundation:repositories"] = [...generated, ...own.filter((r) => r.deploys?.foundation)];
        fs.writeFileSync(path.join(directory, `Pulumi.${stack}.yaml`), yaml.dump(document));
    }
    return path.join(directory, "Pulumi.prod.yaml");
}

interface BenchArguments {
    readonly runs: number;
    readonly stacks: string[];
    readonly scales: number[];
    readonly sharded: number[];
    readonly out: string;
}

/** The command line, checked: each bad value is a UsageError naming its flag. */
function benchArguments(argv: string[]): BenchArguments {
    const args = parseArgs(
        argv,
        {
            values: { runs: "5", stacks: "dev,sit,prod", scales: "10,100,300", sharded: "300,1000", out: "docs/performance.md" },
            switches: [],
        },
        USAGE,
    );
    const runs = Number(args.values.runs);
    if (!Number.isInteger(runs) || runs < 1 || runs > 50)
        throw new UsageError(`--runs must be a whole number from 1 to 50, got '${args.values.runs}'\n${USAGE}`);
    const scales = (args.values.scales as string).split(",").map(Number);
    if (scales.some((n) => !Number.isInteger(n) || n < 1 || n > 1000))
        throw new UsageError(`--scales must list whole numbers from 1 to 1000, got '${args.values.scales}'\n${USAGE}`);
    const sharded = (args.values.sharded as string) === "" ? [] : (args.values.sharded as string).split(",").map(Number);
    if (sharded.some((n) => !Number.isInteger(n) || n < 1 || n > 1000))
        throw new UsageError(`--sharded must list whole numbers from 1 to 1000, got '${args.values.sharded}'\n${USAGE}`);
    const stacks = (args.values.stacks as string).split(",");
    if (stacks.some((stack) => !(ENVIRONMENTS as readonly string[]).includes(stack)))
        throw new UsageError(`--stacks must list stacks among ${ENVIRONMENTS.join(", ")}, got '${args.values.stacks}'\n${USAGE}`);
    return { runs, stacks, scales, sharded, out: args.values.out as string };
}

const log = (line: string) => process.stderr.write(`${line}\n`);
type Run = Awaited<ReturnType<typeof runProgram>>;
const wall = (results: Run[]) => median(results.map((r) => r.wallMs));
const startup = (results: Run[]) => median(results.map((r) => r.startupMs));

/**
 * 1. Program start-up plus synthesis, per stack: the configured path against the default path; and the
 *    configured path once more with every stack trace source-mapped (PULUMI_DEBUG_PROMISE_LEAKS set).
 */
async function measurePrograms(stacks: readonly string[], runs: number): Promise<string[][]> {
    const programRows: string[][] = [];
    for (const stack of stacks) {
        const file = `Pulumi.${stack}.yaml`;
        const configured = await repeat(runs, () => runProgram("configured", file, stack));
        const mapped = await repeat(runs, () => runProgram("configured", file, stack, { env: { PULUMI_DEBUG_PROMISE_LEAKS: "1" } }));
        const byDefault = await repeat(runs, () => runProgram("default", file, stack));
        programRows.push([
            stack,
            String(configured[0].resources),
            ms(wall(byDefault)),
            ms(wall(configured)),
            ratio(wall(byDefault), wall(configured)),
            ms(startup(byDefault)),
            ms(startup(configured)),
            ratio(startup(byDefault), startup(configured)),
            ms(wall(mapped)),
        ]);
        log(`program ${stack}: ${ms(wall(byDefault))} -> ${ms(wall(configured))}`);
    }
    return programRows;
}

/**
 * 2. Policy pack start-up as the CLI starts it: the pack's main (compiled) against its TypeScript
 *    source, and the floors every pack pays.
 */
async function measurePackStartup(runs: number): Promise<PackStartup> {
    const floors = floorPacks();
    const pack = {
        compiled: median(await repeat(runs, () => packStartup("."))),
        typescript: median(await repeat(runs, () => packStartup("./index.ts"))),
        runner: median(await repeat(runs, () => packStartup(floors.runner))),
        emptyPack: median(await repeat(runs, () => packStartup(floors.emptyPack))),
    };
    log(`pack start-up: ${ms(pack.typescript)} -> ${ms(pack.compiled)} (floors ${ms(pack.runner)}, ${ms(pack.emptyPack)})`);
    return pack;
}

/** 3. Analysis of the prod stack (a first preview) by a running pack. */
async function measureAnalysis(runs: number): Promise<Measurements["analysis"]> {
    const running = await PolicyPackProcess.start();
    const graph = await synthesize({ stack: "prod", config: readStackFile(stackFilePath("prod")), mode: "preview" });
    const analysis = median(
        await repeat(runs, async () => {
            const started = process.hrtime.bigint();
            await analyzeGraph(graph, readPolicyConfig("prod"), running);
            return Number(process.hrtime.bigint() - started) / 1e6;
        }),
    );
    running.stop();
    log(`analysis: ${ms(analysis)}`);
    return { ms: analysis, resources: graph.resources.length };
}

/** 4. Scale: synthesis plus analysis of one stack with N repositories, each in a fresh process. */
async function measureScales(scales: readonly number[], runs: number): Promise<ScaleRow[]> {
    const scaleRows: ScaleRow[] = [];
    for (const repositories of scales) {
        const file = scaledStackFile(fs.mkdtempSync(path.join(BENCH_DIR, `scale-${repositories}-`)), repositories);
        const results = await repeat(Math.min(runs, 3), () => runProgram("configured", file, "prod", { analyze: true }));
        if (results.some((r) => (r.mandatory ?? 0) > 0))
            throw new Error(`the generated stack with ${repositories} repositories has mandatory violations`);
        scaleRows.push({
            repositories,
            resources: results[0].resources,
            synthMs: median(results.map((r) => r.synthMs)),
            analysisMs: median(results.map((r) => r.analysisMs ?? Number.NaN)),
            totalMs: wall(results),
            maxRssMb: Math.max(...results.map((r) => r.maxRssMb)),
        });
        log(`scale ${repositories}: ${ms(scaleRows[scaleRows.length - 1].totalMs)}`);
    }
    return scaleRows;
}

/** Every prod shard's stack of a layout, each synthesized and analyzed in a fresh process. */
async function shardRunsOf(layout: ReturnType<typeof shardedStacks>, repositories: number) {
    const shardRuns: (ShardRun & { synthMs: number; analysisMs: number })[] = [];
    for (const s of layout.stacks.filter((x) => x.environment === "prod")) {
        const [result] = await repeat(1, () => runProgram("configured", s.file, s.stack, { analyze: true, policyConfig: s.policyConfig }));
        if ((result.mandatory ?? 0) > 0)
            throw new Error(`${s.stack} of the layout with ${repositories} repositories has mandatory violations`);
        shardRuns.push({
            repositories: s.repositories,
            totalMs: result.wallMs,
            synthMs: result.synthMs,
            analysisMs: result.analysisMs ?? Number.NaN,
            maxRssMb: result.maxRssMb,
        });
    }
    return shardRuns;
}

/**
 * 5. Shards: N generated repositories in shards of at most 62 (a shard's GitHub side within an hour's writes),
 *    every prod shard's stack (the largest: it declares the shard's GitHub side) synthesized and analyzed in a
 *    fresh process, and the foundation tier's prod stack beside them, which checks every shard's file.
 */
async function measureShards(sharded: readonly number[]): Promise<string[][]> {
    const shardRows: string[][] = [];
    for (const repositories of sharded) {
        const layout = shardedStacks(PROJECT_ROOT, fs.mkdtempSync(path.join(BENCH_DIR, `sharded-${repositories}-`)), repositories);
        const shardRuns = await shardRunsOf(layout, repositories);
        const [tier] = await repeat(1, () =>
            runProgram("configured", path.join(layout.directory, "Pulumi.prod.yaml"), "prod", { analyze: true }),
        );
        if ((tier.mandatory ?? 0) > 0) throw new Error(`the tier of the layout with ${repositories} repositories has mandatory violations`);
        const summary = shardSummary(shardRuns);
        const slowest = shardRuns.reduce((a, b) => (b.totalMs > a.totalMs ? b : a));
        shardRows.push([
            String(repositories),
            String(summary.shards),
            `${Math.min(...shardRuns.map((r) => r.repositories))}-${Math.max(...shardRuns.map((r) => r.repositories))}`,
            ms(summary.medianMs),
            `${ms(summary.maxMs)} (${ms(slowest.synthMs)} + ${ms(slowest.analysisMs)})`,
            ms(summary.medianPerRepositoryMs),
            `${summary.maxRssMb} MiB`,
            `${ms(tier.wallMs)}, ${tier.maxRssMb} MiB`,
        ]);
        log(`sharded ${repositories}: ${summary.shards} shards, median ${ms(summary.medianMs)}, slowest ${ms(summary.maxMs)}`);
    }
    return shardRows;
}

async function main(argv: string[]): Promise<void> {
    const args = benchArguments(argv);
    compileHarness();
    const measurements: Measurements = {
        runs: args.runs,
        programRows: await measurePrograms(args.stacks, args.runs),
        pack: await measurePackStartup(args.runs),
        analysis: await measureAnalysis(args.runs),
        scaleRows: await measureScales(args.scales, args.runs),
        shardRows: await measureShards(args.sharded),
    };
    const report = benchReport(measurements);
    fs.rmSync(BENCH_DIR, { recursive: true, force: true });
    const out = path.resolve(PROJECT_ROOT, args.out);
    // The GitHub API budget of the committed stacks and of 300 and 1,000 repositories (tools/githubBudget.ts).
    log("GitHub API budget");
    fs.writeFileSync(out, withBudgetSection(report, budgetSection(await budgets(PROJECT_ROOT, [300, 1000]))));
    process.stdout.write(report);
    log(`wrote ${path.relative(process.cwd(), out)}`);
}

main(process.argv.slice(2)).then(
    () => process.exit(0),
    (error: unknown) => {
        console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
        if (process.env.BENCH_DEBUG) console.error(error);
        process.exit(error instanceof UsageError ? 2 : 1);
    },
);
