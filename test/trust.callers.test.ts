import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { FOUNDATION_WORKFLOWS } from "../components/githubOidc";
import { ROOT } from "./helpers/run";
import { loadWorkflow, workflowText } from "./helpers/workflows";

const OWN = path.join(".github", "workflows");
const ownFiles = fs.readdirSync(path.join(ROOT, OWN)).filter((f) => /\.ya?ml$/.test(f));
const exampleFiles = fs
    .readdirSync(path.join(ROOT, "examples"))
    .flatMap((example) => {
        const dir = path.join("examples", example, ".github", "workflows");
        return fs.existsSync(path.join(ROOT, dir)) ? fs.readdirSync(path.join(ROOT, dir)).map((f) => path.join(dir, f)) : [];
    })
    .sort();

/** Which of the stack's roles a workflow file assumes, by the map output, variable or secret that names the role. */
function rolesAssumed(file: string): string[] {
    const text = workflowText(path.join(OWN, file));
    const found = new Set<string>();
    for (const line of text.split("\n").filter((l) => /role-to-assume:/.test(l))) {
        // A matrix names the variable per entry (`role: AWS_PREVIEW_ROLE_DEV`): each entry's is judged.
        const named = /matrix\.role/.test(line) ? [...text.matchAll(/^\s*(?:-\s+)?role: (\w+)$/gm)].map((m) => m[1]) : [line];
        for (const name of named) {
            if (/secrets\.AWS_ROLE_|outputs\.deployer-role-arn/.test(name)) found.add("deployer");
            else if (/AWS_PREVIEW_ROLE|outputs\.previewer-role-arn/.test(name)) found.add("previewer");
            else if (/AWS_LEDGER_READER_ROLE|outputs\.ledger-reader-role-arn/.test(name)) found.add("ledger-reader");
            else found.add(`unknown role (${name.trim()})`);
        }
    }
    return [...found].sort();
}

const deployFiles = new Set<string>([
    ...FOUNDATION_WORKFLOWS.foundation.deploy,
    ...FOUNDATION_WORKFLOWS.terraform.deploy,
    ...FOUNDATION_WORKFLOWS.lambda.deploy,
    ...FOUNDATION_WORKFLOWS.container.deploy,
]);
const readOnlyFiles = new Set<string>([
    ...FOUNDATION_WORKFLOWS.foundation.readOnly,
    ...FOUNDATION_WORKFLOWS.foundation.pullRequestPreview,
    ...FOUNDATION_WORKFLOWS.terraform.readOnly,
    ...FOUNDATION_WORKFLOWS.lambda.readOnly,
    ...FOUNDATION_WORKFLOWS.container.readOnly,
]);

describe("workflow identity: the workflows and the roles' trust agree", () => {
    it("every workflow that assumes a role is one the role trusts: deployers and ledger readers the deploy workflows, previewers the read-only ones", () => {
        const problems: string[] = [];
        assert.ok(ownFiles.filter((file) => rolesAssumed(file).length > 0).length > 0, "no workflow assumes a role");
        for (const file of ownFiles) {
            for (const role of rolesAssumed(file)) {
                const trusted =
                    role === "previewer" ? readOnlyFiles : role === "deployer" || role === "ledger-reader" ? deployFiles : undefined;
                if (!trusted?.has(file)) problems.push(`${file} assumes the ${role} role, which does not trust it`);
            }
        }
        assert.deepEqual(problems, []);
    });

    it("deployers and ledger readers are assumed only in jobs that name an environment, previewers only in jobs that name none or `preview`", () => {
        // The roles pin the job's environment claim: a job without one would be refused at run time.
        const problems: string[] = [];
        const assumed: string[] = [];
        for (const file of ownFiles) {
            for (const [name, job] of Object.entries(loadWorkflow(path.join(OWN, file)).jobs)) {
                for (const step of job.steps ?? []) {
                    const role = String(step.with?.["role-to-assume"] ?? "");
                    const kind = /deployer-role-arn|AWS_ROLE_/.test(role)
                        ? "deployer"
                        : /ledger-reader-role-arn|AWS_LEDGER_READER_ROLE/.test(role)
                          ? "ledger-reader"
                          : /previewer-role-arn|AWS_PREVIEW_ROLE|matrix\.role/.test(role)
                            ? "previewer"
                            : undefined;
                    if (kind === undefined) continue;
                    assumed.push(`${file}:${name}:${kind}`);
                    const gated = job.environment !== undefined && job.environment !== "preview";
                    if (kind !== "previewer" && !gated) problems.push(`${file}:${name} assumes the ${kind} without a gated environment`);
                    if (kind === "previewer" && gated) problems.push(`${file}:${name} assumes the previewer in ${job.environment}`);
                }
            }
        }
        assert.ok(assumed.some((a) => a.endsWith(":deployer")) && assumed.some((a) => a.endsWith(":ledger-reader")), assumed.join(", "));
        assert.deepEqual(problems, []);
    });

    it("every deploy workflow the roles trust assumes the deployer: no trust is left to a workflow that needs none", () => {
        assert.deepEqual(
            [...deployFiles].filter((file) => !rolesAssumed(file).includes("deployer")),
            [],
        );
    });

    it("the served repositories' examples call the foundation's reusable workflows at @main, the ref the roles trust", () => {
        const calls: string[] = [];
        for (const file of exampleFiles) {
            for (const [name, job] of Object.entries(loadWorkflow(file).jobs)) {
                if (!job.uses) continue;
                const match = /^([\w.-]+)\/cicd-foundation\/\.github\/workflows\/([\w.-]+\.ya?ml)@(.+)$/.exec(job.uses);
                assert.ok(match, `${file}:${name} calls ${job.uses}, not a reusable workflow of the foundation`);
                assert.equal(match[3], "main", `${file}:${name} calls ${job.uses}: the roles trust only the foundation's main`);
                calls.push(`${path.basename(path.dirname(path.dirname(path.dirname(file))))}:${name}:${match[2]}`);
            }
        }
        assert.deepEqual(calls, [
            "container-service:build:container-build.yml",
            "container-service:deploy-dev:container-deploy.yml",
            "container-service:promote:container-deploy.yml",
            "container-service:rollback:container-rollback.yml",
            "lambda-service:build:lambda-build.yml",
            "lambda-service:deploy-dev:lambda-deploy.yml",
            "lambda-service:promote:lambda-deploy.yml",
            "lambda-service:rollback:lambda-rollback.yml",
            "terraform-component:validate:terraform-validate.yml",
            "terraform-component:plan:terraform-plan.yml",
            "terraform-component:deploy:terraform-apply.yml",
            "terraform-component:drift:terraform-drift.yml",
        ]);
    });

    it("the examples' jobs that can request a token call only workflows the roles trust", () => {
        const problems: string[] = [];
        for (const file of exampleFiles) {
            for (const [name, job] of Object.entries(loadWorkflow(file).jobs)) {
                if (job.permissions?.["id-token"] !== "write") continue;
                const called = /\/\.github\/workflows\/([\w.-]+\.ya?ml)@/.exec(job.uses ?? "")?.[1];
                if (called === undefined || !(deployFiles.has(called) || readOnlyFiles.has(called)))
                    problems.push(`${file}:${name} holds id-token: write for ${job.uses ?? "its own steps"}`);
            }
        }
        assert.deepEqual(problems, []);
    });
});
