import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigError, parseStackConfig, validateStack, type Environment, type RawConfig } from "../config";
import { resolveRepositories, withEnvironment, type RepositoryEntry } from "../config/repositories";
import { configOrigin, readStackFile, StackFileError } from "../config/stackFiles";

const ACCOUNTS: Record<Environment, string> = { dev: "444444444444", sit: "555555555555", prod: "666666666666" };
const ENVIRONMENTS: Environment[] = ["dev", "sit", "prod"];

/** The tests' own organisation: everything but the repositories, per stack (never the committed stack files). */
function stackValues(stack: Environment): Record<string, unknown> {
    return {
        "aws:region": "eu-north-1",
        "aws:allowedAccountIds": [ACCOUNTS[stack]],
        "aws:defaultTags": { tags: { Environment: stack } },
        "cicd-foundation:environment": stack,
        "cicd-foundation:accountId": ACCOUNTS[stack],
        "cicd-foundation:prefix": "north",
        "cicd-foundation:githubOwner": "north-org",
        "cicd-foundation:environmentProtection": {
            requiredApprovals: { dev: 1, sit: 2, prod: 3 }[stack],
            reviewers: { teams: ["leads", "qa", "owners"] },
        },
        "cicd-foundation:monitoring": { logRetentionDays: stack === "prod" ? 2557 : 90 },
        ...(stack === "prod"
            ? { "cicd-foundation:slackWebhook": { secure: "v1:fixture" }, "cicd-foundation:ownsRepositoryRuleset": true }
            : {}),
    };
}

const ENTRIES = [
    { name: "platform", kind: "pulumi", deploys: { foundation: true } },
    { name: "orders", kind: "lambda", deploys: { lambdaFunctions: ["north-orders-{environment}-*"] } },
    {
        name: "reference-data",
        kind: "terraform",
        deploys: { s3Buckets: ["north-reference-{environment}"] },
        overrides: { prod: { deploys: { s3Buckets: ["north-reference-prod"], dynamodbTables: ["north-reference-archive"] } } },
    },
    // Promoted last: served in prod only would leave sit's ledger reader missing, so dev and sit serve it too.
    { name: "late-service", kind: "lambda", environments: ["dev"], deploys: { lambdaFunctions: ["north-late-*"] } },
];

const directories: string[] = [];
/** A project folder: Pulumi.yaml with the given project config, and the three stack files with their own values. */
function project(projectConfig: Record<string, unknown>, stackExtras: Partial<Record<Environment, Record<string, unknown>>> = {}) {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), "project-repositories-"));
    directories.push(directory);
    const config = Object.fromEntries(Object.entries(projectConfig).map(([key, value]) => [key, { value }]));
    fs.writeFileSync(
        path.join(directory, "Pulumi.yaml"),
        JSON.stringify({ name: "cicd-foundation", runtime: "nodejs", config: { "cicd-foundation:prefix": { type: "string" }, ...config } }),
    );
    for (const stack of ENVIRONMENTS)
        fs.writeFileSync(
            path.join(directory, `Pulumi.${stack}.yaml`),
            JSON.stringify({ config: { ...stackValues(stack), ...stackExtras[stack] } }),
        );
    return { directory, file: (stack: Environment) => path.join(directory, `Pulumi.${stack}.yaml`) };
}

const validate = (file: string, stack: Environment) => validateStack(readStackFile(file), stack, file);
const problemsOf = (run: () => unknown): readonly string[] => {
    try {
        run();
        return [];
    } catch (error) {
        if (error instanceof ConfigError) return error.problems;
        if (error instanceof StackFileError) return error.message.split("\n");
        throw error;
    }
};

