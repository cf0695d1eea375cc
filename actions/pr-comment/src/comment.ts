/**
 * A plan's or preview's comment on a pull request, built from its full text read from a file (never from
 * a command-line argument or an environment variable, which the runner caps at 128 KiB). The comment
 * names its commit, environment and root, carries a hidden marker of root and environment so the next
 * push updates it in place, and stays under GitHub's 65,536-character limit: the summary lines first,
 * then the end of the text (where Terraform and Pulumi print their totals and the policy results), and a
 * pointer to the artifact that holds it whole. Pure: tested directly.
 */

/** GitHub refuses comment bodies over 65,536 characters; the rest of the body fits in the margin. */
export const COMMENT_LIMIT = 65_536;
export const TEXT_LIMIT = 60_000;

export interface CommentInput {
    /** Terraform plan, Pulumi preview ... */
    readonly title: string;
    /** Names the comment family in its marker, e.g. `terraform-plan`. */
    readonly kind: string;
    readonly environment: string;
    /** The root's directory (a repository with several Terraform roots), `.` for a single one. */
    readonly root: string;
    /** The pull request's head commit the text was made from. */
    readonly commit: string;
    /** success, failure ... (the step's outcome); empty: unknown. */
    readonly outcome: string;
    readonly text: string;
    /** The artifact with the whole text, and the run that holds it. */
    readonly artifact: string;
    readonly runUrl: string;
}

/** The hidden marker: one comment per kind, root and environment on a pull request. */
export function commentMarker(kind: string, root: string, environment: string): string {
    return `<!-- cicd-foundation:${kind}:root=${root}:environment=${environment} -->`;
}

/** The lines that say what a plan or preview amounts to: Terraform's totals, Pulumi's resource counts, errors and policy results. */
export function summaryLines(text: string): string[] {
    const lines = text.split(/\r?\n/);
    const wanted = [
        /^Plan: /,
        /^Changes to Outputs:/,
        /^No changes\./,
        /^(Error|Warning): /,
        /^Resources:\s*$/,
        /^\s+[~+-]?\s*\d+ (to create|to update|to delete|to replace|unchanged|changes)/,
        /^\s*(Policies|Policy Violations):\s*$/,
        /\[(mandatory|advisory)\]/,
    ];
    return lines.filter((line) => wanted.some((pattern) => pattern.test(line))).slice(0, 40);
}

/** Three backticks in the text would end the code block early; a zero-width joiner keeps them apart. */
const fenced = (text: string) => text.replace(/```/g, "`\u200d``");

export function commentBody(input: CommentInput): string {
    const where = `\`${input.environment}\`${input.root === "." ? "" : ` (root \`${input.root}\`)`}`;
    const outcome = input.outcome ? input.outcome.trim() : "unknown";
    const header = [
        commentMarker(input.kind, input.root, input.environment),
        `### ${input.title} of ${where}: ${outcome}`,
        "",
        `Commit \`${input.commit}\` · environment \`${input.environment}\` · root \`${input.root}\` · [run](${input.runUrl})`,
    ];
    const summary = summaryLines(input.text);
    let text = input.text.length > 0 ? input.text : "(no output)";
    const cut = text.length > TEXT_LIMIT;
    if (cut) text = text.slice(-TEXT_LIMIT);
    const parts = [
        ...header,
        "",
        ...(summary.length > 0 ? ["**Summary**", "", "```", fenced(summary.join("\n")), "```", ""] : []),
        cut
            ? `The text is ${input.text.length} characters; the last ${TEXT_LIMIT} are shown. The whole of it is the artifact \`${input.artifact}\` of the [run](${input.runUrl}).`
            : `The whole text is also the artifact \`${input.artifact}\` of the [run](${input.runUrl}).`,
        "",
        `<details><summary>${input.title}${cut ? " (the end)" : ""}</summary>`,
        "",
        "```",
        fenced(text),
        "```",
        "</details>",
    ];
    const body = parts.join("\n");
    // The summary is at most 40 lines of a few hundred characters; cut hard rather than be refused.
    return body.length > COMMENT_LIMIT ? `${body.slice(0, COMMENT_LIMIT - 20)}\n\`\`\`\n</details>` : body;
}
