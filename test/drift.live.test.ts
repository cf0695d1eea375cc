import { strict as assert } from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Ledger } from "../shared/ledgerClient";
import { bundlePath } from "../tools/build/bundle";
import { createLedgerTable, CREDENTIALS, REGION, startDynamo } from "./helpers/aws";
import { loadWorkflow } from "./helpers/workflows";

const SERVICE = "network";
const git = (cwd: string, ...args: string[]) => {
    const result = spawnSync("git", args, {
        cwd,
        encoding: "utf8",
        env: {
            ...process.env,
            GIT_AUTHOR_NAME: "t",
            GIT_AUTHOR_EMAIL: "t@example.com",
            GIT_COMMITTER_NAME: "t",
            GIT_COMMITTER_EMAIL: "t@example.com",
        },
    });
    assert.equal(result.status, 0, result.stderr);
    return result.stdout.trim();
};

/** The drift step of terraform-drift.yml, as committed: the script under test is the workflow's own. */
const driftScript = () => {
    const steps = loadWorkflow(path.join(".github", "workflows", "terraform-drift.yml")).jobs.drift.steps ?? [];
    const step = steps.find((s) => s.id === "drift");
    assert.ok(step?.run);
    return step.run;
};

/**
 * A stand-in terraform: `init` succeeds; `plan -detailed-exitcode` compares the configuration it is run in
 * (main.tf) with what is deployed ($FAKE_CLOUD): equal is 0, different is 2 with the change, and
 * FAKE_PLAN_FAILS makes the plan itself fail (1).
 */
const TERRAFORM = `#!/usr/bin/env bash
case "$1" in
  init) echo "Terraform has been successfully initialized!" ;;
  plan)
    [ -n "$FAKE_PLAN_FAILS" ] && { echo "Error: reading S3 bucket: AccessDenied"; exit 1; }
    if [ "$(cat main.tf)" = "$(cat "$FAKE_CLOUD")" ]; then echo "No changes."; exit 0; fi
    echo "  ~ $(cat "$FAKE_CLOUD") -> $(cat main.tf)"; exit 2 ;;
  *) exit 9 ;;
esac
`;

