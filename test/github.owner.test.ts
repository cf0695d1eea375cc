import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ConfigError, parseStackConfig, type StackConfig } from "../config";
import { iamRoleCount } from "../components/accountQuotas";
import { foundationMap } from "../components/foundationMap";
import { branchRuleset, deployTagRuleset } from "../components/repositoryEnvironment";
import { readStackConfigs } from "../tools/foundationMap";
import { moveCommands, planGithubMove, type StateResource } from "../tools/lib/githubMigration";
import type { Graph, GraphResource } from "../tools/lib/synthesize";
import { directoryLookups } from "./helpers/github";
import { ACME, FIXTURE_DIR, fixtureConfig } from "./helpers/githubFixtures";
import { PROD, resourceViolations, stackOutcome } from "./helpers/policy";
import { resource, resourcesOf, synth, T, withConfig } from "./helpers/stacks";

const ACCOUNTS = { dev: "111111111111", sit: "222222222222", prod: "333333333333" } as const;
const ENVIRONMENTS = ["dev", "sit", "prod"] as const;
const REPOSITORIES = ["payments-lambda", "ledger-tables", "platform"] as const;

const G = {
    environment: "github:index/repositoryEnvironment:RepositoryEnvironment",
    policy: "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy",
    secret: "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret",
    ruleset: "github:index/repositoryRuleset:RepositoryRuleset",
    orgSecret: "github:index/actionsOrganizationSecret:ActionsOrganizationSecret",
    provider: "pulumi:providers:github",
} as const;
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

const githubResources = (graph: Graph) => graph.resources.filter((r) => r.type.startsWith("github:"));
const parentOf = (graph: Graph, r: GraphResource) => graph.resources.find((p) => p.urn === r.parent);

/** Every string a trust policy's conditions name, flattened. */
function conditionValues(policy: string): string[] {
    const statements = (JSON.parse(policy) as { Statement: { Condition?: Record<string, Record<string, unknown>> }[] }).Statement;
    return statements.flatMap((s) => Object.values(s.Condition ?? {}).flatMap((c) => Object.values(c).flat().map(String)));
}