describe("config: repositories declared once in Pulumi.yaml for every stack", () => {
    after(() => {
        for (const directory of directories.splice(0)) fs.rmSync(directory, { recursive: true, force: true });
    });

    it("resolves one entry into each stack's list: {environment} read per stack, overrides applied, declaration fields dropped", () => {
        const { file } = project({
            "cicd-foundation:repositories": ENTRIES.map((e) =>
                e.name === "late-service" ? { ...e, environments: ["dev", "sit", "prod"] } : e,
            ),
        });
        const resolved = Object.fromEntries(ENVIRONMENTS.map((stack) => [stack, validate(file(stack), stack).repositories]));
        assert.deepEqual(
            resolved.sit.map((r) => [r.name, r.deploys.lambdaFunctions, r.deploys.s3Buckets, r.deploys.dynamodbTables]),
            [
                ["platform", [], [], []],
                ["orders", ["north-orders-sit-*"], [], []],
                ["reference-data", [], ["north-reference-sit"], []],
                ["late-service", ["north-late-*"], [], []],
            ],
        );
        assert.deepEqual(
            resolved.prod.find((r) => r.name === "reference-data"),
            {
                name: "reference-data",
                kind: "terraform",
                immutableSubject: false,
                deploys: {
                    dynamodbTables: ["north-reference-archive"],
                    s3Buckets: ["north-reference-prod"],
                    lambdaFunctions: [],
                    ecsServices: [],
                    foundation: false,
                },
            },
        );
        assert.deepEqual(
            ENVIRONMENTS.map((stack) => resolved[stack].length),
            [4, 4, 4],
        );
    });

    it("serves an entry only in its environments, and the rules across stacks still see what each stack serves", () => {
        const { file, directory } = project({ "cicd-foundation:repositories": ENTRIES });
        assert.deepEqual(
            parseStackConfig(readStackFile(file("dev")), "dev").repositories.map((r) => r.name),
            ["platform", "orders", "reference-data", "late-service"],
        );
        assert.deepEqual(
            parseStackConfig(readStackFile(file("prod")), "prod").repositories.map((r) => r.name),
            ["platform", "orders", "reference-data"],
        );
        // Served in dev alone: prod, which owns the GitHub side, would not protect it; every stack's run says so.
        const unprotected = `${path.join(directory, "Pulumi.prod.yaml")}: cicd-foundation:repositories lacks 'late-service', which another stack lists: the stack that owns the rulesets must list every repository, or it gets no approval ruleset`;
        assert.deepEqual(
            problemsOf(() => validate(file("dev"), "dev")),
            [unprotected],
        );
        assert.deepEqual(
            problemsOf(() => validate(file("sit"), "sit")),
            [unprotected],
        );
    });

    it("names Pulumi.yaml and the declared entry's index in an entry's error", () => {
        const entries = [
            ...ENTRIES.slice(0, 3),
            { name: "bad-bucket", kind: "terraform", environments: ["prod"], deploys: { s3Buckets: ["North_{environment}"] } },
        ];
        const { file, directory } = project({ "cicd-foundation:repositories": entries });
        const problems = problemsOf(() => validate(file("prod"), "prod"));
        assert.deepEqual(problems.slice(0, 1), [
            `${path.join(directory, "Pulumi.yaml")}: cicd-foundation:repositories[3].deploys.s3Buckets[0] 'North_prod' names no bucket S3 takes: a bucket name may hold only lowercase letters, digits, '.' and '-'`,
        ]);
    });

    it("refuses repositories declared in Pulumi.yaml and in a stack file, naming both files", () => {
        const { file, directory } = project(
            { "cicd-foundation:repositories": ENTRIES.slice(0, 3) },
            { sit: { "cicd-foundation:repositories": ENTRIES.slice(0, 3) } },
        );
        const expected = `${file("sit")}: cicd-foundation:repositories is declared in ${path.join(directory, "Pulumi.yaml")} too: declare it once, in ${path.join(directory, "Pulumi.yaml")} for every stack (per-environment differences as 'environments' and 'overrides' inside an entry), or in each stack file, not in both`;
        assert.throws(() => readStackFile(file("sit")), { name: "StackFileError", message: expected });
        // The engine hands the program one merged map: the loader reads the files to tell where a key came from.
        assert.throws(() => configOrigin(file("sit")), { name: "StackFileError", message: expected });
        assert.deepEqual(configOrigin(file("dev")), {
            projectFile: path.join(directory, "Pulumi.yaml"),
            projectKeys: ["cicd-foundation:repositories"],
        });
    });

    it("keeps stack files that list their own repositories working, with no project-level list", () => {
        const { file } = project(
            {},
            Object.fromEntries(ENVIRONMENTS.map((e) => [e, { "cicd-foundation:repositories": ENTRIES.slice(0, 3) }])),
        );
        const raw: RawConfig = readStackFile(file("dev"));
        assert.equal(raw.projectKeys, undefined);
        assert.deepEqual(
            validate(file("dev"), "dev").repositories.map((r) => [r.name, r.deploys.lambdaFunctions]),
            [
                ["platform", []],
                ["orders", ["north-orders-dev-*"]],
                ["reference-data", []],
            ],
        );
    });

    it("refuses an entry whose environments are empty or unknown", () => {
        const entries = [
            ...ENTRIES.slice(0, 3),
            { name: "nowhere", kind: "lambda", environments: [], deploys: { lambdaFunctions: ["x-*"] } },
        ];
        const { file, directory } = project({ "cicd-foundation:repositories": entries });
        assert.deepEqual(problemsOf(() => validate(file("dev"), "dev")).slice(0, 1), [
            `${path.join(directory, "Pulumi.yaml")}: cicd-foundation:repositories[3].environments must name at least one environment (leave the key out for all three)`,
        ]);
    });
});

describe("config/repositories: resolving the declared entries (pure)", () => {
    const entries = withEnvironment(
        [
            {
                name: "a",
                kind: "lambda",
                deploys: { lambdaFunctions: ["a-{environment}-*"] },
                overrides: { prod: { deploys: { lambdaFunctions: ["a-{environment}"] } } },
            },
            { name: "b", kind: "lambda", environments: ["sit", "prod"], deploys: { lambdaFunctions: ["b-*"] } },
        ],
        "prod",
    ) as RepositoryEntry[];

    it("reads {environment} in deploys and in overrides as the stack's environment", () => {
        assert.deepEqual((entries[0].overrides?.prod?.deploys as { lambdaFunctions: string[] }).lambdaFunctions, ["a-prod"]);
        assert.deepEqual((entries[0].deploys as { lambdaFunctions: string[] }).lambdaFunctions, ["a-prod-*"]);
    });

    it("keeps each resolved repository's declared index, skipping the entries another environment serves", () => {
        assert.deepEqual(
            resolveRepositories(entries, "dev").map((r) => [r.repository.name, r.entryIndex]),
            [["a", 0]],
        );
        assert.deepEqual(
            resolveRepositories(entries, "prod").map((r) => [r.repository.name, r.entryIndex, r.repository.deploys]),
            [
                ["a", 0, { lambdaFunctions: ["a-prod"] }],
                ["b", 1, { lambdaFunctions: ["b-*"] }],
            ],
        );
    });

    it("leaves what is not a list for the schema to refuse", () => {
        assert.equal(withEnvironment("not a list", "dev"), "not a list");
    });
});
