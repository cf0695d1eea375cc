import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { ENVIRONMENTS, MINIMUM_APPROVALS } from "../config";
import { readStackConfigs } from "../tools/foundationMap";
import { FIXTURE_STACKS } from "./support/stacks";

const ROOT = path.join(__dirname, "..");
const DOC = path.join(ROOT, "docs", "onboarding.md");
const EXAMPLES = { Terraform: "terraform-component", Lambda: "lambda-service", Container: "container-service" } as const;

interface Step {
    readonly title: string;
    readonly foundationChange: boolean;
    readonly approvals: number;
    readonly links: string[];
    readonly text: string;
}

/** The numbered steps under `### <kind>`, each with its annotation `(…approvals: N)` and its relative links. */
function steps(text: string, kind: string): Step[] {
    const section = text.split(`\n### ${kind}\n`)[1]?.split(/\n(?=#{2,3} )|\n\n(?!\d+\. | {3})/)[0];
    assert.ok(section, `docs/onboarding.md has a '### ${kind}' section`);
    return section
        .split(/\n(?=\d+\. \*\*)/)
        .filter((item) => /^\d+\. \*\*/.test(item.trim()))
        .map((item) => {
            const note = /\((foundation change, )?approvals: (\d+)\)\s*$/.exec(item.trim());
            assert.ok(note, `a ${kind} step ends with its approvals: ${item.trim().slice(0, 60)}`);
            return {
                title: (/\*\*(.+?)\*\*/.exec(item) as RegExpExecArray)[1],
                foundationChange: note[1] !== undefined,
                approvals: Number(note[2]),
                links: [...item.matchAll(/\]\((\.\.\/[^)]+)\)/g)].map((m) => m[1]),
                text: item,
            };
        });
}

/**
 * What a team fills in when it copies an example's callers: the inputs of the foundation's reusable workflows
 * that the example sets to a value of its own (not only a dispatch input passed on), beside the environment
 * and the confirmation every deploy takes.
 */
function settings(workflows: string): string[] {
    const keys = new Set<string>();
    for (const file of fs.readdirSync(workflows)) {
        const workflow = yaml.load(fs.readFileSync(path.join(workflows, file), "utf8")) as {
            jobs: Record<string, { uses?: string; with?: Record<string, unknown> }>;
        };
        for (const job of Object.values(workflow.jobs)) {
            if (!/\/\.github\/workflows\/[\w.-]+\.yml@main$/.test(job.uses ?? "")) continue;
            for (const [key, value] of Object.entries(job.with ?? {})) {
                if (!/^\$\{\{[^}]*\}\}$/.test(String(value).trim())) keys.add(key);
            }
        }
    }
    return [...keys].filter((key) => !["environment", "confirmation"].includes(key)).sort();
}

/** The table's row for a kind: steps, foundation changes, approvals. */
function row(text: string, kind: string): number[] {
    // Cells as prettier pads them: `| Terraform  | 4     |`.
    const line = text.split("\n").find((l) => new RegExp(`^\\| ${kind} +\\|`).test(l));
    assert.ok(line, `the table has a row for ${kind}`);
    return line
        .split("|")
        .slice(2, 5)
        .map((cell) => Number(cell.trim()));
}

