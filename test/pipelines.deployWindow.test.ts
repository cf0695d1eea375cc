import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { OUTPUTS } from "../actions/foundation-map/src/map";
import { ROOT } from "./helpers/run";
import { loadWorkflow, type Step } from "./helpers/workflows";

/**
 * Every job that checks a deploy request passes the environment's deploy window from the foundation's map:
 * read in the same job, before the check, for the same environment. Only a job that can never deploy (a
 * rollback, which no window holds) may leave it out.
 */

/** The project's and every example's workflows. */
function workflowFiles(): string[] {
    const found: string[] = [];
    const walk = (dir: string) => {
        for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
            const relative = path.join(dir, entry.name);
            if (entry.isDirectory() && entry.name !== "node_modules") walk(relative);
            else if (/\.ya?ml$/.test(entry.name) && relative.includes(`.github${path.sep}workflows${path.sep}`)) found.push(relative);
        }
    };
    walk(".github");
    if (fs.existsSync(path.join(ROOT, "examples"))) walk("examples");
    return found.sort();
}

const isCheck = (s: Step) => /actions\/check-request(@|$)/.test(s.uses ?? "");
const isMap = (s: Step) => /actions\/foundation-map(@|$)/.test(s.uses ?? "");
const WINDOW_FROM_MAP = "${{ steps.map.outputs.deploy-window }}";

interface Found {
    readonly job: string;
    readonly steps: readonly Step[];
    readonly check: number;
}
const checks: Found[] = workflowFiles().flatMap((file) =>
    Object.entries(loadWorkflow(file).jobs).flatMap(([name, job]) =>
        (job.steps ?? []).flatMap((step, i) => (isCheck(step) ? [{ job: `${file}:${name}`, steps: job.steps ?? [], check: i }] : [])),
    ),
);
const canDeploy = (f: Found) => f.steps[f.check].with?.kind !== "rollback";

describe("pipelines: the deploy window reaches every request check", () => {
    it("finds the checks of the deploying pipelines, before and after approval", () => {
        assert.deepEqual(
            checks.filter(canDeploy).map((f) => f.job),
            [
                ".github/workflows/apply.yml:check",
                ".github/workflows/apply.yml:apply",
                ".github/workflows/container-deploy.yml:check",
                ".github/workflows/container-deploy.yml:deploy",
                ".github/workflows/lambda-deploy.yml:check",
                ".github/workflows/lambda-deploy.yml:deploy",
                ".github/workflows/terraform-apply.yml:check",
                ".github/workflows/terraform-apply.yml:apply",
            ],
        );
    });

    it("every check that can judge a deploy passes the window from the map step before it, for the same environment", () => {
        for (const found of checks.filter(canDeploy)) {
            const check = found.steps[found.check];
            assert.equal(check.with?.["deploy-window"], WINDOW_FROM_MAP, found.job);
            const map = found.steps.findIndex((s) => s.id === "map");
            assert.ok(map >= 0 && map < found.check, `${found.job}: the map step (${map}) comes before the check (${found.check})`);
            const step = found.steps[map];
            assert.ok(isMap(step), `${found.job}: steps.map is the foundation map`);
            assert.equal(step.if, undefined, `${found.job}: the map step runs on every run`);
            assert.equal(step.with?.environment, check.with?.environment, found.job);
            assert.equal(step.with?.map, undefined, `${found.job}: the map beside the action, no other file`);
        }
    });

    it("a check that only judges rollbacks needs no window (rollbacks run at any time)", () => {
        const rollbacks = checks.filter((f) => !canDeploy(f)).map((f) => f.job);
        assert.deepEqual(rollbacks, [
            ".github/workflows/container-rollback.yml:check",
            ".github/workflows/container-rollback.yml:rollback",
            ".github/workflows/lambda-rollback.yml:check",
            ".github/workflows/lambda-rollback.yml:rollback",
        ]);
    });

    it("the actions declare the input and the output the workflows wire together", () => {
        const action = (name: string) =>
            yaml.load(fs.readFileSync(path.join(ROOT, "actions", name, "action.yml"), "utf8")) as {
                inputs: Record<string, { required: boolean; default?: string }>;
                outputs: Record<string, unknown>;
            };
        assert.deepEqual(
            {
                required: action("check-request").inputs["deploy-window"].required,
                default: action("check-request").inputs["deploy-window"].default,
            },
            { required: false, default: "" },
        );
        assert.ok("deploy-window" in action("foundation-map").outputs);
        assert.ok(OUTPUTS.includes("deploy-window"));
    });
});
