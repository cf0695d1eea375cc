import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigError, parseStackConfig } from "../config";
import { commonName, scopeProblems, secretNamedPaths } from "../config/rules";
import { readStackFile, StackFileError } from "../config/stackFiles";
import { iamSize, IAM_LIMITS } from "../components/permissions/limits";
import { REPOSITORIES, SERVED_PULUMI, writeStacks } from "./helpers/rightsFixture";
import { runTool } from "./helpers/run";

/** Bad configs of the tests' own stacks, each refused with a message that names its key and the stack file. */

let directory: string;
before(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), "fail-closed-"));
});

/** Every problem parseStackConfig reports for the sit fixture with these changes (none: an empty list). */
function problemsOf(changes: Record<string, unknown>): string[] {
    const file = writeStacks(directory, { sit: changes }).sit;
    try {
        parseStackConfig(readStackFile(file), "sit", "Pulumi.sit.yaml");
        return [];
    } catch (error) {
        if (error instanceof ConfigError) return [...error.problems];
        throw error;
    }
}

// The served Pulumi repository is valid config (the lookups refuse it later, at synthesis): it keeps the indexes.
const repositories = (...extra: unknown[]) => ({
    "cicd-foundation:repositories": [REPOSITORIES[0], SERVED_PULUMI, ...REPOSITORIES.slice(1), ...extra],
});
const SECRET = (key: string) =>
    `Pulumi.sit.yaml: ${key} names a secret, so it must be set with 'pulumi config set --secret ${key.split(/[.[]/)[0]}', never in plain text`;

