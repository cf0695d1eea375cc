import { strict as assert } from "assert";
import * as path from "path";
import { checkRequestAction } from "../actions/check-request/src/action";
import { loadWorkflow, type Job, type Step } from "./helpers/workflows";

/**
 * Where each gate binds. A check binds only if it runs after the environment's reviewers release the job
 * (an earlier job's answer is stale by then) and before anything it guards: a credential, or the code of
 * the commit being deployed.
 */
const own = (file: string) => loadWorkflow(path.join(".github", "workflows", file));
const GATED: [string, string][] = [
    ["apply.yml", "apply"],
    ["lambda-deploy.yml", "deploy"],
    ["lambda-rollback.yml", "rollback"],
    ["terraform-apply.yml", "apply"],
];
const isCredential = (s: Step) => /^(aws-actions\/configure-aws-credentials|actions\/create-github-app-token)@/.test(s.uses ?? "");
/** A step that runs code of the commit being deployed (its dependencies' scripts, its build, its program or configuration). */
const runsTargetCode = (s: Step) =>
    /\b(npm (ci|run|install)|terraform (init|plan|apply)|pulumi )/.test(s.run ?? "") || s.uses?.startsWith("pulumi/actions@") === true;
const indexOf = (job: Job, match: (s: Step) => boolean) => (job.steps ?? []).findIndex(match);
const env = (inputs: Record<string, string>) => Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v]));

describe("gates that bind: checked after approval, before credentials and before the commit's code", () => {
    for (const [file, name] of GATED) {
        it(`${file}:${name} checks the request first, once its reviewers have released it, before any credential`, () => {
            const job = own(file).jobs[name];
            assert.equal(job.environment, "${{ inputs.environment }}");
            const check = indexOf(job, (s) => /actions\/check-request(@|$)/.test(s.uses ?? ""));
            assert.ok(check >= 0, `${file}:${name} checks nothing after approval`);
            assert.equal(job.steps?.[check].if, undefined, "on every run");
            const firstCredential = indexOf(job, isCredential);
            assert.ok(
                check < firstCredential,
                `${file}:${name}: the check (step ${check}) comes before credentials (step ${firstCredential})`,
            );
            assert.deepEqual(job.steps?.[check].with?.confirmation, "${{ inputs.confirmation }}");
        });
    }

    it("a sit deploy requested in the window and released by its reviewers after it closed is refused at release", async () => {
        const window = {
            timeZone: "Africa/Johannesburg",
            days: ["mon", "tue", "wed", "thu", "fri"],
            hours: { from: "08:00", to: "17:00" },
        };
        const request = env({
            kind: "deploy",
            environment: "sit",
            confirmation: "deploy-sit",
            "change-ticket": "",
            "deploy-window": JSON.stringify(window),
        });
        const lines: string[] = [];
        const log = console.log;
        console.log = (line: string) => lines.push(line);
        try {
            // Monday 16:50 SAST: the request job passes.
            assert.equal(await checkRequestAction(request, new Date("2026-11-23T14:50:00Z")), 0);
            // Monday 17:05 SAST: the reviewer approves; the gated job's first step refuses.
            assert.equal(await checkRequestAction(request, new Date("2026-11-23T15:05:00Z")), 1);
        } finally {
            console.log = log;
        }
        assert.deepEqual(lines, [
            "request accepted: deploy to sit",
            "::error::sit deploys only Monday to Friday, 08:00 to 17:00 Africa/Johannesburg time (now: Mon 17:05 Africa/Johannesburg time)",
        ]);
    });

    it("apply.yml runs the commit's code only after every refusing check, and installs it without lifecycle scripts", () => {
        const job = own("apply.yml").jobs.apply;
        const steps = job.steps ?? [];
        const firstCode = indexOf(job, runsTargetCode);
        assert.equal(steps[firstCode].run, "npm ci --ignore-scripts\nnpm run build\n");
        const refusing = [
            "Check confirmation, window, change ticket and tag at apply time",
            "Check that the rollback tag is in main's history",
            "This commit was deployed successfully to sit",
            "The rollback tag's commit was deployed successfully to this environment",
        ];
        for (const name of refusing) {
            const at = steps.findIndex((s) => s.name === name);
            assert.ok(at >= 0 && at < firstCode, `${name} (step ${at}) before the commit's code (step ${firstCode})`);
        }
        assert.ok(!steps.some((s) => /\bnpm ci(?! --ignore-scripts)/.test(s.run ?? "")), "no install that runs lifecycle scripts");
    });

    it("terraform-apply.yml: a moved rollback tag and an unpromoted prod commit are refused before Terraform runs the commit's configuration, in the plan job too", () => {
        const workflow = own("terraform-apply.yml");
        for (const name of ["plan", "apply"]) {
            const job = workflow.jobs[name];
            const firstCode = indexOf(job, runsTargetCode);
            assert.ok(firstCode > 0, name);
            const checks = (job.steps ?? [])
                .map((s, i) => [s.with?.command, s.with?.environment, i] as const)
                .filter(([command]) => command === "deployed");
            assert.deepEqual(
                checks.map(([, environment]) => environment),
                ["sit", "${{ inputs.environment }}"],
                name,
            );
            for (const [, environment, at] of checks)
                assert.ok(at < firstCode, `${name}: the ${String(environment)} ledger check comes first`);
        }
        // The plan job names no environment: it reads the ledgers with the previewer roles it is trusted for,
        // before the previewer of this environment runs Terraform.
        const credentials = (workflow.jobs.plan.steps ?? [])
            .filter((s) => s.with?.["role-to-assume"] !== undefined)
            .map((s) => [s.if, s.with?.["role-to-assume"]]);
        assert.deepEqual(credentials, [
            ["inputs.environment == 'prod' && inputs.kind == 'deploy'", "${{ steps.sit.outputs.previewer-role-arn }}"],
            ["inputs.tag != ''", "${{ steps.map.outputs.previewer-role-arn }}"],
            [undefined, "${{ steps.map.outputs.previewer-role-arn }}"],
        ]);
    });

    it("the Lambda deploy and rollback run no code of the commit at all: the attested zip is published, never built or installed", () => {
        for (const [file, name] of [
            ["lambda-deploy.yml", "deploy"],
            ["lambda-rollback.yml", "rollback"],
        ]) {
            const job = own(file).jobs[name];
            assert.equal(indexOf(job, runsTargetCode), -1, file);
            assert.equal(
                indexOf(job, (s) => s.uses?.startsWith("actions/checkout@") === true),
                -1,
                file,
            );
        }
    });
});
