import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { ConfigError, parseStackConfig, validateStack, validateStacks, type RawConfig, type StackInput } from "../config";
import { alarmRangeProblem, bucketNameProblem, refPatternProblem } from "../config/rules";
import { stackFileJsonSchema } from "../config/stackFileSchema";
import { configValue, stackConfig, withConfig } from "./helpers/stacks";
import { readStackFile, stackFilePath } from "../tools/lib/stackFile";
import { fixtureStackFile } from "./support/stacks";

const P = "cicd-foundation";

function problemsOf(config: RawConfig, stack: string): readonly string[] {
    try {
        parseStackConfig(config, stack);
    } catch (error) {
        assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
        return error.problems;
    }
    assert.fail("expected the config to be rejected");
}

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
const monitoringOf = (stack: string) => configValue<{ alarms: Record<string, unknown>[] }>(stackConfig(stack), `${P}:monitoring`);
/** A stack's repositories with one of them (by name) changed. */
const withRepository = (stack: string, name: string, change: Record<string, unknown>) =>
    repositoriesOf(stack).map((r) => (r.name === name ? { ...r, ...change } : r));
/** A stack's repositories with one more. */
const plusRepository = (stack: string, repository: unknown) => [...repositoriesOf(stack), repository];
const withProtection = (stack: string, change: Record<string, unknown>) => ({
    [`${P}:environmentProtection`]: { ...protectionOf(stack), ...change },
});
const withAlarm = (stack: string, change: Record<string, unknown>) => ({
    [`${P}:monitoring`]: { ...monitoringOf(stack), alarms: [{ ...monitoringOf(stack).alarms[0], ...change }] },
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

describe("config: bad input is rejected with the key and the file named", () => {
    const prod = () => stackConfig("prod");
    const dev = () => stackConfig("dev");
    const sit = () => stackConfig("sit");

    const cases: { name: string; stack?: string; config: () => RawConfig; problems: string[] }[] = [
        // Keys that would vanish.
        {
            name: "a misspelt namespace",
            config: () => withConfig(prod(), { "cicd-foundaton:ownsRepositoryRuleset": true }),
            problems: [
                `Pulumi.prod.yaml: cicd-foundaton:ownsRepositoryRuleset is in namespace 'cicd-foundaton', which nothing reads (known: cicd-foundation, aws, github, pulumi, pulumiservice); did you mean '${P}:ownsRepositoryRuleset'?`,
            ],
        },
        {
            name: "a key without its namespace",
            config: () => withConfig(prod(), { ownsRepositoryRuleset: true }),
            problems: [`Pulumi.prod.yaml: ownsRepositoryRuleset has no namespace, so nothing reads it; write '${P}:ownsRepositoryRuleset'`],
        },
        {
            name: "an unknown key of ours",
            config: () => withConfig(prod(), { [`${P}:repos`]: [] }),
            problems: [
                `Pulumi.prod.yaml: ${P}:repos is not a known key (known: environment, accountId, prefix, githubOwner, repositories, state, environmentProtection, ownsRepositoryRuleset, backend, pulumiCloud, slackWebhook, githubToken, notifications, monitoring, accountQuotas)`,
            ],
        },
        {
            name: "a permissions boundary configured (the program creates it)",
            stack: "dev",
            config: () => withConfig(dev(), { [`${P}:permissionsBoundaryArn`]: "arn:aws:iam::123456789012:policy/b" }),
            problems: [
                `Pulumi.dev.yaml: ${P}:permissionsBoundaryArn is no longer configured: the program creates the boundary <prefix>-pipeline-boundary-<env> and bounds every role with it; remove the key`,
            ],
        },
        {
            name: "the ledger reader configured (it is derived)",
            stack: "dev",
            config: () => withConfig(dev(), { [`${P}:ledgerReaderEnvironment`]: "sit" }),
            problems: [
                `Pulumi.dev.yaml: ${P}:ledgerReaderEnvironment is derived, no longer configured: each environment's ledger is read by the next one's gated jobs (dev's by sit, sit's by prod); remove the key`,
            ],
        },
        {
            name: "a structure that is not valid JSON",
            config: () => withConfig(prod(), { [`${P}:state`]: "{noncurrentVersionDays: 9" }),
            problems: [`Pulumi.prod.yaml: ${P}:state is not valid JSON`],
        },
        // The environment and the account.
        {
            name: "an environment outside dev|sit|prod",
            config: () => withConfig(prod(), { [`${P}:environment`]: "qa" }),
            problems: [`Pulumi.prod.yaml: ${P}:environment must be one of dev, sit, prod, got "qa"`],
        },
        {
            name: "an environment that does not match the stack",
            config: () => withConfig(prod(), { [`${P}:environment`]: "sit" }),
            problems: [`Pulumi.prod.yaml: ${P}:environment must match the stack name 'prod', got 'sit'`],
        },
        {
            name: "an account id that is not 12 digits",
            config: () => withConfig(prod(), { [`${P}:accountId`]: "93646564004" }),
            problems: [`Pulumi.prod.yaml: ${P}:accountId must be a 12-digit AWS account id in quotes, got "93646564004"`],
        },
        {
            name: "allowedAccountIds that do not pin the account",
            config: () => withConfig(prod(), { "aws:allowedAccountIds": ["536580886816"] }),
            problems: [
                `Pulumi.prod.yaml: aws:allowedAccountIds must be exactly ["093646564004"] so this stack can never touch another account, got ["536580886816"]`,
            ],
        },
        {
            name: "an unknown region",
            config: () => withConfig(prod(), { "aws:region": "af-south-9" }),
            problems: [`Pulumi.prod.yaml: aws:region must be a known AWS region, got "af-south-9"`],
        },
        {
            name: "default tags without the environment",
            config: () => withConfig(prod(), { "aws:defaultTags": { tags: { Environment: "dev" } } }),
            problems: [`Pulumi.prod.yaml: aws:defaultTags must set tags.Environment to 'prod', got "dev"`],
        },
        // S3 bucket names derived from the prefix, and the buckets a repository deploys.
        {
            name: "a prefix that cannot start a bucket name",
            config: () => withConfig(prod(), { [`${P}:prefix`]: "BBWS_" }),
            problems: [
                `Pulumi.prod.yaml: ${P}:prefix must be 2 to 20 lowercase letters, digits or hyphens, starting with a letter (not 'null' or 'undefined'), got "BBWS_"`,
            ],
        },
        {
            name: "a prefix S3 reserves (xn--)",
            config: () => withConfig(prod(), { [`${P}:prefix`]: "xn--bbws" }),
            problems: [
                `Pulumi.prod.yaml: ${P}:prefix 'xn--bbws' makes the bucket name 'xn--bbws-state-prod', which S3 refuses: a bucket name must not start with 'xn--', which S3 reserves`,
            ],
        },
        {
            name: "a prefix S3 reserves (sthree-)",
            config: () => withConfig(prod(), { [`${P}:prefix`]: "sthree-bbws" }),
            problems: [
                `Pulumi.prod.yaml: ${P}:prefix 'sthree-bbws' makes the bucket name 'sthree-bbws-state-prod', which S3 refuses: a bucket name must not start with 'sthree-', which S3 reserves`,
            ],
        },
        {
            name: "a prefix S3 reserves (amzn-s3-demo-)",
            config: () => withConfig(prod(), { [`${P}:prefix`]: "amzn-s3-demo-bbws" }),
            problems: [
                `Pulumi.prod.yaml: ${P}:prefix 'amzn-s3-demo-bbws' makes the bucket name 'amzn-s3-demo-bbws-state-prod', which S3 refuses: a bucket name must not start with 'amzn-s3-demo-', which S3 reserves`,
            ],
        },
        {
            name: "deployable buckets S3 would refuse, by every rule",
            config: () =>
                withConfig(prod(), {
                    [`${P}:repositories`]: withRepository("prod", "2_1_bbws_s3_schemas", {
                        deploys: {
                            s3Buckets: [
                                "bbws-tpl-s3alias",
                                "bbws-tpl--ol-s3",
                                "bbws.mrap",
                                "bbws-tpl--x-s3",
                                "bbws-tpl--table-s3",
                                "Bbws-Templates",
                                "ab",
                                "192.168.5.4",
                                "bbws..tpl",
                                "xn--*",
                                "BBWS-*",
                                `bbws-${"t".repeat(60)}`,
                            ],
                        },
                    }),
                }),
            problems: [
                ["bbws-tpl-s3alias", "must not end with '-s3alias', which S3 reserves"],
                ["bbws-tpl--ol-s3", "must not end with '--ol-s3', which S3 reserves"],
                ["bbws.mrap", "must not end with '.mrap', which S3 reserves"],
                ["bbws-tpl--x-s3", "must not end with '--x-s3', which S3 reserves"],
                ["bbws-tpl--table-s3", "must not end with '--table-s3', which S3 reserves"],
                ["Bbws-Templates", "may hold only lowercase letters, digits, '.' and '-'"],
                ["ab", "is 2 characters long; S3 takes 3 to 63"],
                ["192.168.5.4", "must not be shaped like an IP address"],
                ["bbws..tpl", "must not hold two adjacent periods"],
                ["xn--*", "must not start with 'xn--', which S3 reserves"],
                ["BBWS-*", "may hold only lowercase letters, digits, '.', '-' and '*': S3 names are lowercase"],
                [`bbws-${"t".repeat(60)}`, "is 65 characters long; S3 takes 3 to 63"],
            ].map(
                ([bucket, problem], i) =>
                    `Pulumi.prod.yaml: ${P}:repositories[5].deploys.s3Buckets[${i}] '${bucket}' names no bucket S3 takes: a bucket name ${problem}`,
            ),
        },
        // Repositories: names as GitHub compares them, kinds, the foundation's.
        {
            name: "a repository name with a slash",
            config: () => withConfig(prod(), { [`${P}:repositories`]: plusRepository("prod", { name: "org/schemas", kind: "lambda" }) }),
            problems: [
                `Pulumi.prod.yaml: ${P}:repositories[7].name must be a GitHub repository name (letters, digits, '.', '_', '-'), got "org/schemas"`,
            ],
        },
        {
            name: "a repository listed twice",
            config: () => withConfig(prod(), { [`${P}:repositories`]: plusRepository("prod", repositoriesOf("prod")[0]) }),
            problems: [`Pulumi.prod.yaml: ${P}:repositories[7].name repeats '2_bbws_tenants_instances_lambda'`],
        },
        {
            name: "a repository listed twice in different case",
            config: () =>
                withConfig(prod(), {
                    [`${P}:repositories`]: plusRepository("prod", { name: "CICD-Foundation", kind: "pulumi" }),
                }),
            problems: [
                `Pulumi.prod.yaml: ${P}:repositories[7].name repeats 'cicd-foundation' as 'CICD-Foundation': GitHub repository names ignore case`,
            ],
        },
        {
            name: "a repository entry that is not an object",
            config: () => withConfig(prod(), { [`${P}:repositories`]: plusRepository("prod", "orders") }),
            problems: [`Pulumi.prod.yaml: ${P}:repositories[7] must be an object, got "orders"`],
        },
        {
            name: "a repository without its kind",
            config: () => withConfig(prod(), { [`${P}:repositories`]: plusRepository("prod", { name: "orders" }) }),
            problems: [`Pulumi.prod.yaml: ${P}:repositories[7].kind is required`],
        },
        {
            name: "a repository of an unknown kind",
            config: () => withConfig(prod(), { [`${P}:repositories`]: plusRepository("prod", lambda("orders", { kind: "docker" })) }),
            problems: [`Pulumi.prod.yaml: ${P}:repositories[7].kind must be one of terraform, lambda, pulumi, got "docker"`],
        },
        {
            name: "a deploy scope of '*'",
            config: () =>
                withConfig(prod(), {
                    [`${P}:repositories`]: plusRepository("prod", lambda("orders", { deploys: { dynamodbTables: ["*"] } })),
                }),
            problems: [
                `Pulumi.prod.yaml: ${P}:repositories[7].deploys.dynamodbTables[0] must be a resource name pattern (letters, digits, '.', '_', '-', '*'), not '*' alone, got "*"`,
            ],
        },
        {
            name: "a misspelt repository key",
            config: () =>
                withConfig(prod(), { [`${P}:repositories`]: plusRepository("prod", { name: "orders", kind: "lambda", deploy: {} }) }),
            problems: [`Pulumi.prod.yaml: ${P}:repositories[7].deploy is not a known key (known: name, kind, immutableSubject, deploys)`],
        },
        {
            name: "no repository holding the foundation",
            config: () =>
                withConfig(prod(), {
                    [`${P}:repositories`]: withRepository("prod", "cicd-foundation", { deploys: { foundation: false } }),
                }),
            problems: [
                `Pulumi.prod.yaml: ${P}:repositories must mark exactly one repository with deploys.foundation: true (the repository holding this program), got none`,
            ],
        },
        {
            name: "two repositories holding the foundation",
            config: () =>
                withConfig(prod(), {
                    [`${P}:repositories`]: plusRepository("prod", { name: "platform", kind: "pulumi", deploys: { foundation: true } }),
                }),
            problems: [
                `Pulumi.prod.yaml: ${P}:repositories[7].deploys.foundation is true for 'platform' too, after 'cicd-foundation': only the repository holding this program gets the foundation's IAM and KMS rights`,
            ],
        },
        {
            name: "a foundation repository that is not a Pulumi one",
            config: () => withConfig(prod(), { [`${P}:repositories`]: withRepository("prod", "cicd-foundation", { kind: "lambda" }) }),
            problems: [
                `Pulumi.prod.yaml: ${P}:repositories[6].kind must be 'pulumi' for the foundation's repository (deploys.foundation: true), got 'lambda'`,
            ],
        },
        // Approvals and reviewers.
        {
            name: "fewer approvals than prod requires",
            // Without the ruleset, whose own check of the same count is tested with the GitHub side.
            config: () =>
                withConfig(prod(), { ...withProtection("prod", { requiredApprovals: 2 }), [`${P}:ownsRepositoryRuleset`]: false }),
            problems: [`Pulumi.prod.yaml: ${P}:environmentProtection.requiredApprovals must be at least 3 in prod, got 2`],
        },
        {
            name: "fewer reviewers than required approvals",
            config: () => withConfig(prod(), withProtection("prod", { reviewers: { teams: ["tech-lead"] } })),
            problems: [
                `Pulumi.prod.yaml: ${P}:environmentProtection.reviewers lists 1 but requiredApprovals is 3: name at least that many teams or users`,
            ],
        },
        {
            name: "one person named three times in different case, to make prod's three reviewers",
            config: () => withConfig(prod(), withProtection("prod", { reviewers: { users: ["alice", "Alice", "ALICE"] } })),
            problems: [
                `Pulumi.prod.yaml: ${P}:environmentProtection.reviewers.users[1] repeats 'alice' as 'Alice': GitHub names ignore case`,
                `Pulumi.prod.yaml: ${P}:environmentProtection.reviewers.users[2] repeats 'alice' as 'ALICE': GitHub names ignore case`,
            ],
        },
        {
            name: "a team slug in capitals",
            config: () =>
                withConfig(prod(), withProtection("prod", { reviewers: { teams: ["tech-lead", "Product-Owner", "devops-lead"] } })),
            problems: [
                `Pulumi.prod.yaml: ${P}:environmentProtection.reviewers.teams[1] must be a team slug (lowercase letters, digits, '-', '_'), got "Product-Owner"`,
            ],
        },
        {
            name: "more than six reviewers",
            config: () =>
                withConfig(prod(), withProtection("prod", { reviewers: { teams: ["a", "b", "c", "d"], users: ["e", "f", "g"] } })),
            problems: [`Pulumi.prod.yaml: ${P}:environmentProtection.reviewers lists 7; GitHub allows at most 6 per environment`],
        },
        {
            name: "self-review allowed in prod",
            config: () => withConfig(prod(), withProtection("prod", { preventSelfReview: false })),
            problems: [
                `Pulumi.prod.yaml: ${P}:environmentProtection.preventSelfReview must be true in prod: a deployer cannot approve their own deployment`,
            ],
        },
        // Branch and tag patterns.
        ...(["*", "**", "**/*", "*/*"] as const).map((pattern) => ({
            name: `a branch pattern '${pattern}' in dev, which lets every branch deploy`,
            stack: "dev",
            config: () => withConfig(dev(), withProtection("dev", { branchPatterns: [pattern] })),
            problems: [
                `Pulumi.dev.yaml: ${P}:environmentProtection.branchPatterns[0] '${pattern}' lets every branch deploy, pull-request branches included; name the branches (default: main)`,
            ],
        })),
        {
            name: "a branch pattern 'feature/*' in prod",
            config: () => withConfig(prod(), withProtection("prod", { branchPatterns: ["main", "feature/*"] })),
            problems: [
                `Pulumi.prod.yaml: ${P}:environmentProtection.branchPatterns[1] 'feature/*' lets any branch of that shape deploy, and anyone who can push can create one; prod takes literal names of protected branches only`,
            ],
        },
        {
            name: "a branch pattern 'release/*' in sit",
            stack: "sit",
            config: () => withConfig(sit(), withProtection("sit", { branchPatterns: ["release/*"] })),
            problems: [
                `Pulumi.sit.yaml: ${P}:environmentProtection.branchPatterns[0] 'release/*' lets any branch of that shape deploy, and anyone who can push can create one; sit takes literal names of protected branches only`,
            ],
        },
        {
            name: "a branch pattern starting with a wildcard in dev",
            stack: "dev",
            config: () => withConfig(dev(), withProtection("dev", { branchPatterns: ["main", "*-hotfix"] })),
            problems: [
                `Pulumi.dev.yaml: ${P}:environmentProtection.branchPatterns[1] '*-hotfix' starts with a wildcard, so it lets in branches of any name; start it with a fixed name`,
            ],
        },
        {
            name: "a branch pattern on pull-request refs",
            config: () => withConfig(prod(), withProtection("prod", { branchPatterns: ["main", "pull/*"] })),
            problems: [
                `Pulumi.prod.yaml: ${P}:environmentProtection.branchPatterns[1] 'pull/*' targets pull-request refs; previews run without an environment and never need a deployment branch`,
            ],
        },
        {
            name: "a tag pattern '*' in dev",
            stack: "dev",
            config: () => withConfig(dev(), withProtection("dev", { tagPatterns: ["*"] })),
            problems: [
                `Pulumi.dev.yaml: ${P}:environmentProtection.tagPatterns[0] '*' lets every tag deploy, pull-request branches included; name the tags`,
            ],
        },
        {
            name: "any tag pattern in prod",
            config: () => withConfig(prod(), withProtection("prod", { tagPatterns: ["v1.2.3"] })),
            problems: [
                `Pulumi.prod.yaml: ${P}:environmentProtection.tagPatterns[0] 'v1.2.3': prod deploys from its protected branch only, never from a tag, which can point at any commit`,
            ],
        },
        // Secrets.
        {
            name: "a prod stack without its Slack webhook",
            config: () => withConfig(prod(), { [`${P}:slackWebhook`]: undefined }),
            problems: [
                `Pulumi.prod.yaml: ${P}:slackWebhook is required in prod, where deployment and alarm notices must reach Slack: run 'pulumi config set --secret slackWebhook <url>' on the prod stack`,
            ],
        },
        {
            name: "a Slack webhook in plain text",
            config: () => ({ ...withConfig(prod(), { [`${P}:slackWebhook`]: "https://hooks.slack.com/x" }), secretKeys: [] }),
            problems: [
                `Pulumi.prod.yaml: ${P}:slackWebhook must be set with 'pulumi config set --secret slackWebhook', never in plain text`,
            ],
        },
        // State, backend, monitoring.
        {
            name: "a noncurrent-version expiry that is not a whole number",
            config: () => withConfig(prod(), { [`${P}:state`]: { noncurrentVersionDays: 1.5 } }),
            problems: [`Pulumi.prod.yaml: ${P}:state.noncurrentVersionDays must be a whole number from 1 to 3650, got 1.5`],
        },
        {
            name: "an unknown backend",
            config: () => withConfig(prod(), { [`${P}:backend`]: "azure-blob" }),
            problems: [`Pulumi.prod.yaml: ${P}:backend must be one of s3, pulumi-cloud, got "azure-blob"`],
        },
        {
            name: "a prod log retention shorter than seven years",
            config: () => withConfig(prod(), { [`${P}:monitoring`]: { logRetentionDays: 365 } }),
            problems: [
                `Pulumi.prod.yaml: ${P}:monitoring.logRetentionDays must be at least 2557 (7 years) in prod for audit records, got 365`,
            ],
        },
        {
            name: "alarm dimensions that are not a map",
            config: () => withConfig(prod(), withAlarm("prod", { dimensions: "FunctionName=x" })),
            problems: [`Pulumi.prod.yaml: ${P}:monitoring.alarms[0].dimensions must be an object, got "FunctionName=x"`],
        },
        {
            name: "an alarm period CloudWatch refuses (45 s)",
            config: () => withConfig(prod(), withAlarm("prod", { periodSeconds: 45 })),
            problems: [`Pulumi.prod.yaml: ${P}:monitoring.alarms[0].periodSeconds must be 10, 20, 30 or a multiple of 60 seconds, got 45`],
        },
        {
            name: "an alarm period CloudWatch refuses (90 s)",
            config: () => withConfig(prod(), withAlarm("prod", { periodSeconds: 90 })),
            problems: [`Pulumi.prod.yaml: ${P}:monitoring.alarms[0].periodSeconds must be 10, 20, 30 or a multiple of 60 seconds, got 90`],
        },
        {
            name: "an evaluation range over a day with a period under an hour",
            config: () => withConfig(prod(), withAlarm("prod", { periodSeconds: 3000, evaluationPeriods: 30 })),
            problems: [
                `Pulumi.prod.yaml: ${P}:monitoring.alarms[0].evaluationPeriods (30) times periodSeconds (3000) is 90000 s; CloudWatch evaluates at most 1 day (86400 s) for periods under an hour`,
            ],
        },
        {
            name: "an evaluation range over seven days",
            config: () => withConfig(prod(), withAlarm("prod", { periodSeconds: 21600, evaluationPeriods: 30 })),
            problems: [
                `Pulumi.prod.yaml: ${P}:monitoring.alarms[0].evaluationPeriods (30) times periodSeconds (21600) is 648000 s; CloudWatch evaluates at most 7 days (604800 s)`,
            ],
        },
    ];

    for (const c of cases) {
        it(`rejects ${c.name}`, () => {
            assert.deepEqual(problemsOf(c.config(), c.stack ?? "prod"), c.problems);
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
            `Pulumi.sit.yaml: ${P}:prefix must be 2 to 20 lowercase letters, digits or hyphens, starting with a letter (not 'null' or 'undefined'), got "x"`,
            `Pulumi.sit.yaml: aws:region must be a known AWS region, got "mars-1"`,
        ]);
    });

    it("names the file it was given", () => {
        assert.deepEqual(
            problemsOf({ ...withConfig(stackConfig("sit"), { [`${P}:accountId`]: "123" }), stackFile: "/tmp/edited/sit.yaml" }, "sit"),
            [`/tmp/edited/sit.yaml: ${P}:accountId must be a 12-digit AWS account id in quotes, got "123"`],
        );
    });

    it("prints the whole list, file and keys included, as the error message", () => {
        const error = new ConfigError("Pulumi.dev.yaml", ["Pulumi.dev.yaml: a b", "Pulumi.dev.yaml: c d"]);
        assert.equal(error.message, "Pulumi.dev.yaml has 2 problem(s):\n  - Pulumi.dev.yaml: a b\n  - Pulumi.dev.yaml: c d");
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
