import { strict as assert } from "assert";
import { ConfigError, parseStackConfig, type RawConfig } from "../config";
import { configValue, stackConfig, withConfig } from "./helpers/stacks";

function problemsOf(config: RawConfig, stack: string): readonly string[] {
    try {
        parseStackConfig(config, stack);
    } catch (error) {
        assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
        return error.problems;
    }
    assert.fail("expected the config to be rejected");
}

const P = "cicd-foundation";

describe("config: the committed stack files", () => {
    for (const stack of ["dev", "sit", "prod"]) {
        it(`parses Pulumi.${stack}.yaml into the seeds' values`, () => {
            const config = parseStackConfig(stackConfig(stack), stack);
            assert.equal(config.environment, stack);
            assert.equal(config.region, "af-south-1");
            assert.equal(config.prefix, "bbws");
            assert.equal(config.githubOwner, "org");
            assert.deepEqual(
                config.repositories.map((r) => r.name),
                [
                    "2_bbws_tenants_instances_lambda",
                    "2_bbws_wordpress_site_management_lambda",
                    "2_bbws_tenants_event_handler",
                    "2_bbws_tenants_instances_dev",
                    "2_1_bbws_dynamodb_schemas",
                    "2_1_bbws_s3_schemas",
                    "cicd-foundation",
                ],
            );
            assert.deepEqual(config.state, { noncurrentVersionDays: 90, abortIncompleteUploadDays: 7, terraformLockTable: true });
        });
    }

    it("gives each environment the seeds' account and approval count", () => {
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
});

describe("config: bad input is rejected with the key and the file named", () => {
    const prod = () => stackConfig("prod");
    const repos = () => configValue<Record<string, unknown>[]>(prod(), `${P}:repositories`);
    const protection = () => configValue<Record<string, unknown>>(prod(), `${P}:environmentProtection`);

    const cases: { name: string; stack?: string; config: () => RawConfig; problem: string }[] = [
        {
            name: "an environment outside dev|sit|prod",
            config: () => withConfig(prod(), { [`${P}:environment`]: "qa" }),
            problem: `Pulumi.prod.yaml: ${P}:environment must be one of dev, sit, prod, got "qa"`,
        },
        {
            name: "an environment that does not match the stack",
            config: () => withConfig(prod(), { [`${P}:environment`]: "sit" }),
            problem: `Pulumi.prod.yaml: ${P}:environment must match the stack name 'prod', got 'sit'`,
        },
        {
            name: "an account id that is not 12 digits",
            config: () => withConfig(prod(), { [`${P}:accountId`]: "93646564004" }),
            problem: `Pulumi.prod.yaml: ${P}:accountId must be a 12-digit AWS account id in quotes, got "93646564004"`,
        },
        {
            name: "allowedAccountIds that do not pin the account",
            config: () => withConfig(prod(), { "aws:allowedAccountIds": ["536580886816"] }),
            problem: `Pulumi.prod.yaml: aws:allowedAccountIds must be exactly ["093646564004"] so this stack can never touch another account, got ["536580886816"]`,
        },
        {
            name: "an unknown region",
            config: () => withConfig(prod(), { "aws:region": "af-south-9" }),
            problem: `Pulumi.prod.yaml: aws:region must be a known AWS region, got "af-south-9"`,
        },
        {
            name: "default tags without the environment",
            config: () => withConfig(prod(), { "aws:defaultTags": { tags: { Environment: "dev" } } }),
            problem: `Pulumi.prod.yaml: aws:defaultTags must set tags.Environment to 'prod', got "dev"`,
        },
        {
            name: "a prefix that cannot start a bucket name",
            config: () => withConfig(prod(), { [`${P}:prefix`]: "BBWS_" }),
            problem: `Pulumi.prod.yaml: ${P}:prefix must be 2 to 20 lowercase letters, digits or hyphens, starting with a letter, got 'BBWS_'`,
        },
        {
            name: "a repository name with a slash",
            config: () => withConfig(prod(), { [`${P}:repositories`]: [...repos().slice(0, 2), { name: "org/schemas" }] }),
            problem: `Pulumi.prod.yaml: ${P}:repositories[2].name must be a GitHub repository name (letters, digits, '.', '_', '-'), got 'org/schemas'`,
        },
        {
            name: "a repository listed twice",
            config: () => withConfig(prod(), { [`${P}:repositories`]: [...repos(), repos()[0]] }),
            problem: `Pulumi.prod.yaml: ${P}:repositories[7].name repeats '2_bbws_tenants_instances_lambda'`,
        },
        {
            name: "a deploy scope of '*'",
            config: () => withConfig(prod(), { [`${P}:repositories`]: [{ name: "schemas", deploys: { dynamodbTables: ["*"] } }] }),
            problem: `Pulumi.prod.yaml: ${P}:repositories[0].deploys.dynamodbTables[0] must be a resource name pattern (letters, digits, '.', '_', '-', '*'), not '*' alone, got '*'`,
        },
        {
            name: "a misspelt repository key",
            config: () => withConfig(prod(), { [`${P}:repositories`]: [{ name: "schemas", deploy: {} }] }),
            problem: `Pulumi.prod.yaml: ${P}:repositories[0].deploy is not a known key (known: name, immutableSubject, deploys)`,
        },
        {
            name: "fewer approvals than prod requires",
            // Without the ruleset, whose own check of the same count is tested with the GitHub side.
            config: () =>
                withConfig(prod(), {
                    [`${P}:environmentProtection`]: { ...protection(), requiredApprovals: 2 },
                    [`${P}:ownsRepositoryRuleset`]: false,
                }),
            problem: `Pulumi.prod.yaml: ${P}:environmentProtection.requiredApprovals must be at least 3 in prod, got 2`,
        },
        {
            name: "fewer reviewers than required approvals",
            config: () => withConfig(prod(), { [`${P}:environmentProtection`]: { ...protection(), reviewers: { teams: ["tech-lead"] } } }),
            problem: `Pulumi.prod.yaml: ${P}:environmentProtection.reviewers lists 1 but requiredApprovals is 3: name at least that many teams or users`,
        },
        {
            name: "more than six reviewers",
            config: () =>
                withConfig(prod(), {
                    [`${P}:environmentProtection`]: { ...protection(), reviewers: { teams: ["a", "b", "c", "d"], users: ["e", "f", "g"] } },
                }),
            problem: `Pulumi.prod.yaml: ${P}:environmentProtection.reviewers lists 7; GitHub allows at most 6 per environment`,
        },
        {
            name: "self-review allowed in prod",
            config: () => withConfig(prod(), { [`${P}:environmentProtection`]: { ...protection(), preventSelfReview: false } }),
            problem: `Pulumi.prod.yaml: ${P}:environmentProtection.preventSelfReview must be true in prod: a deployer cannot approve their own deployment`,
        },
        {
            name: "a branch pattern that lets every branch deploy",
            config: () => withConfig(prod(), { [`${P}:environmentProtection`]: { ...protection(), branchPatterns: ["*"] } }),
            problem: `Pulumi.prod.yaml: ${P}:environmentProtection.branchPatterns[0] '*' lets every branch deploy, pull-request branches included; name the branches (default: main)`,
        },
        {
            name: "a branch pattern on pull-request refs",
            config: () => withConfig(prod(), { [`${P}:environmentProtection`]: { ...protection(), branchPatterns: ["main", "pull/*"] } }),
            problem: `Pulumi.prod.yaml: ${P}:environmentProtection.branchPatterns[1] 'pull/*' targets pull-request refs; previews run without an environment and never need a deployment branch`,
        },
        {
            name: "a prod stack without its Slack webhook",
            config: () => withConfig(prod(), { [`${P}:slackWebhook`]: undefined }),
            problem: `Pulumi.prod.yaml: ${P}:slackWebhook is required in prod (seeds 002 §7.5.1): run 'pulumi config set --secret slackWebhook <url>' on the prod stack`,
        },
        {
            name: "a Slack webhook in plain text",
            config: () => ({ ...withConfig(prod(), { [`${P}:slackWebhook`]: "https://hooks.slack.com/x" }), secretKeys: [] }),
            problem: `Pulumi.prod.yaml: ${P}:slackWebhook must be set with 'pulumi config set --secret slackWebhook', never in plain text`,
        },
        {
            name: "a noncurrent-version expiry that is not a whole number",
            config: () => withConfig(prod(), { [`${P}:state`]: { noncurrentVersionDays: 1.5 } }),
            problem: `Pulumi.prod.yaml: ${P}:state.noncurrentVersionDays must be a whole number from 1 to 3650, got 1.5`,
        },
        {
            name: "an unknown top-level key",
            config: () => withConfig(prod(), { [`${P}:repos`]: [] }),
            problem: `Pulumi.prod.yaml: ${P}:repos is not a known key (known: environment, accountId, prefix, githubOwner, repositories, state, environmentProtection, ownsRepositoryRuleset, ledgerReaderEnvironment, permissionsBoundaryArn, slackWebhook, githubToken, notifications, monitoring, backend, pulumiCloud)`,
        },
        {
            name: "a ledger reader that is not the next environment",
            stack: "dev",
            config: () => withConfig(stackConfig("dev"), { [`${P}:ledgerReaderEnvironment`]: "prod" }),
            problem: `Pulumi.dev.yaml: ${P}:ledgerReaderEnvironment must be 'sit', the environment dev promotes to`,
        },
        {
            name: "a prod log retention shorter than seven years",
            config: () => withConfig(prod(), { [`${P}:monitoring`]: { logRetentionDays: 365 } }),
            problem: `Pulumi.prod.yaml: ${P}:monitoring.logRetentionDays must be at least 2557 (7 years) in prod for audit records, got 365`,
        },
    ];

    for (const c of cases) {
        it(`rejects ${c.name}`, () => {
            assert.deepEqual(problemsOf(c.config(), c.stack ?? "prod"), [c.problem]);
        });
    }

    it("reports every problem of a file at once", () => {
        const config = withConfig(stackConfig("sit"), {
            [`${P}:accountId`]: "123",
            [`${P}:prefix`]: "x",
            "aws:region": "mars-1",
        });
        assert.deepEqual(problemsOf(config, "sit"), [
            `Pulumi.sit.yaml: ${P}:accountId must be a 12-digit AWS account id in quotes, got "123"`,
            `Pulumi.sit.yaml: aws:region must be a known AWS region, got "mars-1"`,
            `Pulumi.sit.yaml: ${P}:prefix must be 2 to 20 lowercase letters, digits or hyphens, starting with a letter, got 'x'`,
        ]);
    });

    it("prints the whole list, file and keys included, as the error message", () => {
        const error = new ConfigError("Pulumi.dev.yaml", ["Pulumi.dev.yaml: a b", "Pulumi.dev.yaml: c d"]);
        assert.equal(error.message, "Pulumi.dev.yaml has 2 problem(s):\n  - Pulumi.dev.yaml: a b\n  - Pulumi.dev.yaml: c d");
    });
});
