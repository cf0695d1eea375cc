/**
 * What a drift check does to the repository's issues. Drift and a failed check are different things and
 * get different issues: "Drift detected in <target>" (label `drift`) means the cloud differs from the
 * code; "Drift check failed in <target>" (label `drift-check-failed`) means nobody knows, because the
 * preview or plan itself failed (expired credentials, a program error, a policy violation). Each issue
 * is opened once and updated after, and closed by the first clean run. Pure: tested as a table.
 */

export const OUTCOMES = ["clean", "drift", "failed"] as const;
export type DriftOutcome = (typeof OUTCOMES)[number];

export interface OpenIssue {
    readonly number: number;
    readonly title: string;
}

export type IssueOperation =
    | { readonly op: "create"; readonly title: string; readonly label: string; readonly body: string }
    | { readonly op: "update"; readonly number: number; readonly body: string }
    | { readonly op: "close"; readonly number: number; readonly comment: string };

export const LABELS = { drift: "drift", failed: "drift-check-failed" } as const;
export const titleOf = (outcome: "drift" | "failed", target: string) =>
    outcome === "drift" ? `Drift detected in ${target}` : `Drift check failed in ${target}`;

/** GitHub rejects issue bodies over 65536 characters; the end of a report holds its summary. */
export const BODY_LIMIT = 60000;
export function cutReport(report: string): string {
    if (report.length <= BODY_LIMIT) return report;
    return `… ${report.length - BODY_LIMIT} characters cut; the full report is in the run …\n${report.slice(-BODY_LIMIT)}`;
}

export interface DriftCheck {
    readonly target: string;
    readonly outcome: DriftOutcome;
    /** What was run, e.g. `terraform plan -detailed-exitcode`. */
    readonly command: string;
    readonly report: string;
    readonly runUrl: string;
    readonly runbook: string;
}

export function issueOperations(check: DriftCheck, open: readonly OpenIssue[], now: Date): IssueOperation[] {
    const operations: IssueOperation[] = [];
    const find = (outcome: "drift" | "failed") => open.find((issue) => issue.title === titleOf(outcome, check.target));
    const when = now.toISOString().replace(/\.\d{3}Z$/, "Z");
    for (const outcome of ["drift", "failed"] as const) {
        const issue = find(outcome);
        if (outcome === check.outcome) {
            const what =
                outcome === "drift"
                    ? `\`${check.command}\` of \`${check.target}\` found changes on ${when}: the cloud differs from the code.`
                    : `\`${check.command}\` of \`${check.target}\` failed on ${when}, so drift is unknown: expired credentials, a program error or a policy violation. Fix the check first.`;
            const body = `${what}\n\n<details><summary>output</summary>\n\n\`\`\`\n${cutReport(check.report || "(no output)")}\n\`\`\`\n</details>\n\n[Run](${check.runUrl}) · runbook: ${check.runbook}`;
            if (issue) operations.push({ op: "update", number: issue.number, body });
            else operations.push({ op: "create", title: titleOf(outcome, check.target), label: LABELS[outcome], body });
        } else if (issue && (check.outcome === "clean" || outcome === "failed")) {
            // A clean run closes both; a run that found drift proves the check works again. A failed run
            // closes nothing: it knows nothing about the drift an open issue reports.
            const comment =
                outcome === "drift"
                    ? `No drift any more on ${when}: ${check.runUrl}`
                    : `The drift check runs again on ${when}: ${check.runUrl}`;
            operations.push({ op: "close", number: issue.number, comment });
        }
    }
    return operations;
}
