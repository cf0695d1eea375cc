import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import * as prettier from "prettier";
import { ROOT, runTool } from "./helpers/run";
import { readStackFile, stackFilePath } from "../config";
import { PROGRAM_ENTRY, synthesize } from "../tools/lib/synthesize";

// The plain-JavaScript pieces that run before anything is compiled.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const freshness = require("../policies/freshness") as {
    MANIFEST: string;
    writeManifest(root: string, outDir: string, sources: string[]): void;
    staleReasons(root: string, outDir: string): string[];
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const promiseStacks = require("../runtime/promiseStacks") as { cheapPromiseStacks(): void };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const debuggable = require("@pulumi/pulumi/runtime/debuggable") as {
    debuggablePromise<T>(promise: Promise<T>, context: string): Promise<T>;
};

const readJson = (file: string) => JSON.parse(fs.readFileSync(path.join(ROOT, file), "utf8"));

/** A scratch folder inside the project, so the project's node_modules resolve from it. */
function scratch(name: string): string {
    fs.mkdirSync(path.join(ROOT, "out"), { recursive: true });
    return fs.mkdtempSync(path.join(ROOT, "out", `${name}-`));
}

/** Writes files (relative path -> text) under a folder. */
function writeTree(directory: string, files: Record<string, string>): void {
    for (const [file, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(directory, file)), { recursive: true });
        fs.writeFileSync(path.join(directory, file), text);
    }
}

/** Loads an entry in a fresh Node.js process, with or without ts-node registered, and prints what its export returns. */
function loadEntry(entry: string, withTsNode: boolean) {
    const script = `Promise.resolve(require(${JSON.stringify(entry)})()).then((value) => console.log("program returned " + value))`;
    const result = spawnSync(process.execPath, [...(withTsNode ? ["-r", "ts-node/register/transpile-only"] : []), "-e", script], {
        cwd: ROOT,
        encoding: "utf8",
    });
    return { status: result.status, stdout: result.stdout.trim(), stderr: result.stderr };
}

describe("the program runs compiled in pulumi", () => {
    it("Pulumi.yaml turns the host's TypeScript loader off and package.json's main is the entry", () => {
        const project = yaml.load(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as Record<string, unknown>;
        assert.deepEqual(project.runtime, { name: "nodejs", options: { typescript: false } });
        // Without a `main` in Pulumi.yaml the host runs package.json's main.
        assert.equal(project.main, undefined);
        assert.equal(readJson("package.json").main, "runtime/main.js");
        // Offline synthesis loads the same entry.
        assert.equal(PROGRAM_ENTRY, path.join(ROOT, readJson("package.json").main));
    });

    it("npm ci and npm test build before anything runs, and npm test type-checks strictly", () => {
        const scripts = readJson("package.json").scripts;
        assert.equal(scripts.build, "node tools/build/compile.js");
        assert.equal(scripts.prepare, "npm run build");
        assert.equal(scripts.test, "npm run build && npm run lint && npm run typecheck && mocha");
        assert.equal(scripts.typecheck, "tsc --noEmit -p tsconfig.json");
        const strict = readJson("tsconfig.json");
        assert.equal(strict.compilerOptions.strict, true);
        assert.equal(strict.compilerOptions.noCheck, undefined);
        assert.deepEqual(strict.include, [
            "*.ts",
            "config/**/*.ts",
            "components/**/*.ts",
            "tools/**/*.ts",
            "test/**/*.ts",
            "policies/**/*.ts",
            "actions/**/*.ts",
            "shared/**/*.ts",
        ]);
    });

    it("the build records every program source and config it was made from, and is current", () => {
        const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "bin", freshness.MANIFEST), "utf8"));
        const sourcesIn = (folder: string) =>
            fs
                .readdirSync(path.join(ROOT, folder), { recursive: true, encoding: "utf8" })
                .filter((f) => f.endsWith(".ts"))
                .map((f) => `${folder}/${f.split(path.sep).join("/")}`);
        assert.deepEqual(
            Object.keys(manifest.sources),
            [
                ...sourcesIn("components"),
                ...sourcesIn("config"),
                ...sourcesIn("shared"),
                "index.ts",
                "tsconfig.build.json",
                "tsconfig.json",
            ].sort(),
        );
        assert.deepEqual(freshness.staleReasons(ROOT, path.join(ROOT, "bin")), []);
        assert.deepEqual(freshness.staleReasons(path.join(ROOT, "policies"), path.join(ROOT, "policies", "bin")), []);
    });

    it("the compiled program maps its stack traces to the TypeScript sources", () => {
        const map = JSON.parse(fs.readFileSync(path.join(ROOT, "bin", "shared", "names.js.map"), "utf8"));
        assert.equal(map.file, "names.js");
        assert.deepEqual(map.sources, ["../../shared/names.ts"]);
        assert.match(fs.readFileSync(path.join(ROOT, "bin", "shared", "names.js"), "utf8"), /\/\/# sourceMappingURL=names\.js\.map$/);
    });
});

