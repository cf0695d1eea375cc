import { githubRequest, type GithubRequest } from "../../lib/github";
import { input, type Env } from "../../lib/runtime";
import { issueOperations, LABELS, OUTCOMES, type DriftOutcome, type IssueOperation, type OpenIssue } from "./plan";

export { githubRequest, type GithubRequest } from "../../lib/github";
async function apply(request: GithubRequest, repo: string, operation: IssueOperation): Promise<string> {
    switch (operation.op) {
        case "create": {
            const created = (await request("POST", `/repos/${repo}/issues`, {
                title: operation.title,
                body: operation.body,
                labels: [operation.label],
            })) as { number: number };
            return `opened #${created.number} ${operation.title}`;
        }
        case "update":
            await request("PATCH", `/repos/${repo}/issues/${operation.number}`, { body: operation.body });
            return `updated #${operation.number}`;
        case "close":
            await request("POST", `/repos/${repo}/issues/${operation.number}/comments`, { body: operation.comment });
            await request("PATCH", `/repos/${repo}/issues/${operation.number}`, { state: "closed", state_reason: "completed" });
            return `closed #${operation.number}`;
    }
}

/** Opens, updates or closes the target's drift issues; a failed check fails the step, so the run is red. */
export async function reportDriftAction(env: Env, now: Date, request?: GithubRequest): Promise<number> {
    const outcome = input(env, "outcome");
    if (!(OUTCOMES as readonly string[]).includes(outcome))
        throw new Error(`outcome must be one of ${OUTCOMES.join(", ")}, got '${outcome}'`);
    const target = input(env, "target");
    if (!target) throw new Error("target is required (the stack or environment checked)");
    const repo = env.GITHUB_REPOSITORY ?? "";
    const send = request ?? githubRequest(env.GITHUB_API_URL ?? "https://api.github.com", input(env, "token"));
    const open: OpenIssue[] = [];
    for (const label of Object.values(LABELS)) {
        for (let page = 1; ; page++) {
            const issues = (await send("GET", `/repos/${repo}/issues?state=open&labels=${label}&per_page=100&page=${page}`)) as OpenIssue[];
            open.push(...issues.map(({ number, title }) => ({ number, title })));
            if (issues.length < 100) break;
        }
    }
    const runUrl = `${env.GITHUB_SERVER_URL ?? "https://github.com"}/${repo}/actions/runs/${env.GITHUB_RUN_ID ?? ""}`;
    const operations = issueOperations(
        {
            target,
            outcome: outcome as DriftOutcome,
            command: input(env, "command"),
            report: input(env, "report"),
            runUrl,
            runbook: input(env, "runbook") || "docs/runbooks/drift.md",
        },
        open,
        now,
    );
    for (const operation of operations) console.log(await apply(send, repo, operation));
    if (outcome === "failed") {
        console.log(`::error::the drift check of ${target} failed; drift is unknown until it runs again`);
        return 1;
    }
    console.log(outcome === "drift" ? `drift found in ${target}` : `no drift in ${target}`);
    return 0;
}