describe("prod's stack owns every environment's GitHub side", () => {
    const graphs: Partial<Record<(typeof ENVIRONMENTS)[number], Graph>> = {};
    const graph = (e: (typeof ENVIRONMENTS)[number]) => graphs[e] as Graph;
    before(async () => {
        for (const e of ENVIRONMENTS) graphs[e] = await synth(e, "resolved", fixtureConfig(e), directoryLookups(ACME));
    });

    for (const e of ["dev", "sit"] as const) {
        it(`declares no GitHub resource in ${e}: only a provider for read-only lookups, without a token`, () => {
            assert.deepEqual(githubResources(graph(e)), []);
            assert.deepEqual(
                resourcesOf(graph(e), G.provider).map((p) => [p.name, p.inputs.owner, p.inputs.token]),
                [["github", "acme-org", undefined]],
            );
        });
    }

    it("declares every repository's environment for all three environments, each with its own reviewers and rules", () => {
        const environments = resourcesOf(graph("prod"), G.environment);
        assert.deepEqual(
            environments.map((r) => r.name).sort(),
            REPOSITORIES.flatMap((repo) => ENVIRONMENTS.map((e) => `${repo}-${e}`)).sort(),
        );
        const expected = {
            dev: { teams: [501], preventSelfReview: false, canAdminsBypass: true },
            sit: { teams: [501, 502], preventSelfReview: true, canAdminsBypass: false },
            prod: { teams: [501, 503, 504], preventSelfReview: true, canAdminsBypass: false },
        };
        for (const e of ENVIRONMENTS) {
            assert.deepEqual(resource(graph("prod"), G.environment, `platform-${e}`).inputs, {
                repository: "platform",
                environment: e,
                reviewers: [{ teams: expected[e].teams, users: [] }],
                preventSelfReview: expected[e].preventSelfReview,
                canAdminsBypass: expected[e].canAdminsBypass,
                waitTimer: 0,
                deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true },
            });
        }
    });

    it("names each branch policy's environment from config, so it is known in a first preview", async () => {
        const preview = await synth("prod", "preview", fixtureConfig("prod"), directoryLookups(ACME));
        assert.deepEqual(
            resourcesOf(preview, G.policy)
                .filter((p) => p.inputs.repository === "ledger-tables")
                .map((p) => [p.name, p.inputs.environment, p.inputs.branchPattern]),
            ENVIRONMENTS.map((e) => [`ledger-tables-${e}-branch-main`, e, "main"]),
        );
    });

    for (const e of ENVIRONMENTS) {
        it(`binds ${e}'s GitHub environment, the map's deployer and the role ${e}'s own stack creates, whose trust names the same environment`, () => {
            const environment = resource(graph("prod"), G.environment, `payments-lambda-${e}`);
            const entry = foundationMap(readStackConfigs(FIXTURE_DIR)).repositories["payments-lambda"].environments[e];
            const roleName = `acme-deployer-${e}-payments-lambda`;
            assert.equal(environment.inputs.environment, e);
            assert.equal(entry?.deployerRoleArn, `arn:aws:iam::${ACCOUNTS[e]}:role/${roleName}`);
            const [role] = resourcesOf(graph(e), T.role).filter((r) => r.inputs.name === roleName);
            const named = conditionValues(role.inputs.assumeRolePolicy as string).filter((v) => /(^|:)(dev|sit|prod)$/.test(v));
            assert.ok(named.length > 0, "the deployer's trust names an environment");
            assert.deepEqual(
                named.filter(
                    (v) => !v.endsWith(`:environment:${environment.inputs.environment as string}`) && v !== environment.inputs.environment,
                ),
                [],
            );
        });
    }

    it("declares at most 8 GitHub resources per served repository across the three environments", () => {
        const perRepository = Object.fromEntries(
            REPOSITORIES.map((repo) => [repo, githubResources(graph("prod")).filter((r) => r.inputs.repository === repo).length]),
        );
        assert.deepEqual(perRepository, { "payments-lambda": 8, "ledger-tables": 8, platform: 8 });
        for (const [repo, count] of Object.entries(perRepository)) assert.ok(count <= 8, `${repo} has ${count} GitHub resources`);
    });

    it("stores no value the foundation map derives: no repository or environment variable, no role secret", () => {
        assert.deepEqual(
            [...new Set(githubResources(graph("prod")).map((r) => r.type))].sort(),
            [G.orgSecret, G.environment, G.policy, G.ruleset].sort(),
        );
    });

    it("keeps prod's Slack webhook a secret, in one organisation secret rather than one per repository", () => {
        const [secret, ...others] = resourcesOf(graph("prod"), G.orgSecret);
        assert.deepEqual(others, []);
        assert.equal(secret.name, "slack-webhook-prod");
        assert.equal(secret.inputs.secretName, "SLACK_WEBHOOK_PROD");
        assert.equal(secret.inputs.visibility, "private");
        assert.deepEqual(secret.inputs.value, {
            [SECRET_SIG]: "1b47061264138c4ac30d75fd1eb44270",
            value: "https://secret-placeholder.invalid/cicd-foundation/slackWebhook",
        });
        assert.ok(secret.additionalSecretOutputs.includes("value"));
    });

    it("sets prod's rulesets once per repository, under prod's environment: named approver teams on main and the default branch", () => {
        const rulesets = resourcesOf(graph("prod"), G.ruleset);
        assert.deepEqual(
            rulesets.map((r) => [r.name, parentOf(graph("prod"), r)?.name]).sort(),
            REPOSITORIES.flatMap((repo) => [
                [`${repo}-default-branch`, `${repo}-prod`],
                [`${repo}-deploy-tags`, `${repo}-prod`],
            ]).sort(),
        );
        assert.deepEqual(resource(graph("prod"), G.ruleset, "platform-default-branch").inputs, {
            repository: "platform",
            name: "default-branch-approvals",
            target: "branch",
            enforcement: "active",
            conditions: { refName: { includes: ["~DEFAULT_BRANCH", "refs/heads/main"], excludes: [] } },
            rules: {
                deletion: true,
                nonFastForward: true,
                pullRequest: {
                    requiredApprovingReviewCount: 3,
                    requireLastPushApproval: true,
                    dismissStaleReviewsOnPush: true,
                    requiredReviewThreadResolution: true,
                    requiredReviewers: [501, 503, 504].map((id) => ({
                        reviewer: { id, type: "Team" },
                        minimumApprovals: 1,
                        filePatterns: ["**/*"],
                    })),
                },
            },
        });
        assert.deepEqual(resource(graph("prod"), G.ruleset, "platform-deploy-tags").inputs, {
            repository: "platform",
            name: "deploy-tags",
            target: "tag",
            enforcement: "active",
            conditions: { refName: { includes: ["refs/tags/deploy-*"], excludes: [] } },
            rules: { deletion: true, update: true },
        });
    });

    it("covers every branch prod deploys from, besides the default branch", () => {
        const inputs = branchRuleset("svc", { approvals: 4, deployBranches: ["main", "release"], approverTeams: [9] });
        assert.deepEqual(inputs.conditions, {
            refName: { includes: ["~DEFAULT_BRANCH", "refs/heads/main", "refs/heads/release"], excludes: [] },
        });
        assert.deepEqual(deployTagRuleset("svc").rules, { deletion: true, update: true });
    });

    it("passes the pack's GitHub rules in prod, judging dev's and sit's environments as the ones they gate", () => {
        assert.deepEqual(resourceViolations("github-environment-protection", graph("prod"), PROD), []);
        assert.deepEqual(resourceViolations("prod-deployment-branches", graph("prod"), PROD), []);
        assert.deepEqual(stackOutcome("prod-review-ruleset", graph("prod"), PROD).violations, []);
    });

    it("still judges a dev environment in prod's stack by dev's rules: one reviewer at least", () => {
        const broken: Graph = {
            ...graph("prod"),
            resources: graph("prod").resources.map((r) =>
                r.type === G.environment && r.name === "platform-dev"
                    ? { ...r, inputs: { ...r.inputs, reviewers: [{ teams: [], users: [] }] } }
                    : r,
            ),
        };
        assert.deepEqual(resourceViolations("github-environment-protection", broken, PROD), [
            "Environment 'platform-dev' lists 0 reviewer(s); dev needs at least 1.",
        ]);
    });
});

