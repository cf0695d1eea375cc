import { strict as assert } from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { checkRequestAction } from "../actions/check-request/src/action";
import { requestProblems, type DeployRequest } from "../actions/check-request/src/checkRequest";
import { judgeWindow, type DeployWindow } from "../shared/deployWindow";
import { notifySlackAction, type Post } from "../actions/notify-slack/src/action";
import { escapeMrkdwn, slackPayload, type Notice } from "../actions/notify-slack/src/payload";
import { recorderArguments } from "../actions/record-deployment/src/action";
import { bundleAction, bundledActions, bundlePath } from "../tools/build/bundle";
import { Ledger } from "../shared/ledgerClient";
import { createLedgerTable, CREDENTIALS, datapoints, REGION, startCloudWatch, startDynamo } from "./helpers/aws";
import { ROOT } from "./helpers/run";

// 2026-11-23 is a Monday. SAST is UTC+2 all year.
const at = (utc: string) => new Date(utc);
const MONDAY_10_SAST = at("2026-11-23T08:00:00Z");
/** The tests' own sit window (the map would carry it): business hours in South Africa. */
const SIT_WINDOW: DeployWindow = {
    timeZone: "Africa/Johannesburg",
    days: ["mon", "tue", "wed", "thu", "fri"],
    hours: { from: "08:00", to: "17:00" },
};
const request = (overrides: Partial<DeployRequest>): DeployRequest => ({
    kind: "deploy",
    environment: "dev",
    confirmation: "deploy-dev",
    changeTicket: "",
    tag: "",
    stateVersion: "",
    ...(overrides.environment === "sit" ? { deployWindow: SIT_WINDOW } : {}),
    ...overrides,
});

/** Captures what an action prints, so a test can compare it whole. */
async function captured(body: () => Promise<number>): Promise<[number, string[]]> {
    const lines: string[] = [];
    const log = console.log;
    console.log = (...args: unknown[]) => void lines.push(args.join(" "));
    try {
        return [await body(), lines];
    } finally {
        console.log = log;
    }
}

