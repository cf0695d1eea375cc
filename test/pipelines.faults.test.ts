import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseDeployTag } from "../shared/formats";
import { loadWorkflow, workflowText, type Job, type Step } from "./helpers/workflows";

const own = (file: string) => loadWorkflow(path.join(".github", "workflows", file));
const stepsOf = (job: Job): Step[] => job.steps ?? [];
const action = (step: Step) => step.uses?.split("@")[0].replace(/^(\.\/\.pipeline\/|org\/cicd-foundation\/)/, "");

/** The gated deploy jobs these workflows own: each runs in the environment its reviewers release. */
const GATED: [string, string][] = [
    ["apply.yml", "apply"],
    ["terraform-apply.yml", "apply"],
];

describe("pipelines under faults: the ledger record is closed whatever fails", () => {
    for (const [file, name] of GATED) {
        const job = own(file).jobs[name];
        const steps = stepsOf(job);
        const start = steps.find((s) => s.id === "start");
        const finish = steps.find((s) => action(s) === "actions/record-deployment" && s.with?.command === "finish");
        const slack = steps.find((s) => action(s) === "actions/notify-slack");

        it(`${file}:${name} closes the record in an if: always() step with the job's status, whenever the start was written`, () => {
            assert.equal(job.environment, "${{ inputs.environment }}");
            assert.equal(action(start ?? {}), "actions/record-deployment");
            assert.equal(finish?.if, "always() && steps.start.outcome == 'success'");
            assert.equal(finish?.with?.outcome, "${{ job.status }}");
            assert.equal(finish?.with?.kind, "${{ inputs.kind }}");
        });

        it(`${file}:${name} runs every deploy step before the finish, and only Slack (best effort, always) after it`, () => {
            const at = steps.indexOf(finish as Step);
            assert.deepEqual(steps.slice(at + 1), [slack]);
            assert.ok(slack?.if?.startsWith("always() && "), slack?.if);
        });
    }

    it("terraform-apply.yml records the digest of the plan the reviewers saw, the approvers and the root", () => {
        const start = stepsOf(own("terraform-apply.yml").jobs.apply).find((s) => s.id === "start");
        assert.deepEqual(
            [start?.with?.["artifact-digest"], start?.with?.approvers, start?.with?.root],
            ["${{ needs.plan.outputs.changes-sha256 }}", "${{ steps.approvals.outputs.logins }}", "${{ inputs.root }}"],
        );
    });

    it("no workflow passes a preview's or plan's text through a step output, an argument or an environment variable", () => {
        for (const file of ["preview.yml", "terraform-plan.yml", "terraform-apply.yml"]) {
            const text = workflowText(path.join(".github", "workflows", file));
            assert.ok(!/steps\.[\w-]+\.outputs\.(output|plan|preview)\b/.test(text), file);
        }
    });
});

/**
 * The expressions of the Terraform workflows, evaluated the way GitHub does for the operators they use
 * (`&&`, `||` on strings, `format`), with the inputs and matrix of one call.
 */
function evaluate(expression: string, context: { inputs: Record<string, string>; matrix: Record<string, string> }): string {
    return expression.replace(/\$\{\{\s*(.+?)\s*\}\}/g, (_, body: string) => {
        const js = body
            .replace(/'([^']*)'/g, (__, s: string) => JSON.stringify(s))
            .replace(/\.([A-Za-z_]\w*(?:-\w+)+)/g, (__, key: string) => `[${JSON.stringify(key)}]`);
        const format = (template: string, ...args: string[]) => template.replace(/\{(\d+)\}/g, (___, i: string) => args[Number(i)]);
        const value = new Function("inputs", "matrix", "format", "steps", `return (${js});`)(context.inputs, context.matrix, format, {
            map: { outputs: { "state-key-prefix": "repos/orders-api/" } },
        }) as unknown;
        return String(value);
    });
}