describe("the GitHub write credential lives in prod's stack only", () => {
    const secretToken = (stack: string) => {
        const raw = withConfig(fixtureConfig(stack), { "cicd-foundation:githubToken": "ciphertext" });
        return { ...raw, secretKeys: [...raw.secretKeys, "cicd-foundation:githubToken"] };
    };
    const problems = (run: () => unknown) => {
        try {
            run();
        } catch (error) {
            assert.ok(error instanceof ConfigError, String(error));
            return error.problems;
        }
        return assert.fail("expected a config error");
    };

    it("refuses a GitHub token in dev's stack file, naming the key and the file", () => {
        assert.deepEqual(
            problems(() => parseStackConfig(secretToken("dev"), "dev", "Pulumi.dev.yaml")),
            [
                "Pulumi.dev.yaml: cicd-foundation:githubToken is set in a stack that does not own the GitHub settings: only prod's stack (ownsRepositoryRuleset: true) holds a GitHub write credential; this stack only reads, with a read-only GITHUB_TOKEN",
            ],
        );
    });

    it("accepts the token in prod's stack, which owns the GitHub side", () => {
        assert.equal(parseStackConfig(secretToken("prod"), "prod", "Pulumi.prod.yaml").ownsRepositoryRuleset, true);
    });

    it("refuses the GitHub side to any stack but prod's", () => {
        const raw = withConfig(fixtureConfig("sit"), {
            "cicd-foundation:ownsRepositoryRuleset": true,
            "cicd-foundation:environmentProtection": {
                requiredApprovals: 3,
                reviewers: { teams: ["dev-leads", "qa-leads", "release-owners"] },
                preventSelfReview: true,
            },
        });
        assert.deepEqual(
            problems(() => parseStackConfig(raw, "sit", "Pulumi.sit.yaml")),
            [
                "Pulumi.sit.yaml: cicd-foundation:ownsRepositoryRuleset is true in sit, but only prod's stack may own the GitHub settings: it is deployed only after prod's reviewers, and a key that writes one environment's settings writes every environment's",
            ],
        );
    });
});

