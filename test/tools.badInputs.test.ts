/**
 * Inputs that once ended in a stack trace, a hang or minutes of work: each now ends at once with exit 2 and
 * a sentence naming the input.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { expandedValues, expansionProblem, MAX_YAML_VALUES } from "../config/yamlLimits";
import { readStackFile, StackFileError } from "../config/stackFiles";
import { UsageError } from "../tools/lib/args";
import { S3Client } from "@aws-sdk/client-s3";
import { checkOutDir, OutputError, pseudoFilesystem, writeOutput } from "../tools/lib/outDir";
import { calling, serviceEndpoint, ServiceError } from "../tools/lib/serviceError";
import { main as stateVersions } from "../tools/stateVersions";
import { runTool } from "./helpers/run";

const USAGE = "usage: test";

/** Nine levels of nine aliases each: 9^10 values from eleven lines. */
function aliasBomb(): string {
    const lines = ["a: &a [x, x, x, x, x, x, x, x, x]"];
    let previous = "a";
    for (let level = 0; level < 9; level++) {
        const name = `b${level}`;
        lines.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(", ")}]`);
        previous = name;
    }
    lines.push("config:", `  cicd-foundation:prefix: *${previous}`);
    return `${lines.join("\n")}\n`;
}

describe("the tools' bad inputs", () => {
    let directory: string;
    beforeEach(() => {
        directory = fs.mkdtempSync(path.join(os.tmpdir(), "bad-inputs-"));
    });
    afterEach(() => fs.rmSync(directory, { recursive: true, force: true }));

    describe("a YAML alias bomb in a stack file", () => {
        it("is refused in well under a second with the file and the reason", () => {
            const file = path.join(directory, "Pulumi.dev.yaml");
            fs.writeFileSync(file, aliasBomb());
            const started = Date.now();
            assert.throws(
                () => readStackFile(file),
                (error: unknown) =>
                    error instanceof StackFileError &&
                    error.message ===
                        `${file}: expands to more than 200,000 values: YAML aliases (*name) repeat what their anchor (&name) holds, nested here past any stack file's size; write the values out or remove the aliases`,
            );
            assert.ok(Date.now() - started < 5_000, `took ${Date.now() - started} ms`);
        });

        it("counts a shared anchor once per use, and stops counting past the limit", () => {
            const shared = [1, 2, 3];
            assert.equal(expandedValues({ a: shared, b: shared }), 1 + 2 * (1 + 3));
            assert.equal(expandedValues(Array(10).fill(shared), 5), 6);
        });

        it("passes a document with a few aliases (a stack file may reuse a list)", () => {
            const list = ["a", "b"];
            assert.equal(expansionProblem({ config: { x: list, y: list } }), undefined);
            assert.equal(MAX_YAML_VALUES, 200_000);
        });
    });

    describe("--out-dir", () => {
        it("is refused on the kernel's proc filesystem, which a write would hang on", () => {
            assert.equal(pseudoFilesystem("/proc"), "proc");
            assert.throws(
                () => checkOutDir("/proc/self/fd/graphs", USAGE),
                (error: unknown) =>
                    error instanceof UsageError &&
                    error.message ===
                        `--out-dir '/proc/self/fd/graphs' is on the kernel's proc filesystem, not a folder for files: name another directory\n${USAGE}`,
            );
        });

        it("is refused on sysfs", () => {
            assert.throws(
                () => checkOutDir("/sys/graphs", USAGE),
                (error: unknown) =>
                    error instanceof UsageError && error.message.startsWith("--out-dir '/sys/graphs' is on the kernel's sysfs filesystem"),
            );
        });

        it("passes an ordinary folder, existing or not, and leaves nothing behind", () => {
            assert.equal(checkOutDir(path.join(directory, "new", "graphs"), USAGE), path.join(directory, "new", "graphs"));
            assert.equal(checkOutDir(directory, USAGE), directory);
            assert.deepEqual(fs.readdirSync(directory), []);
        });

        it("is refused when the folder cannot be written, naming the reason", function () {
            const locked = path.join(directory, "locked");
            fs.mkdirSync(locked, { mode: 0o555 });
            fs.chmodSync(directory, 0o755);
            // Root writes anywhere: the check then runs as nobody (the saved id stays root, so it comes back).
            const asRoot = process.getuid?.() === 0;
            if (asRoot) process.seteuid?.(65534);
            let thrown: unknown;
            try {
                checkOutDir(locked, USAGE);
            } catch (error) {
                thrown = error;
            } finally {
                if (asRoot) process.seteuid?.(0);
            }
            assert.ok(thrown instanceof UsageError);
            assert.equal(thrown.message, `--out-dir '${locked}' cannot be written (EACCES): name a directory you can write to\n${USAGE}`);
        });

        it("refuses to write into a FIFO where a graph would go, instead of blocking on it", () => {
            const fifo = path.join(directory, "dev.resolved.json");
            assert.equal(spawnSync("mkfifo", [fifo]).status, 0);
            assert.throws(
                () => writeOutput(fifo, "{}"),
                (error: unknown) =>
                    error instanceof OutputError &&
                    error.message === `${fifo} exists and is not a regular file: move it away or name another --out-dir`,
            );
        });

        it("turns a failed write into a sentence naming the file and the error code", () => {
            const tooLong = path.join(directory, "x".repeat(300), "dev.resolved.json");
            assert.throws(
                () => writeOutput(tooLong, "{}"),
                (error: unknown) =>
                    error instanceof OutputError && error.message === `cannot write ${tooLong} (ENAMETOOLONG): name another --out-dir`,
            );
        });
    });

    describe("npm run synth, as a user runs it", () => {
        it("exits 2 with one sentence and the usage for --out-dir under /proc, without a stack trace", () => {
            const result = runTool("synth.ts", ["--stack", "dev", "--no-policy", "--out-dir", "/proc/graphs"]);
            assert.equal(result.status, 2);
            assert.equal(
                result.stderr.split("\n")[0],
                "synth: --out-dir '/proc/graphs' is on the kernel's proc filesystem, not a folder for files: name another directory",
            );
            assert.equal(/\n\s+at /.test(result.stderr), false);
        });

        it("exits 2 for an alias bomb given with --config, naming the file", () => {
            const file = path.join(directory, "Pulumi.dev.yaml");
            fs.writeFileSync(file, aliasBomb());
            const result = runTool("synth.ts", [
                "--stack",
                "dev",
                "--config",
                file,
                "--no-policy",
                "--out-dir",
                path.join(directory, "out"),
            ]);
            assert.equal(result.status, 2);
            assert.match(result.stderr, new RegExp(`^synth: ${file.replace(/[.]/g, "\\.")}: expands to more than 200,000 values`));
            assert.equal(fs.existsSync(path.join(directory, "out")), false);
        });
    });

    describe("a service that cannot be reached", () => {
        it("is named with its endpoint, the socket's code kept", async () => {
            const refused = Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNREFUSED" } });
            await assert.rejects(
                calling("Slack", "https://hooks.slack.com", () => Promise.reject(refused)),
                (error: unknown) =>
                    error instanceof ServiceError &&
                    error.message === "Slack at https://hooks.slack.com failed: TypeError: fetch failed (ECONNREFUSED)",
            );
        });

        it("finds the endpoint of a service from the SDK's overrides, else AWS's regional one", () => {
            assert.equal(serviceEndpoint("s3", "eu-west-1", {}), "https://s3.eu-west-1.amazonaws.com");
            assert.equal(serviceEndpoint("s3", "eu-west-1", { AWS_ENDPOINT_URL_S3: "http://127.0.0.1:4566" }), "http://127.0.0.1:4566");
            assert.equal(serviceEndpoint("dynamodb", "eu-west-1", { AWS_ENDPOINT_URL: "http://localhost:8000" }), "http://localhost:8000");
        });

        it("keeps the tool's own verdict on an answer as it is", async () => {
            const own = new OutputError("the answer was wrong");
            await assert.rejects(
                calling(
                    "S3",
                    "https://s3.eu-west-1.amazonaws.com",
                    () => Promise.reject(own),
                    (e) => e instanceof OutputError,
                ),
                (error: unknown) => error === own,
            );
        });

        it("makes state-versions name S3 and the endpoint when nothing listens there", async () => {
            const endpoint = "http://127.0.0.1:9";
            const saved = process.env.AWS_ENDPOINT_URL_S3;
            process.env.AWS_ENDPOINT_URL_S3 = endpoint;
            try {
                const client = (region: string) =>
                    new S3Client({
                        region,
                        endpoint,
                        forcePathStyle: true,
                        maxAttempts: 1,
                        credentials: { accessKeyId: "test", secretAccessKey: "test" },
                    });
                await assert.rejects(
                    stateVersions(["list", "--stack", "dev", "--bucket", "acme-state-dev", "--region", "eu-west-1"], client),
                    (error: unknown) =>
                        error instanceof ServiceError && /^S3 at http:\/\/127\.0\.0\.1:9 failed: \w+: .*ECONNREFUSED/.test(error.message),
                );
            } finally {
                if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_S3;
                else process.env.AWS_ENDPOINT_URL_S3 = saved;
            }
        });
    });
});
