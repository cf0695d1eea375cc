import { strict as assert } from "assert";
import { recorderArguments } from "../../actions/record-deployment/src/action";
import { Ledger } from "../../shared/ledgerClient";
import { createLedgerTable, datapoints, startCloudWatch, startDynamo } from "../helpers/aws";
import { runRecorderBundle } from "../support/recordDeployment";

describe("actions/record-deployment: the recorder as an action", () => {
    const RUN = {
        GITHUB_REPOSITORY: "org/2_1_bbws_s3_schemas",
        GITHUB_SERVER_URL: "https://github.com",
        GITHUB_RUN_ID: "77",
        GITHUB_RUN_ATTEMPT: "2",
        GITHUB_SHA: "0123456789abcdef0123456789abcdef01234567",
        GITHUB_REF_NAME: "main",
        GITHUB_ACTOR: "alice",
        LEDGER_TABLE: "bbws-deployments-prod",
    };

    it("passes the start arguments with the run's defaults, and only those of the command", () => {
        assert.deepEqual(
            recorderArguments({
                ...RUN,
                INPUT_COMMAND: "start",
                INPUT_ENVIRONMENT: "prod",
                "INPUT_CHANGE-TICKET": "CHG-1",
                INPUT_OUTCOME: "success",
            }),
            [
                "start",
                "--environment",
                "prod",
                "--service",
                "2_1_bbws_s3_schemas",
                "--run-id",
                "77",
                "--run-attempt",
                "2",
                "--commit",
                "0123456789abcdef0123456789abcdef01234567",
                "--version",
                "main",
                "--actor",
                "alice",
                "--run-url",
                "https://github.com/org/2_1_bbws_s3_schemas/actions/runs/77",
                "--change-ticket",
                "CHG-1",
                "--table",
                "bbws-deployments-prod",
            ],
        );
    });

    it("maps the job's status to the recorder's outcome for finish", () => {
        assert.deepEqual(
            recorderArguments({
                ...RUN,
                INPUT_COMMAND: "finish",
                INPUT_ENVIRONMENT: "prod",
                INPUT_OUTCOME: "failure",
                INPUT_KIND: "rollback",
            }),
            [
                "finish",
                "--environment",
                "prod",
                "--service",
                "2_1_bbws_s3_schemas",
                "--run-id",
                "77",
                "--run-attempt",
                "2",
                "--outcome",
                "failed",
                "--kind",
                "rollback",
                "--table",
                "bbws-deployments-prod",
            ],
        );
    });

    it("asks the promotion question of the table it is given", () => {
        assert.deepEqual(
            recorderArguments({ ...RUN, INPUT_COMMAND: "deployed", INPUT_ENVIRONMENT: "sit", INPUT_TABLE: "bbws-deployments-sit" }),
            [
                "deployed",
                "--environment",
                "sit",
                "--service",
                "2_1_bbws_s3_schemas",
                "--commit",
                "0123456789abcdef0123456789abcdef01234567",
                "--table",
                "bbws-deployments-sit",
            ],
        );
    });

    it("refuses an unknown command, naming it", () => {
        assert.throws(
            () => recorderArguments({ INPUT_COMMAND: "delete" }),
            new Error("command must be one of start, rollback, finish, deployed, live, got 'delete'"),
        );
    });

    describe("the committed bundle, run as the runner runs it, against dynalite and a CloudWatch fake", () => {
        let dynamo: Awaited<ReturnType<typeof startDynamo>>;
        let cloudwatch: Awaited<ReturnType<typeof startCloudWatch>>;
        before(async () => {
            dynamo = await startDynamo();
            cloudwatch = await startCloudWatch();
            await createLedgerTable(dynamo.client, "bbws-deployments-sit");
        });
        after(async () => {
            await dynamo.stop();
            await cloudwatch.stop();
        });
        const runBundle = (inputs: Record<string, string>) =>
            runRecorderBundle(inputs, { dynamodb: dynamo.endpoint, cloudwatch: cloudwatch.endpoint }, RUN, "bbws-deployments-sit");

        it("records a start and a finish, publishes the metric, then answers the promotion check", async () => {
            const started = await runBundle({ command: "start", environment: "sit" });
            assert.equal(started.status, 0, started.stdout);
            const finished = await runBundle({ command: "finish", environment: "sit", outcome: "success" });
            assert.equal(finished.status, 0, finished.stdout);
            const ledger = new Ledger({ tableName: "bbws-deployments-sit", dynamodb: dynamo.client });
            const record = await ledger.get("2_1_bbws_s3_schemas", "77", "2", "deploy");
            assert.deepEqual([record?.status, record?.commitSha, record?.actor], ["succeeded", RUN.GITHUB_SHA, "alice"]);
            assert.deepEqual(datapoints(cloudwatch.requests), [
                ["CICD/Deployments", "DeploymentStarted", "Environment=sit"],
                ["CICD/Deployments", "DeploymentStarted", "Environment=sit,Service=2_1_bbws_s3_schemas"],
                ["CICD/Deployments", "DeploymentSucceeded", "Environment=sit"],
                ["CICD/Deployments", "DeploymentSucceeded", "Environment=sit,Service=2_1_bbws_s3_schemas"],
            ]);
            const deployed = await runBundle({ command: "deployed", environment: "sit" });
            assert.equal(deployed.status, 0, deployed.stdout);
            const never = await runBundle({ command: "deployed", environment: "sit", commit: "fedcba9876543210fedcba9876543210fedcba98" });
            assert.deepEqual(
                [never.status, never.stdout.trim().split("\n")],
                [
                    1,
                    [
                        "fedcba9876543210fedcba9876543210fedcba98 of 2_1_bbws_s3_schemas was never deployed successfully to sit",
                        "::error::the recorder answered no to 'deployed' (exit 1); see the line above",
                    ],
                ],
            );
        });
    });
});