describe("actions/check-request: the request checks, with a pinned clock", () => {
    const table: [string, Partial<DeployRequest>, Date, string[]][] = [
        ["a confirmed dev deploy at night is accepted", {}, at("2026-11-22T23:00:00Z"), []],
        [
            "a wrong confirmation is refused",
            { environment: "prod", confirmation: "deploy-sit", changeTicket: "CHG-1" },
            MONDAY_10_SAST,
            ["type 'deploy-prod' to confirm, got 'deploy-sit'"],
        ],
        ["sit at Monday 10:00 SAST is inside the window", { environment: "sit", confirmation: "deploy-sit" }, MONDAY_10_SAST, []],
        [
            "sit at Monday 08:00 SAST exactly opens the window",
            { environment: "sit", confirmation: "deploy-sit" },
            at("2026-11-23T06:00:00Z"),
            [],
        ],
        ["sit at Monday 16:59 SAST is still inside", { environment: "sit", confirmation: "deploy-sit" }, at("2026-11-23T14:59:59Z"), []],
        [
            "sit at Monday 17:00 SAST is outside",
            { environment: "sit", confirmation: "deploy-sit" },
            at("2026-11-23T15:00:00Z"),
            ["sit deploys only Monday to Friday, 08:00 to 17:00 Africa/Johannesburg time (now: Mon 17:00 Africa/Johannesburg time)"],
        ],
        [
            "sit at Monday 07:59 SAST is outside",
            { environment: "sit", confirmation: "deploy-sit" },
            at("2026-11-23T05:59:00Z"),
            ["sit deploys only Monday to Friday, 08:00 to 17:00 Africa/Johannesburg time (now: Mon 07:59 Africa/Johannesburg time)"],
        ],
        [
            "sit on a Sunday is outside",
            { environment: "sit", confirmation: "deploy-sit" },
            at("2026-11-22T08:00:00Z"),
            ["sit deploys only Monday to Friday, 08:00 to 17:00 Africa/Johannesburg time (now: Sun 10:00 Africa/Johannesburg time)"],
        ],
        [
            "sit on Friday 23:30 UTC is Saturday in SAST, outside",
            { environment: "sit", confirmation: "deploy-sit" },
            at("2026-11-27T23:30:00Z"),
            ["sit deploys only Monday to Friday, 08:00 to 17:00 Africa/Johannesburg time (now: Sat 01:30 Africa/Johannesburg time)"],
        ],
        [
            "a sit rollback on a Sunday night is accepted: incidents have no hours",
            { kind: "rollback", environment: "sit", confirmation: "rollback-sit", tag: "deploy-sit-20261120T080000Z" },
            at("2026-11-22T01:00:00Z"),
            [],
        ],
        [
            "prod without a change ticket is refused",
            { environment: "prod", confirmation: "deploy-prod" },
            MONDAY_10_SAST,
            ["prod needs a change ticket such as CHG-1042, got ''"],
        ],
        [
            "prod with a malformed change ticket is refused",
            { environment: "prod", confirmation: "deploy-prod", changeTicket: "CHG 1042" },
            MONDAY_10_SAST,
            ["prod needs a change ticket such as CHG-1042, got 'CHG 1042'"],
        ],
        [
            "prod with a change ticket at any hour is accepted",
            { environment: "prod", confirmation: "deploy-prod", changeTicket: "CHG-1042" },
            at("2026-11-22T01:00:00Z"),
            [],
        ],
        [
            "a rollback to another environment's tag is refused",
            {
                kind: "rollback",
                environment: "prod",
                confirmation: "rollback-prod",
                changeTicket: "INC-3",
                tag: "deploy-sit-20261120T080000Z",
            },
            MONDAY_10_SAST,
            ["the tag must be a deploy-prod-<YYYYMMDDTHHMMSSZ> tag, got 'deploy-sit-20261120T080000Z'"],
        ],
        [
            "a rollback by state version is accepted",
            { kind: "rollback", environment: "dev", confirmation: "rollback-dev", stateVersion: "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY" },
            MONDAY_10_SAST,
            [],
        ],
        [
            "a rollback without a target is refused",
            { kind: "rollback", environment: "dev", confirmation: "rollback-dev" },
            MONDAY_10_SAST,
            ["a rollback needs a deploy-dev-<YYYYMMDDTHHMMSSZ> tag or a state version"],
        ],
        [
            "a rollback with both a tag and a state version is refused",
            { kind: "rollback", environment: "dev", confirmation: "rollback-dev", tag: "deploy-dev-20261120T080000Z", stateVersion: "abc" },
            MONDAY_10_SAST,
            ["a rollback names a tag or a state version, not both"],
        ],
        [
            "a rollback to the state version 'null' (an unversioned object) is refused",
            { kind: "rollback", environment: "dev", confirmation: "rollback-dev", stateVersion: "null" },
            MONDAY_10_SAST,
            ["the state version must be an S3 version id, got 'null'"],
        ],
        [
            "a deploy that names a tag is refused",
            { tag: "deploy-dev-20261120T080000Z" },
            MONDAY_10_SAST,
            ["a deploy takes no rollback tag or state version"],
        ],
        [
            "every problem of a request is reported at once",
            { environment: "sit", confirmation: "deploy-prod" },
            at("2026-11-22T08:00:00Z"),
            [
                "type 'deploy-sit' to confirm, got 'deploy-prod'",
                "sit deploys only Monday to Friday, 08:00 to 17:00 Africa/Johannesburg time (now: Sun 10:00 Africa/Johannesburg time)",
            ],
        ],
        [
            "an unknown environment is refused (fail closed)",
            { environment: "staging", confirmation: "deploy-staging" },
            MONDAY_10_SAST,
            ["environment must be dev, sit or prod, got 'staging'"],
        ],
        [
            "an unknown kind is refused (fail closed)",
            { kind: "destroy", confirmation: "destroy-dev" },
            MONDAY_10_SAST,
            ["kind must be deploy or rollback, got 'destroy'"],
        ],
    ];
    for (const [name, overrides, now, expected] of table) {
        it(name, () => assert.deepEqual(requestProblems(request(overrides), now), expected));
    }

    it("tells the SAST time of an instant for the window's message", () => {
        assert.deepEqual(judgeWindow(SIT_WINDOW, at("2026-11-24T12:34:00Z")), { open: true, local: "Tue 14:34" });
    });

    it("the action reads its inputs from the runner's INPUT_ variables and annotates each problem", async () => {
        const env = {
            INPUT_KIND: "deploy",
            INPUT_ENVIRONMENT: "prod",
            INPUT_CONFIRMATION: "deploy-prod",
            "INPUT_CHANGE-TICKET": " CHG-7 ",
        };
        assert.deepEqual(await captured(() => checkRequestAction(env, MONDAY_10_SAST)), [0, ["request accepted: deploy to prod"]]);
        assert.deepEqual(
            await captured(() => checkRequestAction({ ...env, INPUT_CONFIRMATION: "deploy-prod\n::warning::x" }, MONDAY_10_SAST)),
            [1, ["::error::type 'deploy-prod' to confirm, got 'deploy-prod%0A::warning::x'"]],
        );
    });
});

