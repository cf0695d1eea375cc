import { strict as assert } from "assert";
import { createHash } from "crypto";
import type { AttributeValue, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { parseStackConfig } from "../config";
import { LEDGER_SCHEMA } from "../shared/ledger";
import { roleName } from "../shared/names";
import { Ledger } from "../shared/ledgerClient";
import {
    abortCanary,
    canary,
    codeSha256,
    parseVersionDescription,
    pointAlias,
    publish,
    ReleaseError,
    rollback,
    rollbackTarget,
    type CanaryPlan,
    type Target,
} from "../actions/lambda-release/src/release";
import type { Clock } from "../actions/lib/clock";
import { checkStability, ledgerHistory } from "../actions/lambda-release/src/stability";
import { createLedgerTable, fakeFunction, startCloudWatch, startDynamo, startLambda } from "./helpers/aws";
import { decide, stackPolicies } from "./helpers/iamSimulation";
import { stackConfig } from "./helpers/stacks";
import { graphOf } from "./support/graphs";
import { testClock } from "./support/clock";

const COMMIT = "0123456789abcdef0123456789abcdef01234567";
const OTHER = "fedcba9876543210fedcba9876543210fedcba98";
const MINUTE = 60_000;
const tag = (n: number) => `deploy-prod-2026112${n}T080000Z`;

describe("the Lambda release against loopback Lambda and CloudWatch endpoints", () => {
    let lambda: Awaited<ReturnType<typeof startLambda>>;
    let cloudwatch: Awaited<ReturnType<typeof startCloudWatch>>;
    const log: string[] = [];
    const target = (clock: Clock): Target => ({
        lambda: lambda.client,
        functionName: "tenants",
        alias: "live",
        clock,
        log: (l) => log.push(l),
    });
    const plan = (overrides: Partial<CanaryPlan> = {}): CanaryPlan => ({
        cloudwatch: cloudwatch.client,
        alarmNames: ["tenants-live-errors"],
        weights: [10],
        bakeMs: 10 * MINUTE,
        pollMs: MINUTE,
        ...overrides,
    });
    const aliasUpdates = () =>
        lambda.requests.filter((r) => r.method === "PUT" && r.path === "/2015-03-31/functions/tenants/aliases/live").map((r) => r.body);

    before(async () => {
        lambda = await startLambda({});
        cloudwatch = await startCloudWatch();
    });
    after(async () => {
        await lambda.stop();
        await cloudwatch.stop();
    });
    beforeEach(() => {
        // Version 1 (live) and version 2, published by an earlier deploy and not yet live.
        lambda.functions.tenants = fakeFunction([{ description: `${tag(1)} ${OTHER}` }, { description: `${tag(2)} ${COMMIT}` }]);
        lambda.functions.tenants.aliases.live.functionVersion = "1";
        lambda.requests.length = 0;
        cloudwatch.alarms.clear();
        cloudwatch.alarms.set("tenants-live-errors", "OK");
        log.length = 0;
    });

    it("publishes the built zip as a new version after the update finishes, and points the alias at it", async () => {
        const zip = Buffer.from("the built package");
        const clock = testClock("2026-11-23T08:00:00Z");
        const published = await publish(target(clock), zip, codeSha256(zip), `${tag(3)} ${COMMIT}`);
        assert.deepEqual(published, { version: "3", codeSha256: createHash("sha256").update(zip).digest("base64") });
        assert.deepEqual(lambda.functions.tenants.versions[2], {
            version: "3",
            codeSha256: published.codeSha256,
            description: `${tag(3)} ${COMMIT}`,
        });
        assert.deepEqual(clock.slept, [2000, 2000], "polled until the update was no longer InProgress");
        assert.equal(await pointAlias(target(clock), "3"), "1");
        assert.deepEqual(lambda.functions.tenants.aliases.live, { functionVersion: "3", weights: {} });
    });

    it("refuses a package whose digest is not the build's, and changes nothing", async () => {
        await assert.rejects(
            publish(
                target(testClock("2026-11-23T08:00:00Z")),
                Buffer.from("tampered"),
                codeSha256(Buffer.from("built")),
                `${tag(3)} ${COMMIT}`,
            ),
            new ReleaseError(
                `the package's SHA-256 is ${codeSha256(Buffer.from("tampered"))}, the build's ${codeSha256(Buffer.from("built"))}: not the artifact that was built; nothing was changed`,
            ),
        );
        assert.deepEqual(lambda.requests, []);
    });

    it("stops with Lambda's reason when the code update fails", async () => {
        lambda.functions.tenants.updateFailure = "InvalidZipFileException";
        const zip = Buffer.from("broken package");
        await assert.rejects(
            publish(target(testClock("2026-11-23T08:00:00Z")), zip, codeSha256(zip), `${tag(3)} ${COMMIT}`),
            new ReleaseError("the code update of tenants failed: InvalidZipFileException"),
        );
        assert.equal(lambda.functions.tenants.versions.length, 2, "nothing was published");
    });

    it("a canary that stays green bakes 10% for the bake time, then gives the new version all traffic", async () => {
        const clock = testClock("2026-11-23T08:00:00Z");
        assert.equal(await canary(target(clock), "2", plan()), "1");
        assert.deepEqual(aliasUpdates(), [
            { FunctionVersion: "1", RoutingConfig: { AdditionalVersionWeights: { "2": 0.1 } } },
            { FunctionVersion: "2", RoutingConfig: { AdditionalVersionWeights: {} } },
        ]);
        assert.deepEqual(lambda.functions.tenants.aliases.live, { functionVersion: "2", weights: {} });
        assert.equal(
            clock.slept.reduce((a, b) => a + b, 0),
            10 * MINUTE,
            "baked exactly the bake time",
        );
        assert.equal(
            cloudwatch.requests.filter((r) => r.target.endsWith(".DescribeAlarms")).length,
            12,
            "the alarm read before and every minute",
        );
    });

    it("a canary whose alarm fires during the bake rolls the alias back to the old version by itself and fails", async () => {
        const clock = testClock("2026-11-23T08:00:00Z", ({ elapsedMs: elapsed }) => {
            if (elapsed >= 4 * MINUTE) cloudwatch.alarms.set("tenants-live-errors", "ALARM");
        });
        await assert.rejects(
            canary(target(clock), "2", plan()),
            new ReleaseError(
                "alarm tenants-live-errors fired with 10% of traffic on version 2: alias live of tenants rolled back to version 1 (all traffic)",
            ),
        );
        assert.deepEqual(lambda.functions.tenants.aliases.live, { functionVersion: "1", weights: {} });
        assert.deepEqual(
            aliasUpdates().map((b) => (b as { RoutingConfig: unknown }).RoutingConfig),
            [{ AdditionalVersionWeights: { "2": 0.1 } }, { AdditionalVersionWeights: {} }],
        );
        assert.equal(
            clock.slept.reduce((a, b) => a + b, 0),
            4 * MINUTE,
            "stopped at the first reading in ALARM",
        );
    });

    it("a canary in steps rolls back when the alarm fires at the second step", async () => {
        const clock = testClock("2026-11-23T08:00:00Z", ({ elapsedMs: elapsed }) => {
            if (elapsed >= 15 * MINUTE) cloudwatch.alarms.set("tenants-live-errors", "ALARM");
        });
        await assert.rejects(canary(target(clock), "2", plan({ weights: [10, 50] })), /fired with 50% of traffic on version 2/);
        assert.deepEqual(lambda.functions.tenants.aliases.live, { functionVersion: "1", weights: {} });
        assert.equal(aliasUpdates().length, 3);
    });

    it("a canary whose alarm disappears during the bake rolls back too: it is never left unwatched", async () => {
        const clock = testClock("2026-11-23T08:00:00Z", ({ elapsedMs: elapsed }) => {
            if (elapsed >= 2 * MINUTE) cloudwatch.alarms.delete("tenants-live-errors");
        });
        await assert.rejects(
            canary(target(clock), "2", plan()),
            new ReleaseError(
                "the canary of version 2 stopped (alarm tenants-live-errors does not exist: a canary needs alarms it can watch): " +
                    "alias live of tenants rolled back to version 1 (all traffic)",
            ),
        );
        assert.deepEqual(lambda.functions.tenants.aliases.live, { functionVersion: "1", weights: {} });
    });

    it("a canary does not start while its alarm is already in ALARM, nor with an alarm that does not exist", async () => {
        cloudwatch.alarms.set("tenants-live-errors", "ALARM");
        await assert.rejects(
            canary(target(testClock("2026-11-23T08:00:00Z")), "2", plan()),
            new ReleaseError("alarm tenants-live-errors is in ALARM before the canary starts; alias live was not changed"),
        );
        await assert.rejects(
            canary(target(testClock("2026-11-23T08:00:00Z")), "2", plan({ alarmNames: ["tenants-live-errors", "no-such-alarm"] })),
            new ReleaseError("alarm no-such-alarm does not exist: a canary needs alarms it can watch"),
        );
        assert.deepEqual(aliasUpdates(), []);
        assert.deepEqual(lambda.functions.tenants.aliases.live, { functionVersion: "1", weights: {} });
    });

    it("treats INSUFFICIENT_DATA (no traffic yet) as not firing", async () => {
        cloudwatch.alarms.set("tenants-live-errors", "INSUFFICIENT_DATA");
        await canary(target(testClock("2026-11-23T08:00:00Z")), "2", plan());
        assert.deepEqual(lambda.functions.tenants.aliases.live, { functionVersion: "2", weights: {} });
    });

    it("refuses to release over an unfinished canary, and abort-canary puts all traffic back on the primary version", async () => {
        lambda.functions.tenants.aliases.live = { functionVersion: "1", weights: { "2": 0.1 } };
        await assert.rejects(
            pointAlias(target(testClock("2026-11-23T08:00:00Z")), "2"),
            new ReleaseError(
                "alias live of tenants still routes 10% to version 2: an unfinished canary; roll it back before releasing again",
            ),
        );
        assert.equal(await abortCanary(target(testClock("2026-11-23T08:00:00Z"))), "10% on version 2");
        assert.deepEqual(lambda.functions.tenants.aliases.live, { functionVersion: "1", weights: {} });
        assert.equal(await abortCanary(target(testClock("2026-11-23T08:00:00Z"))), undefined, "nothing routed: nothing to undo");
    });

    it("finds the version a tag was deployed as, or a given version, and refuses what does not exist", async () => {
        lambda.functions.tenants.aliases.live.functionVersion = "2";
        const t = target(testClock("2026-11-23T08:00:00Z"));
        assert.deepEqual(await rollbackTarget(t, { tag: tag(1) }), {
            current: "2",
            target: { version: "1", codeSha256: lambda.functions.tenants.versions[0].codeSha256, tag: tag(1), commit: OTHER },
        });
        assert.equal((await rollbackTarget(t, { version: "1" })).target.version, "1");
        await assert.rejects(
            rollbackTarget(t, { tag: tag(9) }),
            new ReleaseError(`no published version of tenants was deployed as ${tag(9)}`),
        );
        await assert.rejects(rollbackTarget(t, { version: "7" }), new ReleaseError("tenants has no published version 7"));
        await assert.rejects(
            rollbackTarget(t, { version: "2" }),
            new ReleaseError("alias live of tenants already serves version 2; nothing to roll back"),
        );
    });

    it("reads a version's tag and commit from its description, and nothing from a foreign one", () => {
        assert.deepEqual(parseVersionDescription(`${tag(1)} ${COMMIT}`), { tag: tag(1), commit: COMMIT });
        assert.equal(parseVersionDescription("hand-published"), undefined);
        assert.equal(parseVersionDescription(undefined), undefined);
    });

    describe("with the ledger (dynalite)", () => {
        let dynamo: Awaited<ReturnType<typeof startDynamo>>;
        let table = 0;
        let tableName: string;
        let ledger: Ledger;
        const clock = { t: 0 };
        const at = (iso: string) => (clock.t = Date.parse(iso));
        let run = 100;
        /** A deployment recorded as the workflows record it: started, then finished at `finishedAt`. */
        const deployment = async (
            commit: string,
            version: string,
            startedAt: string,
            finishedAt: string,
            outcome: "succeeded" | "failed",
            service = "tenants",
        ) => {
            const runId = String(++run);
            at(startedAt);
            await ledger.start({
                service,
                environment: "sit",
                kind: "deploy",
                runId,
                runAttempt: "1",
                commitSha: commit,
                version,
                actor: "alice",
                approvers: ["bob"],
                runUrl: `https://github.com/org/tenants/actions/runs/${runId}`,
            });
            at(finishedAt);
            await ledger.finish(service, runId, "1", "deploy", outcome);
        };

        before(async () => (dynamo = await startDynamo()));
        after(async () => await dynamo.stop());
        beforeEach(async () => {
            tableName = `lambda-ledger-${++table}`;
            await createLedgerTable(dynamo.client, tableName);
            ledger = new Ledger({ tableName, dynamodb: dynamo.client, now: () => new Date(clock.t) });
        });

        it("alias rollback with no version given goes to exactly the previous recorded deployment, skipping a failed one", async () => {
            // Versions 1..4 published; 4's canary failed (recorded failed), so live serves 3.
            lambda.functions.tenants = fakeFunction([1, 2, 3, 4].map((n) => ({ description: `${tag(n)} ${n % 2 ? OTHER : COMMIT}` })));
            lambda.functions.tenants.aliases.live.functionVersion = "3";
            await deployment(OTHER, tag(1), "2026-11-21T08:00:00Z", "2026-11-21T08:05:00Z", "succeeded");
            await deployment(COMMIT, tag(2), "2026-11-22T08:00:00Z", "2026-11-22T08:05:00Z", "succeeded");
            await deployment(OTHER, tag(3), "2026-11-23T08:00:00Z", "2026-11-23T08:05:00Z", "succeeded");
            await deployment(COMMIT, tag(4), "2026-11-24T08:00:00Z", "2026-11-24T08:20:00Z", "failed");
            const t = target(testClock("2026-11-24T09:00:00Z"));
            const { current, target: chosen } = await rollbackTarget(t, { history: ledgerHistory(dynamo.client, tableName, "tenants") });
            assert.deepEqual([current, chosen.version, chosen.tag, chosen.commit], ["3", "2", tag(2), COMMIT]);
            assert.equal(await rollback(t, chosen.version), "3");
            assert.deepEqual(lambda.functions.tenants.aliases.live, { functionVersion: "2", weights: {} });
        });

        it("reads the ledger only by the service's own partition key: the deployer and sit's ledger reader of the service may, another service's may not", async () => {
            const service = "2_bbws_tenants_instances_lambda";
            const otherService = "2_bbws_tenants_event_handler";
            await deployment(OTHER, tag(1), "2026-11-21T08:00:00Z", "2026-11-21T08:05:00Z", "succeeded", service);
            await deployment(COMMIT, tag(2), "2026-11-22T08:00:00Z", "2026-11-22T08:05:00Z", "succeeded", service);
            lambda.functions.tenants = fakeFunction([1, 2].map((n) => ({ description: `${tag(n)} ${n % 2 ? OTHER : COMMIT}` })));
            lambda.functions.tenants.aliases.live.functionVersion = "2";
            // Every call the release makes to the ledger, as DynamoDB receives it.
            const sent: { action: string; input: Record<string, unknown> }[] = [];
            const recording = {
                send: (command: { input: Record<string, unknown> }) => {
                    sent.push({ action: `dynamodb:${command.constructor.name.replace(/Command$/, "")}`, input: command.input });
                    return dynamo.client.send(command as never);
                },
            } as unknown as DynamoDBClient;
            const reads = () => sent.splice(0);
            const { target: chosen } = await rollbackTarget(target(testClock("2026-11-23T09:00:00Z")), {
                history: ledgerHistory(recording, tableName, service),
            });
            assert.equal(chosen.version, "1");
            const rollbackReads = reads();
            const sitLedger = new Ledger({ tableName, dynamodb: recording, now: () => new Date(clock.t) });
            await checkStability(sitLedger, service, COMMIT, 24, new Date("2026-11-23T08:05:00Z"));
            const stabilityReads = reads();

            const config = parseStackConfig(stackConfig("sit"), "sit");
            const naming = { prefix: config.prefix, environment: config.environment, accountId: config.accountId, region: config.region };
            const policies = stackPolicies(await graphOf("sit", "resolved"), config.accountId);
            const table = `arn:aws:dynamodb:${config.region}:${config.accountId}:table/${config.prefix}-deployments-sit`;
            /** The request IAM evaluates: the index queried, and the partition key value bound in the key condition. */
            const asRequest = ({ action, input }: (typeof sent)[number]) => {
                const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
                const values = (input.ExpressionAttributeValues ?? {}) as Record<string, AttributeValue>;
                const bound = [...String(input.KeyConditionExpression).matchAll(/(#\w+) = (:\w+)/g)]
                    .filter(([, name]) => names[name] === LEDGER_SCHEMA.partitionKey)
                    .map(([, , value]) => values[value].S ?? "");
                return { action, resource: `${table}/index/${String(input.IndexName)}`, leadingKeys: bound };
            };
            const shape = (r: ReturnType<typeof asRequest>) => [r.action, r.resource.split("/").pop(), r.leadingKeys];
            assert.deepEqual(rollbackReads.map(asRequest).map(shape), [["dynamodb:Query", "by-service-status", [service]]]);
            assert.deepEqual(stabilityReads.map(asRequest).map(shape), [
                ["dynamodb:Query", "by-service-commit", [service]],
                ["dynamodb:Query", "by-service-status", [service]],
                ["dynamodb:Query", "by-service-status", [service]],
            ]);
            const decisions = async (kind: "deployer" | "ledger-reader", owner: string, requests: (typeof sent)[number][]) =>
                Promise.all(
                    requests.map(asRequest).map((r) =>
                        decide(policies, {
                            role: roleName(naming, kind, owner),
                            action: r.action,
                            resource: r.resource,
                            context: { "dynamodb:LeadingKeys": r.leadingKeys },
                        }),
                    ),
                );
            assert.deepEqual(await decisions("deployer", service, rollbackReads), ["Allowed"]);
            assert.deepEqual(await decisions("ledger-reader", service, stabilityReads), ["Allowed", "Allowed", "Allowed"]);
            assert.deepEqual(await decisions("deployer", otherService, rollbackReads), ["ImplicitlyDenied"]);
            assert.deepEqual(await decisions("ledger-reader", otherService, stabilityReads), [
                "ImplicitlyDenied",
                "ImplicitlyDenied",
                "ImplicitlyDenied",
            ]);
        });

        it("refuses a rollback to the previous deployment when what the alias serves was never recorded", async () => {
            await deployment(OTHER, tag(1), "2026-11-21T08:00:00Z", "2026-11-21T08:05:00Z", "succeeded");
            lambda.functions.tenants.aliases.live.functionVersion = "2";
            lambda.functions.tenants.versions[1] = { ...lambda.functions.tenants.versions[1], description: "hand-published" };
            await assert.rejects(
                rollbackTarget(target(testClock("2026-11-24T09:00:00Z")), { history: ledgerHistory(dynamo.client, tableName, "tenants") }),
                new ReleaseError("version 2 that alias live serves is not a recorded deployment; give a version or a tag to roll back to"),
            );
        });

        it("lets a commit go to prod once it has run in sit for 24 h with no failure since", async () => {
            await deployment(COMMIT, tag(2), "2026-11-22T08:00:00Z", "2026-11-22T08:05:00Z", "succeeded");
            assert.equal(
                await checkStability(ledger, "tenants", COMMIT, 24, new Date("2026-11-23T08:05:00Z")),
                "0123456789ab of tenants has run in sit for 24 h 0 min (since 2026-11-22T08:05:00.000Z) with no failure recorded",
            );
        });

        it("a version that never reached sit cannot go to prod", async () => {
            await deployment(OTHER, tag(1), "2026-11-20T08:00:00Z", "2026-11-20T08:05:00Z", "succeeded");
            await deployment(COMMIT, tag(2), "2026-11-21T08:00:00Z", "2026-11-21T08:05:00Z", "failed");
            await assert.rejects(
                checkStability(ledger, "tenants", COMMIT, 24, new Date("2026-11-23T08:00:00Z")),
                new ReleaseError("0123456789ab of tenants was never deployed successfully to sit; only what ran in sit can go to prod"),
            );
        });

        it("a version that reached sit less than 24 h ago cannot go to prod", async () => {
            await deployment(COMMIT, tag(2), "2026-11-22T08:00:00Z", "2026-11-22T08:05:00Z", "succeeded");
            await assert.rejects(
                checkStability(ledger, "tenants", COMMIT, 24, new Date("2026-11-23T08:04:00Z")),
                new ReleaseError(
                    "0123456789ab of tenants has run in sit for 23 h 59 min (since 2026-11-22T08:05:00.000Z); prod needs 24 h without a failure",
                ),
            );
            assert.match(
                await checkStability(ledger, "tenants", COMMIT, 12, new Date("2026-11-23T08:04:00Z")),
                /23 h 59 min/,
                "the minimum is configurable",
            );
        });

        it("a failure recorded in sit after the deploy blocks the promotion", async () => {
            await deployment(COMMIT, tag(2), "2026-11-20T08:00:00Z", "2026-11-20T08:05:00Z", "succeeded");
            await deployment(OTHER, tag(3), "2026-11-21T08:00:00Z", "2026-11-21T08:30:00Z", "failed");
            await assert.rejects(
                checkStability(ledger, "tenants", COMMIT, 24, new Date("2026-11-23T08:00:00Z")),
                new ReleaseError(
                    "a deploy of tenants failed in sit at 2026-11-21T08:30:00.000Z (https://github.com/org/tenants/actions/runs/" +
                        `${run}), after 0123456789ab was deployed; prod needs 24 h without a failure`,
                ),
            );
        });

        it("a failure before the deploy does not block it", async () => {
            await deployment(OTHER, tag(1), "2026-11-19T08:00:00Z", "2026-11-19T08:30:00Z", "failed");
            await deployment(COMMIT, tag(2), "2026-11-20T08:00:00Z", "2026-11-20T08:05:00Z", "succeeded");
            assert.match(
                await checkStability(ledger, "tenants", COMMIT, 24, new Date("2026-11-23T08:00:00Z")),
                /with no failure recorded$/,
            );
        });

        it("a commit sit no longer runs cannot go to prod, however long it ran", async () => {
            await deployment(COMMIT, tag(2), "2026-11-18T08:00:00Z", "2026-11-18T08:05:00Z", "succeeded");
            await deployment(OTHER, tag(3), "2026-11-22T08:00:00Z", "2026-11-22T08:05:00Z", "succeeded");
            await assert.rejects(
                checkStability(ledger, "tenants", COMMIT, 24, new Date("2026-11-23T08:00:00Z")),
                new ReleaseError(
                    `sit runs fedcba987654 of tenants (${tag(3)}, since 2026-11-22T08:05:00.000Z), not 0123456789ab; only what sit runs now can go to prod`,
                ),
            );
        });
    });
});
