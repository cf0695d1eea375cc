import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { identitiesInUse, type Identity } from "../tools/organisation";
import { ROOT } from "./helpers/run";

/**
 * One spelling for every name a caller types: the inputs, secrets and outputs of the workflows and actions
 * are kebab-case (`change-ticket`, never `change_ticket`), and every `with:`, `secrets:` and `inputs.<name>`
 * that reaches a workflow or action of this repository names an input it declares. GitHub only warns about
 * an action's undeclared `with:` key and reads an undeclared `inputs.<name>` as empty, so a misspelt change
 * ticket would arrive as no ticket at all.
 */

const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** A workflow or action, as read: its path from the root (with `/`) and its parsed YAML. */
interface Definition {
    readonly file: string;
    readonly doc: unknown;
}

/** What a workflow or action declares: the inputs `inputs.<name>` and `with:` may name, its secrets and outputs. */
interface Declared {
    readonly inputs: string[];
    readonly callInputs: string[];
    readonly secrets: string[];
    readonly outputs: string[];
}

/**
 * Secrets declared in the name GitHub stores them under, which cannot be kebab-case (a secret's name is
 * letters, digits and underscores). apply.yml's job reads these from its environment's own secrets after the
 * environment's reviewers release it; no caller passes them (checked below), the declaration only names them.
 */
const ENVIRONMENT_SECRETS: Readonly<Record<string, readonly string[]>> = {
    ".github/workflows/apply.yml": ["FOUNDATION_WRITER_APP_KEY", "FOUNDATION_READER_APP_KEY"],
};

const record = (value: unknown): Record<string, unknown> =>
    value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
const keys = (value: unknown) => Object.keys(record(value));
const isAction = (file: string) => /(^|\/)action\.ya?ml$/.test(file);

function declared(definition: Definition): Declared {
    const doc = record(definition.doc);
    if (isAction(definition.file)) {
        return { inputs: keys(doc.inputs), callInputs: keys(doc.inputs), secrets: [], outputs: keys(doc.outputs) };
    }
    const on = record(doc.on);
    const call = record(on.workflow_call);
    const callInputs = keys(call.inputs);
    const inputs = [...new Set([...callInputs, ...keys(record(on.workflow_dispatch).inputs)])];
    return { inputs, callInputs, secrets: keys(call.secrets), outputs: keys(call.outputs) };
}

/** Every declared input, secret and output that is not kebab-case (an environment secret named in its stored form aside). */
function nameProblems(definitions: readonly Definition[], environmentSecrets = ENVIRONMENT_SECRETS): string[] {
    const problems: string[] = [];
    for (const definition of definitions) {
        const doc = record(definition.doc);
        const on = record(doc.on);
        const groups: [string, string[]][] = isAction(definition.file)
            ? [
                  ["input", keys(doc.inputs)],
                  ["output", keys(doc.outputs)],
              ]
            : [
                  ["workflow_call input", keys(record(on.workflow_call).inputs)],
                  ["workflow_call secret", keys(record(on.workflow_call).secrets)],
                  ["workflow_call output", keys(record(on.workflow_call).outputs)],
                  ["workflow_dispatch input", keys(record(on.workflow_dispatch).inputs)],
              ];
        for (const [kind, names] of groups) {
            for (const name of names) {
                if (KEBAB.test(name)) continue;
                if (kind === "workflow_call secret" && (environmentSecrets[definition.file] ?? []).includes(name)) continue;
                problems.push(`${definition.file}: ${kind} ${name} is not kebab-case (${name.toLowerCase().replace(/_/g, "-")})`);
            }
        }
    }
    return problems;
}

/** Every string of a YAML tree, with its path (`jobs.apply.steps[2].with.tag`). */
function strings(value: unknown, at: string, found: [string, string][] = []): [string, string][] {
    if (typeof value === "string") found.push([at, value]);
    else if (Array.isArray(value)) value.forEach((item, i) => strings(item, `${at}[${i}]`, found));
    else for (const [key, item] of Object.entries(record(value))) strings(item, at ? `${at}.${key}` : key, found);
    return found;
}

/** The input names an expression reads: `inputs.x`, `github.event.inputs.x`, `inputs['x']`. */
const INPUT_READ = /(?<![\w.-])(?:github\.event\.)?inputs(?:\.([A-Za-z0-9_-]+)|\[\s*'([^']+)'\s*\])/g;

