import { input, type Env } from "../../lib/runtime";
import { slackPayload } from "./payload";

/** Where the webhook post goes; the tests pass a loopback server's. */
export type Post = (url: string, body: string) => Promise<{ status: number; text: string }>;

export const postJson: Post = async (url, body) => {
    const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
        signal: AbortSignal.timeout(20_000),
    });
    return { status: response.status, text: await response.text() };
};

/** Slack answers 200 "ok"; anything else fails the step, so a broken webhook is seen. */
export async function notifySlackAction(env: Env, now: Date, post: Post = postJson): Promise<number> {
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
    const answer = await post(webhook, JSON.stringify(payload));
    if (answer.status !== 200) throw new Error(`Slack answered ${answer.status}: ${answer.text.slice(0, 200)}`);
    console.log(`posted to Slack: ${payload.text}`);
    return 0;
}
