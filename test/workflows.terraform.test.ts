import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadWorkflow, type Job } from "./helpers/workflows";

const load = loadWorkflow;
const own = (name: string) => load(path.join(".github", "workflows", name));
const stepsOf = (job: Job) => job.steps ?? [];
/** A local reusable workflow, or the foundation's one an example calls: the file in this repository. */
const calledWorkflow = (uses: string) => {
    const match = /^(?:\.\/|[\w.-]+\/cicd-foundation\/)(\.github\/workflows\/[\w.-]+\.ya?ml)/.exec(uses);
    return match ? match[1] : undefined;
};

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
