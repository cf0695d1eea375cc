import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import {
    ConfigError,
    parseStackConfig,
    validateStack,
    validateStacks,
    type RawConfig,
    type StackInput,
    readStackFile,
    stackFilePath,
} from "../config";
import { alarmRangeProblem, bucketNameProblem, refPatternProblem } from "../config/rules";
import { stackFileJsonSchema } from "../config/stackFileSchema";
import { configValue, stackConfig, withConfig } from "./helpers/stacks";
import { fixtureStackFile } from "./support/stacks";

const P = "cicd-foundation";

type Changes = Partial<Record<"dev" | "sit" | "prod", Record<string, unknown>>>;

/** The three committed stacks, some keys changed, validated together. */
function acrossStacks(changes: Changes): string[] {
    const inputs: StackInput[] = (["dev", "sit", "prod"] as const).map((stack) => ({
        stack,
        raw: withConfig(stackConfig(stack), changes[stack] ?? {}),
    }));
    return validateStacks(inputs).problems;
}

const repositoriesOf = (stack: string) => configValue<Record<string, unknown>[]>(stackConfig(stack), `${P}:repositories`);
const protectionOf = (stack: string) => configValue<Record<string, unknown>>(stackConfig(stack), `${P}:environmentProtection`);
/** A stack's repositories with one of them (by name) changed. */
const withRepository = (stack: string, name: string, change: Record<string, unknown>) =>
    repositoriesOf(stack).map((r) => (r.name === name ? { ...r, ...change } : r));
/** A stack's repositories with one more. */
const plusRepository = (stack: string, repository: unknown) => [...repositoriesOf(stack), repository];
const withProtection = (stack: string, change: Record<string, unknown>) => ({
    [`${P}:environmentProtection`]: { ...protectionOf(stack), ...change },
});
const lambda = (name: string, extra: Record<string, unknown> = {}) => ({
    name,
    kind: "lambda",
    deploys: { lambdaFunctions: [`${name}-*`] },
    ...extra,
});
/** sit able to own the ruleset on its own terms (three approvals), so only the rule across stacks is at stake. */
const sitWithThreeApprovals = {
    ...withProtection("sit", { requiredApprovals: 3, reviewers: { teams: ["tech-lead", "qa-lead", "product-owner"] } }),
};

describe("config: the fixture organisation's stack files", () => {
    for (const stack of ["dev", "sit", "prod"]) {
        it(`parses Pulumi.${stack}.yaml into the company's repositories and their kinds`, () => {
            const config = parseStackConfig(stackConfig(stack), stack);
            assert.equal(config.environment, stack);
            assert.equal(config.region, "af-south-1");
            assert.equal(config.prefix, "bbws");
            assert.equal(config.githubOwner, "org");
            assert.equal(config.backend, "s3");
            assert.deepEqual(
                config.repositories.map((r) => [r.name, r.kind, r.deploys.foundation]),
                [
                    ["2_bbws_tenants_instances_lambda", "lambda", false],
                    ["2_bbws_wordpress_site_management_lambda", "lambda", false],
                    ["2_bbws_tenants_event_handler", "lambda", false],
                    ["2_bbws_tenants_instances_dev", "terraform", false],
                    ["2_1_bbws_dynamodb_schemas", "terraform", false],
                    ["2_1_bbws_s3_schemas", "terraform", false],
                    ["cicd-foundation", "pulumi", true],
                    ["2_bbws_tenants_api", "container", false],
                ],
            );
            assert.deepEqual(config.state, { noncurrentVersionDays: 90, abortIncompleteUploadDays: 7, terraformLockTable: true });
        });
    }

    it("gives each environment its account and approval count", () => {
        const seen = ["dev", "sit", "prod"].map((stack) => {
            const c = parseStackConfig(stackConfig(stack), stack);
            return [c.accountId, c.protection.requiredApprovals, c.protection.reviewerTeams, c.protection.preventSelfReview];
        });
        assert.deepEqual(seen, [
            ["536580886816", 1, ["lead-developer"], false],
            ["815856636111", 2, ["tech-lead", "qa-lead"], true],
            ["093646564004", 3, ["tech-lead", "product-owner", "devops-lead"], true],
        ]);
    });

    it("derives each ledger's reader: dev's is read by sit, sit's by prod, prod's by none", () => {
        const readers = ["dev", "sit", "prod"].map((stack) => parseStackConfig(stackConfig(stack), stack).ledgerReaderEnvironment);
        assert.deepEqual(readers, ["sit", "prod", undefined]);
    });

    it("passes the rules across the three stacks", () => {
        assert.deepEqual(acrossStacks({}), []);
    });

    it("reads the other stacks beside Pulumi.yaml when the program runs for one", () => {
        // The committed files, whatever organisation they describe: a config that names no file is Pulumi.<stack>.yaml.
        const { values, secretKeys } = readStackFile(stackFilePath("sit"));
        const config = validateStack({ values, secretKeys }, "sit");
        assert.equal(config.stackFile, "Pulumi.sit.yaml");
    });

    it("reads Pulumi Cloud settings through their own parser, with the project and repository filled in", () => {
        const settings = { organization: "company", nextStack: { stack: "sit", accountId: "815856636111" } };
        const raw = withConfig(stackConfig("dev"), {
            [`${P}:backend`]: "pulumi-cloud",
            [`${P}:pulumiCloud`]: settings,
            [`${P}:slackWebhook`]: "https://secret-placeholder.invalid/slackWebhook",
        });
        const config = parseStackConfig({ ...raw, secretKeys: [...raw.secretKeys, `${P}:slackWebhook`] }, "dev");
        assert.equal(config.backend, "pulumi-cloud");
        assert.deepEqual(config.pulumiCloud, {
            organization: "company",
            project: "cicd-foundation",
            repository: "org/cicd-foundation",
            repoDir: ".",
            branch: "main",
            teams: [],
            stackPermissions: {},
            nextStack: { stack: "sit", accountId: "815856636111", deployOnPush: false, drift: { cron: "0 5 * * *", autoRemediate: false } },
        });
    });
});

