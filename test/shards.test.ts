import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { ConfigError, validateStackSet, type StackConfig, readStackFile } from "../config";
import { displayName } from "../config/stackFiles";
import {
    githubResourcesPerRepository,
    servedRepositories,
    shardProblems,
    stackEnvironment,
    SHARD_GITHUB_WRITES_PER_HOUR,
    type ShardStack,
} from "../config/shards";
import { accountRoleQuotaProblem, stackRoleCount } from "../components/shardQuotas";
import {
    repositoriesPerShard,
    shardedStacks,
    shardNames,
    shardPolicyConfig,
    shardSummary,
    type ShardedStacks,
} from "../tools/bench/shards";
import { readStackConfigs } from "../tools/foundationMap";
import { foundationMap } from "../components/foundationMap";
import { analyzeGraph, readPolicyConfig } from "../tools/lib/analyzer";
import { synthesize, type Graph } from "../tools/lib/synthesize";
import { FIXTURE_DIR } from "./helpers/githubFixtures";

/** Shards: the fixture organisation's three repositories in the foundation tier, and generated ones in shards. */

const stackFile = (layout: ShardedStacks, stack: string) => path.join(layout.directory, `Pulumi.${stack}.yaml`);
const load = (layout: ShardedStacks, stack: string) => validateStackSet(readStackFile(stackFile(layout, stack)), stack);

/** Every problem of a stack of a sharded layout after a change to one of its files (none: an empty list). */
function problemsAfter(layout: ShardedStacks, stack: string, file: string, change: (config: Record<string, unknown>) => void): string[] {
    const target = stackFile(layout, file);
    const original = fs.readFileSync(target, "utf8");
    const document = yaml.load(original) as { config: Record<string, unknown> };
    change(document.config);
    fs.writeFileSync(target, yaml.dump(document));
    try {
        load(layout, stack);
        return [];
    } catch (error) {
        if (error instanceof ConfigError) return [...error.problems];
        throw error;
    } finally {
        fs.writeFileSync(target, original);
    }
}

const entry = (name: string, shard?: string, foundation = false) => ({ name, shard, deploys: { foundation } });
const SHARED = { accountId: "333333333333", prefix: "acme" };
/** A stack of the shard rules, in prod unless said. */
function stack(over: Partial<ShardStack> & { stack: string }): ShardStack {
    const [environment, ...rest] = over.stack.split("-");
    const shard = rest.length > 0 ? rest.join("-") : undefined;
    return {
        file: `Pulumi.${over.stack}.yaml`,
        environment: environment as ShardStack["environment"],
        shard,
        listed: [],
        served: [],
        shared: SHARED,
        ownsRepositoryRuleset: environment === "prod",
        deploymentPolicies: 1,
        ...over,
    };
}
/** A project of one shard 'a' holding 'svc' beside the tier holding the foundation's repository. */
function project(): ShardStack[] {
    const listed = [entry("platform", undefined, true), entry("svc", "a")];
    return ["dev", "sit", "prod"].flatMap((e) => [
        stack({ stack: e, listed, served: [listed[0]] }),
        stack({ stack: `${e}-a`, listed, served: [listed[1]] }),
    ]);
}

