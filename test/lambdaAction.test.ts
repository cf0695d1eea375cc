import { strict as assert } from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { COMMANDS, InputError, readInputs } from "../actions/lambda-release/src/inputs";
import { run, type Clients } from "../actions/lambda-release/src/action";
import { codeSha256 } from "../actions/lambda-release/src/release";
import type { Clock } from "../actions/lib/clock";
import { bundlePath } from "../tools/build/bundle";
import { CREDENTIALS, fakeFunction, REGION, startCloudWatch, startDynamo, startLambda } from "./helpers/aws";
import { ROOT } from "./helpers/run";

const COMMIT = "0123456789abcdef0123456789abcdef01234567";
const TAG = "deploy-prod-20261123T080000Z";
const input = (values: Record<string, string>) =>
    Object.fromEntries(Object.entries(values).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v]));
const problems = (values: Record<string, string>) => {
    try {
        readInputs(input(values));
        return [];
    } catch (error) {
        return error instanceof InputError ? error.problems : [String(error)];
    }
};

describe("the lambda-release action's inputs", () => {
    it("accepts a canary deploy and keeps only the inputs given", () => {
        const values = {
            command: "deploy",
            "function-name": "tenants",
            alias: "live",
            package: "dist/function.zip",
            manifest: "dist/function.json",
            commit: COMMIT,
            tag: TAG,
            strategy: "canary",
            "canary-alarms": "tenants-live-errors, tenants-live-throttles",
            "canary-weights": "10,50",
            "bake-minutes": "",
        };
        const { "bake-minutes": _, ...given } = values;
        assert.deepEqual(readInputs(input(values)), { command: "deploy", values: given });
    });

    const cases: [string, Record<string, string>, string[]][] = [
        [
            "no command",
            {},
            ["input command is required (package, deploy, stability, rollback-target, rollback, abort-canary, release, report)"],
        ],
        [
            "an unknown command",
            { command: "destroy-all" },
            [
                "input command must be package, deploy, stability, rollback-target, rollback, abort-canary, release, report, got 'destroy-all'",
            ],
        ],
        [
            "a deploy missing everything",
            { command: "deploy" },
            ["function-name", "alias", "package", "manifest", "commit", "tag", "strategy"].map(
                (name) => `input ${name} is required for deploy`,
            ),
        ],
        [
            "a canary without alarms, with descending weights and a short commit",
            {
                command: "deploy",
                "function-name": "tenants",
                alias: "live",
                package: "f.zip",
                manifest: "f.json",
                commit: "abc123",
                tag: TAG,
                strategy: "canary",
                "canary-weights": "50,10",
            },
            [
                "input commit must be a full 40-character commit SHA, got 'abc123'",
                "input canary-alarms is required for a canary: the alarms that roll it back",
                "input canary-weights must ascend, got '50,10'",
            ],
        ],
        [
            "a weight of 100 (a canary never starts with all traffic)",
            { command: "abort-canary", "function-name": "f", alias: "live", "canary-weights": "10,100" },
            ["input canary-weights must be ascending percentages from 1 to 99, e.g. 10 or 10,50, got '10,100'"],
        ],
        [
            "an alias that is a version number",
            { command: "abort-canary", "function-name": "f", alias: "7" },
            ["input alias must be an alias name (letters, digits, - and _, not only digits), got '7'"],
        ],
        [
            "a rollback target given twice",
            { command: "rollback-target", "function-name": "f", alias: "live", version: "3", tag: TAG },
            ["give input version or input tag, not both"],
        ],
        [
            "a rollback to the previous deployment without the ledger",
            { command: "rollback-target", "function-name": "f", alias: "live" },
            ["input service and ledger-table are required to find the previous deployment when neither version nor tag is given"],
        ],
        [
            "a tag of another shape",
            { command: "rollback-target", "function-name": "f", alias: "live", tag: "v1.2.3" },
            ["input tag must be a deploy-<env>-<YYYYMMDDTHHMMSSZ> or deploy-<env>-<function>-<YYYYMMDDTHHMMSSZ> tag, got 'v1.2.3'"],
        ],
    ];
    for (const [name, values, expected] of cases) {
        it(`names every problem of ${name}`, () => assert.deepEqual(problems(values), expected));
    }

    it("documents every input it reads in action.yml, and every command", () => {
        const action = yaml.load(fs.readFileSync(path.join(ROOT, "actions", "lambda-release", "action.yml"), "utf8")) as {
            inputs: Record<string, { description: string }>;
            runs: { using: string; main: string };
        };
        const read = new Set(Object.values(COMMANDS).flat());
        for (const name of read) assert.ok(action.inputs[name], `action.yml lacks input ${name}`);
        for (const command of Object.keys(COMMANDS)) assert.ok(action.inputs.command.description.includes(command), command);
        assert.deepEqual(action.runs, { using: "node24", main: "dist/index.js" });
    });
});