describe("drift against what is deployed: the ledger names the commit, the workflow's own plan step judges it (dynalite, a stand-in terraform)", () => {
    let dynamo: Awaited<ReturnType<typeof startDynamo>>;
    let dir: string;
    let repo: string;
    let commits: Record<string, string>;
    const clock = { t: Date.parse("2026-11-23T08:00:00Z") };

    before(async () => {
        dynamo = await startDynamo();
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "drift-live-"));
        fs.mkdirSync(path.join(dir, "bin"));
        fs.writeFileSync(path.join(dir, "bin", "terraform"), TERRAFORM, { mode: 0o755 });
        repo = path.join(dir, "repo");
        fs.mkdirSync(repo);
        git(repo, "init", "-q", "-b", "main");
        commits = {};
        for (const [name, text] of [
            ["released", 'bucket "site" { versioning = false }'],
            ["merged", 'bucket "site" { versioning = true }'],
        ]) {
            fs.writeFileSync(path.join(repo, "main.tf"), text);
            git(repo, "add", "main.tf");
            git(repo, "commit", "-q", "-m", name);
            commits[name] = git(repo, "rev-parse", "HEAD");
        }
        for (const env of ["dev", "sit", "prod"]) await createLedgerTable(dynamo.client, `acme-deployments-${env}`);
        const record = async (env: string, runId: string, commit: string, kind: "deploy" | "rollback", outcome: "succeeded" | "failed") => {
            const ledger = new Ledger({
                tableName: `acme-deployments-${env}`,
                dynamodb: dynamo.client,
                now: () => new Date((clock.t += 60_000)),
            });
            await ledger.start({
                service: SERVICE,
                environment: env,
                kind,
                runId,
                runAttempt: "1",
                commitSha: commit,
                version: kind === "rollback" ? `deploy-${env}-20261123T080000Z` : "main",
                actor: "alice",
                approvers: ["bob"],
                runUrl: `https://github.com/acme/${SERVICE}/actions/runs/${runId}`,
                changeTicket: env === "prod" ? "CHG-1" : undefined,
                targetTag: kind === "rollback" ? `deploy-${env}-20261123T080000Z` : undefined,
            });
            await ledger.finish(SERVICE, runId, "1", kind, outcome);
        };
        // sit: the released commit was deployed; the merged one is on main, not promoted, and a later
        // attempt to deploy it failed. prod: the merged commit was deployed, then rolled back.
        await record("sit", "11", commits.released, "deploy", "succeeded");
        await record("sit", "12", commits.merged, "deploy", "failed");
        await record("prod", "21", commits.released, "deploy", "succeeded");
        await record("prod", "22", commits.merged, "deploy", "succeeded");
        await record("prod", "23", commits.released, "rollback", "succeeded");
    });
    after(async () => {
        await dynamo.stop();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    /** The workflow's "the commit that runs there" step: the recorder's bundle, run as the runner runs it. */
    const live = (env: string): Promise<{ status: number | null; stdout: string; commit: string }> =>
        new Promise((resolve, reject) => {
            const output = path.join(dir, `live-${env}`);
            fs.writeFileSync(output, "");
            const child = spawn(process.execPath, [bundlePath("record-deployment")], {
                env: {
                    PATH: process.env.PATH,
                    GITHUB_REPOSITORY: `acme/${SERVICE}`,
                    GITHUB_OUTPUT: output,
                    AWS_REGION: REGION,
                    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
                    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
                    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
                    NODE_NO_WARNINGS: "1",
                    AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: "1",
                    INPUT_COMMAND: "live",
                    INPUT_ENVIRONMENT: env,
                    INPUT_TABLE: `acme-deployments-${env}`,
                },
            });
            let stdout = "";
            child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
            child.on("error", reject);
            child.on("close", (status) => {
                const commit = /^commit=([0-9a-f]{40})$/m.exec(fs.readFileSync(output, "utf8"))?.[1] ?? "";
                resolve({ status, stdout, commit });
            });
        });

    /** Checks out a commit (as actions/checkout does with `ref:`) and runs the workflow's drift step in it. */
    const plan = (commit: string, cloud: string, fails = false) => {
        git(repo, "checkout", "-q", commit);
        const cloudFile = path.join(dir, "cloud.tf");
        fs.writeFileSync(cloudFile, cloud);
        const output = path.join(dir, "plan-output");
        fs.writeFileSync(output, "");
        const result = spawnSync("bash", ["-e", "-c", driftScript()], {
            cwd: repo,
            encoding: "utf8",
            env: {
                PATH: `${path.join(dir, "bin")}${path.delimiter}${process.env.PATH}`,
                GITHUB_OUTPUT: output,
                FAKE_CLOUD: cloudFile,
                ...(fails ? { FAKE_PLAN_FAILS: "1" } : {}),
                STATE_BUCKET: "acme-state-sit",
                STATE_KEY: "network/terraform.tfstate",
                LOCK_TABLE: "",
                AWS_REGION: "eu-west-1",
            },
        });
        assert.equal(result.status, 0, result.stderr);
        fs.rmSync(path.join(repo, "plan.txt"), { force: true });
        return /^outcome=(\w+)$/m.exec(fs.readFileSync(output, "utf8"))?.[1];
    };
    const DEPLOYED = 'bucket "site" { versioning = false }';

    it("a commit merged to main but not promoted is not drift: sit's ledger names the released commit, whose plan is clean", async () => {
        const sit = await live("sit");
        assert.equal(sit.status, 0, sit.stdout);
        assert.equal(sit.commit, commits.released, "the failed deployment of the merged commit does not count");
        assert.equal(plan(sit.commit, DEPLOYED), "clean");
        // Planning main's head instead, as before, calls the unpromoted merge drift.
        assert.equal(git(repo, "rev-parse", "main"), commits.merged);
        assert.equal(plan(commits.merged, DEPLOYED), "drift");
    });

    it("after a rollback, the commit rolled back to is what runs (the rollback is newer than the deployment it undid)", async () => {
        const prod = await live("prod");
        assert.equal(prod.commit, commits.released);
        assert.equal(plan(prod.commit, DEPLOYED), "clean");
    });

    it("a change made outside the pipelines is drift; a plan that fails is a failed check", async () => {
        const sit = await live("sit");
        assert.equal(plan(sit.commit, 'bucket "site" { versioning = false, acl = "public-read" }'), "drift");
        assert.equal(plan(sit.commit, DEPLOYED, true), "failed");
    });

    it("an environment the pipelines never deployed fails the check (nothing to compare), rather than passing it", async () => {
        const dev = await live("dev");
        assert.equal(dev.status, 1);
        assert.equal(dev.commit, "");
        assert.equal(
            dev.stdout,
            "the pipelines never deployed network to dev successfully: nothing to compare\n::error::the recorder answered no to 'live' (exit 1); see the line above\n",
        );
        const report = (loadWorkflow(path.join(".github", "workflows", "terraform-drift.yml")).jobs.drift.steps ?? []).find((s) =>
            s.uses?.includes("/actions/report-drift@"),
        );
        assert.deepEqual([report?.if, report?.with?.outcome], ["${{ !cancelled() }}", "${{ steps.drift.outputs.outcome || 'failed' }}"]);
    });

    it("the drift workflows plan the commit the ledger names, never the head of main", () => {
        for (const [file, live, checkout] of [
            ["terraform-drift.yml", "org/cicd-foundation/actions/record-deployment", undefined],
            ["drift.yml", "./.pipeline/actions/record-deployment", "live"],
        ] as const) {
            const steps = loadWorkflow(path.join(".github", "workflows", file)).jobs.drift.steps ?? [];
            const liveStep = steps.find((s) => s.id === "live");
            assert.deepEqual([liveStep?.uses?.split("@")[0], liveStep?.with?.command], [live, "live"], file);
            const checkouts = steps.filter((s) => s.uses?.startsWith("actions/checkout@") && s.with?.path !== ".pipeline");
            assert.deepEqual(
                checkouts.map((s) => [s.with?.ref, s.with?.path]),
                [["${{ steps.live.outputs.commit }}", checkout]],
                file,
            );
            const names = steps.map((s) => s.id ?? s.name ?? s.uses);
            assert.ok(names.indexOf("live") < names.indexOf("drift"), file);
        }
    });
});