/** Every name a root changes, for one root (empty: a repository with one root) in one environment. */
function namesFor(root: string, environment: string): Record<string, string> {
    const inputs = { root, environment, "working-directory": root ? `infra/${root}` : ".", "state-name": "terraform.tfstate" };
    const context = { inputs, matrix: { environment } };
    const plan = own("terraform-plan.yml");
    const apply = own("terraform-apply.yml");
    const drift = own("terraform-drift.yml");
    const step = (job: Job, test: (s: Step) => boolean) => {
        const found = stepsOf(job).find(test);
        assert.ok(found, "the step exists");
        return found;
    };
    const upload = (s: Step) => s.uses?.startsWith("actions/upload-artifact@") === true;
    const init = (s: Step) => s.env?.STATE_KEY !== undefined;
    const comment = step(plan.jobs.comment, (s) => action(s) === "actions/pr-comment");
    return {
        "plan artifact": evaluate(String(step(plan.jobs.plan, upload).with?.name), context),
        "comment download": evaluate(
            String(step(plan.jobs.comment, (s) => s.uses?.startsWith("actions/download-artifact@") === true).with?.pattern),
            context,
        ),
        "comment artifact prefix": evaluate(String(comment.with?.["artifact-prefix"]), context),
        "comment marker root": evaluate(String(comment.with?.root), context),
        "plan state key": evaluate(step(plan.jobs.plan, init).env?.STATE_KEY ?? "", context),
        "apply plan artifact": evaluate(String(step(apply.jobs.plan, upload).with?.name), context),
        "apply concurrency": evaluate(apply.jobs.apply.concurrency?.group ?? "", context),
        "apply state key": evaluate(step(apply.jobs.apply, init).env?.STATE_KEY ?? "", context),
        "ledger root": evaluate(String(step(apply.jobs.apply, (s) => s.id === "start").with?.root), context),
        "drift state key": evaluate(step(drift.jobs.drift, (s) => s.id === "drift").env?.STATE_KEY ?? "", context),
        "drift issue target": evaluate(String(step(drift.jobs.drift, (s) => action(s) === "actions/report-drift").with?.target), context),
        "deploy tag": deployTag(root, environment),
    };
}

/** Runs terraform-apply.yml's own tag step with a stand-in `gh`, and returns the tag it created. */
function deployTag(root: string, environment: string): string {
    const step = stepsOf(own("terraform-apply.yml").jobs.apply).find((s) => s.name === "Tag the deployed commit");
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), "gh-"));
    try {
        fs.writeFileSync(path.join(bin, "gh"), '#!/bin/sh\necho "$@" >> "$GH_LOG"\necho 0000000000000000000000000000000000000001\n', {
            mode: 0o755,
        });
        const result = spawnSync("bash", ["-e", "-c", step?.run ?? "exit 9"], {
            env: {
                PATH: `${bin}:${process.env.PATH}`,
                GH_LOG: path.join(bin, "log"),
                ENVIRONMENT: environment,
                ROOT: root,
                SHA: "1111111111111111111111111111111111111111",
                GITHUB_REPOSITORY: "acme/orders-api",
            },
            encoding: "utf8",
        });
        assert.equal(result.status, 0, result.stderr);
        const ref = /ref=refs\/tags\/(\S+)/.exec(fs.readFileSync(path.join(bin, "log"), "utf8"));
        return ref ? ref[1] : "";
    } finally {
        fs.rmSync(bin, { recursive: true, force: true });
    }
}

describe("many roots: two roots of one repository get distinct names everywhere; one root keeps the single-root names", () => {
    const single = namesFor("", "prod");
    const network = namesFor("network", "prod");
    const database = namesFor("database", "prod");

    it("keeps the single-root names of a repository with one root", () => {
        const { "deploy tag": tag, ...rest } = single;
        assert.deepEqual(rest, {
            "plan artifact": "terraform-plan-prod",
            "comment download": "terraform-plan-*",
            "comment artifact prefix": "terraform-plan-",
            "comment marker root": ".",
            "plan state key": "repos/orders-api/terraform.tfstate",
            "apply plan artifact": "terraform-plan-prod",
            "apply concurrency": "terraform-apply-prod",
            "apply state key": "repos/orders-api/terraform.tfstate",
            "ledger root": "",
            "drift state key": "repos/orders-api/terraform.tfstate",
            "drift issue target": "prod",
        });
        assert.deepEqual({ ...parseDeployTag(tag), timestamp: "" }, { environment: "prod", timestamp: "" });
    });

    it("names a root in every name", () => {
        const { "deploy tag": tag, ...rest } = network;
        assert.deepEqual(rest, {
            "plan artifact": "terraform-plan-network-prod",
            "comment download": "terraform-plan-network-*",
            "comment artifact prefix": "terraform-plan-network-",
            "comment marker root": "infra/network",
            "plan state key": "repos/orders-api/network/terraform.tfstate",
            "apply plan artifact": "terraform-plan-network-prod",
            "apply concurrency": "terraform-apply-network-prod",
            "apply state key": "repos/orders-api/network/terraform.tfstate",
            "ledger root": "network",
            "drift state key": "repos/orders-api/network/terraform.tfstate",
            "drift issue target": "prod (root network)",
        });
        assert.deepEqual({ ...parseDeployTag(tag), timestamp: "" }, { environment: "prod", root: "network", timestamp: "" });
    });

    for (const name of Object.keys(single)) {
        it(`${name}: distinct for the two roots and from the single root`, () => {
            assert.equal(
                new Set([single[name], network[name], database[name]]).size,
                3,
                `${single[name]} / ${network[name]} / ${database[name]}`,
            );
        });
    }
});
