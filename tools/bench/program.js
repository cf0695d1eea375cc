// One measured run of the program, started the way the Pulumi Node.js host starts it
// (@pulumi/pulumi/cmd/run): source-map-support registered first, then
//   default:    ts-node registered as the host registers it for a TypeScript project (Pulumi.yaml
//               `typescript: true`, tsconfig.json without noCheck: type checking), then index.ts;
//   configured: what this project's Pulumi.yaml asks for (`typescript: false`): package.json's main.
// The program then runs under the mock monitor for one stack. The harness (tools/lib) runs compiled, from
// the folder the benchmark transpiled it to, so no TypeScript loader is present that pulumi would not load.
// Plain JavaScript, so that nothing in the measurement is compiled before it starts.
//   node tools/bench/program.js <default|configured> <harness dir> <stack file> <stack> [--analyze [policy config file]]
// A shard's stack (`<environment>-<shard>`) names the policy config written for it.
"use strict";
const started = process.hrtime.bigint();
const path = require("path");
const root = path.resolve(__dirname, "..", "..");
process.chdir(root);
const [way, harnessArg, stackFile, stack, analyze, policyConfigFile] = process.argv.slice(2);
const harness = path.resolve(root, harnessArg);
const pulumiRun = path.dirname(require.resolve("@pulumi/pulumi/cmd/run"));
require(require.resolve("source-map-support/register", { paths: [pulumiRun] }));

let entry;
if (way === "default") {
    // As cmd/run/run.js does with PULUMI_NODEJS_TYPESCRIPT=true and the default tsconfig.json.
    const tsutils = require("@pulumi/pulumi/tsutils");
    const compilerOptions = tsutils.loadTypeScriptCompilerOptions("tsconfig.json");
    const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
    require(tsnodeRequire).register({
        compiler: typescriptRequire,
        transpileOnly: compilerOptions.noCheck,
        project: "tsconfig.json",
        skipProject: false,
        compilerOptions: { target: "ES2020", module: "nodenext", moduleResolution: "nodenext", sourceMap: "true", ...compilerOptions },
    });
    entry = path.join(root, "index.ts");
} else if (way === "configured") {
    entry = path.join(root, require(path.join(root, "package.json")).main);
} else {
    throw new Error(`unknown way in '${way}': default or configured`);
}

const { readStackFile } = require(path.join(harness, "config"));
const { synthesize } = require(path.join(harness, "tools", "lib", "synthesize"));
// Loaded (and, on the default path, type-checked) as the host's first require does: everything until
// here is start-up. synthesize() then runs the program.
require(entry);
const startupMs = Number(process.hrtime.bigint() - started) / 1e6;

(async () => {
    const graph = await synthesize({ stack, config: readStackFile(path.resolve(root, stackFile)), mode: "preview", entry });
    const synthesized = process.hrtime.bigint();
    const result = { resources: graph.resources.length, startupMs, synthMs: Number(synthesized - started) / 1e6 };
    if (analyze === "--analyze") {
        const { analyzeGraph, readPolicyConfig } = require(path.join(harness, "tools", "lib", "analyzer"));
        const environment = stack.split("-")[0];
        const policyConfig = policyConfigFile
            ? readPolicyConfig(environment, path.resolve(root, policyConfigFile))
            : readPolicyConfig(stack);
        const { diagnostics } = await analyzeGraph(graph, policyConfig);
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
