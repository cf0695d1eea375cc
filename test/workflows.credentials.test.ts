import { strict as assert } from "assert";
import * as path from "path";
import { ENVIRONMENT_WEBHOOK, loadWorkflow, type Job } from "./helpers/workflows";

const load = loadWorkflow;
const own = (name: string) => load(path.join(".github", "workflows", name));
const stepsOf = (job: Job) => job.steps ?? [];

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