/** Where a `uses:` leads in this repository (`actions/<name>/action.yml`, `.github/workflows/<file>`), if it leads here. */
function target(uses: string, identity: Identity): string | undefined {
    const owner = `${identity.owner}/${identity.foundationRepository}/`;
    const local = /^\.\/(?:[\w.-]+\/)*?(actions\/[\w.-]+)\/?$/.exec(uses) ?? /^\.\/(\.github\/workflows\/[\w.-]+\.ya?ml)$/.exec(uses);
    const remote = uses.startsWith(owner)
        ? /^(actions\/[\w.-]+|\.github\/workflows\/[\w.-]+\.ya?ml)@/.exec(uses.slice(owner.length))
        : null;
    const found = (local ?? remote)?.[1];
    if (found === undefined) return undefined;
    return found.startsWith("actions/") ? `${found}/action.yml` : found;
}

/** A `with:` or `secrets:` block's keys that the called workflow or action does not declare. */
function undeclaredKeys(where: string, block: unknown, allowed: readonly string[], kind: string, called: string): string[] {
    return keys(block)
        .filter((key) => !allowed.includes(key))
        .map((key) => `${where}.${key}: ${called} declares no ${kind} ${key}`);
}

/** The `with:` and `secrets:` of one job (a call) or its steps that reach this repository, checked against the callee. */
function callProblems(
    file: string,
    jobName: string,
    job: Record<string, unknown>,
    lookup: (f: string) => Declared | undefined,
    identity: Identity,
) {
    const problems: string[] = [];
    const calls: [string, unknown, unknown][] = [];
    if (typeof job.uses === "string") calls.push([`jobs.${jobName}`, job.uses, job]);
    const steps = Array.isArray(job.steps) ? job.steps : [];
    steps.forEach((step, i) => calls.push([`jobs.${jobName}.steps[${i}]`, record(step).uses, step]));
    for (const [at, uses, caller] of calls) {
        if (typeof uses !== "string") continue;
        const called = target(uses, identity);
        if (called === undefined) continue;
        const callee = lookup(called);
        if (callee === undefined) {
            problems.push(`${file}: ${at}.uses: ${uses} names no workflow or action of this repository`);
            continue;
        }
        const isStep = at.includes(".steps[");
        problems.push(
            ...undeclaredKeys(`${file}: ${at}.with`, record(caller).with, isStep ? callee.inputs : callee.callInputs, "input", called),
        );
        if (!isStep) problems.push(...undeclaredKeys(`${file}: ${at}.secrets`, record(caller).secrets, callee.secrets, "secret", called));
    }
    return problems;
}

/** Every `inputs.<name>` a file reads that it does not declare, and every call into this repository that names an undeclared input or secret. */
function referenceProblems(definitions: readonly Definition[], identity: Identity): string[] {
    const byFile = new Map(definitions.map((d) => [d.file, declared(d)]));
    const problems: string[] = [];
    for (const definition of definitions) {
        const own = byFile.get(definition.file) as Declared;
        for (const [at, text] of strings(definition.doc, "")) {
            for (const match of text.matchAll(INPUT_READ)) {
                const name = match[1] ?? match[2];
                if (!own.inputs.includes(name)) problems.push(`${definition.file}: ${at}: ${match[0]} names no input of this file`);
            }
        }
        if (isAction(definition.file)) continue;
        for (const [jobName, job] of Object.entries(record(record(definition.doc).jobs))) {
            problems.push(...callProblems(definition.file, jobName, record(job), (f) => byFile.get(f), identity));
        }
    }
    return problems;
}

/** The repository's workflows (its own and its examples') and actions, parsed. */
function repositoryDefinitions(): Definition[] {
    const files: string[] = [];
    const walk = (dir: string, keep: (relative: string) => boolean) => {
        if (!fs.existsSync(path.join(ROOT, dir))) return;
        for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
            const relative = `${dir}/${entry.name}`;
            if (entry.isDirectory()) {
                if (entry.name !== "node_modules") walk(relative, keep);
            } else if (keep(relative)) files.push(relative);
        }
    };
    walk(".github/workflows", (f) => /\.ya?ml$/.test(f));
    walk("examples", (f) => /\/\.github\/workflows\/[^/]+\.ya?ml$/.test(f));
    walk("actions", (f) => /^actions\/[^/]+\/action\.ya?ml$/.test(f));
    return files.sort().map((file) => ({ file, doc: yaml.load(fs.readFileSync(path.join(ROOT, file), "utf8")) }));
}

