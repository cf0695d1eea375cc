import { strict as assert } from "assert";
import { ConfigError, parseStackConfig, type RawConfig } from "../config";
import { configValue, stackConfig, withConfig } from "./helpers/stacks";

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
                `Pulumi.prod.yaml: ${P}:repos is not a known key (known: environment, accountId, prefix, githubOwner, repositories, deployableServices, state, environmentProtection, ownsRepositoryRuleset, backend, pulumiCloud, shard, slackWebhook, githubToken, notifications, monitoring, oidcProviders, githubAccess, githubBaseUrl, githubPlan, accountQuotas)`,
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
                `Pulumi.prod.yaml: ${P}:repositories[8].name must be a GitHub repository name (letters, digits, '.', '_', '-'), got "org/schemas"`,
            ],
        },
        {
            name: "a repository listed twice",
            config: () => withConfig(prod(), { [`${P}:repositories`]: plusRepository("prod", repositoriesOf("prod")[0]) }),
            problems: [`Pulumi.prod.yaml: ${P}:repositories[8].name repeats '2_bbws_tenants_instances_lambda'`],
        },
        {
            name: "a repository listed twice in different case",
            config: () =>
                withConfig(prod(), {
                    [`${P}:repositories`]: plusRepository("prod", { name: "CICD-Foundation", kind: "pulumi" }),
                }),
            problems: [
                `Pulumi.prod.yaml: ${P}:repositories[8].name repeats 'cicd-foundation' as 'CICD-Foundation': GitHub repository names ignore case`,
            ],
        },
        {
            name: "a repository entry that is not an object",
            config: () => withConfig(prod(), { [`${P}:repositories`]: plusRepository("prod", "orders") }),
            problems: [`Pulumi.prod.yaml: ${P}:repositories[8] must be an object, got "orders"`],
        },
        {
            name: "a repository without its kind",
            config: () => withConfig(prod(), { [`${P}:repositories`]: plusRepository("prod", { name: "orders" }) }),
            problems: [`Pulumi.prod.yaml: ${P}:repositories[8].kind is required`],
        },
        {
            name: "a repository of an unknown kind",
            config: () => withConfig(prod(), { [`${P}:repositories`]: plusRepository("prod", lambda("orders", { kind: "docker" })) }),
            problems: [`Pulumi.prod.yaml: ${P}:repositories[8].kind must be one of terraform, lambda, container, pulumi, got "docker"`],
        },
        {
            name: "a deploy scope of '*'",
            config: () =>
                withConfig(prod(), {
                    [`${P}:repositories`]: plusRepository("prod", lambda("orders", { deploys: { dynamodbTables: ["*"] } })),
                }),
            problems: [
                `Pulumi.prod.yaml: ${P}:repositories[8].deploys.dynamodbTables[0] must be a resource name pattern (letters, digits, '.', '_', '-', '*'), not '*' alone, got "*"`,
            ],
        },
        {
            name: "a misspelt repository key",
            config: () =>
                withConfig(prod(), { [`${P}:repositories`]: plusRepository("prod", { name: "orders", kind: "lambda", deploy: {} }) }),
            problems: [
                `Pulumi.prod.yaml: ${P}:repositories[8].deploy is not a known key (known: name, kind, immutableSubject, deploys, shard, environments, overrides)`,
            ],
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
                `Pulumi.prod.yaml: ${P}:repositories[8].deploys.foundation is true for 'platform' too, after 'cicd-foundation': only the repository holding this program gets the foundation's IAM and KMS rights`,
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