describe("freshness: a build is trusted only while it matches its sources", () => {
    let directory: string;
    beforeEach(() => {
        directory = scratch("freshness");
        writeTree(directory, { "a.ts": "export const a = 1;\n", "lib/b.ts": "export const b = 2;\n", "bin/.keep": "" });
        freshness.writeManifest(directory, path.join(directory, "bin"), ["lib/b.ts", "a.ts"]);
    });
    afterEach(() => fs.rmSync(directory, { recursive: true, force: true }));

    it("passes an untouched build", () => {
        assert.deepEqual(freshness.staleReasons(directory, path.join(directory, "bin")), []);
    });

    it("names each source changed or removed since the build", () => {
        fs.writeFileSync(path.join(directory, "a.ts"), "export const a = 3;\n");
        fs.rmSync(path.join(directory, "lib", "b.ts"));
        assert.deepEqual(freshness.staleReasons(directory, path.join(directory, "bin")), ["a.ts changed", "lib/b.ts was removed"]);
    });

    it("does not trust a folder that was never built", () => {
        fs.rmSync(path.join(directory, "bin", freshness.MANIFEST));
        assert.deepEqual(freshness.staleReasons(directory, path.join(directory, "bin")), [
            "bin/build.json is missing or unreadable (never built)",
        ]);
    });
});

describe("the entries run the build only while it is current", () => {
    let directory: string;
    before(() => {
        directory = scratch("entries");
        // The real entries and their helpers, beside a stand-in program and pack.
        const entries = ["runtime/main.js", "runtime/promiseStacks.js", "policies/freshness.js", "policies/main.js", "tsconfig.json"];
        writeTree(directory, {
            ...Object.fromEntries(entries.map((file) => [file, fs.readFileSync(path.join(ROOT, file), "utf8")])),
            "bin/index.js": 'module.exports = async () => "the build";\n',
            "policies/bin/index.js": 'module.exports = () => "the pack build";\n',
        });
    });
    // Each test starts from current builds of untouched sources.
    beforeEach(() => {
        writeTree(directory, {
            "index.ts": 'export = async (): Promise<string> => "the sources";\n',
            "policies/index.ts": 'export = (): string => "the pack sources";\n',
        });
        freshness.writeManifest(directory, path.join(directory, "bin"), ["index.ts"]);
        freshness.writeManifest(path.join(directory, "policies"), path.join(directory, "policies", "bin"), ["index.ts"]);
    });
    after(() => fs.rmSync(directory, { recursive: true, force: true }));

    it("the program's entry runs bin/ when it is current", () => {
        const result = loadEntry(path.join(directory, "runtime", "main.js"), false);
        assert.equal(result.status, 0, result.stderr);
        assert.equal(result.stdout, "program returned the build");
        assert.equal(result.stderr, "");
    });

    it("the program's entry runs the sources, with a warning, once one changed", () => {
        fs.appendFileSync(path.join(directory, "index.ts"), "// edited after the build\n");
        const result = loadEntry(path.join(directory, "runtime", "main.js"), false);
        assert.equal(result.status, 0, result.stderr);
        assert.equal(result.stdout.split("\n").pop(), "program returned the sources");
        assert.match(
            result.stdout + result.stderr,
            /bin\/ is out of date \(index\.ts changed\): running the TypeScript sources instead\. Run `npm run build`\./,
        );
    });

    it("the pack's entry runs policies/bin when it is current", () => {
        const result = loadEntry(path.join(directory, "policies", "main.js"), false);
        assert.equal(result.status, 0, result.stderr);
        assert.equal(result.stdout, "program returned the pack build");
    });

    it("the pack's entry loads its sources under the runner's ts-node once one changed", () => {
        fs.appendFileSync(path.join(directory, "policies", "index.ts"), "// edited after the build\n");
        const result = loadEntry(path.join(directory, "policies", "main.js"), true);
        assert.equal(result.status, 0, result.stderr);
        assert.equal(result.stdout, "program returned the pack sources");
        assert.match(result.stderr, /policies\/bin is out of date \(index\.ts changed\); loading the TypeScript sources instead/);
    });

    it("the pack's entry refuses a stale build where nothing can load TypeScript", () => {
        fs.appendFileSync(path.join(directory, "policies", "index.ts"), "// edited after the build\n");
        const result = loadEntry(path.join(directory, "policies", "main.js"), false);
        assert.equal(result.status, 1);
        assert.match(
            result.stderr,
            /Error: cicd-foundation policies: policies\/bin is out of date \(index\.ts changed\)\. Run `npm run build`\./,
        );
    });
});