describe("fail closed on config", () => {
    it("accepts the fixture stack as it is", () => {
        assert.deepEqual(problemsOf({}), []);
    });

    const table: { name: string; changes: Record<string, unknown>; problems: string[] }[] = [
        {
            name: "a plain-text GitHub token in the provider's namespace",
            changes: { "github:token": "ghp_0123456789abcdef" },
            problems: [SECRET("github:token")],
        },
        {
            name: "plain-text AWS keys",
            changes: { "aws:secretKey": "wJalrXUtnFEMI", "aws:accessKey": "AKIAEXAMPLE" },
            problems: [SECRET("aws:secretKey"), SECRET("aws:accessKey")],
        },
        {
            name: "a plain-text Pulumi Cloud access token",
            changes: { "pulumiservice:accessToken": "pul-0123" },
            problems: [SECRET("pulumiservice:accessToken")],
        },
        {
            name: "a secret-named field inside a structured provider value",
            changes: { "aws:assumeRole": { roleArn: "arn:aws:iam::222222222222:role/x", externalId: "e", sessionToken: "t" } },
            problems: [SECRET("aws:assumeRole.sessionToken")],
        },
        {
            name: "our own secret key in plain text",
            changes: { "cicd-foundation:githubToken": "ghp_0123" },
            problems: [
                "Pulumi.sit.yaml: cicd-foundation:githubToken must be set with 'pulumi config set --secret githubToken', never in plain text",
                "Pulumi.sit.yaml: cicd-foundation:githubToken is set in a stack that does not own the GitHub settings: only prod's stack (ownsRepositoryRuleset: true) holds a GitHub write credential; this stack only reads, with a read-only GITHUB_TOKEN",
            ],
        },
        {
            name: "a Lambda repository without functions (its deployer's Resource would be [])",
            changes: repositories({ name: "idle", kind: "lambda" }),
            problems: [
                "Pulumi.sit.yaml: cicd-foundation:repositories[4].deploys.lambdaFunctions is empty for Lambda repository 'idle': its deployer deploys only the functions named here, and IAM refuses a policy with an empty Resource list; list its functions' name patterns",
            ],
        },
        {
            name: "the prefix 'null' (an empty value on its way through text)",
            changes: { "cicd-foundation:prefix": "null" },
            problems: [
                "Pulumi.sit.yaml: cicd-foundation:prefix must be 2 to 20 lowercase letters, digits or hyphens, starting with a letter (not 'null' or 'undefined'), got \"null\"",
            ],
        },
        {
            name: "a bucket scope that covers the foundation's state",
            changes: repositories({ name: "reader", kind: "terraform", deploys: { s3Buckets: ["acme-state-*"] } }),
            problems: [
                "Pulumi.sit.yaml: cicd-foundation:repositories[4].deploys.s3Buckets[0] 'acme-state-*' of repository 'reader' matches the foundation's state bucket ('acme-state-dev'): only the foundation's own deployer manages its names",
            ],
        },
        {
            name: "a table scope that covers the ledger",
            changes: repositories({ name: "reader", kind: "terraform", deploys: { dynamodbTables: ["acme-d*"] } }),
            problems: [
                "Pulumi.sit.yaml: cicd-foundation:repositories[4].deploys.dynamodbTables[0] 'acme-d*' of repository 'reader' matches the foundation's deployment ledger ('acme-deployments-dev'): only the foundation's own deployer manages its names",
            ],
        },
        {
            name: "a function scope in the execution-role space",
            changes: repositories({ name: "fns", kind: "lambda", deploys: { lambdaFunctions: ["acme-lambda-*"] } }),
            problems: [
                "Pulumi.sit.yaml: cicd-foundation:repositories[4].deploys.lambdaFunctions[0] 'acme-lambda-*' of repository 'fns' matches the foundation's Lambda execution-role space ('acme-lambda-'): only the foundation's own deployer manages its names",
            ],
        },
        {
            name: "a scope that overlaps another repository's, naming both",
            changes: repositories({ name: "orders-v2", kind: "terraform", deploys: { dynamodbTables: ["orders-v2-*"] } }),
            problems: [
                "Pulumi.sit.yaml: cicd-foundation:repositories[4].deploys.dynamodbTables[0] 'orders-v2-*' of repository 'orders-v2' overlaps 'orders-*' of repository 'orders' (repositories[2].deploys.dynamodbTables[0]): both match 'orders-v2-'; each name belongs to one repository, so make the patterns disjoint (end a pattern's fixed part with a delimiter, such as 'svc-a-*' and 'svc-b-*')",
            ],
        },
        {
            name: "a derived inline policy over IAM's 10,240 characters",
            changes: repositories({
                name: "sprawl",
                kind: "terraform",
                deploys: { dynamodbTables: Array.from({ length: 120 }, (_, i) => `sprawl-table-number-${String(i).padStart(3, "0")}`) },
            }),
            problems: [
                "Pulumi.sit.yaml: cicd-foundation:repositories[4].deploys makes the deployer's inline policy of 'sprawl' 20966 characters long (whitespace excluded); IAM takes at most 10240: declare fewer, broader patterns or shorter names",
                "Pulumi.sit.yaml: cicd-foundation:repositories[4].deploys makes the previewer's inline policy of 'sprawl' 19605 characters long (whitespace excluded); IAM takes at most 10240: declare fewer, broader patterns or shorter names",
            ],
        },
    ];
    for (const { name, changes, problems } of table) {
        it(`refuses ${name}`, () => {
            assert.deepEqual(problemsOf(changes), problems);
        });
    }

    it("accepts a secret of any namespace set with --secret, and keys whose names say nothing secret", () => {
        assert.deepEqual(problemsOf({ "github:token": { secure: "v1:ZmFrZQ==:ZmFrZQ==" }, "aws:profile": "ops" }), []);
    });

    it("refuses an empty (null) value in a stack file, naming the key and the file", () => {
        const file = writeStacks(directory, { sit: { "cicd-foundation:prefix": null, "aws:profile": "" } }).sit;
        assert.throws(
            () => readStackFile(file),
            (error: unknown) =>
                error instanceof StackFileError &&
                error.message ===
                    [
                        `${file}: cicd-foundation:prefix is empty (null or ''): give it a value or remove the key`,
                        `${file}: aws:profile is empty (null or ''): give it a value or remove the key`,
                    ].join("\n"),
        );
    });

    it("exits 2 from npm run synth, naming the key and the stack file, for a secret, an overlap and a null", () => {
        const files = writeStacks(directory, {
            dev: {
                "github:token": "ghp_0123",
                ...repositories({ name: "wide", kind: "terraform", deploys: { s3Buckets: ["acme-*"] } }),
            },
        });
        const synth = (file: string) =>
            runTool("synth.ts", ["--stack", "dev", "--config", file, "--no-policy", "--out-dir", path.join(directory, "out")]);
        const result = synth(files.dev);
        assert.equal(result.status, 2, result.stdout);
        const file = files.dev.replace(/[.]/g, "\\.");
        assert.match(
            result.stderr,
            new RegExp(`${file}: github:token names a secret, so it must be set with 'pulumi config set --secret github:token'`),
        );
        assert.match(
            result.stderr,
            new RegExp(
                `${file}: cicd-foundation:repositories\\[4\\]\\.deploys\\.s3Buckets\\[0\\] 'acme-\\*' of repository 'wide' matches the foundation's state bucket \\('acme-state-dev'\\)`,
            ),
        );
        assert.match(
            result.stderr,
            /'acme-\*' of repository 'wide' overlaps 'acme-orders-\*' of repository 'orders' \(repositories\[2\]\.deploys\.s3Buckets\[0\]\)/,
        );
        const nulls = writeStacks(directory, { dev: { "cicd-foundation:prefix": null } });
        const empty = synth(nulls.dev);
        assert.equal(empty.status, 2, empty.stdout);
        assert.match(empty.stderr, new RegExp(`${nulls.dev.replace(/[.]/g, "\\.")}: cicd-foundation:prefix is empty`));
        assert.match(empty.stderr, /cicd-foundation:prefix is empty \(null or ''\): give it a value or remove the key/);
    });
});

