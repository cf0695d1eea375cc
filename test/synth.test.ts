import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runTool } from "./helpers/run";

describe("npm run synth", () => {
    let outDir: string;
    beforeEach(() => {
        outDir = fs.mkdtempSync(path.join(os.tmpdir(), "synth-"));
    });

    it("prints the table of a stack and writes its graph in both modes", () => {
        const result = runTool("synth.ts", ["--stack", "prod", "--out-dir", outDir, "--no-policy"]);
        assert.equal(result.status, 0, result.stderr);
        assert.match(result.stdout, /== stack prod \(Pulumi\.prod\.yaml\): \d+ resources/);
        assert.match(result.stdout, /^aws:dynamodb\/table:Table +ledger +protect +retain$/m);
        assert.match(result.stdout, /Note: Offline synthesis: ids, ARNs and looked-up GitHub ids are placeholders, not real values\./);
        const resolved = JSON.parse(fs.readFileSync(path.join(outDir, "prod.resolved.json"), "utf8"));
        const preview = JSON.parse(fs.readFileSync(path.join(outDir, "prod.preview.json"), "utf8"));
        assert.equal(resolved.mode, "resolved");
        assert.equal(preview.mode, "preview");
        assert.equal(resolved.resources.length, preview.resources.length);
        const bucket = preview.resources.find((r: { type: string }) => r.type === "aws:s3/bucket:Bucket");
        assert.deepEqual(
            [bucket.name, bucket.protect, bucket.retainOnDelete, bucket.parent],
            ["state", true, true, "urn:pulumi:prod::cicd-foundation::pulumi:pulumi:Stack$cicd:state:StateBackend::state"],
        );
    });

    it("exits 2 and names every problem of a bad stack file", () => {
        const file = path.join(outDir, "Pulumi.sit.yaml");
        const text = fs.readFileSync(path.join(__dirname, "..", "Pulumi.sit.yaml"), "utf8");
        fs.writeFileSync(
            file,
            text
                .replace('cicd-foundation:accountId: "815856636111"', 'cicd-foundation:accountId: "81585663611"')
                .replace("requiredApprovals: 2", "requiredApprovals: 1"),
        );
        const result = runTool("synth.ts", ["--stack", "sit", "--config", file, "--out-dir", outDir]);
        assert.equal(result.status, 2);
        assert.equal(
            result.stderr.trim(),
            [
                "synth: Pulumi.sit.yaml has 2 problem(s):",
                '  - Pulumi.sit.yaml: cicd-foundation:accountId must be a 12-digit AWS account id in quotes, got "81585663611"',
                "  - Pulumi.sit.yaml: cicd-foundation:environmentProtection.requiredApprovals must be at least 2 in sit, got 1",
            ].join("\n"),
        );
        assert.deepEqual(fs.readdirSync(outDir), ["Pulumi.sit.yaml"]);
    });

    it("exits 2 and names a bad argument", () => {
        const result = runTool("synth.ts", ["--stack", "staging"]);
        assert.equal(result.status, 2);
        assert.match(result.stderr, /^synth: --stack must be dev, sit, prod or all, got 'staging'\nusage: npm run synth/);
    });
});
