import { strict as assert } from "assert";
import * as http from "http";
import type { AddressInfo } from "net";
import { argumentProblems, describeRecord } from "../../tools/lib/recorder";
import { Ledger } from "../../shared/ledgerClient";
import { createLedgerTable, CREDENTIALS, datapoints, REGION, startCloudWatch, startDynamo } from "../helpers/aws";
import { runToolAsync } from "../helpers/run";
import { runRecorderBundle } from "../support/recordDeployment";

const TABLE = "acme-deployments-prod";
const COMMIT = "1111111111111111111111111111111111111111";
const DIGEST = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

/** A run of the fixture repository, as the runner describes it to a step. */
const RUN = {
    GITHUB_REPOSITORY: "acme/orders-api",
    GITHUB_SERVER_URL: "https://github.com",
    GITHUB_RUN_ID: "9001",
    GITHUB_RUN_ATTEMPT: "1",
    GITHUB_SHA: COMMIT,
    GITHUB_REF_NAME: "main",
    GITHUB_ACTOR: "alice",
};

/** A port nothing listens on: a refusing endpoint. */
async function refusingEndpoint(): Promise<string> {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return `http://127.0.0.1:${port}`;
}

/**
 * A loopback DynamoDB that throttles: it answers the first `throttled` requests of each listed operation
 * with ProvisionedThroughputExceededException (HTTP 400, the service's AWS JSON error) and forwards the
 * rest to dynalite. Counts what it refused.
 */
