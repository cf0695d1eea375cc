// One measured run of the program, started the way the Pulumi Node.js host starts it
// (@pulumi/pulumi/cmd/run/run.js): ts-node registered with the project's tsconfig, transpileOnly
// taken from its `noCheck`, then the program runs, here under the mock monitor for one stack.
// Plain JavaScript, so that nothing in the measurement is compiled before it starts.
//   node tools/bench/program.js <tsconfig> <stack file> <stack> [--analyze]
"use strict";
const started = process.hrtime.bigint();
const path = require("path");
const root = path.resolve(__dirname, "..", "..");
process.chdir(root);
const [tsconfig, stackFile, stack, analyze] = process.argv.slice(2);
const tsutils = require("@pulumi/pulumi/tsutils");
const compilerOptions = tsutils.loadTypeScriptCompilerOptions(tsconfig);
require("ts-node").register({
    compiler: "typescript",
    transpileOnly: compilerOptions.noCheck,
    project: tsconfig,
    skipProject: false,
    compilerOptions: {},
});
const { readStackFile } = require("../lib/stackFile");
const { synthesize } = require("../lib/synthesize");
// The program and its components compiled (and, on the default path, type-checked) as the host's first
// require does: everything until here is start-up. synthesize() then runs the program.
require(path.join(root, "index"));
const startupMs = Number(process.hrtime.bigint() - started) / 1e6;

(async () => {
    const graph = await synthesize({ stack, config: readStackFile(path.resolve(root, stackFile)), mode: "preview" });
    const synthesized = process.hrtime.bigint();
    const result = { resources: graph.resources.length, startupMs, synthMs: Number(synthesized - started) / 1e6 };
    if (analyze === "--analyze") {
        const { analyzeGraph, readPolicyConfig } = require("../lib/analyzer");
        const { diagnostics } = await analyzeGraph(graph, readPolicyConfig(stack));
        result.analysisMs = Number(process.hrtime.bigint() - synthesized) / 1e6;
        result.mandatory = diagnostics.filter((d) => d.level === "mandatory").length;
    }
    result.maxRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(0);
})().catch((error) => {
    process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
    process.exit(1);
});
