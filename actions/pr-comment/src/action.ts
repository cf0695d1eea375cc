import * as fs from "fs";
import * as path from "path";
import { githubRequest, type GithubRequest } from "../../lib/github";
import { input, type Env } from "../../lib/runtime";
import { commentBody, commentMarker } from "./comment";

interface Comment {
    readonly id: number;
    readonly body?: string;
}

const read = (file: string): string | undefined => (fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined);

/**
 * For each environment whose artifact was downloaded to `<directory>/<artifact-prefix><environment>/`,
 * reads its text and outcome files and creates or updates the pull request's comment for that root and
 * environment. An environment whose job never ran (no outcome file) is left alone.
 */
export async function prCommentAction(env: Env, request?: GithubRequest): Promise<number> {
    const required = (name: string) => {
        const value = input(env, name);
        if (!value) throw new Error(`input '${name}' is required`);
        return value;
    };
    const directory = required("directory");
    const prefix = required("artifact-prefix");
    const kind = required("kind");
    const title = required("title");
    const commit = required("commit");
    const pullRequest = required("pull-request");
    if (!/^\d+$/.test(pullRequest)) throw new Error(`pull-request must be a number, got '${pullRequest}'`);
    const textFile = input(env, "text-file") || "output.txt";
    const root = input(env, "root") || ".";
    const environments = (input(env, "environments") || "dev,sit,prod").split(",").map((e) => e.trim());
    const repo = env.GITHUB_REPOSITORY ?? "";
    const runUrl = `${env.GITHUB_SERVER_URL ?? "https://github.com"}/${repo}/actions/runs/${env.GITHUB_RUN_ID ?? ""}`;
    const send = request ?? githubRequest(env.GITHUB_API_URL ?? "https://api.github.com", required("token"));

    const comments: Comment[] = [];
    for (let page = 1; ; page++) {
        const batch = (await send("GET", `/repos/${repo}/issues/${pullRequest}/comments?per_page=100&page=${page}`)) as Comment[];
        comments.push(...batch);
        if (batch.length < 100) break;
    }
    for (const environment of environments) {
        const artifact = `${prefix}${environment}`;
        const outcome = read(path.join(directory, artifact, "outcome.txt"));
        if (outcome === undefined) {
            console.log(`${environment}: no outcome (its job never ran); no comment`);
            continue;
        }
        const text = read(path.join(directory, artifact, textFile)) ?? "";
        const body = commentBody({ title, kind, environment, root, commit, outcome, text, artifact, runUrl });
        const marker = commentMarker(kind, root, environment);
        const mine = comments.find((c) => c.body?.startsWith(marker));
        if (mine) {
            await send("PATCH", `/repos/${repo}/issues/comments/${mine.id}`, { body });
            console.log(`${environment}: updated comment ${mine.id} (${body.length} characters)`);
        } else {
            const created = (await send("POST", `/repos/${repo}/issues/${pullRequest}/comments`, { body })) as Comment;
            console.log(`${environment}: created comment ${created.id} (${body.length} characters)`);
        }
    }
    return 0;
}
