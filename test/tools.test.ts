import { strict as assert } from "assert";
import { runTool } from "./helpers/run";

describe("every project command", () => {
    const commands: [string, string[], RegExp][] = [
        ["synth.ts", ["--help"], /^usage: npm run synth -- /],
        ["deployment.ts", ["--help"], /^usage: npm run deployment -- /],
        ["deployment.ts", ["start", "--help"], /^usage: npm run deployment -- /],
        ["stateVersions.ts", ["--help"], /^usage: npm run state-versions -- /],
        ["build/schema.ts", ["-h"], /^usage: npm run schema/],
        ["bench.ts", ["--help"], /^usage: npm run bench -- /],
    ];
    for (const [tool, args, usage] of commands) {
        it(`prints its usage for ${tool.replace(".ts", "")} ${args.join(" ")} and exits 0, doing nothing else`, () => {
            const result = runTool(tool, args);
            assert.equal(result.status, 0, result.stderr);
            assert.match(result.stdout, usage);
            assert.equal(result.stderr, "");
        });
    }
});
