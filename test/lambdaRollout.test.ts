import { strict as assert } from "assert";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { codeSha256, ReleaseError, rollbackTarget } from "../actions/lambda-release/src/release";
import type { Clock } from "../actions/lib/clock";
import {
    appSpec,
    LAMBDA_TRUST,
    reportRollout,
    startRelease,
    type FunctionPlan,
    type RolloutClients,
} from "../actions/lambda-release/src/rollout";
import { ledgerHistory } from "../actions/lambda-release/src/stability";
import { Ledger } from "../shared/ledgerClient";
import { createLedgerTable, startCloudWatch, startDynamo } from "./helpers/aws";
import { ACCOUNT, shiftSteps, startRolloutFakes } from "./fakes/lambdaRollout";

/**
 * The CodeDeploy release of a Lambda function against loopback fakes of Lambda, IAM, CodeDeploy and CloudWatch
 * (CodeDeploy runs each rollout by itself on the fake's clock), the ledger on dynalite.
 */

const COMMIT = "0123456789abcdef0123456789abcdef01234567";
const OTHER = "fedcba9876543210fedcba9876543210fedcba98";
const MINUTE = 60_000;
const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/acme-pipeline-boundary-prod`;
const BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";
const ERRORS = "acme-prod-lambda-acme-billing-api-errors";
const tag = (n: number) => `deploy-prod-2026112${n}T080000Z`;

const plan = (overrides: Partial<FunctionPlan> = {}): FunctionPlan => ({
    functionName: "acme-billing-api",
    alias: "live",
    executionRoleName: "acme-lambda-billing@acme-billing-api",
    executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/acme-lambda-billing@acme-billing-api`,
    boundaryArn: BOUNDARY,
    policies: [BASIC],
    runtime: "nodejs22.x",
    handler: "index.handler",
    application: "acme-lambda-billing",
    codeDeployRoleArn: `arn:aws:iam::${ACCOUNT}:role/acme-codedeploy-prod-billing`,
    deploymentConfig: "CodeDeployDefault.LambdaCanary10Percent5Minutes",
    alarms: [ERRORS],
    hooks: {},
    ...overrides,
});