describe("shards: stack names and selection", () => {
    it("reads the environment from a tier's stack name and from a shard's '<environment>-<shard>'", () => {
        assert.deepEqual(stackEnvironment("sit", undefined), { environment: "sit" });
        assert.deepEqual(stackEnvironment("prod-repos-1", "repos-1"), { environment: "prod" });
    });

    it("refuses a stack name that is neither an environment nor its shard's", () => {
        assert.deepEqual(stackEnvironment("prod-a", undefined), {
            problem:
                "belongs to stack 'prod-a', but stacks are dev, sit, prod only, or '<environment>-<shard>' with cicd-foundation:shard set",
        });
        assert.deepEqual(stackEnvironment("prod-b", "a"), {
            problem: "belongs to stack 'prod-b', but a stack holding shard 'a' is named 'dev-a', 'sit-a', 'prod-a'",
        });
    });

    it("serves a shard's entries in its stack and the entries of no shard in the tier's", () => {
        const listed = [entry("platform", undefined, true), entry("one", "a"), entry("two", "b"), entry("three")];
        assert.deepEqual(
            servedRepositories(listed, "a").map((r) => r.name),
            ["one"],
        );
        assert.deepEqual(
            servedRepositories(listed, undefined).map((r) => r.name),
            ["platform", "three"],
        );
    });

    it("counts a repository's GitHub resources from each environment's deployment policies, plus two rulesets", () => {
        assert.equal(githubResourcesPerRepository([{ deploymentPolicies: 1 }, { deploymentPolicies: 1 }, { deploymentPolicies: 1 }]), 8);
        assert.equal(githubResourcesPerRepository([{ deploymentPolicies: 1 }, { deploymentPolicies: 2 }, { deploymentPolicies: 3 }]), 11);
    });
});

describe("shards: the rules across a project's stacks", () => {
    it("finds nothing wrong with a tier and one shard in every environment", () => {
        assert.deepEqual(shardProblems(project()), []);
    });

    it("requires a shard's stack in every environment", () => {
        const stacks = project().filter((s) => s.stack !== "dev-a");
        assert.deepEqual(shardProblems(stacks), [
            "Pulumi.sit-a.yaml, Pulumi.prod-a.yaml: shard 'a' has no stack in dev: add Pulumi.dev-a.yaml with cicd-foundation:shard: a",
        ]);
    });

    it("refuses a shard entry whose shard has no stack at all", () => {
        const stacks = project().map((s) => (s.stack === "dev" ? { ...s, listed: [...s.listed, entry("lost", "b")] } : s));
        assert.deepEqual(shardProblems(stacks), [
            "Pulumi.dev.yaml: cicd-foundation:repositories[2].shard 'b' has no stack in dev: add Pulumi.dev-b.yaml with cicd-foundation:shard: b, or name a shard that has stacks",
        ]);
    });

    it("holds a shard to its tier's account, names and gates", () => {
        const stacks = project().map((s) => (s.stack === "sit-a" ? { ...s, shared: { ...SHARED, prefix: "other" } } : s));
        assert.deepEqual(shardProblems(stacks), [
            `Pulumi.sit-a.yaml: cicd-foundation:prefix is "other" but "acme" in Pulumi.sit.yaml: a shard's stack shares its environment's account, names and gates with the foundation tier`,
        ]);
    });

    it("puts a repository in exactly one shard", () => {
        const stacks = project().map((s) => (s.stack === "prod-a" ? { ...s, listed: [s.listed[0], entry("svc", "b")] } : s));
        const problems = shardProblems(stacks);
        assert.equal(
            problems[0],
            "Pulumi.prod-a.yaml: cicd-foundation:repositories[1].shard puts 'svc' in shard 'b', but Pulumi.dev.yaml puts it in shard 'a': a repository is in exactly one shard",
        );
    });

    it("refuses an entry listed for a shard whose stack in that environment does not list it", () => {
        const stacks = project().map((s) => (s.stack === "sit-a" ? { ...s, listed: [s.listed[0]], served: [] } : s));
        assert.deepEqual(shardProblems(stacks), [
            "Pulumi.sit-a.yaml: cicd-foundation:shard 'a' holds no repository: no entry of cicd-foundation:repositories names shard 'a'; name it in the entries it should hold, or remove the stack (after moving its resources)",
            "Pulumi.sit.yaml: cicd-foundation:repositories[1] 'svc' belongs to shard 'a', but Pulumi.sit-a.yaml, which holds it in sit, does not list it: no stack serves it there",
        ]);
    });

    it("keeps a shard's GitHub side within GitHub's content-creating hour: 62 repositories of 8 resources, not 63", () => {
        const withServed = (n: number) =>
            project().map((s) =>
                s.shard === "a"
                    ? {
                          ...s,
                          served: Array.from({ length: n }, (_, i) => entry(`svc-${i}`, "a")),
                          listed: [s.listed[0], ...Array.from({ length: n }, (_, i) => entry(`svc-${i}`, "a"))],
                      }
                    : { ...s, listed: [s.listed[0]] },
            );
        assert.deepEqual(shardProblems(withServed(62)), []);
        assert.deepEqual(shardProblems(withServed(63)), [
            `Pulumi.prod-a.yaml: cicd-foundation:shard 'a' holds 63 repositories, whose GitHub side is 504 resources (8 each): over the ${SHARD_GITHUB_WRITES_PER_HOUR} content-creating requests GitHub allows an hour, so its first up would wait out rate-limit blocks; hold at most 62 repositories in a shard (docs/shards.md)`,
        ]);
    });
});

