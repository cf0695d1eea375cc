import { strict as assert } from "assert";
import * as path from "path";
import { COMMANDS, type Command } from "../actions/ecs-release/src/inputs";
import { FOUNDATION_WORKFLOWS, roleTrust } from "../components/githubOidc";
import { pipelineWorkflows } from "./support/pipelineWorkflows";

const { REUSABLE, EXAMPLES, FILES, load, jobsOf, steps, step, names } = pipelineWorkflows("container", "container-service");
const [build, deploy, rollback] = REUSABLE;

// actionlint, pins, permissions, secrets and the shared actions' declared inputs are checked for every workflow
// in workflows.test.ts. What follows is the container pipeline's own behaviour, and who may assume its roles.

describe("the container workflows: what they do", () => {
    it("are reusable workflows, called and never triggered", () => {
        for (const file of REUSABLE) assert.deepEqual(Object.keys(load(file).on), ["workflow_call"], file);
    });

    it("give each ecs-release step every input its command requires, and use every command", () => {
        const calls = FILES.flatMap(steps).filter(({ step: s }) => /\/actions\/ecs-release@/.test(s.uses ?? ""));
        assert.deepEqual(calls.map(({ step: s }) => s.with?.command).sort(), [
            "deploy",
            "promotion",
            "rollback",
            "rollback-target",
            "scan",
        ]);
        for (const { file, job, step: s } of calls)
            for (const input of COMMANDS[s.with?.command as Command]) assert.ok(s.with?.[input] !== undefined, `${file}:${job}: ${input}`);
    });

    it("build: tests, then builds once for one platform with no attestation manifests, and attests the archive on a push to main only", () => {
        const run = step(build, "build", (s) => s.name === "Build the image once, as an OCI archive").run ?? "";
        assert.match(run, /--provenance=false --sbom=false/);
        assert.match(run, /--output "type=oci,dest=\$RUNNER_TEMP\/container-artifact\/image.tar"/);
        assert.deepEqual(names(build, "build").slice(0, 2), ["actions/checkout@d23441a48e516b6c34aea4fa41551a30e30af803", "Test"]);
        const attest = load(build).jobs.attest;
        assert.deepEqual(
            [attest.needs, attest.if, attest.permissions],
            ["build", "github.event_name == 'push' && github.ref == 'refs/heads/main'", { attestations: "write", "id-token": "write" }],
        );
        assert.deepEqual(step(build, "attest", (s) => s.uses?.startsWith("actions/attest-build-provenance@") ?? false).with, {
            "subject-path": "${{ runner.temp }}/container-artifact/image.tar",
        });
        assert.deepEqual(load(build).jobs.build.permissions, { contents: "read" }, "the job that runs the service's commands cannot sign");
    });

    it("deploy: checks the request before approval and first after it, in the environment, queued with rollbacks, never cancelled", () => {
        const jobs = load(deploy).jobs;
        const request = {
            kind: "deploy",
            environment: "${{ inputs.environment }}",
            confirmation: "${{ inputs.confirmation }}",
            "change-ticket": "${{ inputs.change-ticket }}",
            "deploy-window": "${{ steps.map.outputs.deploy-window }}",
        };
        assert.deepEqual(step(deploy, "check", (s) => /check-request@/.test(s.uses ?? "")).with, request);
        // First the map (no credential: where it deploys and the environment's window), then the gate.
        const [map, gate] = jobs.deploy.steps ?? [];
        assert.deepEqual([map?.uses?.split("@")[0], map?.id, map?.if], ["org/cicd-foundation/actions/foundation-map", "map", undefined]);
        assert.deepEqual(
            [gate?.uses?.split("@")[0], gate?.with, gate?.if],
            ["org/cicd-foundation/actions/check-request", request, undefined],
        );
        assert.equal(jobs.deploy.environment, "${{ inputs.environment }}");
        assert.deepEqual(jobs.deploy.concurrency, {
            group: "container-${{ inputs.environment }}",
            "cancel-in-progress": false,
            queue: "max",
        });
        assert.deepEqual(load(rollback).jobs.rollback.concurrency, jobs.deploy.concurrency, "a rollback waits for a deployment");
    });

    it("deploy: the attested archive of the commit, the promotion check on the previous environment's ledger, then the deployer", () => {
        const order = names(deploy, "deploy");
        const at = (name: string) => {
            assert.ok(order.includes(name), name);
            return order.indexOf(name);
        };
        const verify = at("The image of this commit that main's build workflow attested");
        const reader = at("Assume the previous environment's ledger reader (promotion check)");
        const promotion = at("The digest runs in the previous environment (in sit long enough, for prod), with no failure since");
        const deployer = at("Assume the deployer role of the environment");
        assert.ok(verify < reader && reader < promotion && promotion < deployer, order.join(" / "));
        const previous = step(deploy, "deploy", (s) => s.id === "previous");
        assert.deepEqual(
            [previous.if, previous.with],
            [
                "inputs.environment != 'dev'",
                {
                    kind: "container",
                    environment: "${{ inputs.environment == 'prod' && 'sit' || 'dev' }}",
                    require: "ledger-reader-role-arn,ledger-table,region",
                },
            ],
        );
        const check = step(deploy, "deploy", (s) => s.with?.command === "promotion");
        assert.deepEqual(check.with, {
            command: "promotion",
            service: "${{ github.event.repository.name }}",
            digest: "${{ steps.build.outputs.digest }}",
            "ledger-table": "${{ steps.previous.outputs.ledger-table }}",
            "minimum-hours": "${{ inputs.environment == 'prod' && inputs.minimum-sit-hours || 0 }}",
        });
        assert.equal(check.if, "inputs.environment != 'dev'");
        const verifyRun = step(deploy, "deploy", (s) => s.id === "build").run ?? "";
        assert.match(
            verifyRun,
            /gh attestation verify "\$DESTINATION\/image.tar" --repo "\$GITHUB_REPOSITORY" --signer-workflow "\$signer"/,
        );
        assert.match(verifyRun, /--source-ref refs\/heads\/main --source-digest "\$COMMIT" --deny-self-hosted-runners/);
        const stepsOfDeploy = load(deploy).jobs.deploy.steps ?? [];
        assert.ok(!stepsOfDeploy.some((s) => s.uses?.startsWith("actions/checkout@")), "the deploy job never builds");
    });

    it("deploy: records the digest, pushes it by digest, gates on the scan, rolls out with alarms, always records the outcome", () => {
        const start = step(deploy, "deploy", (s) => s.id === "start");
        assert.deepEqual(
            [start.with?.command, start.with?.version, start.with?.["artifact-digest"]],
            ["start", "${{ steps.name.outputs.tag }}", "${{ steps.build.outputs.digest }}"],
        );
        const push = step(deploy, "deploy", (s) => s.id === "push");
        assert.match(
            push.run ?? "",
            /skopeo copy --preserve-digests "oci-archive:\$ARCHIVE" "docker:\/\/\$registry\/\$repository:git-\$COMMIT"/,
        );
        assert.match(push.run ?? "", /\[\[ "\$pushed" == "\$DIGEST" \]\]/);
        assert.equal(push.env?.DIGEST, "${{ steps.build.outputs.digest }}");
        const scan = step(deploy, "deploy", (s) => s.with?.command === "scan");
        assert.deepEqual(
            [scan.with?.["max-critical"], scan.with?.digest],
            ["${{ inputs.max-critical }}", "${{ steps.build.outputs.digest }}"],
        );
        const release = step(deploy, "deploy", (s) => s.id === "deploy");
        assert.deepEqual([release.with?.digest, release.with?.alarms], ["${{ steps.build.outputs.digest }}", "${{ inputs.alarms }}"]);
        const order = names(deploy, "deploy");
        assert.ok(order.indexOf(String(start.name)) < order.indexOf(String(push.name)), "a failed push or scan is recorded");
        assert.ok(order.indexOf(String(scan.name)) < order.indexOf(String(release.name)), "scanned before it runs");
        const finish = step(deploy, "deploy", (s) => s.with?.command === "finish");
        assert.deepEqual([finish.if, finish.with?.outcome], ["always() && steps.start.outcome == 'success'", "${{ job.status }}"]);
        assert.equal((load(deploy).on.workflow_call?.inputs ?? {})["max-critical"].default, 0);
    });

    it("rollback: by an earlier deployment's tag, to the revision it registered, refused unless the ledger shows it deployed here", () => {
        const first = load(rollback).jobs.rollback.steps?.[0];
        assert.deepEqual(first?.with?.kind, "rollback");
        assert.deepEqual(first?.with?.tag, "${{ inputs.tag }}");
        const target = step(rollback, "rollback", (s) => s.id === "target");
        assert.deepEqual(target.with, {
            command: "rollback-target",
            cluster: "${{ inputs.cluster }}",
            "service-name": "${{ inputs.service-name }}",
            tag: "${{ inputs.tag }}",
            service: "${{ github.event.repository.name }}",
            "ledger-table": "${{ steps.map.outputs.ledger-table }}",
        });
        const order = names(rollback, "rollback");
        const deployed = step(rollback, "rollback", (s) => s.with?.command === "deployed");
        assert.equal(deployed.with?.commit, "${{ steps.target.outputs.commit }}");
        assert.ok(order.indexOf(String(deployed.name)) < order.indexOf("Record the rollback's start in the ledger"));
        const start = step(rollback, "rollback", (s) => s.id === "start");
        assert.deepEqual(
            [start.with?.command, start.with?.["target-tag"], start.with?.["artifact-digest"]],
            ["rollback", "${{ inputs.tag }}", "${{ steps.target.outputs.digest }}"],
        );
        assert.equal(
            step(rollback, "rollback", (s) => /ecs-release@/.test(s.uses ?? "") && s.with?.command === "rollback").with?.[
                "task-definition"
            ],
            "${{ steps.target.outputs.task-definition }}",
        );
    });

    it("the example callers give each reusable workflow only inputs it declares, and every required one", () => {
        for (const file of EXAMPLES) {
            for (const [name, job] of jobsOf(file)) {
                const called = /\.github\/workflows\/(container-[\w-]+\.yml)@main$/.exec(job.uses ?? "")?.[1];
                assert.ok(called, `${file}:${name}`);
                const inputs = load(path.join(".github", "workflows", called)).on.workflow_call?.inputs ?? {};
                for (const input of Object.keys(job.with ?? {}))
                    assert.ok(input in inputs, `${file}:${name}: ${called} has no input ${input}`);
                for (const [input, spec] of Object.entries(inputs))
                    if (spec.required) assert.ok(job.with?.[input] !== undefined, `${file}:${name}: ${called} needs ${input}`);
            }
        }
    });
});

describe("who may assume a container service's roles", () => {
    const args = {
        owner: "acme-org",
        foundationRepository: "foundation",
        kind: "container" as const,
        foundation: false,
        environment: "prod",
    };
    const ref = (file: string) => `acme-org/foundation/.github/workflows/${file}@refs/heads/main`;

    it("the deployer and the ledger reader: the container deploy and rollback workflows at the foundation's main, in the environment", () => {
        for (const role of ["deployer", "ledger-reader"] as const)
            assert.deepEqual(roleTrust(role, args), {
                context: [{ environment: "prod" }],
                workflows: [ref("container-deploy.yml"), ref("container-rollback.yml")],
            });
    });

    it("the previewer: the container build workflow, from pull requests and main", () => {
        assert.deepEqual(roleTrust("previewer", args), {
            context: [{ pullRequest: true }, { branch: "main" }],
            workflows: [ref("container-build.yml")],
        });
        assert.deepEqual(FOUNDATION_WORKFLOWS.container, {
            deploy: ["container-deploy.yml", "container-rollback.yml"],
            readOnly: ["container-build.yml"],
        });
    });
});
