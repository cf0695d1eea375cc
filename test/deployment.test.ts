import { strict as assert } from "assert";
import { ScanCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { argumentProblems } from "../tools/lib/recorder";
import { Ledger, LedgerError, metricsOf } from "../shared/ledgerClient";
import { createLedgerTable, CREDENTIALS, datapoints, REGION, startCloudWatch, startDynamo } from "./helpers/aws";
import { runToolAsync } from "./helpers/run";

const COMMIT = "0123456789abcdef0123456789abcdef01234567";
const OTHER_COMMIT = "fedcba9876543210fedcba9876543210fedcba98";
const run = (runId: string, overrides: Record<string, unknown> = {}) => ({
    service: "cicd-foundation",
    environment: "sit",
    kind: "deploy" as const,
    runId,
    runAttempt: "1",
    commitSha: COMMIT,
    version: "main",
    actor: "alice",
    approvers: ["bob", "carol"],
    runUrl: `https://github.com/org/cicd-foundation/actions/runs/${runId}`,
    ...overrides,
});

describe("the deployment ledger against DynamoDB (dynalite)", () => {
    let dynamo: Awaited<ReturnType<typeof startDynamo>>;
    let cloudwatch: Awaited<ReturnType<typeof startCloudWatch>>;
    let ledger: Ledger;
    let table = 0;
    let tableName: string;
    const clock = { t: Date.parse("2026-11-22T10:00:00Z") };
    const items = async (client: DynamoDBClient) => (await client.send(new ScanCommand({ TableName: tableName }))).Items ?? [];

    before(async () => {
        dynamo = await startDynamo();
        cloudwatch = await startCloudWatch();
    });
    after(async () => {
        await dynamo.stop();
        await cloudwatch.stop();
    });
    beforeEach(async () => {
        tableName = `bbws-deployments-${++table}-prod`;
        await createLedgerTable(dynamo.client, tableName);
        cloudwatch.requests.length = 0;
        ledger = new Ledger({ tableName, dynamodb: dynamo.client, cloudwatch: cloudwatch.client, now: () => new Date((clock.t += 1000)) });
    });

    it("records a start with who, what, where and when, once", async () => {
        const started = await ledger.start(run("101", { changeTicket: "CHG-7" }));
        assert.deepEqual(await ledger.get("cicd-foundation", "101", "1", "deploy"), started);
        assert.equal(started.status, "started");
        assert.deepEqual(started.approvers, ["bob", "carol"]);
        assert.deepEqual(await ledger.start(run("101", { changeTicket: "CHG-7" })), started, "a retried start changes nothing");
        assert.equal((await items(dynamo.client)).length, 1);
    });

    it("refuses a start that conflicts with the recorded run, and writes nothing", async () => {
        await ledger.start(run("102"));
        await assert.rejects(
            ledger.start(run("102", { commitSha: OTHER_COMMIT })),
            new LedgerError("run 102 attempt 1 of cicd-foundation is already recorded with other commitSha; nothing was written"),
        );
        assert.equal((await ledger.get("cicd-foundation", "102", "1", "deploy"))?.commitSha, COMMIT);
    });

    it("finishes a run once; the same outcome again is a no-op, another one an error", async () => {
        await ledger.start(run("103"));
        const finished = await ledger.finish("cicd-foundation", "103", "1", "deploy", "succeeded");
        assert.deepEqual([finished.status, finished.finishedAt !== undefined], ["succeeded", true]);
        assert.deepEqual(await ledger.finish("cicd-foundation", "103", "1", "deploy", "succeeded"), finished);
        await assert.rejects(
            ledger.finish("cicd-foundation", "103", "1", "deploy", "failed"),
            new LedgerError("run 103 attempt 1 of cicd-foundation (deploy) already finished as succeeded; nothing was written"),
        );
    });

    it("refuses a finish without a start and writes nothing", async () => {
        await assert.rejects(
            ledger.finish("cicd-foundation", "104", "1", "deploy", "succeeded"),
            new LedgerError("run 104 attempt 1 of cicd-foundation (deploy) was never started; nothing was written"),
        );
        assert.deepEqual(await items(dynamo.client), []);
    });

    it("keeps one record when twenty writers start the same run at once", async () => {
        const results = await Promise.all(Array.from({ length: 20 }, () => ledger.start(run("105"))));
        assert.equal(new Set(results.map((r) => r.startedAt)).size, 1, "every writer sees the one record");
        assert.equal((await items(dynamo.client)).length, 1);
    });

    it("lets exactly one outcome win when writers finish the same run at once", async () => {
        await ledger.start(run("106"));
        const outcomes = ["succeeded", "failed"] as const;
        const settled = await Promise.allSettled(
            Array.from({ length: 20 }, (_, i) => ledger.finish("cicd-foundation", "106", "1", "deploy", outcomes[i % 2])),
        );
        const stored = await ledger.get("cicd-foundation", "106", "1", "deploy");
        assert.ok(stored && stored.status !== "started");
        for (const [i, result] of settled.entries()) {
            const asked = outcomes[i % 2];
            assert.equal(result.status, asked === stored.status ? "fulfilled" : "rejected", `writer ${i} asked ${asked}`);
        }
        assert.equal((await items(dynamo.client)).length, 1);
    });

    it("answers the pipelines' questions", async () => {
        await ledger.start(run("201"));
        await ledger.finish("cicd-foundation", "201", "1", "deploy", "succeeded");
        await ledger.start(run("202", { commitSha: OTHER_COMMIT }));
        await ledger.finish("cicd-foundation", "202", "1", "deploy", "failed");
        await ledger.start(run("203", { service: "2_1_bbws_s3_schemas" }));
        await ledger.finish("2_1_bbws_s3_schemas", "203", "1", "deploy", "failed");
        await ledger.start(run("204", { kind: "rollback", targetTag: "deploy-sit-20261120T080000Z" }));
        await ledger.finish("cicd-foundation", "204", "1", "rollback", "succeeded");

        assert.deepEqual(
            (await ledger.successfulDeploymentsOf("cicd-foundation", COMMIT)).map((r) => r.runId),
            ["201"],
        );
        assert.deepEqual(await ledger.successfulDeploymentsOf("cicd-foundation", OTHER_COMMIT), []);
        assert.deepEqual(await ledger.successfulDeploymentsOf("2_1_bbws_s3_schemas", COMMIT), []);
        assert.equal((await ledger.lastWithStatus("cicd-foundation", "succeeded"))?.runId, "204");
        assert.deepEqual(
            (await ledger.recentFailures(10)).map((r) => r.runId),
            ["203", "202"],
        );
        assert.deepEqual(
            (await ledger.recentFailures(1)).map((r) => r.runId),
            ["203"],
        );
    });

    it("publishes the metric the alarms watch, by environment and by service", async () => {
        await ledger.start(run("301"));
        await ledger.finish("cicd-foundation", "301", "1", "deploy", "failed");
        await ledger.start(run("302", { kind: "rollback", targetTag: "deploy-sit-20261120T080000Z" }));
        await ledger.finish("cicd-foundation", "302", "1", "rollback", "succeeded");
        const env = "Environment=sit";
        const svc = "Environment=sit,Service=cicd-foundation";
        assert.deepEqual(datapoints(cloudwatch.requests), [
            ["CICD/Deployments", "DeploymentStarted", env],
            ["CICD/Deployments", "DeploymentStarted", svc],
            ["CICD/Deployments", "DeploymentFailed", env],
            ["CICD/Deployments", "DeploymentFailed", svc],
            ["CICD/Deployments", "DeploymentStarted", env],
            ["CICD/Deployments", "DeploymentStarted", svc],
            ["CICD/Deployments", "DeploymentRolledBack", env],
            ["CICD/Deployments", "DeploymentRolledBack", svc],
        ]);
        assert.deepEqual(metricsOf("rollback", "failed"), ["DeploymentRolledBack", "DeploymentFailed"]);
        assert.deepEqual(metricsOf("deploy", "cancelled"), []);
    });

    describe("npm run deployment", () => {
        const env = () => ({
            LEDGER_TABLE: tableName,
            AWS_REGION: REGION,
            AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
            AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
            AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
            AWS_ENDPOINT_URL_CLOUDWATCH: cloudwatch.endpoint,
        });
        /** The run both commands name: the ledger's key. */
        const run401 = ["--environment", "prod", "--service", "cicd-foundation", "--run-id", "401", "--run-attempt", "1"];
        const start = [
            "start",
            ...run401,
            "--commit",
            COMMIT,
            "--version",
            "main",
            "--actor",
            "alice",
            "--run-url",
            "https://github.com/org/cicd-foundation/actions/runs/401",
        ];

        it("records a prod deployment end to end and answers the promotion check", async () => {
            const started = await runToolAsync(
                "deployment.ts",
                [...start, "--change-ticket", "CHG-1042", "--approvers", "bob,carol,dave"],
                env(),
            );
            assert.equal(started.status, 0, started.stderr);
            const finish = await runToolAsync("deployment.ts", ["finish", ...run401, "--outcome", "succeeded"], env());
            assert.equal(finish.status, 0, finish.stderr);
            const deployed = await runToolAsync(
                "deployment.ts",
                ["deployed", "--environment", "prod", "--service", "cicd-foundation", "--commit", COMMIT],
                env(),
            );
            assert.equal(deployed.status, 0);
            assert.match(deployed.stdout, new RegExp(`^${COMMIT} of cicd-foundation was deployed successfully to prod: `));
            const absent = await runToolAsync(
                "deployment.ts",
                ["deployed", "--environment", "prod", "--service", "cicd-foundation", "--commit", OTHER_COMMIT],
                env(),
            );
            assert.deepEqual(
                [absent.status, absent.stdout.trim()],
                [1, `${OTHER_COMMIT} of cicd-foundation was never deployed successfully to prod`],
            );
        });

        it("names every bad argument, exits 2 and writes nothing", async () => {
            const bad = start.map((a) => (a === COMMIT ? "abc123" : a === "401" ? "run-401" : a));
            const result = await runToolAsync("deployment.ts", [...bad, "--environment", "staging"], env());
            assert.equal(result.status, 2);
            assert.deepEqual(result.stderr.trim().split("\n").slice(0, 4), [
                "deployment: --environment must be dev, sit or prod, got 'staging'",
                "--run-id must be a workflow run id (digits), got 'run-401'",
                "--commit must be a full 40-character commit SHA, got 'abc123'",
                "usage: npm run deployment -- start|rollback|finish|deployed|last-success|live|recent-failures|show|reap --environment dev|sit|prod ... (see tools/deployment.ts)",
            ]);
            assert.deepEqual(await items(dynamo.client), []);
        });
    });
});

describe("deployment recorder arguments", () => {
    const base = {
        table: "bbws-deployments-prod",
        environment: "prod",
        service: "svc",
        "run-id": "1",
        "run-attempt": "1",
        commit: COMMIT,
        version: "main",
        actor: "alice",
    };
    it("requires a change ticket for prod", () => {
        assert.deepEqual(argumentProblems("start", { ...base, "run-url": "https://github.com/o/svc/actions/runs/1" }), [
            "--change-ticket is required for prod (a prod deployment names its approved change)",
        ]);
    });
    it("requires the target tag of a rollback to be of the same environment", () => {
        assert.deepEqual(
            argumentProblems("rollback", {
                ...base,
                "run-url": "https://github.com/o/svc/actions/runs/1",
                "change-ticket": "CHG-1",
                "target-tag": "deploy-sit-20261120T080000Z",
            }),
            ["--target-tag 'deploy-sit-20261120T080000Z' is a sit tag, not prod"],
        );
    });
    it("accepts a run URL of the service's own repository and run, with or without its attempt", () => {
        for (const runUrl of ["https://github.com/o/svc/actions/runs/1", "https://github.com/o/svc/actions/runs/1/attempts/1"]) {
            assert.deepEqual(argumentProblems("start", { ...base, "run-url": runUrl, "change-ticket": "CHG-1" }), []);
        }
    });
    it("refuses a run URL of another repository, another run, another attempt or another host", () => {
        const urls = [
            "https://github.com/o/other/actions/runs/1",
            "https://github.com/o/svc/actions/runs/2",
            "https://github.com/o/svc/actions/runs/1/attempts/2",
            "https://github.example/o/svc/actions/runs/1",
        ];
        assert.deepEqual(
            urls.map((runUrl) => argumentProblems("start", { ...base, "run-url": runUrl, "change-ticket": "CHG-1" })),
            urls.map((runUrl) => [
                `--run-url '${runUrl}' must be https://github.com/<owner>/svc/actions/runs/1 (the service's own repository and run)`,
            ]),
        );
    });
    it("refuses an environment that does not match the ledger table", () => {
        assert.deepEqual(
            argumentProblems("deployed", { table: "bbws-deployments-prod", environment: "sit", service: "svc", commit: COMMIT }),
            ["--environment 'sit' does not match --table 'bbws-deployments-prod', which must end in '-sit'"],
        );
        assert.deepEqual(
            argumentProblems("deployed", { table: "bbws-deployments-sit", environment: "sit", service: "svc", commit: COMMIT }),
            [],
        );
    });
    it("names missing arguments, an unknown command and a missing table", () => {
        assert.deepEqual(argumentProblems("finish", { environment: "dev" }), [
            "--service is required for finish",
            "--run-id is required for finish",
            "--run-attempt is required for finish",
            "--outcome is required for finish",
            "--table or LEDGER_TABLE must name the ledger table",
        ]);
        assert.deepEqual(argumentProblems("deploy", {}), [
            "unknown command 'deploy' (one of start, rollback, finish, deployed, last-success, live, recent-failures, show, reap)",
        ]);
    });
});