describe("actions/notify-slack: the Slack payloads, with a pinned clock", () => {
    const NOW = at("2026-11-23T08:15:30.123Z");
    const notice = (overrides: Partial<Notice>): Notice => ({
        kind: "deploy",
        environment: "prod",
        service: "2_1_bbws_s3_schemas",
        status: "success",
        actor: "alice",
        runUrl: "https://github.com/org/2_1_bbws_s3_schemas/actions/runs/42",
        changeTicket: "CHG-1042",
        commit: "0123456789abcdef0123456789abcdef01234567",
        details: "",
        ...overrides,
    });
    const button = {
        type: "actions",
        elements: [
            {
                type: "button",
                text: { type: "plain_text", text: "Open the run" },
                url: "https://github.com/org/2_1_bbws_s3_schemas/actions/runs/42",
            },
        ],
    };

    const table: [string, Partial<Notice>, { text: string; blocks: unknown[] }][] = [
        [
            "a prod deploy that succeeded",
            {},
            {
                text: ":white_check_mark: deploy of 2_1_bbws_s3_schemas to prod succeeded (by alice, change CHG-1042, commit 0123456789ab, at 2026-11-23T08:15:30Z) https://github.com/org/2_1_bbws_s3_schemas/actions/runs/42",
                blocks: [
                    {
                        type: "section",
                        text: { type: "mrkdwn", text: ":white_check_mark: *deploy of 2_1_bbws_s3_schemas to prod succeeded*" },
                    },
                    {
                        type: "context",
                        elements: [{ type: "mrkdwn", text: "by alice · change CHG-1042 · commit 0123456789ab · at 2026-11-23T08:15:30Z" }],
                    },
                    button,
                ],
            },
        ],
        [
            "a failed sit deploy without a change ticket",
            { environment: "sit", status: "failure", changeTicket: "" },
            {
                text: ":x: deploy of 2_1_bbws_s3_schemas to sit failed (by alice, commit 0123456789ab, at 2026-11-23T08:15:30Z) https://github.com/org/2_1_bbws_s3_schemas/actions/runs/42",
                blocks: [
                    { type: "section", text: { type: "mrkdwn", text: ":x: *deploy of 2_1_bbws_s3_schemas to sit failed*" } },
                    { type: "context", elements: [{ type: "mrkdwn", text: "by alice · commit 0123456789ab · at 2026-11-23T08:15:30Z" }] },
                    button,
                ],
            },
        ],
        [
            "a cancelled rollback with details, whose typed text is escaped",
            { kind: "rollback", status: "cancelled", details: "to deploy-prod-20261120T080000Z <!channel> & co" },
            {
                text: ":warning: rollback of 2_1_bbws_s3_schemas to prod was cancelled (by alice, change CHG-1042, commit 0123456789ab, at 2026-11-23T08:15:30Z) https://github.com/org/2_1_bbws_s3_schemas/actions/runs/42",
                blocks: [
                    {
                        type: "section",
                        text: { type: "mrkdwn", text: ":warning: *rollback of 2_1_bbws_s3_schemas to prod was cancelled*" },
                    },
                    {
                        type: "context",
                        elements: [{ type: "mrkdwn", text: "by alice · change CHG-1042 · commit 0123456789ab · at 2026-11-23T08:15:30Z" }],
                    },
                    { type: "section", text: { type: "mrkdwn", text: "to deploy-prod-20261120T080000Z &lt;!channel&gt; &amp; co" } },
                    button,
                ],
            },
        ],
        [
            "an unknown status is reported as it came, never as a success",
            { status: "skipped", commit: "" },
            {
                text: ":grey_question: deploy of 2_1_bbws_s3_schemas to prod ended with status skipped (by alice, change CHG-1042, at 2026-11-23T08:15:30Z) https://github.com/org/2_1_bbws_s3_schemas/actions/runs/42",
                blocks: [
                    {
                        type: "section",
                        text: { type: "mrkdwn", text: ":grey_question: *deploy of 2_1_bbws_s3_schemas to prod ended with status skipped*" },
                    },
                    { type: "context", elements: [{ type: "mrkdwn", text: "by alice · change CHG-1042 · at 2026-11-23T08:15:30Z" }] },
                    button,
                ],
            },
        ],
    ];
    for (const [name, overrides, expected] of table) {
        it(name, () => assert.deepEqual(slackPayload(notice(overrides), NOW), expected));
    }

    it("cuts long details to Slack's 3000-character section limit", () => {
        const payload = slackPayload(notice({ details: "x".repeat(5000) }), NOW);
        assert.equal((payload.blocks[2] as { text: { text: string } }).text.text, `${"x".repeat(2999)}…`);
    });

    it("escapes Slack's control characters", () => assert.equal(escapeMrkdwn("<@U1> & <#C2>"), "&lt;@U1&gt; &amp; &lt;#C2&gt;"));

    it("posts the payload as JSON to the webhook; any answer but 200 is a warning", async () => {
        const posts: [string, unknown][] = [];
        const answer = { status: 200, text: "ok" };
        const post: Post = async (url, body) => {
            posts.push([url, JSON.parse(body)]);
            return answer;
        };
        const env = {
            INPUT_WEBHOOK: "https://hooks.slack.com/services/T/B/x",
            INPUT_ENVIRONMENT: "prod",
            INPUT_STATUS: "success",
            "INPUT_CHANGE-TICKET": "CHG-1042",
            GITHUB_REPOSITORY: "org/2_1_bbws_s3_schemas",
            GITHUB_SERVER_URL: "https://github.com",
            GITHUB_RUN_ID: "42",
            GITHUB_ACTOR: "alice",
            GITHUB_SHA: "0123456789abcdef0123456789abcdef01234567",
        };
        assert.equal((await captured(() => notifySlackAction(env, NOW, post)))[0], 0);
        assert.deepEqual(posts, [["https://hooks.slack.com/services/T/B/x", slackPayload(notice({}), NOW)]]);
        answer.status = 404;
        answer.text = "no_service";
        // Best effort since Slack outages stopped deciding deploys: a warning, never a failed step (test/actions/notify-slack.test.ts).
        const [code, lines] = await captured(() => notifySlackAction(env, NOW, post));
        assert.deepEqual(
            [code, lines.at(-1)],
            [
                0,
                "::warning::Slack webhook at https://hooks.slack.com answered 404: no_service; not posted: \"deploy of 2_1_bbws_s3_schemas to prod succeeded\" (the outcome is the job's, not Slack's)",
            ],
        );
    });

    it("posts nothing and succeeds when the environment has no webhook", async () => {
        const post: Post = async () => assert.fail("nothing may be posted");
        assert.deepEqual(await captured(() => notifySlackAction({ INPUT_ENVIRONMENT: "dev", INPUT_STATUS: "failure" }, NOW, post)), [
            0,
            ["no Slack webhook configured for dev; nothing posted"],
        ]);
    });
});

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
        const runBundle = (inputs: Record<string, string>): Promise<{ status: number | null; stdout: string }> =>
            new Promise((resolve, reject) => {
                const env: NodeJS.ProcessEnv = {
                    PATH: process.env.PATH,
                    ...RUN,
                    LEDGER_TABLE: "bbws-deployments-sit",
                    AWS_REGION: REGION,
                    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
                    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
                    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
                    AWS_ENDPOINT_URL_CLOUDWATCH: cloudwatch.endpoint,
                    NODE_NO_WARNINGS: "1",
                    AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: "1",
                };
                for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
                const child = spawn(process.execPath, [bundlePath("record-deployment")], { env });
                let stdout = "";
                child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
                child.on("error", reject);
                child.on("close", (status) => resolve({ status, stdout }));
            });

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