describe("the lambda-release commands end to end", () => {
    let lambda: Awaited<ReturnType<typeof startLambda>>;
    let cloudwatch: Awaited<ReturnType<typeof startCloudWatch>>;
    let dynamo: Awaited<ReturnType<typeof startDynamo>>;
    let clients: Clients;
    let dir: string;
    // Time moves only when the release sleeps, so a ten-minute bake takes no time.
    let t = Date.parse("2026-11-23T08:00:00Z");
    const clock: Clock = { now: () => new Date(t), sleep: async (ms) => void (t += ms) };
    const log: string[] = [];

    before(async () => {
        lambda = await startLambda({});
        cloudwatch = await startCloudWatch();
        dynamo = await startDynamo();
        clients = {
            lambda: () => lambda.client,
            cloudwatch: () => cloudwatch.client,
            dynamodb: () => dynamo.client,
            codedeploy: () => assert.fail("these commands call no CodeDeploy"),
            iam: () => assert.fail("these commands call no IAM"),
        };
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "lambda-release-"));
    });
    after(async () => {
        await Promise.all([lambda.stop(), cloudwatch.stop(), dynamo.stop()]);
        fs.rmSync(dir, { recursive: true, force: true });
    });
    beforeEach(() => {
        lambda.functions.tenants = fakeFunction([{ description: "deploy-prod-20261120T080000Z fedcba9876543210fedcba9876543210fedcba98" }]);
        cloudwatch.alarms.set("tenants-live-errors", "OK");
        log.length = 0;
    });

    it("packages the zip with its digest, then deploys exactly that package behind a green canary", async () => {
        const zip = path.join(dir, "function.zip");
        fs.writeFileSync(zip, "the built package");
        const packaged = await run(readInputs(input({ command: "package", package: zip, commit: COMMIT })), clients, clock, (l) =>
            log.push(l),
        );
        const digest = codeSha256(Buffer.from("the built package"));
        assert.deepEqual(packaged, { "code-sha256": digest, manifest: path.join(dir, "function.json") });
        assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, "function.json"), "utf8")), { commit: COMMIT, codeSha256: digest });
        const deployed = await run(
            readInputs(
                input({
                    command: "deploy",
                    "function-name": "tenants",
                    alias: "live",
                    package: zip,
                    manifest: path.join(dir, "function.json"),
                    commit: COMMIT,
                    tag: TAG,
                    strategy: "canary",
                    "canary-alarms": "tenants-live-errors",
                }),
            ),
            clients,
            clock,
            (l) => log.push(l),
        );
        assert.deepEqual(deployed, { version: "2", "previous-version": "1", "code-sha256": digest });
        assert.deepEqual(lambda.functions.tenants.aliases.live, { functionVersion: "2", weights: {} });
        assert.equal(lambda.functions.tenants.versions[1].description, `${TAG} ${COMMIT}`);
    });

    it("refuses a package built from another commit before touching the function", async () => {
        const zip = path.join(dir, "other.zip");
        fs.writeFileSync(zip, "x");
        fs.writeFileSync(
            path.join(dir, "other.json"),
            JSON.stringify({ commit: "f".repeat(40), codeSha256: codeSha256(Buffer.from("x")) }),
        );
        lambda.requests.length = 0;
        const deploy = input({
            command: "deploy",
            "function-name": "tenants",
            alias: "live",
            package: zip,
            manifest: path.join(dir, "other.json"),
            commit: COMMIT,
            tag: TAG,
            strategy: "all-at-once",
        });
        await assert.rejects(
            run(readInputs(deploy), clients, clock, (l) => log.push(l)),
            {
                message: `the package was built from ${"f".repeat(40)}, not ${COMMIT}; nothing was changed`,
            },
        );
        assert.deepEqual(lambda.requests, []);
    });

    /** Runs the committed bundle as the runner does: inputs in INPUT_*, outputs to GITHUB_OUTPUT. */
    const runBundle = (inputs: Record<string, string>) =>
        new Promise<{ status: number | null; stdout: string; outputs: string }>((resolve, reject) => {
            const outputFile = path.join(dir, `output-${Date.now()}`);
            fs.writeFileSync(outputFile, "");
            const child = spawn(process.execPath, [bundlePath("lambda-release")], {
                env: {
                    PATH: process.env.PATH,
                    ...input(inputs),
                    GITHUB_OUTPUT: outputFile,
                    AWS_REGION: REGION,
                    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
                    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
                    AWS_ENDPOINT_URL_LAMBDA: lambda.endpoint,
                    AWS_MAX_ATTEMPTS: "1",
                },
            });
            let stdout = "";
            child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
            child.on("error", reject);
            child.on("close", (status) => resolve({ status, stdout, outputs: fs.readFileSync(outputFile, "utf8") }));
        });

    it("the committed bundle rolls an alias back to a tag's version and writes its outputs", async () => {
        lambda.functions.tenants = fakeFunction([
            { description: `deploy-prod-20261120T080000Z ${COMMIT}` },
            { description: "deploy-prod-20261121T080000Z fedcba9876543210fedcba9876543210fedcba98" },
        ]);
        const target = await runBundle({
            command: "rollback-target",
            "function-name": "tenants",
            alias: "live",
            tag: "deploy-prod-20261120T080000Z",
        });
        assert.equal(target.status, 0, target.stdout);
        assert.equal(target.outputs, `current-version=2\nversion=1\ntag=deploy-prod-20261120T080000Z\ncommit=${COMMIT}\n`);
        const rolledBack = await runBundle({ command: "rollback", "function-name": "tenants", alias: "live", version: "1" });
        assert.deepEqual([rolledBack.status, rolledBack.outputs], [0, "previous-version=2\n"]);
        assert.deepEqual(lambda.functions.tenants.aliases.live, { functionVersion: "1", weights: {} });
    });

    it("the committed bundle names every bad input as an annotation, exits 2 and calls nothing", async () => {
        lambda.requests.length = 0;
        const result = await runBundle({ command: "rollback", alias: "live", version: "latest" });
        assert.deepEqual(
            [result.status, result.stdout],
            [
                2,
                "::error::lambda-release: input version must be a published version number, got 'latest'\n" +
                    "::error::lambda-release: input function-name is required for rollback\n",
            ],
        );
        assert.deepEqual(lambda.requests, []);
    });

    it("the committed bundle fails with the reason when a rollback cannot happen", async () => {
        const result = await runBundle({ command: "rollback-target", "function-name": "tenants", alias: "live", version: "9" });
        assert.deepEqual([result.status, result.stdout], [1, "::error::lambda-release: tenants has no published version 9\n"]);
    });
});