async function startThrottlingProxy(
    target: string,
    operations: readonly string[],
    throttled: number,
): Promise<{ endpoint: string; refused: string[]; stop: () => Promise<void> }> {
    const refused: string[] = [];
    const counts = new Map<string, number>();
    const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (chunk: Buffer) => chunks.push(chunk));
        req.on("end", () => {
            const operation = String(req.headers["x-amz-target"]).split(".").pop() ?? "";
            const seen = (counts.get(operation) ?? 0) + 1;
            counts.set(operation, seen);
            if (operations.includes(operation) && seen <= throttled) {
                refused.push(operation);
                res.writeHead(400, { "content-type": "application/x-amz-json-1.0", "x-amzn-requestid": `throttle-${refused.length}` });
                res.end(
                    JSON.stringify({
                        __type: "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
                        message: "The level of configured provisioned throughput for the table was exceeded.",
                    }),
                );
                return;
            }
            const forward = http.request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
                res.writeHead(answer.statusCode ?? 500, answer.headers);
                answer.pipe(res);
            });
            forward.end(Buffer.concat(chunks));
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { endpoint, refused, stop: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** The committed bundle, run as the runner runs it: inputs as INPUT_ variables, the job's AWS settings. */
function runBundle(
    inputs: Record<string, string>,
    endpoints: { dynamodb: string; cloudwatch: string },
    run: Record<string, string> = RUN,
): Promise<{ status: number | null; stdout: string }> {
    return runRecorderBundle(inputs, endpoints, run, TABLE);
}

const PROD_START = { command: "start", environment: "prod", "change-ticket": "CHG-7", approvers: "bob,carol", "artifact-digest": DIGEST };

describe("actions/record-deployment under faults: the ledger record is always closed with the deploy's true outcome", () => {
    let dynamo: Awaited<ReturnType<typeof startDynamo>>;
    let cloudwatch: Awaited<ReturnType<typeof startCloudWatch>>;
    let refusing: string;
    let ledger: Ledger;
    let run = 9000;
    /** Each test its own run id, so records never collide. */
    const nextRun = () => ({ ...RUN, GITHUB_RUN_ID: String(++run) });

    before(async () => {
        dynamo = await startDynamo();
        cloudwatch = await startCloudWatch();
        refusing = await refusingEndpoint();
        await createLedgerTable(dynamo.client, TABLE);
        ledger = new Ledger({ tableName: TABLE, dynamodb: dynamo.client });
    });
    after(async () => {
        await dynamo.stop();
        await cloudwatch.stop();
    });

    it("CloudWatch refusing: start and finish succeed with a warning naming CloudWatch and its endpoint; the record is closed as succeeded", async () => {
        const r = nextRun();
        const endpoints = { dynamodb: dynamo.endpoint, cloudwatch: refusing };
        const started = await runBundle(PROD_START, endpoints, r);
        assert.equal(started.status, 0, started.stdout);
        const warning = started.stdout.split("\n").find((l) => l.startsWith("::warning::"));
        assert.match(
            warning ?? "",
            new RegExp(
                `^::warning::CloudWatch PutMetricData \\(DeploymentStarted\\) at ${refusing} failed, the ledger record is written and the deploy's outcome stands: `,
            ),
        );
        const finished = await runBundle({ command: "finish", environment: "prod", outcome: "success" }, endpoints, r);
        assert.equal(finished.status, 0, finished.stdout);
        assert.match(finished.stdout, /::warning::CloudWatch PutMetricData \(DeploymentSucceeded\) at /);
        const record = await ledger.get("orders-api", r.GITHUB_RUN_ID, "1", "deploy");
        assert.deepEqual(
            [record?.status, record?.artifactDigest, record?.approvers, record?.runUrl, record?.changeTicket],
            ["succeeded", DIGEST, ["bob", "carol"], `https://github.com/acme/orders-api/actions/runs/${r.GITHUB_RUN_ID}`, "CHG-7"],
        );
    });

    it("a failed deploy with CloudWatch refusing is recorded as failed, not as succeeded nor left started", async () => {
        const r = nextRun();
        const endpoints = { dynamodb: dynamo.endpoint, cloudwatch: refusing };
        assert.equal((await runBundle(PROD_START, endpoints, r)).status, 0);
        const finished = await runBundle({ command: "finish", environment: "prod", outcome: "failure" }, endpoints, r);
        assert.equal(finished.status, 0, finished.stdout);
        assert.equal((await ledger.get("orders-api", r.GITHUB_RUN_ID, "1", "deploy"))?.status, "failed");
    });

    it("DynamoDB throttling (ProvisionedThroughputExceeded) is retried by the SDK's standard retry; the record is written once and closed", async () => {
        const r = nextRun();
        const proxy = await startThrottlingProxy(dynamo.endpoint, ["PutItem", "UpdateItem"], 3);
        try {
            const endpoints = { dynamodb: proxy.endpoint, cloudwatch: cloudwatch.endpoint };
            const started = await runBundle(PROD_START, endpoints, r);
            assert.equal(started.status, 0, started.stdout);
            const finished = await runBundle({ command: "finish", environment: "prod", outcome: "success" }, endpoints, r);
            assert.equal(finished.status, 0, finished.stdout);
            assert.deepEqual(proxy.refused, ["PutItem", "PutItem", "PutItem", "UpdateItem", "UpdateItem", "UpdateItem"]);
        } finally {
            await proxy.stop();
        }
        const records = await ledger.deploymentsOf("orders-api", COMMIT);
        assert.deepEqual(
            records.filter((x) => x.runId === r.GITHUB_RUN_ID).map((x) => x.status),
            ["succeeded"],
        );
    });

    it("DynamoDB unreachable: the start fails, naming DynamoDB, the operation, the table and the endpoint", async () => {
        const started = await runBundle(PROD_START, { dynamodb: refusing, cloudwatch: cloudwatch.endpoint }, nextRun());
        assert.equal(started.status, 1);
        const error = started.stdout.split("\n").find((l) => l.startsWith("::error::"));
        assert.match(error ?? "", new RegExp(`^::error::DynamoDB PutItem on table ${TABLE} at ${refusing} failed: `));
    });

    it("the run cancelled between start and finish: the if: always() finish records cancelled", async () => {
        const r = nextRun();
        const endpoints = { dynamodb: dynamo.endpoint, cloudwatch: cloudwatch.endpoint };
        assert.equal((await runBundle(PROD_START, endpoints, r)).status, 0);
        const finished = await runBundle({ command: "finish", environment: "prod", outcome: "cancelled" }, endpoints, r);
        assert.equal(finished.status, 0, finished.stdout);
        assert.equal((await ledger.get("orders-api", r.GITHUB_RUN_ID, "1", "deploy"))?.status, "cancelled");
    });

    it("a finish whose start was never written (the start step failed) is a warning, not a second failure", async () => {
        const r = nextRun();
        const finished = await runBundle(
            { command: "finish", environment: "prod", outcome: "failure" },
            { dynamodb: dynamo.endpoint, cloudwatch: cloudwatch.endpoint },
            r,
        );
        assert.deepEqual(
            [finished.status, finished.stdout.trim()],
            [
                0,
                `::warning::nothing to finish: run ${r.GITHUB_RUN_ID} attempt 1 of orders-api (deploy) was never started; nothing was written`,
            ],
        );
    });

    it("the runner lost between start and finish: the next start closes the stale record as cancelled and says so; a late finish still wins", async () => {
        const lost = nextRun();
        const sevenHoursAgo = new Date(Date.now() - 7 * 3600_000);
        await new Ledger({ tableName: TABLE, dynamodb: dynamo.client, now: () => sevenHoursAgo }).start({
            service: "orders-api",
            environment: "prod",
            kind: "deploy",
            runId: lost.GITHUB_RUN_ID,
            runAttempt: "1",
            commitSha: COMMIT,
            version: "main",
            actor: "alice",
            approvers: ["bob"],
            runUrl: `https://github.com/acme/orders-api/actions/runs/${lost.GITHUB_RUN_ID}`,
            changeTicket: "CHG-7",
        });
        const next = nextRun();
        const endpoints = { dynamodb: dynamo.endpoint, cloudwatch: cloudwatch.endpoint };
        const started = await runBundle(PROD_START, endpoints, next);
        assert.equal(started.status, 0, started.stdout);
        const lines = started.stdout.trim().split("\n");
        assert.match(
            lines[0],
            new RegExp(`^closed as cancelled \\(stale\\): ${sevenHoursAgo.toISOString()}  orders-api  deploy  cancelled  `),
        );
        const reaped = await ledger.get("orders-api", lost.GITHUB_RUN_ID, "1", "deploy");
        assert.deepEqual([reaped?.status, reaped?.closedBy], ["cancelled", "the reaper: no outcome within 6 hours of the start"]);
        // The run was slow, not lost: its own outcome replaces the reaper's guess.
        const late = await runBundle({ command: "finish", environment: "prod", outcome: "success" }, endpoints, lost);
        assert.equal(late.status, 0, late.stdout);
        const closed = await ledger.get("orders-api", lost.GITHUB_RUN_ID, "1", "deploy");
        assert.deepEqual([closed?.status, closed?.closedBy], ["succeeded", undefined]);
        // The new run's own record is untouched by the reaper: it is young.
        assert.equal((await ledger.get("orders-api", next.GITHUB_RUN_ID, "1", "deploy"))?.status, "started");
    });

    it("records a GitHub Enterprise Server run with its own server's run URL", async () => {
        const r = { ...nextRun(), GITHUB_SERVER_URL: "https://ghe.acme.example" };
        const started = await runBundle(PROD_START, { dynamodb: dynamo.endpoint, cloudwatch: cloudwatch.endpoint }, r);
        assert.equal(started.status, 0, started.stdout);
        assert.equal(
            (await ledger.get("orders-api", r.GITHUB_RUN_ID, "1", "deploy"))?.runUrl,
            `https://ghe.acme.example/acme/orders-api/actions/runs/${r.GITHUB_RUN_ID}`,
        );
    });

    it("keeps one record per root when a matrix of roots deploys in one run", async () => {
        const r = nextRun();
        const endpoints = { dynamodb: dynamo.endpoint, cloudwatch: cloudwatch.endpoint };
        for (const root of ["network", "database"]) {
            const started = await runBundle({ ...PROD_START, root }, endpoints, r);
            assert.equal(started.status, 0, started.stdout);
        }
        assert.equal(
            (await runBundle({ command: "finish", environment: "prod", outcome: "success", root: "network" }, endpoints, r)).status,
            0,
        );
        assert.deepEqual(
            [
                (await ledger.get("orders-api", r.GITHUB_RUN_ID, "1", "deploy", "network"))?.status,
                (await ledger.get("orders-api", r.GITHUB_RUN_ID, "1", "deploy", "database"))?.status,
            ],
            ["succeeded", "started"],
        );
        const network = await runBundle({ command: "deployed", environment: "prod", root: "network" }, endpoints, r);
        assert.equal(network.status, 0, network.stdout);
        const database = await runBundle({ command: "deployed", environment: "prod", root: "database" }, endpoints, r);
        assert.equal(database.status, 1, database.stdout);
    });

    it("publishes the metric when CloudWatch answers", async () => {
        const before = cloudwatch.requests.length;
        const r = nextRun();
        const endpoints = { dynamodb: dynamo.endpoint, cloudwatch: cloudwatch.endpoint };
        assert.equal((await runBundle(PROD_START, endpoints, r)).status, 0);
        assert.deepEqual(datapoints(cloudwatch.requests.slice(before)), [
            ["CICD/Deployments", "DeploymentStarted", "Environment=prod"],
            ["CICD/Deployments", "DeploymentStarted", "Environment=prod,Service=orders-api"],
        ]);
    });
});

describe("npm run deployment -- show and reap", () => {
    let dynamo: Awaited<ReturnType<typeof startDynamo>>;
    let cloudwatch: Awaited<ReturnType<typeof startCloudWatch>>;
    const env = () => ({
        LEDGER_TABLE: TABLE,
        AWS_REGION: REGION,
        AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
        AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
        AWS_ENDPOINT_URL_CLOUDWATCH: cloudwatch.endpoint,
        GITHUB_SERVER_URL: "",
    });
    const START = new Date("2026-11-20T08:00:00.000Z");
    const FINISH = new Date("2026-11-20T08:12:00.000Z");

    before(async () => {
        dynamo = await startDynamo();
        cloudwatch = await startCloudWatch();
        await createLedgerTable(dynamo.client, TABLE);
        let clock = START;
        const ledger = new Ledger({ tableName: TABLE, dynamodb: dynamo.client, now: () => clock });
        await ledger.start({
            service: "orders-api",
            environment: "prod",
            kind: "deploy",
            runId: "500",
            runAttempt: "1",
            commitSha: COMMIT,
            version: "main",
            actor: "alice",
            approvers: ["bob", "carol"],
            runUrl: "https://github.com/acme/orders-api/actions/runs/500",
            changeTicket: "CHG-7",
            artifactDigest: DIGEST,
        });
        clock = FINISH;
        await ledger.finish("orders-api", "500", "1", "deploy", "succeeded");
        // Two services left started long ago by lost runners.
        for (const service of ["orders-api", "billing"]) {
            await new Ledger({ tableName: TABLE, dynamodb: dynamo.client, now: () => START }).start({
                service,
                environment: "prod",
                kind: "deploy",
                runId: "400",
                runAttempt: "1",
                commitSha: "2222222222222222222222222222222222222222",
                version: "main",
                actor: "alice",
                approvers: [],
                runUrl: `https://github.com/acme/${service}/actions/runs/400`,
            });
        }
    });
    after(async () => {
        await dynamo.stop();
        await cloudwatch.stop();
    });

    const SHOWN = [
        "service:         orders-api",
        "environment:     prod",
        "kind:            deploy",
        "status:          succeeded",
        `commit:          ${COMMIT}`,
        "version:         main",
        `artifact digest: ${DIGEST}`,
        "approvers:       bob, carol",
        "actor:           alice",
        "change ticket:   CHG-7",
        "run:             https://github.com/acme/orders-api/actions/runs/500 (attempt 1)",
        "started:         2026-11-20T08:00:00.000Z",
        "finished:        2026-11-20T08:12:00.000Z",
    ].join("\n");

    it("show --commit prints the whole record: the digest the reviewers saw, the approvers and the run", async () => {
        const shown = await runToolAsync(
            "deployment.ts",
            ["show", "--environment", "prod", "--service", "orders-api", "--commit", COMMIT],
            env(),
        );
        assert.deepEqual([shown.status, shown.stdout.trim()], [0, SHOWN]);
    });

    it("show exits 2 naming the problem when neither or both of --commit and --latest are given", async () => {
        for (const extra of [[], ["--commit", COMMIT, "--latest"]]) {
            const shown = await runToolAsync(
                "deployment.ts",
                ["show", "--environment", "prod", "--service", "orders-api", ...extra],
                env(),
            );
            assert.deepEqual(
                [shown.status, shown.stderr.split("\n")[0]],
                [2, "deployment: show needs exactly one of --commit SHA or --latest"],
            );
        }
    });

    it("show exits 1 saying so when the ledger has no record of the commit", async () => {
        const other = "3333333333333333333333333333333333333333";
        const shown = await runToolAsync(
            "deployment.ts",
            ["show", "--environment", "prod", "--service", "orders-api", "--commit", other],
            env(),
        );
        assert.deepEqual([shown.status, shown.stdout.trim()], [1, `no record of orders-api in prod's ledger of commit ${other}`]);
    });

    it("reap closes every service's stale started records as cancelled and says how many; show --latest then prints the newest", async () => {
        const reaped = await runToolAsync("deployment.ts", ["reap", "--environment", "prod", "--older-than-hours", "6"], env());
        assert.equal(reaped.status, 0, reaped.stderr);
        const lines = reaped.stdout.trim().split("\n");
        assert.deepEqual([lines.length, lines.at(-1)], [3, "2 record(s) started over 6 hours ago without an outcome closed as cancelled"]);
        assert.deepEqual(
            lines
                .slice(0, 2)
                .map((l) => l.split("  ").slice(1, 4))
                .sort(),
            [
                ["billing", "deploy", "cancelled"],
                ["orders-api", "deploy", "cancelled"],
            ],
        );
        const again = await runToolAsync("deployment.ts", ["reap", "--environment", "prod"], env());
        assert.equal(again.stdout.trim(), "0 record(s) started over 6 hours ago without an outcome closed as cancelled");
        const latest = await runToolAsync("deployment.ts", ["show", "--environment", "prod", "--service", "orders-api", "--latest"], env());
        assert.deepEqual([latest.status, latest.stdout.trim()], [0, SHOWN]);
    });
});

describe("deployment recorder arguments: GitHub Enterprise Server, digests and roots", () => {
    const base = {
        table: "acme-deployments-prod",
        environment: "prod",
        service: "orders-api",
        "run-id": "1",
        "run-attempt": "1",
        commit: COMMIT,
        version: "main",
        actor: "alice",
        "change-ticket": "CHG-1",
    };
    it("accepts a GitHub Enterprise Server run URL when the server is named, and refuses it otherwise", () => {
        const runUrl = "https://ghe.acme.example/acme/orders-api/actions/runs/1";
        assert.deepEqual(argumentProblems("start", { ...base, "run-url": runUrl, "server-url": "https://ghe.acme.example" }), []);
        assert.deepEqual(argumentProblems("start", { ...base, "run-url": runUrl }), [
            `--run-url '${runUrl}' must be https://github.com/<owner>/orders-api/actions/runs/1 (the service's own repository and run)`,
        ]);
    });
    it("accepts the digests the pipelines record and refuses anything else", () => {
        const url = { "run-url": "https://github.com/acme/orders-api/actions/runs/1" };
        for (const digest of [DIGEST, `sha256:${DIGEST}`, "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg="]) {
            assert.deepEqual(argumentProblems("start", { ...base, ...url, "artifact-digest": digest }), [], digest);
        }
        assert.deepEqual(argumentProblems("start", { ...base, ...url, "artifact-digest": "md5:abc" }), [
            "--artifact-digest must be a SHA-256 digest (64 hex digits, sha256:<hex>, or Lambda's base64 CodeSha256), got 'md5:abc'",
        ]);
    });
    it("takes a rollback tag with a root, and refuses one of another root", () => {
        const rollback = { ...base, "run-url": "https://github.com/acme/orders-api/actions/runs/1" };
        assert.deepEqual(
            argumentProblems("rollback", { ...rollback, root: "network", "target-tag": "deploy-prod-network-20261120T080000Z" }),
            [],
        );
        assert.deepEqual(
            argumentProblems("rollback", { ...rollback, root: "database", "target-tag": "deploy-prod-network-20261120T080000Z" }),
            ["--target-tag 'deploy-prod-network-20261120T080000Z' is not a tag of root 'database'"],
        );
    });
    it("prints a record without a digest as not recorded, and a reaped one with its reason", () => {
        const text = describeRecord({
            service: "billing",
            environment: "sit",
            kind: "rollback",
            runId: "3",
            runAttempt: "2",
            commitSha: COMMIT,
            version: "deploy-sit-20261120T080000Z",
            actor: "alice",
            approvers: [],
            runUrl: "https://github.com/acme/billing/actions/runs/3",
            targetTag: "deploy-sit-20261120T080000Z",
            status: "cancelled",
            startedAt: "2026-11-20T08:00:00.000Z",
            finishedAt: "2026-11-20T15:00:00.000Z",
            closedBy: "the reaper: no outcome within 6 hours of the start",
        });
        assert.deepEqual(text.split("\n"), [
            "service:         billing",
            "environment:     sit",
            "kind:            rollback",
            "status:          cancelled",
            `commit:          ${COMMIT}`,
            "version:         deploy-sit-20261120T080000Z",
            "target tag:      deploy-sit-20261120T080000Z",
            "artifact digest: (not recorded)",
            "approvers:       (none recorded)",
            "actor:           alice",
            "run:             https://github.com/acme/billing/actions/runs/3 (attempt 2)",
            "started:         2026-11-20T08:00:00.000Z",
            "finished:        2026-11-20T15:00:00.000Z",
            "closed by:       the reaper: no outcome within 6 hours of the start",
        ]);
    });
});
