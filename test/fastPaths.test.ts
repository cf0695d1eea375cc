import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { ROOT } from "./helpers/run";

// The SDK's own reader of tsconfig compiler options, the one its Node.js host uses before it registers
// ts-node (cmd/run/run.js): `noCheck` there is what turns type checking off for `pulumi up`.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const tsutils = require("@pulumi/pulumi/tsutils") as { loadTypeScriptCompilerOptions(file: string): Record<string, unknown> };

describe("the fast paths pulumi takes", () => {
    it("Pulumi.yaml runs the program with tsconfig.pulumi.json", () => {
        const project = yaml.load(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as {
            runtime: { name: string; options: Record<string, unknown> };
        };
        assert.deepEqual(project.runtime, { name: "nodejs", options: { typescript: true, tsconfig: "tsconfig.pulumi.json" } });
    });

    it("that config only transpiles, while npm test's tsconfig.json type-checks strictly", () => {
        // The reader does not follow `extends`, so noCheck must stand in tsconfig.pulumi.json itself.
        assert.deepEqual(tsutils.loadTypeScriptCompilerOptions(path.join(ROOT, "tsconfig.pulumi.json")), { noCheck: true });
        assert.equal(tsutils.loadTypeScriptCompilerOptions(path.join(ROOT, "tsconfig.json")).noCheck, undefined);
        const pulumiConfig = JSON.parse(fs.readFileSync(path.join(ROOT, "tsconfig.pulumi.json"), "utf8"));
        assert.deepEqual(pulumiConfig, { extends: "./tsconfig.json", compilerOptions: { noCheck: true } });
        const testConfig = JSON.parse(fs.readFileSync(path.join(ROOT, "tsconfig.json"), "utf8"));
        assert.equal(testConfig.compilerOptions.strict, true);
        assert.equal(testConfig.compilerOptions.noCheck, undefined);
    });

    it("the policy pack starts from its compiled main, built by npm ci and npm test", () => {
        const pack = JSON.parse(fs.readFileSync(path.join(ROOT, "policies", "package.json"), "utf8"));
        assert.equal(pack.main, "bin/index.js");
        const compiled = fs.statSync(path.join(ROOT, "policies", "bin", "index.js")).mtimeMs;
        const sources = ["index.ts", ...fs.readdirSync(path.join(ROOT, "policies", "rules")).map((f) => `rules/${f}`)].map(
            (f) => fs.statSync(path.join(ROOT, "policies", f)).mtimeMs,
        );
        assert.ok(
            sources.every((mtime) => mtime <= compiled),
            "policies/bin is older than its sources",
        );
        const scripts = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts;
        assert.match(scripts.test, /^npm run build:policies && /);
        assert.equal(scripts.prepare, "npm run build:policies");
    });
});