describe("config: the rules across stacks", () => {
    const cases: { name: string; changes: () => Changes; problems: string[] }[] = [
        {
            name: "the rulesets owned by two stacks",
            changes: () => ({ sit: { ...sitWithThreeApprovals, [`${P}:ownsRepositoryRuleset`]: true } }),
            // A second owner is refused in its own file: only prod's stack may own the GitHub side.
            problems: [
                `Pulumi.sit.yaml: ${P}:ownsRepositoryRuleset is true in sit, but only prod's stack may own the GitHub settings: it is deployed only after prod's reviewers, and a key that writes one environment's settings writes every environment's`,
            ],
        },
        {
            name: "the rulesets owned by no stack",
            changes: () => ({ prod: { [`${P}:ownsRepositoryRuleset`]: false } }),
            problems: [
                `Pulumi.dev.yaml, Pulumi.sit.yaml, Pulumi.prod.yaml: ${P}:ownsRepositoryRuleset is true in no stack: exactly one (prod's, with the most approvals) must own the default-branch rulesets, or no repository requires approving reviews`,
            ],
        },
        {
            name: "a different foundation repository in one stack",
            changes: () => ({
                dev: {
                    [`${P}:repositories`]: withRepository("dev", "cicd-foundation", { deploys: { foundation: false } }).map((r) =>
                        r.name === "2_bbws_tenants_instances_lambda" ? { ...r, kind: "pulumi", deploys: { foundation: true } } : r,
                    ),
                },
            }),
            problems: [
                `Pulumi.dev.yaml, Pulumi.sit.yaml, Pulumi.prod.yaml: ${P}:repositories mark different foundation repositories (Pulumi.dev.yaml: '2_bbws_tenants_instances_lambda', Pulumi.sit.yaml: 'cicd-foundation', Pulumi.prod.yaml: 'cicd-foundation'): the same repository holds this program in every stack`,
                `Pulumi.sit.yaml: ${P}:repositories[0].kind of '2_bbws_tenants_instances_lambda' is 'lambda' but 'pulumi' in Pulumi.dev.yaml`,
                `Pulumi.prod.yaml: ${P}:repositories[0].kind of '2_bbws_tenants_instances_lambda' is 'lambda' but 'pulumi' in Pulumi.dev.yaml`,
            ],
        },
        {
            name: "sit without a repository prod serves, so prod's promotion check has no ledger reader in sit",
            changes: () => ({
                dev: { [`${P}:repositories`]: plusRepository("dev", lambda("orders")) },
                prod: { [`${P}:repositories`]: plusRepository("prod", lambda("orders")) },
            }),
            problems: [
                `Pulumi.sit.yaml: ${P}:repositories lacks 'orders', which Pulumi.prod.yaml lists: prod's promotion check reads sit's ledger through the ledger reader sit creates for each of its repositories`,
            ],
        },
        {
            name: "a repository the ruleset owner does not list",
            changes: () => ({
                dev: { [`${P}:repositories`]: plusRepository("dev", lambda("orders")) },
            }),
            problems: [
                `Pulumi.prod.yaml: ${P}:repositories lacks 'orders', which another stack lists: the stack that owns the rulesets must list every repository, or it gets no approval ruleset`,
            ],
        },
        {
            name: "a repository spelt in another case in another stack",
            changes: () => ({ prod: { [`${P}:repositories`]: withRepository("prod", "cicd-foundation", { name: "CICD-Foundation" }) } }),
            problems: [
                `Pulumi.prod.yaml: ${P}:repositories[6].name 'CICD-Foundation' is 'cicd-foundation' in Pulumi.dev.yaml: spell a repository the same in every stack`,
            ],
        },
        {
            name: "a repository of another kind in another stack",
            changes: () => ({
                sit: {
                    [`${P}:repositories`]: withRepository("sit", "2_1_bbws_s3_schemas", {
                        kind: "lambda",
                        deploys: { lambdaFunctions: ["bbws-s3-schemas-*"] },
                    }),
                },
            }),
            problems: [
                `Pulumi.sit.yaml: ${P}:repositories[5].kind of '2_1_bbws_s3_schemas' is 'lambda' but 'terraform' in Pulumi.dev.yaml`,
            ],
        },
        {
            name: "another GitHub owner in one stack",
            changes: () => ({ sit: { [`${P}:githubOwner`]: "other-org" } }),
            problems: [
                `Pulumi.sit.yaml: ${P}:githubOwner is 'other-org' but 'org' in Pulumi.dev.yaml: every stack serves one owner's repositories`,
            ],
        },
        {
            name: "two environments in one AWS account",
            changes: () => ({ sit: { [`${P}:accountId`]: "536580886816", "aws:allowedAccountIds": ["536580886816"] } }),
            problems: [`Pulumi.sit.yaml: ${P}:accountId '536580886816' is Pulumi.dev.yaml's too: each environment has its own AWS account`],
        },
    ];
    for (const c of cases) {
        it(`rejects ${c.name}`, () => {
            assert.deepEqual(acrossStacks(c.changes()), c.problems);
        });
    }

    it("reports each file's own problems first, and the rules across stacks once every file is valid", () => {
        assert.deepEqual(acrossStacks({ sit: { [`${P}:ownsRepositoryRuleset`]: true } }), [
            `Pulumi.sit.yaml: ${P}:ownsRepositoryRuleset is true in sit, but only prod's stack may own the GitHub settings: it is deployed only after prod's reviewers, and a key that writes one environment's settings writes every environment's`,
            `Pulumi.sit.yaml: ${P}:ownsRepositoryRuleset needs environmentProtection.requiredApprovals of at least 3 (the largest environment's count), got 2`,
        ]);
    });

    describe("when the program runs for one stack", () => {
        let directory: string;
        const copy = (stack: string, change: (text: string) => string = (t) => t) =>
            fs.writeFileSync(path.join(directory, `Pulumi.${stack}.yaml`), change(fs.readFileSync(fixtureStackFile(stack), "utf8")));
        beforeEach(() => {
            directory = fs.mkdtempSync(path.join(os.tmpdir(), "stacks-"));
        });

        it("checks the stack against the files beside it and names each file", () => {
            copy("dev");
            copy("prod", (t) => t.replace("cicd-foundation:ownsRepositoryRuleset: true", "cicd-foundation:ownsRepositoryRuleset: false"));
            const sit = path.join(directory, "Pulumi.sit.yaml");
            copy("sit");
            assert.throws(
                () => validateStack(readStack(sit), "sit", sit),
                (error: unknown) => {
                    assert.ok(error instanceof ConfigError);
                    assert.deepEqual(error.problems, [
                        `${sit}, ${path.join(directory, "Pulumi.dev.yaml")}, ${path.join(directory, "Pulumi.prod.yaml")}: ${P}:ownsRepositoryRuleset is true in no stack: exactly one (prod's, with the most approvals) must own the default-branch rulesets, or no repository requires approving reviews`,
                    ]);
                    return true;
                },
            );
        });

        it("sums up a neighbour's own problems in one line", () => {
            copy("dev", (t) => t.replace('cicd-foundation:accountId: "536580886816"', 'cicd-foundation:accountId: "5365"'));
            copy("prod");
            const sit = path.join(directory, "Pulumi.sit.yaml");
            copy("sit");
            assert.throws(
                () => validateStack(readStack(sit), "sit", sit),
                (error: unknown) => {
                    assert.ok(error instanceof ConfigError);
                    assert.deepEqual(error.problems, [
                        `${path.join(directory, "Pulumi.dev.yaml")}: has 1 problem(s) of its own, so the rules across stacks cannot be checked: run 'npm run synth -- --stack dev' to list them`,
                    ]);
                    return true;
                },
            );
        });
    });
});

