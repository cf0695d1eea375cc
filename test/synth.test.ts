import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runTool, type RunResult } from "./helpers/run";
import { fixtureStackFile } from "./support/stacks";

// The fixture organisation's stack files, given with --config: the committed ones have a test of their own.
const stackText = (stack: string) => fs.readFileSync(fixtureStackFile(stack), "utf8");

describe("npm run synth", () => {
    let outDir: string;
    beforeEach(() => {
        outDir = fs.mkdtempSync(path.join(os.tmpdir(), "synth-"));
    });

    describe("a stack's table and graphs", () => {
        let result: RunResult;
        let directory: string;
        before(() => {
            directory = fs.mkdtempSync(path.join(os.tmpdir(), "synth-"));
            // The full table (--table) in a 120-column terminal, as these cases read it.
            result = runTool(
                "synth.ts",
                ["--stack", "prod", "--config", fixtureStackFile("prod"), "--out-dir", directory, "--no-policy", "--table"],
                { COLUMNS: "120" },
            );
        });

        it("prints the table of a stack and writes its graph in both modes", () => {
            assert.equal(result.status, 0, result.stderr);
            assert.match(result.stdout, /== stack prod \(test\/fixtures\/stacks\/Pulumi\.prod\.yaml\): \d+ resources/);
            assert.match(result.stdout, /Note: Offline synthesis: ids, ARNs and looked-up GitHub ids are placeholders, not real values\./);
            const resolved = JSON.parse(fs.readFileSync(path.join(directory, "prod.resolved.json"), "utf8"));
            const preview = JSON.parse(fs.readFileSync(path.join(directory, "prod.preview.json"), "utf8"));
            assert.equal(resolved.mode, "resolved");
            assert.equal(preview.mode, "preview");
            assert.equal(resolved.resources.length, preview.resources.length);
            const bucket = preview.resources.find((r: { type: string }) => r.type === "aws:s3/bucket:Bucket");
            assert.deepEqual(
                [bucket.name, bucket.protect, bucket.retainOnDelete, bucket.parent],
                ["state", true, true, "urn:pulumi:prod::cicd-foundation::pulumi:pulumi:Stack$cicd:state:StateBackend::state"],
            );
        });

        it("shows each resource's cloud name beside its logical name, under its type", () => {
            const lines = result.stdout.split("\n");
            const bucket = lines.indexOf("aws:s3:Bucket");
            assert.match(lines[bucket + 1], /^ {2}state +bbws-state-prod +protect retain$/);
            const table = lines.indexOf("aws:dynamodb:Table");
            assert.match(lines[table + 1], /^ {2}ledger +bbws-deployments-prod +protect retain +serverSideEncryption$/);
        });

        it("names the placeholder inputs, the Slack webhook's included", () => {
            assert.match(result.stdout, /^ {2}slack-webhook-prod +SLACK_WEBHOOK_PROD +value$/m);
            assert.match(
                result.stdout,
                /^PLACEHOLDERS: inputs that are stand-ins offline\. Secrets \(the Slack webhook's value, the GitHub token\)/m,
            );
        });

        it("fits every line of its output in 120 columns", () => {
            const widest = Math.max(...result.stdout.split("\n").map((line) => [...line].length));
            assert.ok(widest <= 120, `a line of ${widest} characters`);
        });
    });

    it("prints the table uncut with --wide", () => {
        const result = runTool("synth.ts", [
            "--stack",
            "dev",
            "--config",
            fixtureStackFile("dev"),
            "--out-dir",
            outDir,
            "--no-policy",
            "--wide",
        ]);
        assert.equal(result.status, 0, result.stderr);
        assert.match(
            result.stdout,
            /^ {2}2_bbws_wordpress_site_management_lambda-previewer +bbws-previewer-dev-2_bbws_wordpress_site_management_lambda$/m,
        );
        assert.equal(result.stdout.includes("…"), false);
    });

    it("exits 2 and names every problem of the file given with --config", () => {
        const file = path.join(outDir, "sit-edited.yaml");
        fs.writeFileSync(
            file,
            stackText("sit")
                .replace('cicd-foundation:accountId: "815856636111"', 'cicd-foundation:accountId: "81585663611"')
                .replace("requiredApprovals: 2", "requiredApprovals: 1"),
        );
        const result = runTool("synth.ts", ["--stack", "sit", "--config", file, "--out-dir", path.join(outDir, "out")]);
        assert.equal(result.status, 2);
        assert.equal(
            result.stderr.trim(),
            [
                `synth: ${file} has 2 problem(s):`,
                `  - ${file}: cicd-foundation:accountId must be a 12-digit AWS account id in quotes, got "81585663611"`,
                `  - ${file}: cicd-foundation:environmentProtection.requiredApprovals must be at least 2 in sit, got 1`,
            ].join("\n"),
        );
        assert.deepEqual(fs.readdirSync(outDir).sort(), ["sit-edited.yaml"]);
    });

    it("exits 2 for a rule across stacks, read from the files beside the one given", () => {
        fs.writeFileSync(path.join(outDir, "Pulumi.dev.yaml"), stackText("dev"));
        fs.writeFileSync(path.join(outDir, "Pulumi.prod.yaml"), stackText("prod"));
        const file = path.join(outDir, "Pulumi.sit.yaml");
        fs.writeFileSync(
            file,
            stackText("sit")
                .replace("requiredApprovals: 2", "requiredApprovals: 3")
                .replace("        - qa-lead\n", "        - qa-lead\n        - product-owner\n")
                .replace(
                    "cicd-foundation:environmentProtection:",
                    "cicd-foundation:ownsRepositoryRuleset: true\n  cicd-foundation:environmentProtection:",
                ),
        );
        const result = runTool("synth.ts", ["--stack", "sit", "--config", file, "--out-dir", path.join(outDir, "out"), "--no-policy"]);
        assert.equal(result.status, 2, result.stdout);
        assert.equal(
            result.stderr.trim(),
            [
                `synth: ${file} has 1 problem(s):`,
                `  - ${file}: cicd-foundation:ownsRepositoryRuleset is true in sit, but only prod's stack may own the GitHub settings: it is deployed only after prod's reviewers, and a key that writes one environment's settings writes every environment's`,
            ].join("\n"),
        );
        assert.equal(fs.existsSync(path.join(outDir, "out")), false);
    });

    it("exits 2 when --out-dir names a file, and writes nothing", () => {
        const file = path.join(outDir, "graphs.json");
        fs.writeFileSync(file, "{}");
        const result = runTool("synth.ts", ["--stack", "dev", "--config", fixtureStackFile("dev"), "--out-dir", file, "--no-policy"]);
        assert.equal(result.status, 2);
        assert.equal(
            result.stderr.split("\n")[0],
            `synth: --out-dir '${file}' is a file, not a directory: name a directory to write the graphs to`,
        );
        assert.deepEqual(fs.readdirSync(outDir), ["graphs.json"]);
        assert.equal(fs.readFileSync(file, "utf8"), "{}");
    });

    it("exits 2 when a folder in --out-dir's path is a file", () => {
        const file = path.join(outDir, "graphs.json");
        fs.writeFileSync(file, "{}");
        const result = runTool("synth.ts", [
            "--stack",
            "dev",
            "--config",
            fixtureStackFile("dev"),
            "--out-dir",
            path.join(file, "sub"),
            "--no-policy",
        ]);
        assert.equal(result.status, 2);
        assert.equal(
            result.stderr.split("\n")[0],
            `synth: --out-dir '${file}' in its path is a file, not a directory: name a directory to write the graphs to`,
        );
    });

    it("exits 2 for an empty --out-dir rather than writing into the working directory", () => {
        const result = runTool("synth.ts", ["--stack", "dev", "--out-dir=", "--no-policy"]);
        assert.equal(result.status, 2);
        assert.equal(result.stderr.split("\n")[0], "synth: --out-dir needs a directory, got ''");
    });

    it("prints its usage for --help and exits 0, whatever else is given", () => {
        const result = runTool("synth.ts", ["--stack", "staging", "--help"]);
        assert.equal(result.status, 0);
        assert.equal(result.stderr, "");
        assert.match(result.stdout, /^usage: npm run synth -- --stack <dev\|sit\|prod\|all> .*\[--wide\]\n/);
        assert.match(result.stdout, /^ {2}--config {10}the stack file to run instead of Pulumi\.<stack>\.yaml/m);
    });

    it("exits 2 and names a bad argument", () => {
        const result = runTool("synth.ts", ["--stack", "staging"]);
        assert.equal(result.status, 2);
        assert.match(result.stderr, /^synth: --stack must be dev, sit, prod or all, got 'staging'\nusage: npm run synth/);
    });
});