describe("the Lambda release through CodeDeploy, against loopback Lambda, IAM, CodeDeploy and CloudWatch", () => {
    let t = Date.parse("2026-11-23T08:00:00Z");
    const clock: Clock = {
        now: () => new Date(t),
        sleep: async (ms) => {
            t += ms;
        },
    };
    let fakes: Awaited<ReturnType<typeof startRolloutFakes>>;
    let cloudwatch: Awaited<ReturnType<typeof startCloudWatch>>;
    let dynamo: Awaited<ReturnType<typeof startDynamo>>;
    let clients: RolloutClients;
    const log: string[] = [];
    const logLine = (line: string) => log.push(line);
    const zip = Buffer.from("the built package");
    const start = (n: number, p = plan(), code = zip) => startRelease(clients, p, code, codeSha256(code), tag(n), COMMIT, clock, logLine);

    before(async () => {
        cloudwatch = await startCloudWatch();
        dynamo = await startDynamo();
        fakes = await startRolloutFakes(() => t, cloudwatch.alarms);
        clients = { lambda: fakes.lambda, codedeploy: fakes.codedeploy, iam: fakes.iam, cloudwatch: cloudwatch.client };
    });
    after(async () => {
        await fakes.stop();
        await cloudwatch.stop();
        await dynamo.stop();
    });
    beforeEach(() => {
        const a = fakes.account;
        a.functions = {};
        a.roles = {};
        a.applications.clear();
        a.groups.clear();
        a.deployments.length = 0;
        a.invoked.length = 0;
        a.requests.length = 0;
        cloudwatch.alarms.clear();
        cloudwatch.alarms.set(ERRORS, "OK");
        cloudwatch.requests.length = 0;
        log.length = 0;
    });

    /** The function after a first deploy, and the requests reset. */
    async function deployedOnce(): Promise<void> {
        await start(1, plan(), Buffer.from("version one"));
        fakes.account.requests.length = 0;
        cloudwatch.requests.length = 0;
    }

    it("the first deploy creates the execution role with the boundary and the declared policy, the function from the zip, its alias and its rollout group", async () => {
        assert.deepEqual(await start(1), { version: "1", previousVersion: "" });
        const a = fakes.account;
        assert.deepEqual(a.roles["acme-lambda-billing@acme-billing-api"], { trust: LAMBDA_TRUST, boundary: BOUNDARY, policies: [BASIC] });
        const f = a.functions["acme-billing-api"];
        assert.equal(f.role, `arn:aws:iam::${ACCOUNT}:role/acme-lambda-billing@acme-billing-api`);
        assert.deepEqual(f.versions, [
            { version: "1", codeSha256: codeSha256(zip), description: `${tag(1)} ${COMMIT}`, configDescription: `${tag(1)} ${COMMIT}` },
        ]);
        assert.deepEqual(f.aliases, { live: { functionVersion: "1", weights: {} } });
        assert.deepEqual([...a.applications], ["acme-lambda-billing"]);
        assert.deepEqual(a.groups.get("acme-lambda-billing/acme-billing-api"), {
            serviceRoleArn: `arn:aws:iam::${ACCOUNT}:role/acme-codedeploy-prod-billing`,
            deploymentConfigName: "CodeDeployDefault.LambdaCanary10Percent5Minutes",
            alarms: [ERRORS],
            autoRollback: true,
        });
        assert.deepEqual(a.deployments, [], "nothing to shift on a first deploy");
    });

    it("a first deploy without runtime and handler creates nothing but the rollout group", async () => {
        await assert.rejects(
            start(1, plan({ runtime: undefined })),
            new ReleaseError("acme-billing-api does not exist yet: give runtime and handler for its first deploy"),
        );
        assert.deepEqual(fakes.account.functions, {});
        assert.deepEqual(fakes.account.roles, {});
    });

    it("checks before it publishes: the alias is free and no alarm fires, then the zip becomes a new version and CodeDeploy gets the rollout", async () => {
        await deployedOnce();
        const started = await start(2);
        assert.deepEqual(started, { version: "2", previousVersion: "1", deploymentId: "d-000000001" });
        const firstChange = fakes.account.requests.indexOf("lambda PUT /2015-03-31/functions/acme-billing-api/code");
        assert.ok(firstChange > fakes.account.requests.indexOf("lambda GET /2015-03-31/functions/acme-billing-api/aliases/live"));
        assert.deepEqual(
            cloudwatch.requests.map((r) => r.target),
            ["GraniteServiceVersion20100801.DescribeAlarms"],
            "the alarms were read once, before the code was touched",
        );
        assert.deepEqual(fakes.account.functions["acme-billing-api"].aliases.live, { functionVersion: "1", weights: { "2": 0.1 } });
    });

    it("publishes nothing while a watched alarm fires", async () => {
        await deployedOnce();
        cloudwatch.alarms.set(ERRORS, "ALARM");
        await assert.rejects(start(2), new ReleaseError(`alarm ${ERRORS} is in ALARM before the rollout; nothing was published`));
        assert.equal(fakes.account.functions["acme-billing-api"].versions.length, 1);
        assert.equal(fakes.account.requests.filter((r) => r.endsWith("/code") || r.endsWith("/versions")).length, 0);
    });

    it("publishes nothing when a watched alarm does not exist (fail closed)", async () => {
        await deployedOnce();
        await assert.rejects(
            start(2, plan({ alarms: [ERRORS, "acme-prod-missing"] })),
            new ReleaseError("alarm acme-prod-missing does not exist: a rollout needs alarms it can watch"),
        );
        assert.equal(fakes.account.functions["acme-billing-api"].versions.length, 1);
    });

    it("reports a green canary: 10% for five minutes, then all traffic, by CodeDeploy", async () => {
        await deployedOnce();
        const { deploymentId } = await start(2);
        const info = await reportRollout(fakes.codedeploy, deploymentId ?? "", clock, logLine, MINUTE);
        assert.equal(info.status, "Succeeded");
        assert.deepEqual(fakes.account.functions["acme-billing-api"].aliases.live, { functionVersion: "2", weights: {} });
        assert.deepEqual(log.slice(-2), ["rollout d-000000001: InProgress", "rollout d-000000001: Succeeded"]);
    });

    it("an alarm during the shift: CodeDeploy rolls the alias back and the report fails with its reason", async () => {
        await deployedOnce();
        const { deploymentId } = await start(2);
        let polls = 0;
        const firingClock: Clock = {
            now: clock.now,
            sleep: async (ms) => {
                t += ms;
                if (++polls === 2) cloudwatch.alarms.set(ERRORS, "ALARM");
            },
        };
        await assert.rejects(
            reportRollout(fakes.codedeploy, deploymentId ?? "", firingClock, logLine, MINUTE),
            new ReleaseError(
                `rollout d-000000001 stopped: The deployment was stopped because alarms were activated: ${ERRORS}; Alias live of acme-billing-api rolled back to version 1`,
            ),
        );
        assert.deepEqual(fakes.account.functions["acme-billing-api"].aliases.live, { functionVersion: "1", weights: {} });
    });

    it("a lost reporter leaves the rollout to finish on its own", async () => {
        await deployedOnce();
        await start(2);
        // The runner is gone: nobody polls. CodeDeploy's clock runs on.
        t += 6 * MINUTE;
        fakes.tick();
        assert.equal(fakes.account.deployments[0].status, "Succeeded");
        assert.deepEqual(fakes.account.functions["acme-billing-api"].aliases.live, { functionVersion: "2", weights: {} });
    });

    it("a lost reporter leaves the rollout to roll back on its own when an alarm fires", async () => {
        await deployedOnce();
        await start(2);
        t += 2 * MINUTE;
        cloudwatch.alarms.set(ERRORS, "ALARM");
        fakes.tick();
        assert.equal(fakes.account.deployments[0].status, "Stopped");
        assert.deepEqual(fakes.account.functions["acme-billing-api"].aliases.live, { functionVersion: "1", weights: {} });
    });

    it("refuses to start while the alias still routes part of the traffic (a rollout under way); nothing is published", async () => {
        await deployedOnce();
        await start(2);
        await assert.rejects(
            start(3),
            new ReleaseError("alias live of acme-billing-api still routes 10% to version 2: a rollout is under way; nothing was published"),
        );
        assert.equal(fakes.account.functions["acme-billing-api"].versions.length, 2);
    });

    it("invokes the declared hooks around the shift", async () => {
        await deployedOnce();
        const p = plan({ hooks: { beforeAllowTraffic: "acme-billing-pre", afterAllowTraffic: "acme-billing-post" } });
        const { deploymentId } = await start(2, p);
        await reportRollout(fakes.codedeploy, deploymentId ?? "", clock, logLine, MINUTE);
        assert.deepEqual(fakes.account.invoked, ["acme-billing-pre", "acme-billing-post"]);
        assert.deepEqual(JSON.parse(appSpec(p, "1", "2")).Hooks, [
            { BeforeAllowTraffic: "acme-billing-pre" },
            { AfterAllowTraffic: "acme-billing-post" },
        ]);
    });

    it("a retried deploy of the same build publishes a new version with its own tag, and a rollback to the last successful tag is then accepted", async () => {
        const table = "acme-deployments-prod";
        await createLedgerTable(dynamo.client, table);
        const ledger = new Ledger({ tableName: table, dynamodb: dynamo.client as DynamoDBClient, now: () => clock.now() });
        const record = async (n: number, commit: string, outcome: "succeeded" | "failed") => {
            await ledger.start({
                service: "billing",
                environment: "prod",
                kind: "deploy",
                runId: String(n),
                runAttempt: "1",
                commitSha: commit,
                version: tag(n),
                actor: "dev",
                approvers: ["lead"],
                runUrl: `https://github.com/acme-org/billing/actions/runs/${n}`,
            });
            await ledger.finish("billing", String(n), "1", "deploy", outcome);
        };
        // Version 1 (an earlier commit) is live and recorded as succeeded.
        await startRelease(clients, plan(), Buffer.from("earlier"), codeSha256(Buffer.from("earlier")), tag(1), OTHER, clock, logLine);
        await record(1, OTHER, "succeeded");
        // Run 2 publishes version 2; an alarm stops its canary.
        const failed = await start(2);
        cloudwatch.alarms.set(ERRORS, "ALARM");
        await assert.rejects(reportRollout(fakes.codedeploy, failed.deploymentId ?? "", clock, logLine, MINUTE));
        await record(2, COMMIT, "failed");
        cloudwatch.alarms.set(ERRORS, "OK");
        // Run 3 retries the same build: a version of its own, tagged by run 3.
        const retried = await start(3);
        assert.deepEqual(retried, { version: "3", previousVersion: "1", deploymentId: "d-000000002" });
        await reportRollout(fakes.codedeploy, retried.deploymentId ?? "", clock, logLine, MINUTE);
        await record(3, COMMIT, "succeeded");
        const versions = fakes.account.functions["acme-billing-api"].versions.map((v) => [v.version, v.description]);
        assert.deepEqual(versions, [
            ["1", `${tag(1)} ${OTHER}`],
            ["2", `${tag(2)} ${COMMIT}`],
            ["3", `${tag(3)} ${COMMIT}`],
        ]);
        // The rollback reads the live version's tag (run 3's) in the ledger and goes to the deployment before it.
        const chosen = await rollbackTarget(
            { lambda: fakes.lambda, functionName: "acme-billing-api", alias: "live", clock, log: logLine },
            { history: ledgerHistory(dynamo.client as DynamoDBClient, table, "billing") },
        );
        assert.deepEqual(chosen, {
            current: "3",
            target: { version: "1", codeSha256: codeSha256(Buffer.from("earlier")), tag: tag(1), commit: OTHER },
        });
    });

    it("knows how each predefined rollout shifts", () => {
        assert.deepEqual(shiftSteps("CodeDeployDefault.LambdaCanary10Percent5Minutes"), [
            [10, 0],
            [100, 5],
        ]);
        assert.deepEqual(shiftSteps("CodeDeployDefault.LambdaLinear10PercentEvery1Minute").slice(-2), [
            [90, 8],
            [100, 9],
        ]);
        assert.deepEqual(shiftSteps("CodeDeployDefault.LambdaAllAtOnce"), [[100, 0]]);
    });
});