describe("the shared actions' bundles and metadata", () => {
    it("bundles exactly the eight JavaScript actions, the Lambda release, the ECS release, the build verification and the foundation map included", () => {
        assert.deepEqual(bundledActions(), [
            "check-request",
            "ecs-release",
            "foundation-map",
            "lambda-release",
            "notify-slack",
            "pr-comment",
            "record-deployment",
            "report-drift",
            "verify-build",
        ]);
    });

    for (const name of bundledActions()) {
        it(`actions/${name}/dist/index.js equals a fresh bundle of its sources`, async () => {
            const committed = fs.readFileSync(bundlePath(name), "utf8");
            assert.ok(committed === (await bundleAction(name)), `actions/${name}/dist/index.js is stale: run npm run bundle`);
        });

        it(`actions/${name}/dist/index.js carries no Pulumi SDK`, () => {
            assert.ok(!fs.readFileSync(bundlePath(name), "utf8").includes("@pulumi/pulumi/runtime"));
        });

        it(`actions/${name}/action.yml runs the bundle on node24`, () => {
            const action = yaml.load(fs.readFileSync(path.join(ROOT, "actions", name, "action.yml"), "utf8")) as { runs: unknown };
            assert.deepEqual(action.runs, { using: "node24", main: "dist/index.js" });
        });
    }

    it("the check-request bundle runs on its own and fails a bad request", async () => {
        const result = await new Promise<{ status: number | null; stdout: string }>((resolve) => {
            const child = spawn(process.execPath, [bundlePath("check-request")], {
                env: { PATH: process.env.PATH, INPUT_ENVIRONMENT: "prod", INPUT_CONFIRMATION: "deploy-prod" },
            });
            let stdout = "";
            child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
            child.on("close", (status) => resolve({ status, stdout }));
        });
        assert.deepEqual(result, { status: 1, stdout: "::error::prod needs a change ticket such as CHG-1042, got ''\n" });
    });
});
