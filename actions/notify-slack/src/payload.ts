/**
 * The Slack message of a deployment, rollback or drift run. Built as data (Slack's incoming-webhook JSON
 * with a plain `text` fallback and Block Kit blocks), so nothing a user typed can break out of it, and
 * pure, so the tests pin the clock and compare whole payloads.
 */

export interface Notice {
    /** deploy, rollback, drift ... */
    readonly kind: string;
    readonly environment: string;
    readonly service: string;
    /** The job's status: success, failure or cancelled (GitHub's `job.status`). */
    readonly status: string;
    readonly actor: string;
    readonly runUrl: string;
    readonly changeTicket: string;
    readonly commit: string;
    /** Free text added below the summary, e.g. the tag deployed. */
    readonly details: string;
}

export interface SlackPayload {
    readonly text: string;
    readonly blocks: readonly Record<string, unknown>[];
}

const STATUS: Record<string, { word: string; emoji: string }> = {
    success: { word: "succeeded", emoji: ":white_check_mark:" },
    failure: { word: "failed", emoji: ":x:" },
    cancelled: { word: "was cancelled", emoji: ":warning:" },
};

/** Slack's mrkdwn treats &, < and > as control characters; everything a user typed is escaped. */
export function escapeMrkdwn(text: string): string {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Slack caps a section's text at 3000 characters. */
const SECTION_LIMIT = 3000;
const cut = (text: string) => (text.length > SECTION_LIMIT ? `${text.slice(0, SECTION_LIMIT - 1)}…` : text);

export function slackPayload(notice: Notice, now: Date): SlackPayload {
    // An unknown status is reported as it came, never dressed up as a success.
    const status = STATUS[notice.status] ?? { word: `ended with status ${notice.status || "unknown"}`, emoji: ":grey_question:" };
    const summary = `${notice.kind} of ${notice.service} to ${notice.environment} ${status.word}`;
    const facts = [
        `by ${notice.actor}`,
        notice.changeTicket ? `change ${notice.changeTicket}` : "",
        notice.commit ? `commit ${notice.commit.slice(0, 12)}` : "",
        `at ${now.toISOString().replace(/\.\d{3}Z$/, "Z")}`,
    ].filter(Boolean);
    const text = `${status.emoji} ${summary} (${facts.join(", ")}) ${notice.runUrl}`;
    const blocks: Record<string, unknown>[] = [
        { type: "section", text: { type: "mrkdwn", text: cut(`${status.emoji} *${escapeMrkdwn(summary)}*`) } },
        { type: "context", elements: [{ type: "mrkdwn", text: cut(escapeMrkdwn(facts.join(" · "))) }] },
    ];
    if (notice.details) blocks.push({ type: "section", text: { type: "mrkdwn", text: cut(escapeMrkdwn(notice.details)) } });
    blocks.push({
        type: "actions",
        elements: [{ type: "button", text: { type: "plain_text", text: "Open the run" }, url: notice.runUrl }],
    });
    return { text, blocks };
}