describe("shards: the benchmark's layout", () => {
    it("splits 1,000 repositories into 17 shards of at most 62, and 7 into one", () => {
        assert.equal(repositoriesPerShard(), 62);
        assert.equal(shardNames(1000).length, 17);
        assert.deepEqual(shardNames(7), ["repos-1"]);
    });

    it("sums up a layout's runs: the median and slowest shard, the largest memory, the median time per repository", () => {
        const runs = [
            { repositories: 60, totalMs: 6000, maxRssMb: 400 },
            { repositories: 62, totalMs: 6200, maxRssMb: 420 },
            { repositories: 40, totalMs: 5000, maxRssMb: 380 },
        ];
        assert.deepEqual(shardSummary(runs), {
            shards: 3,
            repositories: 162,
            medianMs: 6000,
            maxMs: 6200,
            maxRssMb: 420,
            medianPerRepositoryMs: 100,
        });
    });

    it("writes each shard's stack files: the foundation's entry and the shard's own, the shard key, no Slack secret", () => {
        const layout = shardedStacks(FIXTURE_DIR, fs.mkdtempSync(path.join(os.tmpdir(), "shards-")), 5, ["a", "b"]);
        assert.deepEqual(
            layout.stacks.map((s) => [s.stack, s.repositories]),
            [
                ["dev-a", 3],
                ["dev-b", 2],
                ["sit-a", 3],
                ["sit-b", 2],
                ["prod-a", 3],
                ["prod-b", 2],
            ],
        );
        const prodB = (yaml.load(fs.readFileSync(stackFile(layout, "prod-b"), "utf8")) as { config: Record<string, unknown> }).config;
        assert.equal(prodB["cicd-foundation:shard"], "b");
        assert.equal(prodB["cicd-foundation:slackWebhook"], undefined);
        assert.deepEqual(
            (prodB["cicd-foundation:repositories"] as { name: string; shard?: string }[]).map((r) => [r.name, r.shard]),
            [
                ["platform", undefined],
                ["service-0004", "b"],
                ["service-0005", "b"],
            ],
        );
    });

    it("writes a shard's policy config naming the tier's boundary, and in prod a reasoned waiver of the foundation's presence", () => {
        const config = shardPolicyConfig({ all: "mandatory" }, { stack: "prod-a", environment: "prod", prefix: "acme" });
        assert.deepEqual(config["role-permissions-boundary"], { boundaryPolicy: "acme-pipeline-boundary-prod" });
        assert.deepEqual(
            (config["prod-foundation-present"] as { waivers: { resource: string }[] }).waivers[0].resource,
            "urn:pulumi:prod-a::cicd-foundation::pulumi:pulumi:Stack::cicd-foundation-prod-a",
        );
        assert.deepEqual(shardPolicyConfig({ all: "mandatory" }, { stack: "dev-a", environment: "dev", prefix: "acme" }), {
            all: "mandatory",
            "role-permissions-boundary": { boundaryPolicy: "acme-pipeline-boundary-dev" },
        });
    });
});

