// `npm run build` (run by `npm ci` through `prepare`, and first in `npm test`): compiles the program
// (tsconfig.build.json -> bin/) and the policy pack (policies/tsconfig.json -> policies/bin/) to the
// JavaScript that `pulumi` runs, and records what each build was made from (policies/freshness.js) so
// an entry never runs a stale build. Transpiles file by file, like ts-node's transpile-only mode, in
// about a second: `npm test` type-checks the same sources strictly (`npm run typecheck`).
//   node tools/build/compile.js
"use strict";
const fs = require("fs");
const path = require("path");
const ts = require("typescript");
const { writeManifest } = require("../../policies/freshness");

const ROOT = path.resolve(__dirname, "..", "..");
const TARGETS = ["tsconfig.build.json", "policies/tsconfig.json"];

class BuildError extends Error {}

const formatDiagnostics = (diagnostics) =>
    ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => ROOT, getNewLine: () => "\n" });

/** The config files a tsconfig is made of, itself first, following `extends`. */
function configChain(configFile) {
    const chain = [];
    for (let file = configFile; file;) {
        chain.push(file);
        const { config, error } = ts.readConfigFile(file, ts.sys.readFile);
        if (error) throw new BuildError(formatDiagnostics([error]));
        file = config.extends ? path.resolve(path.dirname(file), config.extends) : undefined;
    }
    return chain;
}

/**
 * Transpiles each TypeScript file under `rootDir` to `outDir` at the same relative path, with a source
 * map that names the original. Syntax errors fail the build; types are `npm run typecheck`'s job.
 */
function transpileFiles(files, compilerOptions, rootDir, outDir) {
    for (const file of files) {
        const outFile = path.join(outDir, path.relative(rootDir, file).replace(/\.ts$/, ".js"));
        const result = ts.transpileModule(fs.readFileSync(file, "utf8"), {
            compilerOptions: { ...compilerOptions, sourceMap: true, inlineSourceMap: false, declaration: false },
            fileName: file,
            reportDiagnostics: true,
        });
        if (result.diagnostics.length > 0) throw new BuildError(formatDiagnostics(result.diagnostics));
        // The map names its source relative to itself, so stack traces point at the TypeScript.
        const map = JSON.parse(result.sourceMapText);
        map.file = path.basename(outFile);
        map.sources = [path.relative(path.dirname(outFile), file)];
        delete map.sourceRoot;
        fs.mkdirSync(path.dirname(outFile), { recursive: true });
        fs.writeFileSync(outFile, result.outputText);
        fs.writeFileSync(`${outFile}.map`, JSON.stringify(map));
    }
}

/** The compiler options and sources a tsconfig (relative to the project root) names. */
function readConfig(target) {
    const configFile = path.join(ROOT, target);
    const parsed = ts.getParsedCommandLineOfConfigFile(
        configFile,
        {},
        {
            ...ts.sys,
            onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
                throw new BuildError(formatDiagnostics([diagnostic]));
            },
        },
    );
    if (parsed.errors.length > 0) throw new BuildError(formatDiagnostics(parsed.errors));
    return { configFile, options: parsed.options, sources: parsed.fileNames.filter((file) => !file.endsWith(".d.ts")) };
}

/** Builds one target from scratch, so a deleted source leaves no compiled file behind, and records it. */
function build(target) {
    const { configFile, options, sources } = readConfig(target);
    const rootDir = options.rootDir ?? path.dirname(configFile);
    if (!options.outDir) throw new BuildError(`${target}: compilerOptions.outDir is required`);
    fs.rmSync(options.outDir, { recursive: true, force: true });
    transpileFiles(sources, options, rootDir, options.outDir);
    const recorded = [...sources, ...configChain(configFile)].map((file) => path.relative(rootDir, file));
    writeManifest(rootDir, options.outDir, recorded);
    return { files: sources.length, outDir: path.relative(ROOT, options.outDir) };
}

module.exports = { BuildError, build, readConfig, transpileFiles, ROOT };

if (require.main === module) {
    try {
        for (const target of TARGETS) {
            const { files, outDir } = build(target);
            process.stdout.write(`build: ${target} -> ${outDir}/ (${files} files)\n`);
        }
    } catch (error) {
        process.stderr.write(`build: ${error instanceof BuildError ? error.message : (error && error.stack) || error}\n`);
        process.exit(1);
    }
}