describe("overlap of name patterns, decided soundly", () => {
    const cases: [string, string, string | undefined][] = [
        ["svc-*", "svc-v2-*", "svc-v2-"],
        ["svc@*", "svc-v2@*", undefined],
        ["a*", "*b", "ab"],
        ["a*c", "ab*", "abc"],
        ["orders-*", "orders", undefined],
        ["tenants", "tenants", "tenants"],
        ["*", "anything", "anything"],
        ["bbws-tenant-*", "bbws-templates-dev", undefined],
        ["x*y*z", "*q*", "xyqz"],
        ["ab", "ba", undefined],
    ];
    for (const [a, b, expected] of cases) {
        it(`'${a}' and '${b}': ${expected === undefined ? "disjoint" : `both match '${expected}'`}`, () => {
            assert.equal(commonName(a, b), expected);
            assert.equal(commonName(b, a) === undefined, expected === undefined);
        });
    }

    it("does not compare a repository's patterns with its own, nor different services", () => {
        const entries = [
            { repository: "a", index: 0, service: "s3Buckets" as const, position: 0, pattern: "a-*" },
            { repository: "a", index: 0, service: "s3Buckets" as const, position: 1, pattern: "a-x-*" },
            { repository: "b", index: 1, service: "dynamodbTables" as const, position: 0, pattern: "a-*" },
        ];
        assert.deepEqual(scopeProblems("acme", ["dev"], entries), []);
    });

    it("names every secret-looking field, and passes ciphertext and harmless names", () => {
        assert.deepEqual(secretNamedPaths("x:app", { privateKey: "k", id: "1", webhookUrl: { secure: "c" }, list: [{ password: "p" }] }), [
            "x:app.privateKey",
            "x:app.list[0].password",
        ]);
    });

    it("measures policies as IAM does, without whitespace", () => {
        assert.equal(iamSize({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] }), 96);
        assert.deepEqual(IAM_LIMITS, { inline: 10240, managed: 6144, trust: 2048 });
    });
});