describe("promise bookkeeping traces skip source mapping", () => {
    const saved = { formatter: Error.prepareStackTrace, debug: process.env.PULUMI_DEBUG_PROMISE_LEAKS };
    const mapped = (error: Error) => `mapped: ${error.message}`;
    /** The trace the SDK records on a promise it tracks (it keeps the one it was given). */
    const bookkeepingTrace = () => {
        const promise = Promise.resolve(1);
        void debuggable.debuggablePromise(promise, "a test");
        return (promise as Promise<number> & { _debugStackTrace: string })._debugStackTrace;
    };
    beforeEach(() => {
        Error.prepareStackTrace = mapped;
        delete process.env.PULUMI_DEBUG_PROMISE_LEAKS;
    });
    afterEach(() => {
        Error.prepareStackTrace = saved.formatter;
        if (saved.debug === undefined) delete process.env.PULUMI_DEBUG_PROMISE_LEAKS;
        else process.env.PULUMI_DEBUG_PROMISE_LEAKS = saved.debug;
    });

    it("formats the SDK's promise traces as V8 does and every other trace through the installed formatter", () => {
        promiseStacks.cheapPromiseStacks();
        assert.notEqual(Error.prepareStackTrace, mapped);
        const trace = bookkeepingTrace();
        assert.match(
            trace,
            /^Error\n {4}at (?:Object\.)?debuggablePromise \(.*@pulumi\/pulumi\/runtime\/debuggable\.js:\d+:\d+\)\n {4}at /,
        );
        assert.equal(new Error("a failure").stack, "mapped: a failure");
    });

    it("wraps the formatter once, however often it is called", () => {
        promiseStacks.cheapPromiseStacks();
        const wrapped = Error.prepareStackTrace;
        promiseStacks.cheapPromiseStacks();
        assert.equal(Error.prepareStackTrace, wrapped);
    });

    it("leaves every trace mapped while PULUMI_DEBUG_PROMISE_LEAKS asks for the traces", () => {
        process.env.PULUMI_DEBUG_PROMISE_LEAKS = "1";
        promiseStacks.cheapPromiseStacks();
        assert.equal(Error.prepareStackTrace, mapped);
        assert.equal(bookkeepingTrace(), "mapped: ");
    });

    it("installs nothing where no formatter maps traces", () => {
        delete (Error as { prepareStackTrace?: unknown }).prepareStackTrace;
        promiseStacks.cheapPromiseStacks();
        assert.equal(Error.prepareStackTrace, undefined);
    });
});

describe("npm run bench", () => {
    it("measures every section and writes the tables, formatted as the lint expects", async function () {
        this.timeout(600_000);
        const directory = scratch("bench");
        try {
            const out = path.join(directory, "performance.md");
            // One small sharded layout: the 300- and 1,000-repository layouts are for `npm run bench` itself.
            const result = runTool("bench.ts", ["--runs", "1", "--stacks", "prod", "--scales", "1,2", "--sharded", "60", "--out", out]);
            assert.equal(result.status, 0, result.stderr);
            const report = fs.readFileSync(out, "utf8");
            const rows = (heading: string) =>
                report
                    .split(`## ${heading}`)[1]
                    .split("\n## ")[0]
                    .split("\n")
                    .filter((line) => /^\| [^-]/.test(line))
                    .slice(1)
                    .map((line) =>
                        line
                            .split("|")
                            .slice(1, -1)
                            .map((cell) => cell.trim()),
                    );
            const [prod] = rows("Program start-up plus synthesis");
            assert.equal(prod[0], "prod");
            // The benchmark measures the committed prod stack, whatever organisation it describes: its size is
            // the program's own count of that stack's resources.
            const committed = await synthesize({ stack: "prod", config: readStackFile(stackFilePath("prod")), mode: "preview" });
            assert.equal(Number(prod[1]), committed.resources.length);
            for (const cell of [prod[2], prod[3], prod[5], prod[6], prod[8]]) assert.match(cell, /^\d+ ms$/);
            for (const cell of [prod[4], prod[7]]) assert.match(cell, /^\d+\.\d×$/);
            const [pack] = rows("Policy pack start-up");
            assert.equal(pack.length, 6);
            assert.match(pack[2], /^\d+\.\d×$/);
            assert.match(
                report,
                new RegExp(
                    `\\(a first preview, ${prod[1]} resources\\): one \`Analyze\` per resource and one \`AnalyzeStack\`: \\*\\*\\d+ ms\\*\\*`,
                ),
            );
            const scale = rows("Scale");
            assert.deepEqual(
                scale.map((row) => row[0]),
                ["1", "2"],
            );
            assert.ok(Number(scale[1][1]) > Number(scale[0][1]), "two repositories declare more than one");
            assert.equal(scale[1][7], "1.0×");
            // docs/performance.md is written by the benchmark and checked by `prettier --check`.
            assert.ok(
                await prettier.check(report, {
                    ...(await prettier.resolveConfig(path.join(ROOT, "docs", "performance.md"))),
                    parser: "markdown",
                }),
            );
        } finally {
            fs.rmSync(directory, { recursive: true, force: true });
        }
    });

    it("rejects a stack it does not know, naming the argument", () => {
        const result = runTool("bench.ts", ["--stacks", "qa"]);
        assert.equal(result.status, 2);
        assert.match(result.stderr, /^bench: --stacks must list stacks among dev, sit, prod, got 'qa'/m);
    });
});