describe("the move from one GitHub side per stack to prod's", () => {
    const old = JSON.parse(fs.readFileSync(path.join(FIXTURE_DIR, "layout-before-owner.json"), "utf8")) as Record<string, StateResource[]>;
    let owner: Graph;
    let configs: StackConfig[];
    before(async () => {
        owner = await synth("prod", "resolved", fixtureConfig("prod"), directoryLookups(ACME));
        configs = readStackConfigs(FIXTURE_DIR);
    });
    /** The old graph knew a role's ARN only as its output placeholder; what it is follows from the role's name. */
    const normalize = (stack: string, value: unknown): unknown => {
        const config = configs.find((c) => c.environment === stack) as StackConfig;
        const text = JSON.stringify(value);
        return JSON.parse(
            text.replace(/arn:placeholder:iam:(.+?)-(deployer|previewer|ledger-reader)"/g, (_m, repo: string, kind: string) => {
                return `arn:aws:iam::${config.accountId}:role/${config.prefix}-${kind}-${stack}-${repo}"`;
            }),
        ) as unknown;
    };

    it("finds every gate of the old stacks in prod's, by the URN the move gives it, and none colliding", () => {
        const plan = planGithubMove(old, owner.resources, "prod", normalize);
        assert.deepEqual(plan.missing, []);
        assert.deepEqual(plan.collisions, []);
        const gates = (stack: string) =>
            old[stack]
                .filter((r) => r.type === G.environment || r.type === G.policy)
                .map((r) => r.urn.replace("urn:pulumi:" + stack, "urn:pulumi:prod"));
        for (const stack of ["dev", "sit"]) {
            for (const urn of gates(stack))
                assert.ok(
                    owner.resources.some((r) => r.urn === urn),
                    urn,
                );
        }
    });

    it("moves all of dev's and sit's GitHub resources, keeps every gate unchanged, and retires only what the map derives", () => {
        const plan = planGithubMove(old, owner.resources, "prod", normalize);
        const github = (stack: string) => old[stack].filter((r) => r.type.startsWith("github:"));
        assert.deepEqual(plan.moves, { dev: github("dev").map((r) => r.urn), sit: github("sit").map((r) => r.urn) });
        assert.deepEqual(
            plan.updates.map((u) => [u.urn.split("::").pop(), u.keys]),
            REPOSITORIES.map((repo) => [`${repo}-default-branch`, ["conditions", "rules"]]).sort((a, b) =>
                old.prod.findIndex((r) => r.name === a[0]) < old.prod.findIndex((r) => r.name === b[0]) ? -1 : 1,
            ),
        );
        const retiredTypes = [...new Set(plan.retired.map((urn) => urn.split("::")[2].split("$").pop()))].sort();
        assert.deepEqual(retiredTypes, [
            "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret",
            "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable",
            "github:index/actionsVariable:ActionsVariable",
        ]);
        assert.equal(
            plan.retired.length,
            ["dev", "sit", "prod"].reduce(
                (n, s) => n + github(s).filter((r) => !r.type.includes("repositoryEnvironment") && !r.type.includes("Ruleset")).length,
                0,
            ),
        );
        assert.match(
            moveCommands(plan, "prod")[0],
            /^pulumi state move --source dev --dest prod --yes \\\n {2}'urn:pulumi:dev::cicd-foundation::cicd:github:RepositoryEnvironment\$github:index\//,
        );
    });

    it("gives the moved resources a provider prod's stack already has with the same inputs, so the move reuses it", () => {
        const providers = Object.fromEntries(
            Object.entries(old).map(([s, rs]) => [s, rs.filter((r) => r.type === G.provider).map((r) => r.inputs)]),
        );
        assert.deepEqual(providers.dev, providers.prod);
        assert.deepEqual(providers.sit, providers.prod);
    });

    it("keeps the roles' URNs: the component that holds them is aliased to the type it had", async () => {
        const dev = await synth("dev", "resolved", fixtureConfig("dev"), directoryLookups(ACME));
        const oldUrns = old.dev
            .filter((r) => r.type === "cicd:github:RepositoryEnvironment")
            .map((r) => r.urn)
            .sort();
        const now = dev.resources
            .filter((r) => r.type === "cicd:identity:RepositoryAccess")
            .map((r) => r.urn.replace("cicd:identity:RepositoryAccess", "cicd:github:RepositoryEnvironment"))
            .sort();
        assert.deepEqual(now, oldUrns);
    });
});

describe("IAM roles per account", () => {
    for (const e of ENVIRONMENTS) {
        it(`counts exactly the roles ${e}'s graph declares`, async () => {
            const [config] = readStackConfigs(FIXTURE_DIR).filter((c) => c.environment === e);
            const graph = await synth(e, "resolved", fixtureConfig(e), directoryLookups(ACME));
            assert.equal(iamRoleCount(config).program, resourcesOf(graph, T.role).length);
            assert.deepEqual(iamRoleCount(config), {
                program: e === "prod" ? 6 : 9,
                pipelines: 1,
                total: e === "prod" ? 7 : 10,
            });
        });
    }

    it("refuses a stack whose roles would exceed the account's quota, naming the count and the key", async () => {
        const config = withConfig(fixtureConfig("dev"), {
            "cicd-foundation:accountQuotas": { iamRoles: 9, executionRolesPerLambdaPattern: 1 },
        });
        await assert.rejects(
            synth("dev", "resolved", { ...config, stackFile: path.join(FIXTURE_DIR, "Pulumi.dev.yaml") }, directoryLookups(ACME)),
            (error: unknown) => {
                assert.ok(error instanceof ConfigError, String(error));
                assert.deepEqual(error.problems, [
                    `${path.relative(process.cwd(), path.join(FIXTURE_DIR, "Pulumi.dev.yaml"))}: cicd-foundation:accountQuotas.iamRoles is 9, but account 111111111111 needs 10 IAM roles (9 this program creates, 1 the Lambda pipelines will create): raise "Roles per account" in Service Quotas (IAM) and set accountQuotas.iamRoles to the granted value (docs/runbooks/administrator.md#iam-role-quota)`,
                ]);
                return true;
            },
        );
    });
});