describe("docs/onboarding.md: the steps and approvals it states are the ones it lists", () => {
    const text = fs.readFileSync(DOC, "utf8");
    // A pull request needs prod's approvals through the default-branch ruleset; a deployment one per environment.
    const pullRequestApprovals = MINIMUM_APPROVALS.prod;

    for (const kind of ["Terraform", "Lambda", "Container"] as const) {
        describe(kind, () => {
            const listed = steps(text, kind);

            it("states as many steps, foundation changes and approvals as its list holds", () => {
                assert.deepEqual(row(text, kind), [
                    listed.length,
                    listed.filter((s) => s.foundationChange).length,
                    listed.reduce((sum, s) => sum + s.approvals, 0),
                ]);
            });

            it("counts a pull request at prod's approvals and the foundation's deployment at one per environment", () => {
                for (const step of listed) {
                    const expected = step.title.startsWith("Deploy the foundation") ? ENVIRONMENTS.length : step.approvals;
                    assert.ok(
                        [0, pullRequestApprovals, expected].includes(step.approvals),
                        `${kind}: '${step.title}' counts ${step.approvals} approvals`,
                    );
                }
                assert.equal(listed.find((s) => s.title.startsWith("Deploy the foundation"))?.approvals, ENVIRONMENTS.length);
            });

            it("takes one foundation change and no re-pin of the shared actions", () => {
                assert.deepEqual(
                    listed.filter((s) => s.foundationChange).map((s) => s.title),
                    ["Declare it in the foundation."],
                );
                assert.deepEqual(
                    listed.filter((s) => /pin-actions|\bpins?\b/.test(s.text)).map((s) => s.title),
                    [],
                );
            });

            it("names every setting its example's callers fill in", () => {
                const wanted = settings(path.join(ROOT, "examples", EXAMPLES[kind], ".github", "workflows"));
                assert.ok(wanted.length > 0);
                const said = listed.map((s) => s.text).join("\n");
                assert.deepEqual(
                    wanted.filter((key) => !said.includes(`\`${key}\``)),
                    [],
                );
            });

            it("links every caller workflow of its example, and every link resolves", () => {
                const workflows = path.join(ROOT, "examples", EXAMPLES[kind], ".github", "workflows");
                const linked = listed.flatMap((s) => s.links).map((link) => path.resolve(path.dirname(DOC), link));
                for (const file of linked) assert.ok(fs.existsSync(file), `${path.relative(ROOT, file)} exists`);
                assert.deepEqual(
                    fs
                        .readdirSync(workflows)
                        .map((f) => path.join(workflows, f))
                        .filter((f) => !linked.includes(f)),
                    [],
                    `every workflow of examples/${EXAMPLES[kind]} is linked`,
                );
            });
        });
    }

    it("gives the README the table's counts: steps per kind, one foundation change and the approvals", () => {
        const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8").replace(/\s+/g, " ");
        const said =
            /a Terraform or Lambda repository takes \*\*(\d+) steps\*\*, a container service \*\*(\d+)\*\*.*?\*\*one foundation change\*\* and \*\*(\d+) approvals\*\*/.exec(
                readme,
            );
        assert.ok(said, "README.md states the onboarding counts");
        const [terraform, lambda, container] = (["Terraform", "Lambda", "Container"] as const).map((kind) => row(text, kind));
        assert.deepEqual(
            [terraform[0], lambda[0], container[0], 1, 1, 1, terraform[2], lambda[2], container[2]],
            [Number(said[1]), Number(said[1]), Number(said[2]), terraform[1], lambda[1], container[1], ...Array(3).fill(Number(said[3]))],
        );
    });

    it("declares repositories with a Pulumi.yaml example the loader accepts, overrides included", () => {
        const block = /```yaml\n# Pulumi.yaml\n([\s\S]*?)```/.exec(text)?.[1];
        assert.ok(block, "docs/onboarding.md shows a Pulumi.yaml");
        const project = yaml.load(block) as { config: Record<string, { value: { name: string }[] }> };
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "onboarding-example-"));
        try {
            // The fixture organisation's stack files, with their repositories moved to the project's list.
            const repositories = project.config["cicd-foundation:repositories"].value;
            for (const stack of ENVIRONMENTS) {
                const file = yaml.load(fs.readFileSync(path.join(FIXTURE_STACKS, `Pulumi.${stack}.yaml`), "utf8")) as {
                    config: Record<string, unknown>;
                };
                const own = file.config["cicd-foundation:repositories"] as { name: string; deploys?: { foundation?: boolean } }[];
                const foundation = own.find((r) => r.deploys?.foundation);
                if (foundation && !repositories.some((r) => r.name === foundation.name)) repositories.push(foundation);
                delete file.config["cicd-foundation:repositories"];
                fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), yaml.dump(file));
            }
            fs.writeFileSync(path.join(dir, "Pulumi.yaml"), yaml.dump({ name: "cicd-foundation", runtime: "nodejs", ...project }));
            const stacks = readStackConfigs(dir);
            const lambda = (stack: number) => stacks[stack].repositories.find((r) => r.name === "payments-lambda")?.deploys.lambdaFunctions;
            assert.deepEqual(
                stacks.map((s) => s.environment),
                ["dev", "sit", "prod"],
            );
            assert.deepEqual([lambda(0), lambda(2)], [["payments-*"], ["payments-live-*"]]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
