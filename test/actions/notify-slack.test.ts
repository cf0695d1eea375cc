import { strict as assert } from "assert";
import * as http from "http";
import type { AddressInfo } from "net";
import {
    notifySlackAction,
    postJson,
    SLACK_RETRY,
    webhookOrigin,
    type Post,
    type RetryPolicy,
} from "../../actions/notify-slack/src/action";
import { escapeMrkdwn, slackPayload, type Notice } from "../../actions/notify-slack/src/payload";
import { captured } from "../support/captured";

const NOW = new Date("2026-11-20T08:00:00Z");

/** A loopback Slack: answers each post with the next status of its script, after an optional delay. */
async function startSlack(
    script: { status: number; delayMs?: number }[],
): Promise<{ url: string; posts: unknown[]; stop: () => Promise<void> }> {
    const posts: unknown[] = [];
    const server = http.createServer((req, res) => {
        let body = "";
        req.on("data", (chunk: Buffer) => (body += chunk.toString()));
        req.on("end", () => {
            posts.push(JSON.parse(body));
            const step = script[Math.min(posts.length - 1, script.length - 1)];
            setTimeout(() => {
                if (res.destroyed) return;
                res.writeHead(step.status, { "content-type": "text/plain" });
                res.end(step.status === 200 ? "ok" : step.status === 404 ? "no_service" : "server_error");
            }, step.delayMs ?? 0);
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T000/B000/secret-part`;
    return {
        url,
        posts,
        stop: () =>
            new Promise((resolve) => {
                server.closeAllConnections();
                server.close(() => resolve());
            }),
    };
}

/** The policy's shape with short waits, and the waits it asked for. */
function fastRetry(timeoutMs = 2_000): RetryPolicy & { waited: number[] } {
    const waited: number[] = [];
    return { ...SLACK_RETRY, timeoutMs, waited, sleep: async (ms) => void waited.push(ms) };
}

const env = (webhook: string) => ({
    INPUT_WEBHOOK: webhook,
    INPUT_ENVIRONMENT: "prod",
    INPUT_STATUS: "success",
    GITHUB_REPOSITORY: "acme/orders-api",
    GITHUB_SERVER_URL: "https://github.com",
    GITHUB_RUN_ID: "42",
    GITHUB_ACTOR: "alice",
    GITHUB_SHA: "0123456789abcdef0123456789abcdef01234567",
});

describe("actions/notify-slack under faults: Slack never decides a deploy", () => {
    it("retries a 500 with the policy's backoff and posts once Slack answers", async () => {
        const slack = await startSlack([{ status: 500 }, { status: 503 }, { status: 200 }]);
        try {
            const retry = fastRetry();
            const [code, lines] = await captured(() => notifySlackAction(env(slack.url), NOW, postJson, retry));
            const origin = new URL(slack.url).origin;
            assert.deepEqual([code, slack.posts.length, retry.waited], [0, 3, [1_000, 3_000]]);
            assert.deepEqual(lines.slice(0, 2), [
                `Slack webhook at ${origin} answered 500: server_error (attempt 1 of 3)`,
                `Slack webhook at ${origin} answered 503: server_error (attempt 2 of 3)`,
            ]);
            assert.match(lines[2], /^posted to Slack: :white_check_mark: deploy of orders-api to prod succeeded/);
        } finally {
            await slack.stop();
        }
    });

    it("a refused webhook (404 no_service) is not retried: one warning, the step succeeds", async () => {
        const slack = await startSlack([{ status: 404 }]);
        try {
            const retry = fastRetry();
            const [code, lines] = await captured(() => notifySlackAction(env(slack.url), NOW, postJson, retry));
            const origin = new URL(slack.url).origin;
            assert.deepEqual(
                [code, slack.posts.length, lines],
                [
                    0,
                    1,
                    [
                        `::warning::Slack webhook at ${origin} answered 404: no_service; not posted: "deploy of orders-api to prod succeeded" (the outcome is the job's, not Slack's)`,
                    ],
                ],
            );
            assert.ok(!lines.join("\n").includes("secret-part"), "the webhook's secret path is never printed");
        } finally {
            await slack.stop();
        }
    });

    it("a refusing Slack (nothing listening) is tried three times, then a warning names Slack and the host; the step succeeds", async () => {
        const slack = await startSlack([{ status: 200 }]);
        await slack.stop();
        const retry = fastRetry();
        const [code, lines] = await captured(() => notifySlackAction(env(slack.url), NOW, postJson, retry));
        const origin = new URL(slack.url).origin;
        assert.equal(code, 0);
        assert.equal(lines.length, 4);
        assert.match(
            lines[3],
            new RegExp(`^::warning::Slack webhook at ${origin} did not answer: TypeError: fetch failed \\(connect ECONNREFUSED `),
        );
        assert.ok(lines[3].endsWith(`; not posted: "deploy of orders-api to prod succeeded" (the outcome is the job's, not Slack's)`));
    });

    it("a slow Slack is cut off at the policy's timeout on every attempt; the step succeeds with a warning", async () => {
        const slack = await startSlack([{ status: 200, delayMs: 5_000 }]);
        try {
            const retry = fastRetry(200);
            const started = Date.now();
            const [code, lines] = await captured(() => notifySlackAction(env(slack.url), NOW, postJson, retry));
            assert.equal(code, 0);
            assert.ok(Date.now() - started < 4_000, "three attempts of 200 ms, not three of 5 s");
            assert.equal(slack.posts.length, 3);
            assert.match(lines.at(-1) ?? "", /^::warning::Slack webhook at http:\/\/127\.0\.0\.1:\d+ did not answer: TimeoutError: /);
        } finally {
            await slack.stop();
        }
    });

    it("a failed deploy's notice fails to post: a warning, and the outcome stays the job's (the step exits 0, the job stays failed)", async () => {
        const slack = await startSlack([{ status: 500 }]);
        try {
            const [code, lines] = await captured(() =>
                notifySlackAction({ ...env(slack.url), INPUT_STATUS: "failure" }, NOW, postJson, fastRetry()),
            );
            assert.equal(code, 0);
            assert.ok(
                (lines.at(-1) ?? "").endsWith(
                    `; not posted: "deploy of orders-api to prod failed" (the outcome is the job's, not Slack's)`,
                ),
            );
        } finally {
            await slack.stop();
        }
    });

    it("names only the webhook's origin, never its secret path", () => {
        assert.equal(webhookOrigin("https://hooks.slack.com/services/T1/B2/abc"), "https://hooks.slack.com");
        assert.equal(webhookOrigin("not a url"), "(a webhook that is not a URL)");
    });
});

describe("actions/notify-slack: the Slack payloads, with a pinned clock", () => {
    const NOW = new Date("2026-11-23T08:15:30.123Z");
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