const IDENTITY: Identity = { owner: "acme", foundationRepository: "foundation" };
const PIN = "0123456789abcdef0123456789abcdef01234567";

/** A compliant set: a dispatched caller, the reusable workflow it calls, and the action that workflow runs. */
function compliantFixture(): Definition[] {
    return [
        {
            file: "actions/notify/action.yml",
            doc: { inputs: { "change-ticket": {}, environment: {} }, outputs: { "message-id": {} }, runs: { using: "node24" } },
        },
        {
            file: ".github/workflows/apply.yml",
            doc: {
                on: {
                    workflow_call: {
                        inputs: { environment: {}, "change-ticket": {} },
                        secrets: { "slack-webhook": {} },
                        outputs: { "deployed-tag": {} },
                    },
                },
                jobs: {
                    apply: {
                        if: "inputs.environment != ''",
                        steps: [
                            { uses: "./actions/notify", with: { "change-ticket": "${{ inputs.change-ticket }}" } },
                            { uses: `acme/foundation/actions/notify@${PIN}`, with: { environment: "${{ inputs['environment'] }}" } },
                            { uses: "./.pipeline/actions/notify", with: { environment: "${{ github.event.inputs.environment }}" } },
                        ],
                    },
                },
            },
        },
        {
            file: "examples/service/.github/workflows/pipeline.yml",
            doc: {
                on: { workflow_dispatch: { inputs: { environment: {}, "change-ticket": {} } } },
                jobs: {
                    deploy: {
                        uses: "acme/foundation/.github/workflows/apply.yml@main",
                        with: { environment: "${{ inputs.environment }}", "change-ticket": "${{ inputs.change-ticket }}" },
                        secrets: { "slack-webhook": "${{ secrets.SLACK_WEBHOOK_DEV }}" },
                    },
                },
            },
        },
    ];
}

/** The parts of a fixture's document the violating cases change. */
interface FixtureStep {
    uses: string;
    with: Record<string, string>;
}
interface FixtureJob {
    if?: string;
    uses?: string;
    with?: Record<string, string>;
    secrets?: Record<string, string> | "inherit";
    steps?: FixtureStep[];
}
interface FixtureDoc {
    on: Record<string, { inputs?: Record<string, object> }>;
    jobs: Record<string, FixtureJob>;
}
const stepsOf = (job: FixtureJob) => job.steps ?? [];

/** The compliant fixture with changes made to the documents of the files named. */
function changed(edits: Record<string, (doc: FixtureDoc) => void>): Definition[] {
    return compliantFixture().map((d) => {
        const edit = edits[d.file];
        if (edit === undefined) return d;
        const doc = JSON.parse(JSON.stringify(d.doc)) as FixtureDoc;
        edit(doc);
        return { file: d.file, doc };
    });
}