describe("shards: config of a sharded project", () => {
    let layout: ShardedStacks;
    before(() => {
        layout = shardedStacks(FIXTURE_DIR, fs.mkdtempSync(path.join(os.tmpdir(), "shards-")), 6, ["a", "b"]);
    });

    it("gives a shard's stack its own repositories and the foundation's name, and the tier its own", () => {
        const shard = load(layout, "prod-a");
        assert.deepEqual(
            shard.config.repositories.map((r) => r.name),
            ["service-0001", "service-0002", "service-0003"],
        );
        assert.equal(shard.config.sharding?.shard, "a");
        assert.equal(shard.config.sharding?.foundationRepository, "platform");
        const tier = load(layout, "prod");
        assert.deepEqual(
            tier.config.repositories.map((r) => r.name),
            ["payments-lambda", "ledger-tables", "platform"],
        );
        assert.equal(tier.config.sharding?.shard, undefined);
        assert.equal(tier.others.length, 8);
    });

    it("refuses the foundation's repository in a shard", () => {
        const problems = problemsAfter(layout, "prod", "prod", (config) => {
            const repositories = config["cicd-foundation:repositories"] as { deploys?: { foundation?: boolean }; shard?: string }[];
            (repositories.find((r) => r.deploys?.foundation) as { shard?: string }).shard = "a";
        });
        assert.ok(
            problems.includes(
                `${displayName(stackFile(layout, "prod"))}: cicd-foundation:repositories[2].shard is 'a' for the foundation's repository 'platform': it stays in the foundation tier's stacks, whose boundary its deployer administers`,
            ),
            problems.join("\n"),
        );
    });

    it("refuses the organisation's Slack secret in a shard's stack", () => {
        const problems = problemsAfter(layout, "prod-a", "prod-a", (config) => {
            config["cicd-foundation:slackWebhook"] = { secure: "v1:abc" };
        });
        assert.deepEqual(problems, [
            `${displayName(stackFile(layout, "prod-a"))}: cicd-foundation:slackWebhook is set in shard 'a''s stack: the organisation's SLACK_WEBHOOK_<ENV> secret is written by the foundation tier's stack alone; remove the key here`,
        ]);
    });

    it("maps every shard's repositories in every environment, with the role names the tier would give them", () => {
        const map = foundationMap(readStackConfigs(layout.directory));
        assert.deepEqual(Object.keys(map.repositories).sort(), [
            "ledger-tables",
            "payments-lambda",
            "platform",
            "service-0001",
            "service-0002",
            "service-0003",
            "service-0004",
            "service-0005",
            "service-0006",
        ]);
        assert.equal(
            map.repositories["service-0006"].environments.prod?.deployerRoleArn,
            "arn:aws:iam::333333333333:role/acme-deployer-prod-service-0006",
        );
        assert.equal(
            map.repositories["service-0001"].environments.dev?.ledgerReaderRoleArn,
            "arn:aws:iam::111111111111:role/acme-ledger-reader-dev-service-0001",
        );
    });

    it("sums the IAM roles of an environment's stacks against the account's quota", () => {
        const { config, others } = load(layout, "dev-a");
        const counts = [config, ...others].filter((c) => c.environment === "dev").map((c) => [c.stack, stackRoleCount(c)]);
        // Per repository a deployer, a previewer and (outside prod) a ledger reader; two of each shard's are Lambda
        // services, whose pipelines create one execution role each; the tier has one Lambda repository.
        assert.deepEqual(Object.fromEntries(counts), { "dev-a": 3 * 3 + 2, "dev-b": 3 * 3 + 2, dev: 3 * 3 + 1 });
        assert.equal(accountRoleQuotaProblem(config, others), undefined);
        const tight: StackConfig = { ...config, accountQuotas: { ...config.accountQuotas, iamRoles: 30 } };
        assert.equal(
            accountRoleQuotaProblem(tight, others),
            `${config.stackFile}: cicd-foundation:accountQuotas.iamRoles is 30, but account 111111111111 needs 32 IAM roles for dev's stacks together (${config.stackFile}: 11, ${others.find((o) => o.stack === "dev")?.stackFile}: 10, ${others.find((o) => o.stack === "dev-b")?.stackFile}: 11), the pipelines' Lambda execution roles included: raise "Roles per account" in Service Quotas (IAM) and set accountQuotas.iamRoles to the granted value in every dev stack (docs/runbooks/administrator.md#iam-role-quota)`,
        );
    });
});

