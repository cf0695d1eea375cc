import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runTool } from "./helpers/run";

// The one test of the committed Pulumi.dev/sit/prod.yaml: whatever organisation they describe, they
// synthesize and pass the pack. No test asserts their values; the rest of the suite runs on the fixture
// organisation's stack files (test/fixtures/stacks/).

describe("the committed stack files", () => {
    it("synthesize and pass the policy pack, and npm run synth exits 0", () => {
        const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "synth-"));
        const result = runTool("synth.ts", ["--stack", "all", "--out-dir", outDir]);
        assert.equal(result.status, 0, result.stderr);
        // The summary wraps at the terminal's width (80 columns when not a terminal): words, not lines.
        const words = result.stdout.replace(/\s+/g, " ");
        for (const stack of ["dev", "sit", "prod"]) {
            for (const mode of ["resolved ids", "a first preview \\(ids unknown\\)"]) {
                assert.match(words, new RegExp(`policy pack, policies/config/${stack}\\.json, ${mode}: no violations`));
            }
        }
    });
});
