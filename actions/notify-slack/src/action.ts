import { escapeCommand, input, type Env } from "../../lib/runtime";
import { slackPayload } from "./payload";

/** Where the webhook post goes; the tests pass a loopback server's. */
export type Post = (url: string, body: string, timeoutMs: number) => Promise<{ status: number; text: string }>;

export const postJson: Post = async (url, body, timeoutMs) => {
    const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
        signal: AbortSignal.timeout(timeoutMs),
    });
    return { status: response.status, text: await response.text() };
};

/**
 * Slack is told, never asked: three attempts, each cut off after 10 s, 1 s then 3 s apart. Only what
 * may pass is retried (no answer, 429, 5xx); a refusal such as 404 `no_service` will not.
 */
export interface RetryPolicy {
    readonly attempts: number;
    readonly timeoutMs: number;
    /** The wait before the second, third ... attempt. */
    readonly delaysMs: readonly number[];
    readonly sleep: (ms: number) => Promise<void>;
}

export const SLACK_RETRY: RetryPolicy = {
    attempts: 3,
    timeoutMs: 10_000,
    delaysMs: [1_000, 3_000],
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** The webhook's origin, for messages: its path is the secret and is never printed. */
export function webhookOrigin(webhook: string): string {
    try {
        return new URL(webhook).origin;
    } catch {
        return "(a webhook that is not a URL)";
    }
}

const retryable = (status: number) => status === 429 || status >= 500;

/**
 * Posts the outcome. Best effort: a deploy's outcome is the job's, never Slack's, so every failure ends
 * in a `::warning::` naming Slack and the webhook's host, and the step succeeds.
 */
export async function notifySlackAction(env: Env, now: Date, post: Post = postJson, retry: RetryPolicy = SLACK_RETRY): Promise<number> {
    const webhook = input(env, "webhook");
    const environment = input(env, "environment");
    if (!webhook) {
        // Slack is optional in dev and sit; prod's webhook is required by the stack config.
        console.log(`no Slack webhook configured for ${environment || "this environment"}; nothing posted`);
        return 0;
    }
    const runUrl =
        input(env, "run-url") ||
        `${env.GITHUB_SERVER_URL ?? "https://github.com"}/${env.GITHUB_REPOSITORY ?? ""}/actions/runs/${env.GITHUB_RUN_ID ?? ""}`;
    const payload = slackPayload(
        {
            kind: input(env, "kind") || "deploy",
            environment,
            service: input(env, "service") || (env.GITHUB_REPOSITORY ?? "").split("/").pop() || "",
            status: input(env, "status"),
            actor: input(env, "actor") || env.GITHUB_ACTOR || "",
            runUrl,
            changeTicket: input(env, "change-ticket"),
            commit: input(env, "commit") || env.GITHUB_SHA || "",
            details: input(env, "details"),
        },
        now,
    );
    const body = JSON.stringify(payload);
    const where = `Slack webhook at ${webhookOrigin(webhook)}`;
    let last = "";
    for (let attempt = 1; attempt <= retry.attempts; attempt++) {
        if (attempt > 1) await retry.sleep(retry.delaysMs[Math.min(attempt - 2, retry.delaysMs.length - 1)] ?? 0);
        try {
            const answer = await post(webhook, body, retry.timeoutMs);
            if (answer.status === 200) {
                console.log(`posted to Slack: ${payload.text}`);
                return 0;
            }
            last = `answered ${answer.status}: ${answer.text.slice(0, 200)}`;
            if (!retryable(answer.status)) break;
        } catch (error) {
            const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : "";
            last = `did not answer: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}${cause}`;
        }
        console.log(`${where} ${last} (attempt ${attempt} of ${retry.attempts})`);
    }
    const summary = payload.text.split(" (")[0].replace(/^:\S+: /, "");
    console.log(`::warning::${escapeCommand(`${where} ${last}; not posted: "${summary}" (the outcome is the job's, not Slack's)`)}`);
    return 0;
}