describe("shards: synthesized stacks and the pack", function () {
    let layout: ShardedStacks;
    const graphs: Record<string, Graph> = {};
    const synth = async (name: string) =>
        (graphs[name] ??= await synthesize({ stack: name, config: readStackFile(stackFile(layout, name)), mode: "preview" }));
    const count = (graph: Graph, test: (type: string) => boolean) => graph.resources.filter((r) => test(r.type)).length;
    before(() => {
        layout = shardedStacks(FIXTURE_DIR, fs.mkdtempSync(path.join(os.tmpdir(), "shards-")), 6, ["a", "b"]);
    });

    it("declares a prod shard's roles and its three environments' GitHub side, 8 resources a repository, and no foundation tier", async () => {
        const graph = await synth("prod-a");
        assert.equal(
            count(graph, (t) => t.startsWith("github:") && t !== "pulumi:providers:github"),
            3 * 8,
        );
        assert.equal(
            count(graph, (t) => t === "github:index/actionsOrganizationSecret:ActionsOrganizationSecret"),
            0,
        );
        assert.equal(
            count(graph, (t) => t === "aws:iam/role:Role"),
            3 * 2,
        );
        for (const type of [
            "aws:kms/key:Key",
            "aws:s3/bucket:Bucket",
            "aws:dynamodb/table:Table",
            "aws:iam/policy:Policy",
            "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
        ])
            assert.equal(
                count(graph, (t) => t === type),
                0,
                type,
            );
    });

    it("bounds a shard's roles by the tier's boundary, derived by name", async () => {
        const graph = await synth("prod-a");
        const boundaries = new Set(graph.resources.filter((r) => r.type === "aws:iam/role:Role").map((r) => r.inputs.permissionsBoundary));
        assert.deepEqual([...boundaries], ["arn:aws:iam::333333333333:policy/acme-pipeline-boundary-prod"]);
    });

    it("declares no GitHub resource in a sit shard, and only its own repositories' in the prod tier", async () => {
        assert.equal(
            count(await synth("sit-b"), (t) => t.startsWith("github:") && t !== "pulumi:providers:github"),
            0,
        );
        // The tier's three repositories and the organisation's Slack secret.
        assert.equal(
            count(await synth("prod"), (t) => t.startsWith("github:") && t !== "pulumi:providers:github"),
            3 * 8 + 1,
        );
    });

    it("passes the pack with a shard's policy config, and fails prod's foundation presence without its waiver", async () => {
        const graph = await synth("prod-a");
        const policyConfig = (layout.stacks.find((s) => s.stack === "prod-a") as ShardedStacks["stacks"][number]).policyConfig;
        const passed = await analyzeGraph(graph, readPolicyConfig("prod", policyConfig));
        assert.deepEqual(
            passed.diagnostics.filter((d) => d.level === "mandatory").map((d) => d.message),
            [],
        );
        const failed = await analyzeGraph(graph, readPolicyConfig("prod"));
        const names = [...new Set(failed.diagnostics.filter((d) => d.level === "mandatory").map((d) => d.policy))].sort();
        assert.deepEqual(names, ["prod-foundation-present", "role-permissions-boundary"]);
    });
});