describe("workflow and action inputs: kebab-case names", () => {
    it("passes the compliant fixture", () => {
        assert.deepEqual(nameProblems(compliantFixture()), []);
    });

    it("names every snake_case input, secret and output of workflows and actions, with its kebab form", () => {
        const definitions = [
            {
                file: ".github/workflows/deploy.yml",
                doc: {
                    on: {
                        workflow_dispatch: { inputs: { change_ticket: {}, environment: {} } },
                        workflow_call: { inputs: { state_version: {} }, secrets: { APP_KEY: {} }, outputs: { run_id: {} } },
                    },
                },
            },
            { file: "actions/notify/action.yml", doc: { inputs: { Webhook: {}, "change-ticket": {} }, outputs: { message_id: {} } } },
        ];
        assert.deepEqual(nameProblems(definitions), [
            ".github/workflows/deploy.yml: workflow_call input state_version is not kebab-case (state-version)",
            ".github/workflows/deploy.yml: workflow_call secret APP_KEY is not kebab-case (app-key)",
            ".github/workflows/deploy.yml: workflow_call output run_id is not kebab-case (run-id)",
            ".github/workflows/deploy.yml: workflow_dispatch input change_ticket is not kebab-case (change-ticket)",
            "actions/notify/action.yml: input Webhook is not kebab-case (webhook)",
            "actions/notify/action.yml: output message_id is not kebab-case (message-id)",
        ]);
    });

    it("accepts an environment secret in its stored name only in the workflow that lists it", () => {
        const withSecret = (file: string) => ({ file, doc: { on: { workflow_call: { secrets: { FOUNDATION_WRITER_APP_KEY: {} } } } } });
        assert.deepEqual(nameProblems([withSecret(".github/workflows/apply.yml")]), []);
        assert.deepEqual(nameProblems([withSecret(".github/workflows/other.yml")]), [
            ".github/workflows/other.yml: workflow_call secret FOUNDATION_WRITER_APP_KEY is not kebab-case (foundation-writer-app-key)",
        ]);
    });

    it("ignores a workflow that declares no inputs (a push or schedule trigger)", () => {
        assert.deepEqual(nameProblems([{ file: ".github/workflows/ci.yml", doc: { on: { push: { branches: ["main"] } }, jobs: {} } }]), []);
    });

    it("every workflow (the project's and the examples') and every action of this repository is kebab-case", () => {
        assert.deepEqual(nameProblems(repositoryDefinitions()), []);
    });
});

describe("workflow and action inputs: every name passed or read is declared", () => {
    it("passes the compliant fixture", () => {
        assert.deepEqual(referenceProblems(compliantFixture(), IDENTITY), []);
    });

    it("names a caller's with: key and secret that the reusable workflow does not declare", () => {
        const definitions = changed({
            "examples/service/.github/workflows/pipeline.yml": (doc) => {
                doc.jobs.deploy.with = { environment: "dev", change_ticket: "CHG-1", tag: "x" };
                doc.jobs.deploy.secrets = { SLACK_WEBHOOK: "${{ secrets.SLACK_WEBHOOK_DEV }}" };
            },
        });
        assert.deepEqual(referenceProblems(definitions, IDENTITY), [
            "examples/service/.github/workflows/pipeline.yml: jobs.deploy.with.change_ticket: .github/workflows/apply.yml declares no input change_ticket",
            "examples/service/.github/workflows/pipeline.yml: jobs.deploy.with.tag: .github/workflows/apply.yml declares no input tag",
            "examples/service/.github/workflows/pipeline.yml: jobs.deploy.secrets.SLACK_WEBHOOK: .github/workflows/apply.yml declares no secret SLACK_WEBHOOK",
        ]);
    });

    it("names a step's with: key the action does not declare, local, checked out elsewhere or pinned", () => {
        const definitions = changed({
            ".github/workflows/apply.yml": (doc) => {
                stepsOf(doc.jobs.apply)[0].with = { change_ticket: "${{ inputs.change-ticket }}" };
                stepsOf(doc.jobs.apply)[1].with = { env: "dev" };
                stepsOf(doc.jobs.apply)[2].with = { environment: "dev", "run-url": "x" };
            },
        });
        assert.deepEqual(referenceProblems(definitions, IDENTITY), [
            ".github/workflows/apply.yml: jobs.apply.steps[0].with.change_ticket: actions/notify/action.yml declares no input change_ticket",
            ".github/workflows/apply.yml: jobs.apply.steps[1].with.env: actions/notify/action.yml declares no input env",
            ".github/workflows/apply.yml: jobs.apply.steps[2].with.run-url: actions/notify/action.yml declares no input run-url",
        ]);
    });

    it("names every inputs.<name> a workflow reads but does not declare, in any of its spellings", () => {
        const definitions = changed({
            ".github/workflows/apply.yml": (doc) => {
                doc.jobs.apply.if = "inputs.change_ticket != '' && github.event.inputs.tag != ''";
                stepsOf(doc.jobs.apply)[1].with.environment = "${{ inputs['stage'] }}";
            },
        });
        assert.deepEqual(referenceProblems(definitions, IDENTITY), [
            ".github/workflows/apply.yml: jobs.apply.if: inputs.change_ticket names no input of this file",
            ".github/workflows/apply.yml: jobs.apply.if: github.event.inputs.tag names no input of this file",
            ".github/workflows/apply.yml: jobs.apply.steps[1].with.environment: inputs['stage'] names no input of this file",
        ]);
    });

    it("does not let a caller pass a dispatch-only input of a reusable workflow", () => {
        const definitions = changed({
            ".github/workflows/apply.yml": (doc) => {
                doc.on.workflow_dispatch = { inputs: { reason: {} } };
            },
            "examples/service/.github/workflows/pipeline.yml": (doc) => {
                doc.jobs.deploy.with = { ...doc.jobs.deploy.with, reason: "x" };
            },
        });
        assert.deepEqual(referenceProblems(definitions, IDENTITY), [
            "examples/service/.github/workflows/pipeline.yml: jobs.deploy.with.reason: .github/workflows/apply.yml declares no input reason",
        ]);
    });

    it("names a uses: into this repository that leads to no workflow or action", () => {
        const definitions = changed({
            ".github/workflows/apply.yml": (doc) => {
                stepsOf(doc.jobs.apply).push({ uses: `acme/foundation/actions/notify-teams@${PIN}`, with: {} });
                doc.jobs.call = { uses: "./.github/workflows/missing.yml" };
            },
        });
        assert.deepEqual(referenceProblems(definitions, IDENTITY), [
            `.github/workflows/apply.yml: jobs.apply.steps[3].uses: acme/foundation/actions/notify-teams@${PIN} names no workflow or action of this repository`,
            ".github/workflows/apply.yml: jobs.call.uses: ./.github/workflows/missing.yml names no workflow or action of this repository",
        ]);
    });

    it("ignores with: keys of other repositories' actions and workflows, whatever their spelling", () => {
        const definitions = changed({
            ".github/workflows/apply.yml": (doc) => {
                stepsOf(doc.jobs.apply).push({ uses: `hashicorp/setup-terraform@${PIN}`, with: { terraform_version: "1.9.8" } });
                stepsOf(doc.jobs.apply).push({ uses: `other/foundation/actions/notify@${PIN}`, with: { change_ticket: "x" } });
                doc.jobs.shared = { uses: "other/repo/.github/workflows/apply.yml@v1", with: { state_version: "x" }, secrets: "inherit" };
            },
        });
        assert.deepEqual(referenceProblems(definitions, IDENTITY), []);
    });

    it("every call into this repository and every inputs.<name> of its workflows and actions names a declared input", () => {
        const identities = identitiesInUse(ROOT);
        assert.equal(identities.length, 1, JSON.stringify(identities));
        assert.deepEqual(referenceProblems(repositoryDefinitions(), identities[0]), []);
    });
});

