import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { reportDriftAction, type GithubRequest } from "../actions/report-drift/src/action";
import { BODY_LIMIT, cutReport, issueOperations, type DriftCheck } from "../actions/report-drift/src/plan";
import { findPins, run as pinActions } from "../tools/pinActions";
import { ROOT } from "./helpers/run";

const NOW = new Date("2026-11-23T06:00:12.345Z");
const RUN = "https://github.com/org/cicd-foundation/actions/runs/9";

describe("drift issues (actions/report-drift): drift and a failed check are different issues", () => {
    const check = (outcome: DriftCheck["outcome"]): DriftCheck => ({
        target: "prod",
        outcome,
        command: "terraform plan -detailed-exitcode",
        report: "~ aws_s3_bucket.x",
        runUrl: RUN,
        runbook: "docs/runbooks/drift.md",
    });
    const driftIssue = { number: 4, title: "Drift detected in prod" };
    const failedIssue = { number: 5, title: "Drift check failed in prod" };
    const driftBody =
        "`terraform plan -detailed-exitcode` of `prod` found changes on 2026-11-23T06:00:12Z: the cloud differs from the code.\n\n<details><summary>output</summary>\n\n```\n~ aws_s3_bucket.x\n```\n</details>\n\n[Run](https://github.com/org/cicd-foundation/actions/runs/9) · runbook: docs/runbooks/drift.md";
    const failedBody =
        "`terraform plan -detailed-exitcode` of `prod` failed on 2026-11-23T06:00:12Z, so drift is unknown: expired credentials, a program error or a policy violation. Fix the check first.\n\n<details><summary>output</summary>\n\n```\n~ aws_s3_bucket.x\n```\n</details>\n\n[Run](https://github.com/org/cicd-foundation/actions/runs/9) · runbook: docs/runbooks/drift.md";
    const closeDrift = { op: "close", number: 4, comment: `No drift any more on 2026-11-23T06:00:12Z: ${RUN}` };
    const closeFailed = { op: "close", number: 5, comment: `The drift check runs again on 2026-11-23T06:00:12Z: ${RUN}` };

    const table: [string, DriftCheck["outcome"], { number: number; title: string }[], unknown[]][] = [
        ["a clean run with no issue open does nothing", "clean", [], []],
        ["a clean run closes both open issues", "clean", [driftIssue, failedIssue], [closeDrift, closeFailed]],
        [
            "drift opens the drift issue, labelled drift",
            "drift",
            [],
            [{ op: "create", title: "Drift detected in prod", label: "drift", body: driftBody }],
        ],
        [
            "drift again updates the open drift issue, never a second one",
            "drift",
            [driftIssue],
            [{ op: "update", number: 4, body: driftBody }],
        ],
        [
            "drift closes an open failed-check issue: the check works again",
            "drift",
            [failedIssue],
            [{ op: "create", title: "Drift detected in prod", label: "drift", body: driftBody }, closeFailed],
        ],
        [
            "a failed check opens its own issue, labelled drift-check-failed",
            "failed",
            [],
            [{ op: "create", title: "Drift check failed in prod", label: "drift-check-failed", body: failedBody }],
        ],
        [
            "a failed check leaves an open drift issue alone: it knows nothing of the drift",
            "failed",
            [driftIssue],
            [{ op: "create", title: "Drift check failed in prod", label: "drift-check-failed", body: failedBody }],
        ],
        ["another target's issues are not touched", "clean", [{ number: 6, title: "Drift detected in sit" }], []],
    ];
    for (const [name, outcome, open, expected] of table) {
        it(name, () => assert.deepEqual(issueOperations(check(outcome), open, NOW), expected));
    }

    it("cuts a report to stay below GitHub's body limit, keeping its end", () => {
        const cut = cutReport(`${"a".repeat(BODY_LIMIT)}END`);
        assert.deepEqual([cut.length < 65536, cut.endsWith("END"), cut.startsWith("… 3 characters cut")], [true, true, true]);
    });

    it("the action lists open issues of both labels, applies the operations, and fails the step on a failed check", async () => {
        const calls: string[] = [];
        const request: GithubRequest = async (method, url, body) => {
            calls.push(`${method} ${url}${body === undefined ? "" : ` ${JSON.stringify(body)}`}`);
            if (method === "GET") return url.includes("labels=drift&") ? [{ number: 4, title: "Drift detected in prod", labels: [] }] : [];
            return { number: 7 };
        };
        const env = {
            INPUT_TARGET: "prod",
            INPUT_OUTCOME: "failed",
            INPUT_COMMAND: "pulumi preview --refresh",
            INPUT_REPORT: "error: expired token",
            GITHUB_REPOSITORY: "org/cicd-foundation",
            GITHUB_SERVER_URL: "https://github.com",
            GITHUB_RUN_ID: "9",
        };
        const log = console.log;
        const lines: string[] = [];
        console.log = (line: string) => void lines.push(line);
        let code: number;
        try {
            code = await reportDriftAction(env, NOW, request);
        } finally {
            console.log = log;
        }
        assert.equal(code, 1);
        assert.deepEqual(calls.slice(0, 2), [
            "GET /repos/org/cicd-foundation/issues?state=open&labels=drift&per_page=100&page=1",
            "GET /repos/org/cicd-foundation/issues?state=open&labels=drift-check-failed&per_page=100&page=1",
        ]);
        assert.ok(
            calls[2].startsWith(
                'POST /repos/org/cicd-foundation/issues {"title":"Drift check failed in prod","body":"`pulumi preview --refresh` of `prod` failed',
            ),
        );
        assert.equal(calls.length, 3, "the open drift issue is left alone");
        assert.deepEqual(lines, [
            "opened #7 Drift check failed in prod",
            "::error::the drift check of prod failed; drift is unknown until it runs again",
        ]);
    });

    it("the action refuses an unknown outcome (fail closed: never read as no drift)", async () => {
        await assert.rejects(
            reportDriftAction({ INPUT_TARGET: "prod", INPUT_OUTCOME: "" }, NOW, async () => []),
            new Error("outcome must be one of clean, drift, failed, got ''"),
        );
    });
});

