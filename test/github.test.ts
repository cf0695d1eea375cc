import { strict as assert } from "assert";
import { ConfigError } from "../config";
import type { Graph } from "../tools/lib/synthesize";
import { SECRET_PLACEHOLDER_HOST } from "../tools/lib/stackFile";
import { directoryLookups, ORG } from "./helpers/github";
import { childrenOf, configValue, resource, resourcesOf, stackConfig, synth, T, withConfig } from "./helpers/stacks";

const G = {
    environment: "github:index/repositoryEnvironment:RepositoryEnvironment",
    policy: "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy",
    secret: "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret",
    variable: "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable",
    repoVariable: "github:index/actionsVariable:ActionsVariable",
    ruleset: "github:index/repositoryRuleset:RepositoryRuleset",
    provider: "pulumi:providers:github",
} as const;
/** How the engine marks a secret value in a resource's inputs. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG_VALUE = "1b47061264138c4ac30d75fd1eb44270";

const committed = {
    dev: { teams: [101], preventSelfReview: false, canAdminsBypass: true, accountId: "536580886816" },
    sit: { teams: [201, 202], preventSelfReview: true, canAdminsBypass: false, accountId: "815856636111" },
    prod: { teams: [201, 203, 204], preventSelfReview: true, canAdminsBypass: false, accountId: "093646564004" },
} as const;

describe("the GitHub side of each stack", () => {
    const graphs: Record<string, Graph> = {};
    before(async () => {
        for (const stack of ["dev", "sit", "prod"] as const) {
            graphs[stack] = await synth(stack, "resolved", stackConfig(stack), directoryLookups(ORG));
        }
    });

    for (const stack of ["dev", "sit", "prod"] as const) {
        describe(stack, () => {
            it("creates the environment with the stack file's reviewers, self-review rule, admin bypass and custom branch policy", () => {
                for (const repository of ["2_1_bbws_dynamodb_schemas", "cicd-foundation"]) {
                    assert.deepEqual(resource(graphs[stack], G.environment, `${repository}-${stack}`).inputs, {
                        repository,
                        environment: stack,
                        reviewers: [{ teams: committed[stack].teams, users: [] }],
                        preventSelfReview: committed[stack].preventSelfReview,
                        canAdminsBypass: committed[stack].canAdminsBypass,
                        waitTimer: 0,
                        deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true },
                    });
                }
                assert.equal(resourcesOf(graphs[stack], G.environment).length, 7);
            });

            it("lets only main deploy", () => {
                assert.deepEqual(
                    resourcesOf(graphs[stack], G.policy)
                        .filter((p) => p.inputs.repository === "cicd-foundation")
                        .map((p) => [p.name, p.inputs]),
                    [
                        [
                            `cicd-foundation-${stack}-branch-main`,
                            { repository: "cicd-foundation", environment: stack, branchPattern: "main" },
                        ],
                    ],
                );
            });

            it("binds AWS_ROLE to the deployer whose trust names the same environment", () => {
                const graph = graphs[stack];
                const secret = resource(graph, G.secret, `cicd-foundation-${stack}-aws-role`);
                const environment = resource(graph, G.environment, `cicd-foundation-${stack}`);
                const deployer = resource(graph, T.role, "cicd-foundation-deployer");
                assert.equal(secret.inputs.secretName, `AWS_ROLE_${stack.toUpperCase()}`);
                // The provider's SDK keeps every Actions secret value a Pulumi secret, the role ARN included.
                assert.deepEqual(secret.inputs.value, {
                    [SECRET_SIG]: SECRET_SIG_VALUE,
                    value: "arn:placeholder:iam:cicd-foundation-deployer",
                });
                assert.deepEqual(secret.propertyDependencies.value, [deployer.urn]);
                assert.deepEqual(secret.propertyDependencies.environment, [environment.urn]);
                assert.equal(secret.inputs.environment, environment.inputs.environment);
                const trust = JSON.parse(deployer.inputs.assumeRolePolicy as string);
                assert.deepEqual(trust.Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"], [
                    `repo:org/cicd-foundation:environment:${environment.inputs.environment}`,
                    `repo:org@42/cicd-foundation@4711:environment:${environment.inputs.environment}`,
                ]);
            });

            it("gives previews the backend URL of this repository's state in the environment", () => {
                assert.deepEqual(resource(graphs[stack], G.repoVariable, `cicd-foundation-backend-url-${stack}`).inputs, {
                    repository: "cicd-foundation",
                    variableName: `PULUMI_BACKEND_URL_${stack.toUpperCase()}`,
                    value: `s3://bbws-state-${stack}/cicd-foundation?region=af-south-1&awssdk=v2`,
                });
            });

            it("sets the variables the pipelines read, and the preview role as a repository variable", () => {
                const graph = graphs[stack];
                const variables = Object.fromEntries(
                    resourcesOf(graph, G.variable)
                        .filter((v) => v.inputs.repository === "cicd-foundation")
                        .map((v) => [v.inputs.variableName, v.inputs.value]),
                );
                assert.deepEqual(variables, {
                    AWS_REGION: "af-south-1",
                    AWS_ACCOUNT_ID: committed[stack].accountId,
                    PULUMI_STACK: stack,
                    STATE_BUCKET: `bbws-state-${stack}`,
                    LEDGER_TABLE: `bbws-deployments-${stack}`,
                    PULUMI_BACKEND_URL: `s3://bbws-state-${stack}/cicd-foundation?region=af-south-1&awssdk=v2`,
                });
                assert.deepEqual(resource(graph, G.repoVariable, `cicd-foundation-preview-role-${stack}`).inputs, {
                    repository: "cicd-foundation",
                    variableName: `AWS_PREVIEW_ROLE_${stack.toUpperCase()}`,
                    value: "arn:placeholder:iam:cicd-foundation-previewer",
                });
            });

            it("creates every GitHub resource through the explicit provider for the configured owner", () => {
                const graph = graphs[stack];
                const [provider] = resourcesOf(graph, G.provider);
                assert.equal(provider.inputs.owner, "org");
                const github = graph.resources.filter((r) => r.type.startsWith("github:"));
                assert.ok(github.length > 0);
                assert.deepEqual([...new Set(github.map((r) => r.provider.split("::").slice(0, -1).join("::")))], [provider.urn]);
            });
        });
    }

    it("keeps the prod Slack webhook a secret all the way into SLACK_WEBHOOK_PROD", () => {
        const secret = resource(graphs.prod, G.secret, "cicd-foundation-prod-slack-webhook");
        assert.equal(secret.inputs.secretName, "SLACK_WEBHOOK_PROD");
        assert.deepEqual(secret.inputs.value, {
            [SECRET_SIG]: SECRET_SIG_VALUE,
            value: `https://${SECRET_PLACEHOLDER_HOST}/cicd-foundation/slackWebhook`,
        });
        assert.ok(secret.additionalSecretOutputs.includes("value"));
        assert.deepEqual(
            resourcesOf(graphs.dev, G.secret).map((s) => s.inputs.secretName),
            Array(7).fill("AWS_ROLE_DEV"),
        );
    });

    it("puts the default-branch ruleset in the prod stack only, requiring 3 approvals on the last push", () => {
        assert.deepEqual(
            ["dev", "sit", "prod"].map((s) => resourcesOf(graphs[s], G.ruleset).length),
            [0, 0, 7],
        );
        assert.deepEqual(resource(graphs.prod, G.ruleset, "cicd-foundation-default-branch").inputs, {
            repository: "cicd-foundation",
            name: "default-branch-approvals",
            target: "branch",
            enforcement: "active",
            conditions: { refName: { includes: ["~DEFAULT_BRANCH"], excludes: [] } },
            rules: {
                deletion: true,
                nonFastForward: true,
                pullRequest: {
                    requiredApprovingReviewCount: 3,
                    requireLastPushApproval: true,
                    dismissStaleReviewsOnPush: true,
                    requiredReviewThreadResolution: true,
                },
            },
        });
    });

    it("gives the sit ledger reader's ARN to prod's promotion check as a repository variable", () => {
        assert.deepEqual(resource(graphs.sit, G.repoVariable, "cicd-foundation-ledger-reader-role-sit").inputs, {
            repository: "cicd-foundation",
            variableName: "AWS_LEDGER_READER_ROLE_SIT",
            value: "arn:placeholder:iam:cicd-foundation-ledger-reader",
        });
    });

    it("owns exactly these children per repository and environment", () => {
        const component = resource(graphs.prod, "cicd:github:RepositoryEnvironment", "cicd-foundation");
        assert.deepEqual(
            childrenOf(graphs.prod, component)
                .map((c) => `${c.type.split(":").pop()}::${c.name}`)
                .sort(),
            [
                "ActionsEnvironmentSecret::cicd-foundation-prod-aws-role",
                "ActionsEnvironmentSecret::cicd-foundation-prod-slack-webhook",
                "ActionsEnvironmentVariable::cicd-foundation-prod-AWS_ACCOUNT_ID",
                "ActionsEnvironmentVariable::cicd-foundation-prod-AWS_REGION",
                "ActionsEnvironmentVariable::cicd-foundation-prod-LEDGER_TABLE",
                "ActionsEnvironmentVariable::cicd-foundation-prod-PULUMI_BACKEND_URL",
                "ActionsEnvironmentVariable::cicd-foundation-prod-PULUMI_STACK",
                "ActionsEnvironmentVariable::cicd-foundation-prod-STATE_BUCKET",
                "ActionsVariable::cicd-foundation-backend-url-prod",
                "ActionsVariable::cicd-foundation-preview-role-prod",
                "RepositoryEnvironment::cicd-foundation-prod",
                "RepositoryEnvironmentDeploymentPolicy::cicd-foundation-prod-branch-main",
                "RepositoryRoles::cicd-foundation",
                "RepositoryRuleset::cicd-foundation-default-branch",
            ],
        );
    });
});

describe("GitHub lookups: bad input fails before any resource is declared", () => {
    async function problems(stack: string, config = stackConfig(stack), directory = ORG): Promise<readonly string[]> {
        try {
            await synth(stack, "resolved", config, directoryLookups(directory));
        } catch (error) {
            assert.ok(error instanceof ConfigError, String(error));
            return error.problems;
        }
        assert.fail("expected the stack to be rejected");
    }

    it("names every unknown team and user with its key and file", async () => {
        const protection = configValue<Record<string, unknown>>(stackConfig("sit"), "cicd-foundation:environmentProtection");
        const config = withConfig(stackConfig("sit"), {
            "cicd-foundation:environmentProtection": {
                ...protection,
                reviewers: { teams: ["tech-lead", "qa-leads"], users: ["ghost-user"] },
            },
        });
        assert.deepEqual(await problems("sit", config), [
            "Pulumi.sit.yaml: cicd-foundation:environmentProtection.reviewers.teams[1] 'qa-leads' is not a team of org the token can see: GET https://api.github.com/orgs/org/teams/qa-leads: 404 Not Found []",
            "Pulumi.sit.yaml: cicd-foundation:environmentProtection.reviewers.users[0] 'ghost-user' is not a GitHub user: GET https://api.github.com/users/ghost-user: 404 Not Found []",
        ]);
    });

    it("names a repository whose ids cannot be found", async () => {
        const { "org/cicd-foundation": _gone, ...others } = ORG.repositories;
        assert.deepEqual(await problems("dev", stackConfig("dev"), { ...ORG, repositories: others }), [
            "Pulumi.dev.yaml: cicd-foundation:repositories[6].name 'cicd-foundation' is not a repository of org: GET https://api.github.com/repos/org/cicd-foundation: 404 Not Found []",
        ]);
    });

    it("refuses the ruleset to a stack whose approvals are below prod's", async () => {
        assert.deepEqual(await problems("sit", withConfig(stackConfig("sit"), { "cicd-foundation:ownsRepositoryRuleset": true })), [
            "Pulumi.sit.yaml: cicd-foundation:ownsRepositoryRuleset needs environmentProtection.requiredApprovals of at least 3 (the largest environment's count), got 2",
        ]);
    });
});
