import { strict as assert } from "assert";
import * as path from "path";
import picomatch from "picomatch";
import { parseStackConfig } from "../config";
import { COMMANDS, type Command } from "../actions/lambda-release/src/inputs";
import { pipelineWorkflows } from "./support/pipelineWorkflows";
import { stackConfig } from "./helpers/stacks";

const { REUSABLE, EXAMPLES, FILES, load, jobsOf, steps, step } = pipelineWorkflows("lambda", "lambda-service");

// The hardening rules common to every workflow (actionlint, pins, permissions, secrets, checkout, Node 24,
// the shared actions' declared inputs, nothing destructive) are checked once, for every workflow and
// example found by glob, in workflows.test.ts. What follows is the Lambda pipeline's own behaviour.

describe("the Lambda workflows: what they do", () => {
    const build = path.join(".github", "workflows", "lambda-build.yml");
    const deploy = path.join(".github", "workflows", "lambda-deploy.yml");
    const rollback = path.join(".github", "workflows", "lambda-rollback.yml");

    it("are reusable workflows, called and never triggered", () => {
        for (const file of REUSABLE) assert.deepEqual(Object.keys(load(file).on), ["workflow_call"], file);
    });

    it("give each lambda-release step every input its command requires", () => {
        const calls = FILES.flatMap(steps).filter(({ step: s }) => /\/actions\/lambda-release@/.test(s.uses ?? ""));
        assert.deepEqual(calls.map(({ step: s }) => s.with?.command).sort(), [
            "package",
            "release",
            "report",
            "rollback",
            "rollback-target",
            "stability",
        ]);
        for (const { file, job, step: s } of calls) {
            for (const input of COMMANDS[s.with?.command as Command]) assert.ok(s.with?.[input] !== undefined, `${file}:${job}: ${input}`);
        }
    });

    it("build: both jobs set up Node 24, the only setup-node steps of the Lambda workflows", () => {
        const setups = FILES.flatMap(steps).filter(({ step: s }) => s.uses?.startsWith("actions/setup-node@"));
        assert.deepEqual(
            setups.map(({ file, job, step: s }) => [file, job, s.with?.["node-version"]]),
            [
                [build, "quality", 24],
                [build, "build", 24],
            ],
        );
    });

    it("build: the caller's lint, test and coverage gates pass before the one build, kept as lambda-[<function>-]<commit>", () => {
        const quality = load(build)
            .jobs.quality.steps?.filter((s) => s.run)
            .map((s) => [s.name, s.env?.COMMAND, s.name === "Install" ? "" : s.run]);
        assert.deepEqual(quality, [
            ["Install", "${{ inputs.install-command }}", ""],
            ["Lint", "${{ inputs.lint-command }}", 'bash -euo pipefail -c "$COMMAND"'],
            ["Test", "${{ inputs.test-command }}", 'bash -euo pipefail -c "$COMMAND"'],
            ["Coverage threshold", "${{ inputs.coverage-command }}", 'bash -euo pipefail -c "$COMMAND"'],
        ]);
        assert.equal(load(build).jobs.build.needs, "quality");
        const upload = step(build, "build", (s) => s.uses?.startsWith("actions/upload-artifact@") ?? false);
        assert.equal(
            step(build, "build", (s) => s.id === "artifact").run,
            'echo "name=lambda-${FUNCTION:+$FUNCTION-}$GITHUB_SHA" >> "$GITHUB_OUTPUT"',
        );
        assert.deepEqual(upload.with, {
            name: "${{ steps.artifact.outputs.name }}",
            path: "${{ runner.temp }}/lambda-artifact/",
            "if-no-files-found": "error",
            "retention-days": 90,
        });
        assert.equal(step(build, "build", (s) => s.id === "package").with?.command, "package");
    });

    it("deploy: checks the request before approval and again after it, first in the environment's job, queued, never cancelled", () => {
        const jobs = load(deploy).jobs;
        const request = {
            kind: "deploy",
            environment: "${{ inputs.environment }}",
            confirmation: "${{ inputs.confirmation }}",
            "change-ticket": "${{ inputs.change-ticket }}",
            "deploy-window": "${{ steps.map.outputs.deploy-window }}",
        };
        assert.deepEqual(step(deploy, "check", (s) => /check-request@/.test(s.uses ?? "")).with, request);
        // The binding check: the first step after the reviewers release the job and the map's read (which
        // gives it the window), before any credential.
        const first = jobs.deploy.steps?.[1];
        assert.deepEqual(
            [first?.uses?.split("@")[0], first?.with, first?.if],
            ["org/cicd-foundation/actions/check-request", request, undefined],
        );
        assert.deepEqual(jobs.check.permissions, {});
        const gradual = step(deploy, "check", (s) => s.name === "prod shifts gradually");
        assert.equal(gradual.if, "inputs.environment == 'prod' && inputs.rollout == 'LambdaAllAtOnce'", "refused before anyone approves");
        assert.equal(jobs.deploy.needs, "check");
        assert.equal(jobs.deploy.environment, "${{ inputs.environment }}");
        assert.deepEqual(jobs.deploy.concurrency, {
            group: "lambda-${{ inputs.environment }}-${{ inputs.function-name }}",
            "cancel-in-progress": false,
            queue: "max",
        });
        assert.deepEqual(load(rollback).jobs.rollback.concurrency, jobs.deploy.concurrency, "a rollback waits for a deployment");
    });

    it("build: attests the package in a job of its own, on a push to main only, that runs none of the service's code", () => {
        const attest = load(build).jobs.attest;
        assert.deepEqual(
            [attest.needs, attest.if, attest.permissions],
            ["build", "github.event_name == 'push' && github.ref == 'refs/heads/main'", { attestations: "write", "id-token": "write" }],
        );
        assert.deepEqual(
            (attest.steps ?? []).map((s) => [s.uses?.split("@")[0], s.with, s.run]),
            [
                [
                    "actions/download-artifact",
                    { name: "${{ needs.build.outputs.artifact }}", path: "${{ runner.temp }}/lambda-artifact" },
                    undefined,
                ],
                ["actions/attest-build-provenance", { "subject-path": "${{ runner.temp }}/lambda-artifact/package.zip" }, undefined],
            ],
        );
        assert.deepEqual(
            load(build).jobs.build.permissions,
            { contents: "read", packages: "read" },
            "the job that runs the service's commands cannot sign",
        );
    });

    it("deploy: only the build main's build workflow attested, verified and chosen by digest before any credential, never a rebuild", () => {
        const verify = step(deploy, "deploy", (s) => s.id === "build");
        assert.deepEqual(
            [verify.uses?.split("@")[0], verify.with, verify.if],
            [
                "org/cicd-foundation/actions/verify-build",
                {
                    commit: "${{ inputs.commit }}",
                    "signer-workflow": "${{ steps.map.outputs.build-signer-workflow }}",
                    destination: "${{ runner.temp }}/lambda-artifact",
                    "function-name": "${{ inputs.several-functions && inputs.function-name || '' }}",
                    token: "${{ github.token }}",
                },
                undefined,
            ],
        );
        const steps = load(deploy).jobs.deploy.steps ?? [];
        const at = steps.findIndex((s) => s.id === "build");
        const firstCredential = steps.findIndex((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
        assert.ok(at >= 0 && at < firstCredential, "verified before any environment's credential");
        assert.ok(!steps.some((s) => s.uses?.startsWith("actions/download-artifact@")), "no download that picks by name");
        assert.ok(!steps.some((s) => s.uses?.startsWith("actions/checkout@")), "the deploy job never builds");
        assert.equal(load(deploy).jobs.deploy.permissions?.attestations, "read");
        assert.equal(step(deploy, "deploy", (s) => s.id === "release").with?.package, "${{ runner.temp }}/lambda-artifact/package.zip");
    });

    it("deploy: prod asks sit's ledger, with sit's ledger reader, whether the commit ran there long enough", () => {
        const reader = step(deploy, "deploy", (s) => s.with?.["role-to-assume"] === "${{ steps.sit.outputs.ledger-reader-role-arn }}");
        const sitMap = step(deploy, "deploy", (s) => s.id === "sit");
        assert.deepEqual(
            [sitMap.uses?.split("@")[0], sitMap.if, sitMap.with],
            [
                "org/cicd-foundation/actions/foundation-map",
                "inputs.environment == 'prod'",
                { kind: "lambda", environment: "sit", require: "ledger-reader-role-arn,ledger-table,region" },
            ],
        );
        const stability = step(deploy, "deploy", (s) => s.with?.command === "stability");
        assert.deepEqual([reader.if, stability.if], ["inputs.environment == 'prod'", "inputs.environment == 'prod'"]);
        assert.equal(stability.with?.["minimum-hours"], "${{ inputs.minimum-sit-hours }}");
        assert.equal(stability.with?.["ledger-table"], "${{ steps.sit.outputs.ledger-table }}");
        assert.equal((load(deploy).on.workflow_call?.inputs ?? {})["minimum-sit-hours"].default, 24);
        const names = load(deploy).jobs.deploy.steps?.map((s) => s.name ?? s.uses) ?? [];
        assert.ok(
            names.indexOf(stability.name) < names.indexOf("Assume the deployer role of the environment"),
            "checked before any change",
        );
    });

    it("deploy: CodeDeploy shifts and rolls back, the runner only starts and reports; the outcome is always recorded", () => {
        const release = step(deploy, "deploy", (s) => s.id === "release");
        assert.deepEqual(
            [release.with?.command, release.with?.rollout, release.with?.alarms, release.with?.prefix],
            ["release", "${{ inputs.rollout }}", "${{ inputs.alarms }}", "${{ steps.map.outputs.prefix }}"],
        );
        const report = step(deploy, "deploy", (s) => s.with?.command === "report");
        assert.deepEqual(
            [report.if, report.with?.["deployment-id"]],
            ["steps.release.outputs.deployment-id != ''", "${{ steps.release.outputs.deployment-id }}"],
        );
        const finish = step(deploy, "deploy", (s) => s.with?.command === "finish");
        assert.equal(finish.if, "always() && steps.start.outcome == 'success'");
        const start = step(deploy, "deploy", (s) => s.id === "start");
        assert.deepEqual([start.with?.command, start.with?.version], ["start", "${{ steps.name.outputs.tag }}"]);
        const slack = step(deploy, "deploy", (s) => /notify-slack@/.test(s.uses ?? ""));
        assert.equal(slack.if, "always() && (inputs.environment == 'prod' || job.status != 'success')");
    });

    it("deploy: tags the commit deploy-<env>-[<function>-]<timestamp> through the API, with no credentials on disk", () => {
        const name = step(deploy, "deploy", (s) => s.id === "name");
        assert.equal(name.run, 'echo "tag=deploy-$ENVIRONMENT-${FUNCTION:+$FUNCTION-}$(date -u +%Y%m%dT%H%M%SZ)" >> "$GITHUB_OUTPUT"');
        assert.equal(name.env?.FUNCTION, "${{ inputs.several-functions && inputs.function-name || '' }}");
        assert.equal(
            step(deploy, "deploy", (s) => s.name === "Tag the deployed commit").run,
            'gh api "repos/$GITHUB_REPOSITORY/git/refs" -f ref="refs/tags/$TAG" -f sha="$COMMIT" --silent',
        );
    });

    it("rollback: by an earlier deployment's tag, checked before approval and again first after it, recorded as a rollback of that tag", () => {
        assert.deepEqual(step(rollback, "check", (s) => /check-request@/.test(s.uses ?? "")).with?.kind, "rollback");
        const first = load(rollback).jobs.rollback.steps?.[0];
        assert.deepEqual(
            [first?.uses?.split("@")[0], first?.with],
            [
                "org/cicd-foundation/actions/check-request",
                {
                    kind: "rollback",
                    environment: "${{ inputs.environment }}",
                    confirmation: "${{ inputs.confirmation }}",
                    "change-ticket": "${{ inputs.change-ticket }}",
                    tag: "${{ inputs.tag }}",
                },
            ],
        );
        const target = step(rollback, "rollback", (s) => s.id === "target");
        assert.deepEqual(target.with, {
            command: "rollback-target",
            "function-name": "${{ inputs.function-name }}",
            alias: "${{ inputs.alias }}",
            tag: "${{ inputs.tag }}",
        });
        const start = step(rollback, "rollback", (s) => s.id === "start");
        assert.deepEqual(
            [start.with?.command, start.with?.commit, start.with?.["target-tag"]],
            ["rollback", "${{ steps.target.outputs.commit }}", "${{ inputs.tag }}"],
        );
        assert.equal(
            step(rollback, "rollback", (s) => /lambda-release@/.test(s.uses ?? "") && s.with?.command === "rollback").with?.version,
            "${{ steps.target.outputs.version }}",
        );
    });

    it("rollback: refused unless this environment's ledger shows the target version's commit deployed successfully here", () => {
        const names = (load(rollback).jobs.rollback.steps ?? []).map((s) => s.name ?? s.id);
        const check = step(rollback, "rollback", (s) => s.with?.command === "deployed");
        assert.deepEqual(
            [check.name, check.uses?.split("@")[0], check.with],
            [
                "That version's commit was deployed successfully to this environment",
                "org/cicd-foundation/actions/record-deployment",
                {
                    command: "deployed",
                    environment: "${{ inputs.environment }}",
                    service: "${{ github.event.repository.name }}",
                    root: "${{ steps.tagged.outputs.root }}",
                    commit: "${{ steps.target.outputs.commit }}",
                    table: "${{ steps.map.outputs.ledger-table }}",
                },
            ],
        );
        assert.equal(check.if, undefined, "asked on every rollback");
        const at = names.indexOf(check.name);
        assert.ok(at > names.indexOf("Find the version the tag was deployed as"), "after the target is known");
        assert.ok(
            at < names.indexOf("Record the rollback's start in the ledger") && at < names.indexOf("Point the alias back at that version"),
        );
    });

    it("the example pipeline: gates and build on every change, dev from main, sit and prod by dispatch of a commit", () => {
        const [pipeline] = EXAMPLES;
        const workflow = load(pipeline);
        assert.deepEqual(Object.keys(workflow.on), ["pull_request", "push", "workflow_dispatch"]);
        assert.deepEqual(workflow.on.workflow_dispatch?.inputs?.environment.options, ["sit", "prod", "dev"]);
        assert.equal(workflow.jobs.build.if, "github.event_name != 'workflow_dispatch'");
        assert.equal(workflow.jobs["deploy-dev"].if, "github.event_name == 'push' && github.ref == 'refs/heads/main'");
        assert.deepEqual(
            [workflow.jobs["deploy-dev"].with?.environment, workflow.jobs["deploy-dev"].with?.commit],
            ["dev", "${{ github.sha }}"],
        );
        assert.equal(workflow.jobs.promote.if, "github.event_name == 'workflow_dispatch'");
        assert.equal(workflow.jobs.promote.with?.commit, "${{ inputs.commit }}");
        assert.equal(
            workflow.jobs.promote.with?.rollout,
            "${{ inputs.environment == 'prod' && 'LambdaCanary10Percent10Minutes' || 'LambdaAllAtOnce' }}",
            "prod shifts as a canary (CodeDeploy watches the function's error alarm)",
        );
    });

    it("the example callers name functions and alarms the service's deployer may touch in every environment", () => {
        const ENVIRONMENTS = ["dev", "sit", "prod"];
        const configs = new Map(ENVIRONMENTS.map((env) => [env, parseStackConfig(stackConfig(env), env)]));
        const named: string[] = [];
        for (const file of EXAMPLES) {
            for (const [name, job] of jobsOf(file)) {
                const functionName = job.with?.["function-name"];
                if (functionName === undefined) continue;
                const dispatched = job.with?.environment === "${{ inputs.environment }}";
                for (const env of ENVIRONMENTS.filter((e) => dispatched || job.with?.environment === e)) {
                    const config = configs.get(env);
                    const own = config?.repositories.find((r) => r.name === "2_bbws_tenants_instances_lambda");
                    assert.equal(own?.kind, "lambda");
                    const fn = String(functionName).replace("${{ inputs.environment }}", env);
                    assert.ok(picomatch([...(own?.deploys.lambdaFunctions ?? [])])(fn), `${file}:${name}: ${fn} in ${env}`);
                    named.push(`${path.basename(file)}:${name} ${fn}`);
                    for (const alarm of String(job.with?.["canary-alarms"] ?? "")
                        .split(",")
                        .filter((a) => env === "prod" && a.trim()))
                        assert.ok(alarm.trim().startsWith(`${config?.prefix}-prod-`), `${file}:${name}: alarm ${alarm}`);
                }
            }
        }
        assert.deepEqual(named, [
            "pipeline.yml:deploy-dev bbws-tenants-instances-dev",
            "pipeline.yml:promote bbws-tenants-instances-dev",
            "pipeline.yml:promote bbws-tenants-instances-sit",
            "pipeline.yml:promote bbws-tenants-instances-prod",
            "rollback.yml:rollback bbws-tenants-instances-dev",
            "rollback.yml:rollback bbws-tenants-instances-sit",
            "rollback.yml:rollback bbws-tenants-instances-prod",
        ]);
    });

    it("the example callers give each reusable workflow only inputs it declares, and every required one", () => {
        for (const file of EXAMPLES) {
            for (const [name, job] of jobsOf(file)) {
                const called = /\.github\/workflows\/(lambda-[\w-]+\.yml)@/.exec(job.uses ?? "")?.[1];
                assert.ok(called, `${file}:${name}`);
                const inputs = load(path.join(".github", "workflows", called)).on.workflow_call?.inputs ?? {};
                for (const input of Object.keys(job.with ?? {}))
                    assert.ok(input in inputs, `${file}:${name}: ${called} has no input ${input}`);
                for (const [input, spec] of Object.entries(inputs)) {
                    if (spec.required) assert.ok(job.with?.[input] !== undefined, `${file}:${name}: ${called} needs ${input}`);
                }
            }
        }
    });
});