describe("workflow and action inputs: the environment secrets declared in their stored name", () => {
    const definitions = repositoryDefinitions();
    const identity = identitiesInUse(ROOT)[0];
    for (const [file, names] of Object.entries(ENVIRONMENT_SECRETS)) {
        it(`${file} declares ${names.join(" and ")}, reads them only in jobs with an environment, and no caller passes them`, () => {
            const definition = definitions.find((d) => d.file === file);
            assert.ok(definition, `${file} is not a workflow of this repository`);
            assert.deepEqual(
                declared(definition).secrets.filter((s) => names.includes(s)),
                [...names],
            );
            const jobs = Object.entries(record(record(definition.doc).jobs));
            const readers = jobs.filter(([, job]) => names.some((n) => new RegExp(`secrets\\.${n}(?![\\w-])`).test(JSON.stringify(job))));
            assert.notDeepEqual(readers, []);
            for (const [name, job] of readers)
                assert.equal(typeof record(job).environment, "string", `${file}: jobs.${name} names no environment`);
            const passed = definitions.flatMap((d) =>
                Object.entries(record(record(d.doc).jobs))
                    .filter(([, job]) => typeof record(job).uses === "string" && target(record(job).uses as string, identity) === file)
                    .flatMap(([name, job]) =>
                        record(job).secrets === "inherit"
                            ? [`${d.file}: jobs.${name}.secrets: inherit`]
                            : keys(record(job).secrets)
                                  .filter((secret) => names.includes(secret))
                                  .map((secret) => `${d.file}: jobs.${name}.secrets.${secret}`),
                    ),
            );
            assert.deepEqual(passed, []);
        });
    }
});
