import { strict as assert } from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import type { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { commentBody, commentMarker, COMMENT_LIMIT, summaryLines } from "../../actions/pr-comment/src/comment";
import { bundlePath } from "../../tools/build/bundle";
import { loadWorkflow } from "../helpers/workflows";

interface StoredComment {
    id: number;
    body: string;
}

/**
 * A loopback GitHub speaking the REST endpoints the comment action calls: list an issue's comments (pages
 * of `per_page`), create one, update one. It refuses bodies over GitHub's 65,536 characters as GitHub does
 * (422) and a request without the job token.
 */
async function startGithub(
    repo: string,
    issue: number,
    seeded: number,
): Promise<{
    apiUrl: string;
    comments: StoredComment[];
    requests: string[];
    stop: () => Promise<void>;
}> {
    const comments: StoredComment[] = Array.from({ length: seeded }, (_, i) => ({ id: i + 1, body: `an unrelated comment ${i + 1}` }));
    const requests: string[] = [];
    let nextId = 1000;
    const server = http.createServer((req, res) => {
        let raw = "";
        req.on("data", (chunk: Buffer) => (raw += chunk.toString()));
        req.on("end", () => {
            const url = new URL(req.url ?? "/", "http://localhost");
            requests.push(`${req.method} ${url.pathname}${url.search}`);
            const answer = (status: number, body: unknown) => {
                res.writeHead(status, { "content-type": "application/json" });
                res.end(JSON.stringify(body));
            };
            if (req.headers.authorization !== "Bearer job-token") return answer(401, { message: "Bad credentials" });
            const body = raw ? (JSON.parse(raw) as { body: string }).body : "";
            if (body.length > COMMENT_LIMIT) return answer(422, { message: "Body is too long (maximum is 65536 characters)" });
            const list = `/repos/${repo}/issues/${issue}/comments`;
            if (req.method === "GET" && url.pathname === list) {
                const perPage = Number(url.searchParams.get("per_page") ?? 30);
                const page = Number(url.searchParams.get("page") ?? 1);
                return answer(200, comments.slice((page - 1) * perPage, page * perPage));
            }
            if (req.method === "POST" && url.pathname === list) {
                const created = { id: nextId++, body };
                comments.push(created);
                return answer(201, created);
            }
            const update = new RegExp(`^/repos/${repo}/issues/comments/(\\d+)$`).exec(url.pathname);
            if (req.method === "PATCH" && update) {
                const found = comments.find((c) => c.id === Number(update[1]));
                if (!found) return answer(404, { message: "Not Found" });
                found.body = body;
                return answer(200, found);
            }
            answer(404, { message: "Not Found" });
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { apiUrl, comments, requests, stop: () => new Promise((resolve) => server.close(() => resolve())) };
}

function runBundle(inputs: Record<string, string>, env: Record<string, string>): Promise<{ status: number | null; stdout: string }> {
    return new Promise((resolve, reject) => {
        const all: NodeJS.ProcessEnv = { PATH: process.env.PATH, ...env };
        for (const [name, value] of Object.entries(inputs)) all[`INPUT_${name.toUpperCase()}`] = value;
        const child = spawn(process.execPath, [bundlePath("pr-comment")], { env: all });
        let stdout = "";
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
        child.on("error", reject);
        child.on("close", (status) => resolve({ status, stdout }));
    });
}

const HEAD = "abcdefabcdefabcdefabcdefabcdefabcdefabcd";
const NEXT = "1234512345123451234512345123451234512345";
const MIB = 1024 * 1024;

/** A `pulumi` stand-in that prints a preview of at least 1 MiB, ending with Pulumi's resource summary. */
function fakePulumi(bin: string): void {
    fs.writeFileSync(
        path.join(bin, "pulumi"),
        [
            "#!/usr/bin/env node",
            "const lines = [];",
            "let size = 0;",
            `for (let i = 0; size < ${MIB}; i++) size += lines[lines.push(\`    + aws:s3/bucketV2:BucketV2 bucket-\${String(i).padStart(6, "0")} create \${"x".repeat(60)}\`) - 1].length + 1;`,
            'lines.push("Resources:", "    + 9000 to create", "    12 unchanged");',
            'process.stdout.write(lines.join("\\n") + "\\n");',
        ].join("\n"),
        { mode: 0o755 },
    );
}

describe("actions/pr-comment: a preview of any size reaches the pull request as one updated comment and an artifact", () => {
    const repo = "acme/cicd-foundation";
    let github: Awaited<ReturnType<typeof startGithub>>;
    let work: string;

    before(async () => {
        github = await startGithub(repo, 7, 120);
        work = fs.mkdtempSync(path.join(os.tmpdir(), "pr-comment-"));
    });
    after(async () => {
        await github.stop();
        fs.rmSync(work, { recursive: true, force: true });
    });

    it("preview.yml's preview step writes a 1 MiB preview to the artifact's file, through no output, argument or environment variable", () => {
        const job = loadWorkflow(".github/workflows/preview.yml").jobs.preview;
        const step = (job.steps ?? []).find((s) => s.id === "preview");
        assert.ok(step?.run, "the preview step runs a script");
        assert.deepEqual(step.env?.OUT, "${{ runner.temp }}/preview");
        assert.ok(!JSON.stringify(job).includes("steps.preview.outputs"), "no step reads the preview through an output");
        const bin = path.join(work, "bin");
        fs.mkdirSync(bin);
        fakePulumi(bin);
        const out = path.join(work, "artifacts", "preview-dev");
        const summary = path.join(work, "summary.md");
        const result = spawnSync("bash", ["-e", "-c", step.run], {
            env: { PATH: `${bin}:${process.env.PATH}`, STACK: "dev", OUT: out, GITHUB_STEP_SUMMARY: summary },
            encoding: "utf8",
            maxBuffer: 4 * MIB,
        });
        assert.equal(result.status, 0, result.stderr);
        const text = fs.readFileSync(path.join(out, "output.txt"), "utf8");
        assert.ok(text.length >= MIB, `the artifact holds the whole preview (${text.length} characters)`);
        assert.ok(text.endsWith("Resources:\n    + 9000 to create\n    12 unchanged\n"));
        assert.equal(fs.readFileSync(path.join(out, "outcome.txt"), "utf8"), "success\n");
        assert.ok(fs.statSync(summary).size < 61_000, "the run summary gets the end only");
    });

    const inputs = (commit: string) => ({
        directory: path.join(work, "artifacts"),
        "artifact-prefix": "preview-",
        "text-file": "output.txt",
        kind: "preview",
        title: "Preview",
        environments: "dev,sit,prod",
        commit,
        "pull-request": "7",
        token: "job-token",
    });
    const runEnv = () => ({
        GITHUB_REPOSITORY: repo,
        GITHUB_SERVER_URL: "https://github.com",
        GITHUB_API_URL: github.apiUrl,
        GITHUB_RUN_ID: "555",
    });
    const mine = () => github.comments.filter((c) => c.body.startsWith(commentMarker("preview", ".", "dev")));

    it("posts the 1 MiB preview as one comment under GitHub's limit, naming its commit and environment, summarised, pointing at the artifact", async () => {
        const result = await runBundle(inputs(HEAD), runEnv());
        assert.equal(result.status, 0, result.stdout);
        assert.equal(mine().length, 1);
        const body = mine()[0].body;
        assert.ok(body.length <= COMMENT_LIMIT, `${body.length} characters`);
        const lines = body.split("\n");
        assert.deepEqual(lines.slice(0, 4), [
            "<!-- cicd-foundation:preview:root=.:environment=dev -->",
            "### Preview of `dev`: success",
            "",
            `Commit \`${HEAD}\` · environment \`dev\` · root \`.\` · [run](https://github.com/${repo}/actions/runs/555)`,
        ]);
        assert.deepEqual(lines.slice(5, 11), ["**Summary**", "", "```", "Resources:", "    + 9000 to create", "    12 unchanged"]);
        const total = fs.readFileSync(path.join(work, "artifacts", "preview-dev", "output.txt"), "utf8").length;
        assert.ok(
            body.includes(
                `The text is ${total} characters; the last 60000 are shown. The whole of it is the artifact \`preview-dev\` of the [run](https://github.com/${repo}/actions/runs/555).`,
            ),
        );
        assert.ok(body.includes("    12 unchanged\n\n```\n</details>"), "the end of the preview is shown");
        // Sit and prod never ran here (no outcome file): no comment for them.
        assert.ok(result.stdout.includes("sit: no outcome (its job never ran); no comment"));
    });

    it("the next push updates the same comment in place (found across pages of comments), naming the new commit", async () => {
        const before = github.requests.length;
        const result = await runBundle(inputs(NEXT), runEnv());
        assert.equal(result.status, 0, result.stdout);
        assert.equal(mine().length, 1);
        assert.ok(mine()[0].body.includes(`Commit \`${NEXT}\``));
        const requests = github.requests.slice(before);
        assert.deepEqual(requests, [
            `GET /repos/${repo}/issues/7/comments?per_page=100&page=1`,
            `GET /repos/${repo}/issues/7/comments?per_page=100&page=2`,
            `PATCH /repos/${repo}/issues/comments/${mine()[0].id}`,
        ]);
    });

    it("two roots of one repository get two comments, each with its own marker and artifact", async () => {
        for (const root of ["infra/network", "infra/database"]) {
            const name = root.split("/")[1];
            const dir = path.join(work, "plans", `terraform-plan-${name}-prod`);
            fs.mkdirSync(dir, { recursive: true });
            fs.writeFileSync(path.join(dir, "plan.txt"), `Plan: 1 to add, 0 to change, 0 to destroy.\n`);
            fs.writeFileSync(path.join(dir, "outcome.txt"), "success\n");
            const result = await runBundle(
                {
                    ...inputs(HEAD),
                    directory: path.join(work, "plans"),
                    "artifact-prefix": `terraform-plan-${name}-`,
                    "text-file": "plan.txt",
                    kind: "terraform-plan",
                    title: "Terraform plan",
                    root,
                    environments: "prod",
                },
                runEnv(),
            );
            assert.equal(result.status, 0, result.stdout);
        }
        const plans = github.comments.filter((c) => c.body.startsWith("<!-- cicd-foundation:terraform-plan:"));
        assert.deepEqual(
            plans.map((c) => c.body.split("\n").slice(0, 2)),
            [
                [
                    "<!-- cicd-foundation:terraform-plan:root=infra/network:environment=prod -->",
                    "### Terraform plan of `prod` (root `infra/network`): success",
                ],
                [
                    "<!-- cicd-foundation:terraform-plan:root=infra/database:environment=prod -->",
                    "### Terraform plan of `prod` (root `infra/database`): success",
                ],
            ],
        );
        assert.ok(plans[0].body.includes("the artifact `terraform-plan-network-prod`"));
        assert.ok(plans[1].body.includes("the artifact `terraform-plan-database-prod`"));
    });

    it("a refusing GitHub API fails the step naming the API's URL, the method and the path", async () => {
        const result = await runBundle(inputs(HEAD), { ...runEnv(), GITHUB_API_URL: "http://127.0.0.1:9" });
        assert.equal(result.status, 1);
        assert.match(
            result.stdout,
            new RegExp(
                `^::error::GitHub API at http://127\\.0\\.0\\.1:9 did not answer GET /repos/${repo}/issues/7/comments\\?per_page=100&page=1: fetch failed`,
            ),
        );
    });
});

describe("actions/pr-comment: the comment's body", () => {
    const input = {
        title: "Terraform plan",
        kind: "terraform-plan",
        environment: "sit",
        root: ".",
        commit: HEAD,
        outcome: "failure\n",
        text: "Error: Invalid reference\n\n  on main.tf line 3\n",
        artifact: "terraform-plan-sit",
        runUrl: "https://github.com/acme/orders-api/actions/runs/9",
    };

    it("keeps a short text whole and says where the artifact is", () => {
        assert.deepEqual(commentBody(input).split("\n"), [
            "<!-- cicd-foundation:terraform-plan:root=.:environment=sit -->",
            "### Terraform plan of `sit`: failure",
            "",
            `Commit \`${HEAD}\` · environment \`sit\` · root \`.\` · [run](https://github.com/acme/orders-api/actions/runs/9)`,
            "",
            "**Summary**",
            "",
            "```",
            "Error: Invalid reference",
            "```",
            "",
            "The whole text is also the artifact `terraform-plan-sit` of the [run](https://github.com/acme/orders-api/actions/runs/9).",
            "",
            "<details><summary>Terraform plan</summary>",
            "",
            "```",
            "Error: Invalid reference",
            "",
            "  on main.tf line 3",
            "",
            "```",
            "</details>",
        ]);
    });

    it("keeps three backticks in the text from closing the code block", () => {
        const body = commentBody({ ...input, text: "```\nrm -rf /\n```" });
        assert.equal(body.split("\n").filter((l) => l === "```").length, 2, "only the comment's own fences");
        assert.ok(body.includes("`\u200d``\nrm -rf /\n`\u200d``"));
    });

    it("finds Terraform's and Pulumi's totals, errors and policy results", () => {
        assert.deepEqual(
            summaryLines(
                [
                    "  # aws_sqs_queue.q will be created",
                    "Plan: 1 to add, 2 to change, 0 to destroy.",
                    "Changes to Outputs:",
                    "Policies:",
                    "    ❌ cicd-foundation@v0.1.0 (local: policies)",
                    "        - [mandatory]  prod-stateful-protected  (aws:s3/bucketV2:BucketV2: b)",
                    "No changes. Your infrastructure matches the configuration.",
                ].join("\n"),
            ),
            [
                "Plan: 1 to add, 2 to change, 0 to destroy.",
                "Changes to Outputs:",
                "Policies:",
                "        - [mandatory]  prod-stateful-protected  (aws:s3/bucketV2:BucketV2: b)",
                "No changes. Your infrastructure matches the configuration.",
            ],
        );
    });
});