/** A stack file read as the engine would hand it over. */
function readStack(file: string): RawConfig {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require("../config/stackFiles") as typeof import("../config/stackFiles")).readStackFile(file);
}

describe("config: the rules as pure checks", () => {
    it("passes the bucket names the program derives", () => {
        assert.deepEqual(["bbws-state-prod", "bbws-state-access-logs-prod"].map(bucketNameProblem), [undefined, undefined]);
    });
    it("takes CloudWatch's longest ranges at the limit", () => {
        assert.deepEqual([alarmRangeProblem(60, 1440), alarmRangeProblem(3600, 168)], [undefined, undefined]);
    });
    it("passes literal branch names in prod and prefixed patterns in dev", () => {
        assert.deepEqual(
            [
                refPatternProblem("main", "branch", "prod"),
                refPatternProblem("feature/*", "branch", "dev"),
                refPatternProblem("v*", "tag", "sit"),
            ],
            [undefined, undefined, undefined],
        );
    });
});

describe("config: the published JSON Schema", () => {
    const committed = () => JSON.parse(fs.readFileSync(path.join(__dirname, "..", "schema", "stack-config.schema.json"), "utf8"));
    // ajv 6 (draft-07), as installed with ESLint: the schema is generated for draft-07, which editors read.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const Ajv = require("ajv") as new (options: object) => {
        compile(schema: object): ((data: unknown) => boolean) & { errors?: { dataPath: string; message: string; params: object }[] };
    };
    const validate = () => new Ajv({ allErrors: true }).compile(committed());
    const stackFile = (stack: string) => yaml.load(fs.readFileSync(fixtureStackFile(stack), "utf8")) as { config: Record<string, unknown> };

    it("is the schema generated from the config schema (run 'npm run schema' after changing it)", () => {
        assert.deepEqual(committed(), stackFileJsonSchema());
    });

    it("is named by every stack file's yaml-language-server comment", () => {
        const first = ["dev", "sit", "prod"].map((stack) => fs.readFileSync(fixtureStackFile(stack), "utf8").split("\n")[0]);
        assert.deepEqual(first, Array(3).fill("# yaml-language-server: $schema=../../../schema/stack-config.schema.json"));
    });

    for (const stack of ["dev", "sit", "prod"]) {
        it(`validates Pulumi.${stack}.yaml`, () => {
            const check = validate();
            assert.equal(check(stackFile(stack)), true, JSON.stringify(check.errors));
        });
    }

    it("flags a misspelt namespace, a bare key and a missing kind, as an editor shows them", () => {
        const check = validate();
        const document = stackFile("prod");
        document.config["cicd-foundaton:ownsRepositoryRuleset"] = true;
        document.config.ownsRepositoryRuleset = true;
        document.config[`${P}:repositories`] = [{ name: "payments", kind: "lambda" }];
        delete (document.config[`${P}:repositories`] as Record<string, unknown>[])[0].kind;
        assert.equal(check(document), false);
        assert.deepEqual(
            check.errors?.map((e) => [e.dataPath, e.message, e.params]),
            [
                [".config", "should NOT have additional properties", { additionalProperty: "cicd-foundaton:ownsRepositoryRuleset" }],
                [".config", "should NOT have additional properties", { additionalProperty: "ownsRepositoryRuleset" }],
                [`.config['${P}:repositories'][0]`, "should have required property 'kind'", { missingProperty: "kind" }],
            ],
        );
    });
});
