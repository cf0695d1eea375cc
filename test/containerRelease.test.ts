import { strict as assert } from "assert";
import { UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { ecsReleaseAction, type Clients } from "../actions/ecs-release/src/action";
import { readInputs } from "../actions/ecs-release/src/inputs";
import { checkPromotion, DIGEST_FIELD } from "../actions/ecs-release/src/promotion";
import {
    awaitScan,
    deploy,
    ReleaseError,
    rollback,
    rollbackTarget,
    type Release,
    type ServiceTarget,
} from "../actions/ecs-release/src/release";
import type { Clock } from "../actions/lib/clock";
import { Ledger } from "../shared/ledgerClient";
import { createLedgerTable, startCloudWatch, startDynamo } from "./helpers/aws";
import {
    ACCOUNT,
    arn,
    COMMIT,
    complete,
    deployTag,
    DIGEST,
    FAMILY,
    OTHER_DIGEST,
    REPOSITORY_URI,
    scanning,
    seedService,
    startEcr,
    startEcs,
} from "./support/containerRelease";
import { testClock } from "./support/clock";

// The ECS rollout and rollback, the ECR scan gate and the promotion check, run against loopback fakes of ECS and
// ECR (HTTP servers on 127.0.0.1 speaking their JSON 1.1 protocols), the CloudWatch fake of the shared helpers,
// and the ledger on dynalite. The SDK clients are the real ones, pointed at the fakes with `endpoint`.

describe("the container release against loopback ECS, ECR and CloudWatch", () => {
    let ecs: Awaited<ReturnType<typeof startEcs>>;
    let ecr: Awaited<ReturnType<typeof startEcr>>;
    let cloudwatch: Awaited<ReturnType<typeof startCloudWatch>>;
    const log: string[] = [];
    const release: Release = {
        container: "web",
        repositoryUri: REPOSITORY_URI,
        digest: DIGEST,
        commit: COMMIT,
        tag: "deploy-sit-20261125T080000Z",
    };
    const plan = { alarms: ["acme-sit-tenants-api-5xx"], timeoutMs: 30 * 60_000, pollMs: 15_000 };
    const target = (clock: Clock): ServiceTarget => ({
        ecs: ecs.client,
        cloudwatch: cloudwatch.client,
        cluster: "acme-sit",
        service: "acme-tenants-api-web",
        clock,
        log: (l) => log.push(l),
    });

    /** Revisions 1..n of the family, each registered by a deployment (tag deploy-sit-2026110<n>...), the service on the last. */
    function seed(n: number, tagged: (revision: number) => boolean = () => true) {
        seedService(ecs, cloudwatch, n, tagged);
        log.length = 0;
    }
    const updates = () => ecs.requests.filter((r) => r.operation === "UpdateService").map((r) => r.body);
    const registered = () => ecs.requests.filter((r) => r.operation === "RegisterTaskDefinition").map((r) => r.body);

    before(async () => {
        [ecs, ecr, cloudwatch] = await Promise.all([startEcs(), startEcr(), startCloudWatch()]);
    });
    after(async () => {
        await Promise.all([ecs.stop(), ecr.stop(), cloudwatch.stop()]);
    });

    describe("scan", () => {
        const limits = { maxCritical: 0, timeoutMs: 20 * 60_000, pollMs: 10_000 };
        beforeEach(() => ecr.scans.clear());

        it("waits for the scan on push to complete and passes an image within the threshold", async () => {
            ecr.scans.set(DIGEST, [scanning, scanning, complete({ HIGH: 3, MEDIUM: 7 })]);
            const clock = testClock("2026-11-25T08:00:00Z");
            const counts = await awaitScan(ecr.client, "acme/tenants-api", DIGEST, limits, clock, (l) => log.push(l));
            assert.deepEqual(counts, { HIGH: 3, MEDIUM: 7 });
            assert.deepEqual(clock.slept, [10_000, 10_000]);
            assert.deepEqual(
                ecr.requests.map((r) => [r.operation, r.body.repositoryName]),
                [0, 1, 2].map(() => ["DescribeImageScanFindings", "acme/tenants-api"]),
            );
        });

        it("fails an image with more critical findings than the threshold", async () => {
            ecr.scans.set(DIGEST, [complete({ CRITICAL: 2, HIGH: 1 })]);
            await assert.rejects(
                awaitScan(ecr.client, "acme/tenants-api", DIGEST, limits, testClock("2026-11-25T08:00:00Z"), () => undefined),
                new ReleaseError(`acme/tenants-api@${DIGEST} has 2 critical findings, more than the 0 allowed; it does not deploy`),
            );
            // The same image passes a threshold of two.
            const counts = await awaitScan(
                ecr.client,
                "acme/tenants-api",
                DIGEST,
                { ...limits, maxCritical: 2 },
                testClock("2026-11-25T08:00:00Z"),
                () => undefined,
            );
            assert.deepEqual(counts, { CRITICAL: 2, HIGH: 1 });
        });

        it("fails an image above the high threshold when one is given", async () => {
            ecr.scans.set(DIGEST, [complete({ HIGH: 4 })]);
            await assert.rejects(
                awaitScan(
                    ecr.client,
                    "acme/tenants-api",
                    DIGEST,
                    { ...limits, maxHigh: 3 },
                    testClock("2026-11-25T08:00:00Z"),
                    () => undefined,
                ),
                new ReleaseError(`acme/tenants-api@${DIGEST} has 4 high findings, more than the 3 allowed; it does not deploy`),
            );
        });

        it("waits while the scan does not exist yet, and refuses an image whose scan failed (fail closed)", async () => {
            const clock = testClock("2026-11-25T08:00:00Z", ({ sleeps }) => {
                if (sleeps === 1)
                    ecr.scans.set(DIGEST, [{ imageScanStatus: { status: "UNSUPPORTED_IMAGE", description: "UnsupportedImageError" } }]);
            });
            await assert.rejects(
                awaitScan(ecr.client, "acme/tenants-api", DIGEST, limits, clock, () => undefined),
                new ReleaseError(
                    `the scan of acme/tenants-api@${DIGEST} ended UNSUPPORTED_IMAGE (UnsupportedImageError); an image without a finished scan does not deploy`,
                ),
            );
            assert.deepEqual(clock.slept, [10_000]);
        });

        it("refuses an image whose scan does not finish in time", async () => {
            ecr.scans.set(DIGEST, [scanning]);
            const clock = testClock("2026-11-25T08:00:00Z");
            await assert.rejects(
                awaitScan(ecr.client, "acme/tenants-api", DIGEST, { ...limits, timeoutMs: 60_000 }, clock, () => undefined),
                new ReleaseError(
                    `the scan of acme/tenants-api@${DIGEST} did not finish in time; an image without a finished scan does not deploy`,
                ),
            );
            assert.deepEqual(clock.slept, [10_000, 10_000, 10_000, 10_000, 10_000, 10_000]);
        });
    });

    describe("deploy", () => {
        it("registers a revision that runs the image by digest and rolls it out with the circuit breaker and the alarms", async () => {
            seed(3);
            const result = await deploy(target(testClock("2026-11-25T08:00:00Z")), release, plan);
            assert.deepEqual(result, { revision: arn(4), previous: arn(3) });
            const [registration] = registered();
            assert.deepEqual(registration.containerDefinitions, [
                { name: "web", image: `${REPOSITORY_URI}@${DIGEST}`, essential: true },
                { name: "log-router", image: "public.ecr.aws/aws-observability/aws-for-fluent-bit:stable", essential: false },
            ]);
            assert.equal(registration.taskRoleArn, `arn:aws:iam::${ACCOUNT}:role/acme-ecs-tenants-api@task`);
            assert.equal(registration.executionRoleArn, `arn:aws:iam::${ACCOUNT}:role/acme-ecs-tenants-api@execution`);
            assert.equal(registration.family, FAMILY);
            assert.equal("taskDefinitionArn" in registration || "revision" in registration || "status" in registration, false);
            assert.deepEqual(registration.tags, [
                { key: "deploy-tag", value: "deploy-sit-20261125T080000Z" },
                { key: "commit", value: COMMIT },
                { key: "image-digest", value: DIGEST },
            ]);
            assert.deepEqual(updates(), [
                {
                    cluster: "acme-sit",
                    service: "acme-tenants-api-web",
                    taskDefinition: arn(4),
                    deploymentConfiguration: {
                        maximumPercent: 200,
                        minimumHealthyPercent: 100,
                        deploymentCircuitBreaker: { enable: true, rollback: true },
                        alarms: { alarmNames: ["acme-sit-tenants-api-5xx"], enable: true, rollback: true },
                    },
                },
            ]);
            assert.equal(ecs.services.get("acme-tenants-api-web")?.taskDefinition, arn(4));
        });

        it("rolls back by itself when an alarm fires during the rollout", async () => {
            seed(3);
            ecs.script.outcome = "never";
            const clock = testClock("2026-11-25T08:00:00Z", ({ sleeps }) => {
                if (sleeps === 2) cloudwatch.alarms.set("acme-sit-tenants-api-5xx", "ALARM");
            });
            await assert.rejects(
                deploy(target(clock), release, plan),
                new ReleaseError(
                    `alarm(s) acme-sit-tenants-api-5xx fired during the rollout; acme-tenants-api-web was pointed back at ${arn(3)}`,
                ),
            );
            assert.deepEqual(
                updates().map((u) => u.taskDefinition),
                [arn(4), arn(3)],
            );
            assert.equal(ecs.services.get("acme-tenants-api-web")?.taskDefinition, arn(3));
        });

        it("reports the rollback ECS made when the circuit breaker fails the rollout", async () => {
            seed(3);
            Object.assign(ecs.script, { outcome: "fail", polls: 2, reason: "ECS deployment circuit breaker: tasks failed to start." });
            await assert.rejects(
                deploy(target(testClock("2026-11-25T08:00:00Z")), release, plan),
                new ReleaseError(
                    `the rollout of ${arn(4)} to acme-tenants-api-web failed (ECS deployment circuit breaker: tasks failed to start.); ECS rolled the service back to ${arn(3)}`,
                ),
            );
            // ECS rolled back; the action did not have to.
            assert.deepEqual(
                updates().map((u) => u.taskDefinition),
                [arn(4)],
            );
            assert.equal(ecs.services.get("acme-tenants-api-web")?.taskDefinition, arn(3));
        });

        it("points the service back when the rollout does not complete in time", async () => {
            seed(3);
            ecs.script.outcome = "never";
            await assert.rejects(
                deploy(target(testClock("2026-11-25T08:00:00Z")), release, { ...plan, timeoutMs: 60_000 }),
                new ReleaseError(`the rollout did not complete in time; acme-tenants-api-web was pointed back at ${arn(3)}`),
            );
            assert.equal(ecs.services.get("acme-tenants-api-web")?.taskDefinition, arn(3));
        });

        it("changes nothing when an alarm already fires, is missing, or the container is unknown", async () => {
            seed(3);
            cloudwatch.alarms.set("acme-sit-tenants-api-5xx", "ALARM");
            await assert.rejects(
                deploy(target(testClock("2026-11-25T08:00:00Z")), release, plan),
                new ReleaseError("alarm(s) acme-sit-tenants-api-5xx already fire; nothing was changed"),
            );
            await assert.rejects(
                deploy(target(testClock("2026-11-25T08:00:00Z")), release, { ...plan, alarms: ["acme-sit-nothing"] }),
                new ReleaseError("alarm(s) acme-sit-nothing do not exist in this account; nothing watches the rollout"),
            );
            cloudwatch.alarms.set("acme-sit-tenants-api-5xx", "OK");
            await assert.rejects(
                deploy(target(testClock("2026-11-25T08:00:00Z")), { ...release, container: "api" }, plan),
                new ReleaseError(`task definition ${arn(3)} has no container named api (it has web, log-router); nothing was changed`),
            );
            assert.deepEqual(registered(), []);
            assert.deepEqual(updates(), []);
        });
    });

    describe("rollback", () => {
        it("finds the previous revision a deployment left, skipping a hand-registered one, and rolls back to it", async () => {
            seed(4, (r) => r !== 3);
            const t = target(testClock("2026-11-25T08:00:00Z"));
            const chosen = await rollbackTarget(t);
            assert.deepEqual(chosen, {
                current: arn(4),
                revision: arn(2),
                tag: deployTag(2),
                commit: "2".repeat(40),
                digest: `sha256:${"2".repeat(64)}`,
            });
            assert.equal((await rollbackTarget(t, undefined, deployTag(1))).revision, arn(1), "the revision the named deployment left");
            await assert.rejects(
                rollbackTarget(t, undefined, deployTag(3)),
                new ReleaseError(
                    `no earlier revision of ${FAMILY} tagged ${deployTag(3)} than ${arn(4)} was deployed successfully by a deployment; there is nothing to roll back to`,
                ),
            );
            assert.equal(await rollback(t, chosen.revision, { timeoutMs: 60 * 60_000, pollMs: 15_000 }), arn(4));
            assert.deepEqual(
                updates().map((u) => u.taskDefinition),
                [arn(2)],
            );
            assert.equal(ecs.services.get("acme-tenants-api-web")?.taskDefinition, arn(2));
        });

        it("refuses a revision of another family and says when there is nothing to roll back to", async () => {
            seed(1);
            const t = target(testClock("2026-11-25T08:00:00Z"));
            await assert.rejects(
                rollbackTarget(t),
                new ReleaseError(
                    `no earlier revision of ${FAMILY} than ${arn(1)} was deployed successfully by a deployment; there is nothing to roll back to`,
                ),
            );
            await assert.rejects(
                rollback(t, arn(1, "acme-billing-web"), { timeoutMs: 60_000, pollMs: 15_000 }),
                new ReleaseError(
                    `${arn(1, "acme-billing-web")} is not a revision of ${FAMILY}, the family acme-tenants-api-web runs; nothing was changed`,
                ),
            );
            assert.deepEqual(updates(), []);
        });
    });

    describe("with the ledger (dynalite)", () => {
        let dynamo: Awaited<ReturnType<typeof startDynamo>>;
        let table = 0;
        let tableName: string;
        let ledger: Ledger;
        const clock = { t: 0 };
        let run = 100;
        /** A run recorded as the workflows record it (start, finish), with the image digest the contract adds. */
        const recorded = async (
            kind: "deploy" | "rollback",
            digest: string,
            version: string,
            startedAt: string,
            finishedAt: string,
            outcome: "succeeded" | "failed",
        ) => {
            const runId = String(++run);
            clock.t = Date.parse(startedAt);
            await ledger.start({
                service: "tenants-api",
                environment: "sit",
                kind,
                runId,
                runAttempt: "1",
                commitSha: COMMIT,
                version,
                actor: "alice",
                approvers: ["bob"],
                runUrl: `https://github.com/acme-org/tenants-api/actions/runs/${runId}`,
            });
            await dynamo.client.send(
                new UpdateItemCommand({
                    TableName: tableName,
                    Key: { pk: { S: "tenants-api" }, sk: { S: `${runId}#1#${kind}` } },
                    UpdateExpression: "SET #digest = :digest",
                    ExpressionAttributeNames: { "#digest": DIGEST_FIELD },
                    ExpressionAttributeValues: { ":digest": { S: digest } },
                }),
            );
            clock.t = Date.parse(finishedAt);
            await ledger.finish("tenants-api", runId, "1", kind, outcome);
        };
        const promote = (digest: string, now: string) =>
            checkPromotion(dynamo.client, tableName, "sit", "tenants-api", digest, 24, new Date(now));

        before(async () => (dynamo = await startDynamo()));
        after(async () => await dynamo.stop());
        beforeEach(async () => {
            tableName = `acme-deployments-sit-${++table}`;
            await createLedgerTable(dynamo.client, tableName);
            ledger = new Ledger({ tableName, dynamodb: dynamo.client, now: () => new Date(clock.t) });
        });

        it("a digest that never reached sit cannot go to prod", async () => {
            await recorded("deploy", OTHER_DIGEST, deployTag(20), "2026-11-20T08:00:00Z", "2026-11-20T08:10:00Z", "succeeded");
            await recorded("deploy", DIGEST, deployTag(21), "2026-11-21T08:00:00Z", "2026-11-21T08:10:00Z", "failed");
            await assert.rejects(
                promote(DIGEST, "2026-11-25T08:00:00Z"),
                new ReleaseError(`${DIGEST} of tenants-api was never deployed successfully to sit; only what ran in sit is promoted`),
            );
        });

        it("promotes the digest sit runs after it ran the minimum time with no failure since", async () => {
            await recorded("deploy", DIGEST, deployTag(20), "2026-11-20T08:00:00Z", "2026-11-20T08:10:00Z", "succeeded");
            assert.equal(
                await promote(DIGEST, "2026-11-21T09:10:00Z"),
                `${DIGEST} of tenants-api has run in sit for 25 h 0 min (since 2026-11-20T08:10:00.000Z) with no failure recorded`,
            );
            await assert.rejects(
                promote(DIGEST, "2026-11-21T07:10:00Z"),
                new ReleaseError(
                    `${DIGEST} of tenants-api has run in sit for 23 h 0 min (since 2026-11-20T08:10:00.000Z); promotion needs 24 h without a failure`,
                ),
            );
        });

        it("refuses a digest sit no longer runs, and one after which sit recorded a failure", async () => {
            await recorded("deploy", DIGEST, deployTag(20), "2026-11-20T08:00:00Z", "2026-11-20T08:10:00Z", "succeeded");
            await recorded("deploy", OTHER_DIGEST, deployTag(21), "2026-11-21T08:00:00Z", "2026-11-21T08:10:00Z", "failed");
            await assert.rejects(
                promote(DIGEST, "2026-11-25T08:00:00Z"),
                new ReleaseError(
                    `a deploy of tenants-api failed in sit at 2026-11-21T08:10:00.000Z (https://github.com/acme-org/tenants-api/actions/runs/${run}) after ${DIGEST} was deployed; promotion needs 24 h without a failure`,
                ),
            );
            await recorded("deploy", OTHER_DIGEST, deployTag(22), "2026-11-22T08:00:00Z", "2026-11-22T08:10:00Z", "succeeded");
            await assert.rejects(
                promote(DIGEST, "2026-11-25T08:00:00Z"),
                new ReleaseError(
                    `sit runs ${OTHER_DIGEST} of tenants-api (${deployTag(22)}, since 2026-11-22T08:10:00.000Z), not ${DIGEST}; only what sit runs now is promoted`,
                ),
            );
        });

        it("rollback lands on the previous task definition whose deployment succeeded, skipping a failed one", async () => {
            // Revisions 1..4 registered by deployments; 3's deployment failed (ECS rolled it back), the service runs 4.
            seed(4);
            for (const r of [1, 2, 3, 4])
                await recorded(
                    "deploy",
                    `sha256:${String(r).repeat(64)}`,
                    deployTag(r),
                    `2026-11-0${r}T08:00:00Z`,
                    `2026-11-0${r}T08:10:00Z`,
                    r === 3 ? "failed" : "succeeded",
                );
            const env = {
                INPUT_COMMAND: "rollback-target",
                INPUT_CLUSTER: "acme-sit",
                "INPUT_SERVICE-NAME": "acme-tenants-api-web",
                INPUT_SERVICE: "tenants-api",
                "INPUT_LEDGER-TABLE": tableName,
            };
            const lines: string[] = [];
            const clients: Clients = {
                ecs: () => ecs.client,
                ecr: () => ecr.client,
                cloudwatch: () => cloudwatch.client,
                dynamodb: () => dynamo.client,
            };
            const stdout: string[] = [];
            const write = process.stdout.write.bind(process.stdout);
            process.stdout.write = ((chunk: string) => (stdout.push(String(chunk)), true)) as typeof process.stdout.write;
            let code: number;
            try {
                code = await ecsReleaseAction(env, clients, testClock("2026-11-25T08:00:00Z"), (l) => lines.push(l));
            } finally {
                process.stdout.write = write;
            }
            assert.equal(code, 0, lines.join("\n"));
            assert.deepEqual(lines, [
                `rollback of acme-tenants-api-web: ${arn(4)} -> ${arn(2)} (${deployTag(2)}, commit ${"2".repeat(40)})`,
            ]);
            assert.deepEqual(stdout, [
                `current-task-definition=${arn(4)}\n`,
                `task-definition=${arn(2)}\n`,
                `tag=${deployTag(2)}\n`,
                `commit=${"2".repeat(40)}\n`,
                `digest=sha256:${"2".repeat(64)}\n`,
            ]);
            const rolled = await ecsReleaseAction(
                {
                    INPUT_COMMAND: "rollback",
                    INPUT_CLUSTER: "acme-sit",
                    "INPUT_SERVICE-NAME": "acme-tenants-api-web",
                    "INPUT_TASK-DEFINITION": arn(2),
                    GITHUB_OUTPUT: "/dev/null",
                },
                clients,
                testClock("2026-11-25T08:00:00Z"),
                (l) => lines.push(l),
            );
            assert.equal(rolled, 0, lines.join("\n"));
            assert.equal(ecs.services.get("acme-tenants-api-web")?.taskDefinition, arn(2));
        });
    });

    describe("inputs", () => {
        it("names every missing and malformed input and exits 2 having changed nothing", async () => {
            const lines: string[] = [];
            const clients: Clients = {
                ecs: () => ecs.client,
                ecr: () => ecr.client,
                cloudwatch: () => cloudwatch.client,
                dynamodb: () => assert.fail("no ledger"),
            };
            seed(3);
            const code = await ecsReleaseAction(
                {
                    INPUT_COMMAND: "deploy",
                    INPUT_DIGEST: "latest",
                    INPUT_CLUSTER: "acme-sit",
                    "INPUT_SERVICE-NAME": "acme-tenants-api-web",
                },
                clients,
                testClock("2026-11-25T08:00:00Z"),
                (l) => lines.push(l),
            );
            assert.equal(code, 2);
            assert.deepEqual(lines, [
                "::error::ecs-release: input digest must be an image digest (sha256:<64 hex>), got 'latest'",
                "::error::ecs-release: input container is required for deploy",
                "::error::ecs-release: input repository-uri is required for deploy",
                "::error::ecs-release: input commit is required for deploy",
                "::error::ecs-release: input tag is required for deploy",
                "::error::ecs-release: input alarms is required for deploy",
            ]);
            assert.deepEqual(ecs.requests, []);
        });

        it("takes a deploy tag with a root name, as the contract's tag parser does", () => {
            const inputs = readInputs({
                INPUT_COMMAND: "rollback-target",
                INPUT_CLUSTER: "c",
                "INPUT_SERVICE-NAME": "s",
                INPUT_TAG: "deploy-prod-web-20261125T080000Z",
            });
            assert.equal(inputs.values.tag, "deploy-prod-web-20261125T080000Z");
        });
    });
});