describe("the foundation's drift check (.github/scripts/pulumi-drift.sh) tells its three outcomes apart", () => {
    /** Runs the script with a stand-in `pulumi` that prints a given preview and exits with a given code. */
    function classify(stdout: string, code: number): { outcome: string; report: string } {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-drift-"));
        try {
            fs.writeFileSync(path.join(dir, "preview.json"), stdout);
            fs.writeFileSync(path.join(dir, "pulumi"), `#!/bin/sh\ncat "${dir}/preview.json"\necho "error detail" >&2\nexit ${code}\n`, {
                mode: 0o755,
            });
            const output = path.join(dir, "output");
            const result = spawnSync("bash", [path.join(ROOT, ".github", "scripts", "pulumi-drift.sh")], {
                env: { PATH: `${dir}:${process.env.PATH}`, STACK: "prod", GITHUB_OUTPUT: output },
                encoding: "utf8",
            });
            assert.equal(result.status, 0, result.stderr);
            const text = fs.readFileSync(output, "utf8");
            const outcome = /^outcome=(.*)$/m.exec(text)?.[1] ?? "";
            const report = /^report<<(\S+)\n([\s\S]*)\n\1\n$/m.exec(text)?.[2] ?? "";
            return { outcome, report };
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    }

    it("no change planned: clean", () => {
        assert.deepEqual(classify(JSON.stringify({ changeSummary: { same: 42 }, steps: [] }), 0), {
            outcome: "clean",
            report: "no changes",
        });
    });

    it("changes planned: drift, listing each changed resource and its properties", () => {
        const preview = {
            changeSummary: { same: 40, update: 1 },
            steps: [
                { op: "update", urn: "urn:pulumi:prod::cicd-foundation::aws:s3/bucket:Bucket::state", diffKeys: ["tags"] },
                { op: "same", urn: "x" },
            ],
        };
        assert.deepEqual(classify(JSON.stringify(preview), 0), {
            outcome: "drift",
            report: "update urn:pulumi:prod::cicd-foundation::aws:s3/bucket:Bucket::state tags",
        });
    });

    it("the preview failed (expired credentials, a program error): failed, with its error output", () => {
        const result = classify(JSON.stringify({ diagnostics: [{ severity: "error", message: "ExpiredToken" }] }), 255);
        assert.deepEqual(result, { outcome: "failed", report: "pulumi preview exited 255\nerror detail\nerror: ExpiredToken" });
    });

    it("an exit code of 0 without a change summary is a failed check, never a clean one", () => {
        assert.equal(classify("not json", 0).outcome, "failed");
    });
});

describe("npm run pin-actions", () => {
    let repo: string;
    const git = (...args: string[]) => {
        const result = spawnSync("git", args, { cwd: repo, encoding: "utf8" });
        assert.equal(result.status, 0, result.stderr);
        return result.stdout.trim();
    };
    const write = (file: string, content: string) => {
        fs.mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
        fs.writeFileSync(path.join(repo, file), content);
    };
    const read = (file: string) => fs.readFileSync(path.join(repo, file), "utf8");
    const ZERO = "0".repeat(40);
    const quiet = (body: () => number): number => {
        const [log, error] = [console.log, console.error];
        console.log = console.error = () => undefined;
        try {
            return body();
        } finally {
            [console.log, console.error] = [log, error];
        }
    };

    beforeEach(() => {
        repo = fs.mkdtempSync(path.join(os.tmpdir(), "pin-actions-repo-"));
        git("init", "-q");
        git("config", "user.email", "t@example.com");
        git("config", "user.name", "t");
        write("actions/notify-slack/action.yml", "runs: {using: node24, main: dist/index.js}\n");
        write(".github/workflows/terraform-apply.yml", `steps:\n  - uses: org/cicd-foundation/actions/notify-slack@${ZERO}\n`);
        write(
            "examples/tf/.github/workflows/pipeline.yml",
            `jobs:\n  a:\n    uses: org/cicd-foundation/.github/workflows/terraform-apply.yml@${ZERO}\n`,
        );
        git("add", "-A");
        git("commit", "-qm", "actions");
    });
    afterEach(() => fs.rmSync(repo, { recursive: true, force: true }));

    it("pins the actions to a commit holding them and points the examples' workflow calls at @main", () => {
        const first = git("rev-parse", "HEAD");
        assert.equal(
            quiet(() => pinActions([first], repo)),
            0,
        );
        assert.equal(
            read(".github/workflows/terraform-apply.yml"),
            `steps:\n  - uses: org/cicd-foundation/actions/notify-slack@${first}\n`,
        );
        // The roles trust the reusable workflow only at the foundation's main: a call at a commit would be refused.
        assert.equal(
            read("examples/tf/.github/workflows/pipeline.yml"),
            "jobs:\n  a:\n    uses: org/cicd-foundation/.github/workflows/terraform-apply.yml@main\n",
        );
        git("commit", "-qam", "pin actions");
        const second = git("rev-parse", "HEAD");
        assert.equal(
            quiet(() => pinActions([second], repo)),
            0,
        );
        assert.equal(
            read(".github/workflows/terraform-apply.yml"),
            `steps:\n  - uses: org/cicd-foundation/actions/notify-slack@${first}\n`,
            "a valid pin is kept",
        );
        assert.deepEqual(
            findPins(repo).map((p) => [p.file, p.target, p.sha]),
            [[".github/workflows/terraform-apply.yml", "actions/notify-slack", first]],
        );
    });

    it("refuses a commit whose action differs from the working tree's, and writes nothing", () => {
        const old = git("rev-parse", "HEAD");
        write("actions/notify-slack/action.yml", "runs: {using: node24, main: dist/other.js}\n");
        const before = read(".github/workflows/terraform-apply.yml");
        assert.equal(
            quiet(() => pinActions([old], repo)),
            2,
        );
        assert.equal(read(".github/workflows/terraform-apply.yml"), before);
    });

    it("refuses a SHA that is not a commit of the repository, and anything that is not a SHA", () => {
        assert.equal(
            quiet(() => pinActions(["1".repeat(40)], repo)),
            2,
        );
        assert.equal(
            quiet(() => pinActions(["main"], repo)),
            2,
        );
        assert.equal(
            quiet(() => pinActions([], repo)),
            2,
        );
        assert.ok(read(".github/workflows/terraform-apply.yml").includes(`@${ZERO}`));
    });
});
