import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { runUnsafeSimulation } from "@cloud-copilot/iam-simulate";
import { createValidatedPolicy, validateTrustPolicy } from "@cloud-copilot/iam-policy";
import { type Environment, type RawConfig, readStackFile } from "../config";
import { NEXT_STACK } from "../config/pulumiCloud";
import { pulumiTrustPolicy, PULUMI_OIDC_HOST } from "../components/pulumiCloudDeployer";
import { analyzeGraph, PolicyPackProcess, readPolicyConfig } from "../tools/lib/analyzer";
import type { Graph, GraphResource, SynthesisMode } from "../tools/lib/synthesize";
import { ROOT } from "./helpers/run";
import { resource, resourcesOf, synth, T, withConfig } from "./helpers/stacks";
import { graphOf, memoGraph } from "./support/graphs";

const STACKS: readonly Environment[] = ["dev", "sit", "prod"];
const CLOUD = "cicd-foundation:pulumiCloud";
const BACKEND = "cicd-foundation:backend";
const EXAMPLES = path.join(ROOT, "examples", "pulumi-cloud");
const ACCOUNTS: Record<Environment, string> = { dev: "536580886816", sit: "815856636111", prod: "093646564004" };
const PACK_VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, "policies", "package.json"), "utf8")) as { version: string }).version;

const PS = {
    settings: "pulumiservice:index:DeploymentSettings",
    drift: "pulumiservice:index:DriftSchedule",
    tags: "pulumiservice:index:StackTags",
    group: "pulumiservice:index:PolicyGroup",
    permission: "pulumiservice:index:TeamStackPermission",
    webhook: "pulumiservice:index:Webhook",
} as const;

/** What each example stack file asks for: its own access, and the next stack's guard rails. */
const EXPECTED: Record<
    Environment,
    {
        next: Environment;
        deployCommits: boolean;
        cron: string;
        autoRemediate: boolean;
        mode: "audit" | "preventative";
        permissions: Record<string, number>;
    }
> = {
    dev: {
        next: "sit",
        deployCommits: false,
        cron: "0 5 * * *",
        autoRemediate: false,
        mode: "preventative",
        permissions: { auditors: 101, developers: 102, platform: 103 },
    },
    sit: {
        next: "prod",
        deployCommits: false,
        cron: "0 6 * * *",
        autoRemediate: false,
        mode: "preventative",
        permissions: { auditors: 101, developers: 101, platform: 103 },
    },
    prod: {
        next: "dev",
        deployCommits: true,
        cron: "0 4 * * *",
        autoRemediate: true,
        mode: "audit",
        permissions: { auditors: 101, platform: 103 },
    },
};

function exampleConfig(stack: Environment): RawConfig {
    return readStackFile(path.join(EXAMPLES, `Pulumi.${stack}.yaml`));
}

const isCloudResource = (r: GraphResource) => r.type.startsWith("pulumiservice:") || r.urn.includes("cicd:identity:PulumiDeployer");

describe("Pulumi Cloud mode: resources, trust and the pack", () => {
    const graphs: Record<string, Graph> = {};
    const key = (stack: Environment, backend: "s3" | "cloud", mode: SynthesisMode) => `${stack}.${backend}.${mode}`;

    before(async () => {
        for (const stack of STACKS) {
            for (const mode of ["resolved", "preview"] as const) {
                graphs[key(stack, "s3", mode)] = await graphOf(stack, mode);
                graphs[key(stack, "cloud", mode)] = await memoGraph(`${stack}.cloud-example.${mode}`, () =>
                    synth(stack, mode, exampleConfig(stack)),
                );
            }
        }
    });

    describe("resources", () => {
        it("creates no Pulumi Cloud resource and no Pulumi OIDC provider in s3 mode", () => {
            for (const stack of STACKS) {
                for (const mode of ["resolved", "preview"] as const) {
                    const graph = graphs[key(stack, "s3", mode)];
                    assert.deepEqual(graph.resources.filter(isCloudResource), []);
                    const providers = resourcesOf(graph, T.oidcProvider).map((r) => r.inputs.url);
                    assert.deepEqual(providers, ["https://token.actions.githubusercontent.com"]);
                }
            }
        });

        it("adds exactly the Pulumi Cloud resources to the same stack file in s3 mode", async () => {
            for (const stack of STACKS) {
                const s3Twin = await synth(
                    stack,
                    "resolved",
                    withConfig(exampleConfig(stack), { [BACKEND]: undefined, [CLOUD]: undefined }),
                );
                const cloud = graphs[key(stack, "cloud", "resolved")];
                const next = EXPECTED[stack].next;
                const added = cloud.resources
                    .filter((r) => !s3Twin.resources.some((s) => s.urn === r.urn))
                    .map((r) => `${r.type}::${r.name}`);
                assert.deepEqual(added.sort(), [
                    "aws:iam/openIdConnectProvider:OpenIdConnectProvider::pulumi-deployer-oidc",
                    "aws:iam/role:Role::pulumi-deployer",
                    "aws:iam/rolePolicy:RolePolicy::pulumi-deployer",
                    "cicd:identity:PulumiDeployer::pulumi-deployer",
                    "cicd:pulumicloud:PulumiCloudStackAccess::pulumi-cloud",
                    `cicd:pulumicloud:PulumiCloudStackSettings::pulumi-cloud-${next}`,
                    `pulumiservice:index:DeploymentSettings::pulumi-cloud-${next}`,
                    `pulumiservice:index:DriftSchedule::pulumi-cloud-${next}`,
                    `pulumiservice:index:PolicyGroup::pulumi-cloud-${next}`,
                    `pulumiservice:index:StackTags::pulumi-cloud-${next}`,
                    ...Object.keys(EXPECTED[stack].permissions).map(
                        (team) => `pulumiservice:index:TeamStackPermission::pulumi-cloud-${team}`,
                    ),
                    "pulumiservice:index:Webhook::pulumi-cloud-slack",
                ]);
                assert.equal(cloud.resources.length - s3Twin.resources.length, added.length);
            }
        });

        for (const stack of STACKS) {
            const expected = EXPECTED[stack];
            const next = expected.next;
            const stackRef = { organization: "bbws", project: "cicd-foundation", stack: next };

            it(`${stack} configures ${next}'s Deployment Settings: pull-request previews ${next === "dev" ? "on" : "off"}, push deploys ${expected.deployCommits ? "on" : "off"}, OIDC into ${next}'s account`, () => {
                const graph = graphs[key(stack, "cloud", "preview")];
                assert.deepEqual(resourcesOf(graph, PS.settings).length, 1);
                assert.deepEqual(resource(graph, PS.settings, `pulumi-cloud-${next}`).inputs, {
                    ...stackRef,
                    sourceContext: { git: { branch: "refs/heads/main", repoDir: "." } },
                    vcs: {
                        provider: "github",
                        repository: "org/cicd-foundation",
                        previewPullRequests: next === "dev",
                        deployCommits: expected.deployCommits,
                        pullRequestTemplate: false,
                    },
                    operationContext: {
                        oidc: {
                            aws: {
                                roleARN: `arn:aws:iam::${ACCOUNTS[next]}:role/bbws-pulumi-deployer-${next}`,
                                sessionName: `pulumi-${next}-\${operation}-\${deployment.version}`,
                                duration: "1h0m0s",
                            },
                        },
                        options: { skipIntermediateDeployments: true },
                    },
                });
            });

            it(`${stack} sets ${next}'s daily drift schedule, its environment tag and its ${expected.mode} policy group`, () => {
                const graph = graphs[key(stack, "cloud", "preview")];
                const drift = resource(graph, PS.drift, `pulumi-cloud-${next}`);
                assert.deepEqual(drift.inputs, { ...stackRef, scheduleCron: expected.cron, autoRemediate: expected.autoRemediate });
                assert.deepEqual(drift.dependencies, [resource(graph, PS.settings, `pulumi-cloud-${next}`).urn]);
                assert.deepEqual(resource(graph, PS.tags, `pulumi-cloud-${next}`).inputs, { ...stackRef, tags: { environment: next } });
                assert.deepEqual(resource(graph, PS.group, `pulumi-cloud-${next}`).inputs, {
                    name: `cicd-foundation-${next}`,
                    organizationName: "bbws",
                    entityType: "stacks",
                    mode: expected.mode,
                    stacks: [{ name: next, routingProject: "cicd-foundation" }],
                    policyPacks: [{ name: "cicd-foundation", versionTag: PACK_VERSION, config: readPolicyConfig(next) }],
                });
            });

            it(`${stack} grants its own teams their permissions and sends its failures and drift to Slack as a secret`, () => {
                const graph = graphs[key(stack, "cloud", "preview")];
                const permissions = resourcesOf(graph, PS.permission)
                    .map((r) => r.inputs)
                    .sort((a, b) => String(a.team).localeCompare(String(b.team)));
                assert.deepEqual(
                    permissions,
                    Object.entries(expected.permissions).map(([team, permission]) => ({
                        organization: "bbws",
                        project: "cicd-foundation",
                        stack,
                        team,
                        permission,
                    })),
                );
                const webhook = resource(graph, PS.webhook, "pulumi-cloud-slack");
                const { payloadUrl, ...rest } = webhook.inputs as { payloadUrl: Record<string, unknown> };
                assert.deepEqual(rest, {
                    organizationName: "bbws",
                    projectName: "cicd-foundation",
                    stackName: stack,
                    displayName: `cicd-foundation/${stack} to Slack`,
                    active: true,
                    format: "slack",
                    filters: ["deployment_failed", "drift_detected", "drift_detection_failed"],
                });
                assert.deepEqual(payloadUrl, {
                    "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
                    value: "https://secret-placeholder.invalid/cicd-foundation/slackWebhook",
                });
                assert.deepEqual(webhook.additionalSecretOutputs, ["payloadUrl", "secret"]);
            });

            it(`${stack} creates Pulumi's OIDC provider and a Deployments role with the foundation deployer's permissions`, () => {
                const graph = graphs[key(stack, "cloud", "preview")];
                const provider = resource(graph, T.oidcProvider, "pulumi-deployer-oidc");
                assert.deepEqual(provider.inputs, { url: "https://api.pulumi.com/oidc", clientIdLists: ["bbws"] });
                assert.deepEqual([provider.protect, provider.retainOnDelete], [stack === "prod", stack === "prod"]);
                const role = resource(graph, T.role, "pulumi-deployer");
                assert.equal(role.inputs.name, `bbws-pulumi-deployer-${stack}`);
                assert.equal(role.inputs.maxSessionDuration, 3600);
                assert.equal(role.inputs.permissionsBoundary, `arn:aws:iam::${ACCOUNTS[stack]}:policy/bbws-pipeline-boundary-${stack}`);
                assert.deepEqual(
                    JSON.parse(String(role.inputs.assumeRolePolicy)),
                    pulumiTrustPolicy({
                        accountId: ACCOUNTS[stack],
                        organization: "bbws",
                        project: "cicd-foundation",
                        stack,
                        environment: stack,
                    }),
                );
                // The same document the GitHub deployer of the foundation repository gets.
                const githubDeployer = resource(graph, T.rolePolicy, "cicd-foundation-deployer");
                assert.equal(resource(graph, T.rolePolicy, "pulumi-deployer").inputs.policy, githubDeployer.inputs.policy);
            });
        }
    });

    describe("the Deployments trust policy, evaluated", () => {
        const simulate = (stack: Environment, claims: { sub: string; aud: string }, provider = `${PULUMI_OIDC_HOST}`) => {
            const accountId = ACCOUNTS[stack];
            const trust = pulumiTrustPolicy({ accountId, organization: "bbws", project: "cicd-foundation", stack, environment: stack });
            // The unsafe entry: the simulator's key check knows no OIDC issuer whose URL has a path (api.pulumi.com/oidc),
            // and would drop both claims. The document itself is validated as a trust policy first.
            const result = runUnsafeSimulation(
                {
                    request: {
                        principal: `arn:aws:iam::${accountId}:oidc-provider/${provider}`,
                        action: "sts:AssumeRoleWithWebIdentity",
                        resource: { resource: `arn:aws:iam::${accountId}:role/bbws-pulumi-deployer-${stack}`, accountId },
                        contextVariables: { [`${provider}:sub`]: claims.sub, [`${provider}:aud`]: claims.aud },
                    },
                    identityPolicies: [],
                    serviceControlPolicies: [],
                    resourceControlPolicies: [],
                    resourcePolicy: createValidatedPolicy(trust, validateTrustPolicy, { name: "trust" }) as never,
                },
                {},
            );
            return result;
        };
        const sub = (org: string, project: string, stack: string, operation: string) =>
            `pulumi:deploy:org:${org}:project:${project}:stack:${stack}:operation:${operation}:scope:write`;

        for (const stack of STACKS) {
            it(`lets ${stack}'s own write deployments (and dev's previews) in and keeps sit's and prod's previews, another stack, project or organisation out`, () => {
                const operations =
                    stack === "prod" ? ["update", "refresh", "detect-drift"] : ["update", "refresh", "detect-drift", "remediate-drift"];
                for (const operation of operations) {
                    assert.equal(
                        simulate(stack, { sub: sub("bbws", "cicd-foundation", stack, operation), aud: "bbws" }),
                        "Allowed",
                        operation,
                    );
                }
                assert.equal(
                    simulate(stack, { sub: sub("bbws", "cicd-foundation", stack, "preview"), aud: "bbws" }),
                    stack === "dev" ? "Allowed" : "ExplicitlyDenied",
                );
                const other = NEXT_STACK[stack];
                assert.equal(simulate(stack, { sub: sub("bbws", "cicd-foundation", other, "update"), aud: "bbws" }), "ExplicitlyDenied");
                assert.equal(simulate(stack, { sub: sub("bbws", "tenants", stack, "update"), aud: "bbws" }), "ExplicitlyDenied");
                assert.equal(simulate(stack, { sub: sub("evil", "cicd-foundation", stack, "update"), aud: "evil" }), "ExplicitlyDenied");
                assert.equal(simulate(stack, { sub: sub("bbws", "cicd-foundation", stack, "update"), aud: "evil" }), "ImplicitlyDenied");
                assert.equal(simulate(stack, { sub: sub("bbws", "cicd-foundation", stack, "update"), aud: "BBWS" }), "ImplicitlyDenied");
                assert.equal(
                    simulate(stack, { sub: `${sub("bbws", "cicd-foundation", stack, "update")}:scope:read`, aud: "bbws" }),
                    "ExplicitlyDenied",
                );
                assert.equal(
                    simulate(
                        stack,
                        { sub: sub("bbws", "cicd-foundation", stack, "update"), aud: "bbws" },
                        "token.actions.githubusercontent.com",
                    ),
                    "ImplicitlyDenied",
                );
            });
        }

        it("refuses prod's destroy explicitly", () => {
            assert.equal(simulate("prod", { sub: sub("bbws", "cicd-foundation", "prod", "destroy"), aud: "bbws" }), "ExplicitlyDenied");
        });
    });

    describe("the policy pack", () => {
        let pack: PolicyPackProcess;
        before(async () => {
            pack = await PolicyPackProcess.start();
        });
        after(() => pack.stop());

        for (const stack of STACKS) {
            it(`passes ${stack} in both modes, resolved and in a first preview, with its policy config`, async () => {
                for (const backend of ["s3", "cloud"] as const) {
                    for (const mode of ["resolved", "preview"] as const) {
                        const { diagnostics } = await analyzeGraph(graphs[key(stack, backend, mode)], readPolicyConfig(stack), pack);
                        assert.deepEqual(diagnostics, [], `${backend} ${mode}`);
                    }
                }
            });
        }

        it("reads the environment from the stack tag the previous stack sets, as Pulumi Cloud sends it", async () => {
            const previous = (STACKS.find((s) => NEXT_STACK[s] === "dev") ?? "prod") as Environment;
            const tags = resource(graphs[key(previous, "cloud", "resolved")], PS.tags, "pulumi-cloud-dev").inputs.tags as Record<
                string,
                string
            >;
            assert.deepEqual(tags, { environment: "dev" });
            // No policy config at all: the tag alone makes dev's unprotected state legal.
            const tagged = await analyzeGraph(graphs[key("dev", "cloud", "preview")], {}, pack, tags);
            assert.deepEqual(
                tagged.diagnostics.filter((d) => d.level === "mandatory"),
                [],
            );
            const untagged = await analyzeGraph(graphs[key("dev", "cloud", "preview")], {}, pack);
            const policies = [...new Set(untagged.diagnostics.filter((d) => d.level === "mandatory").map((d) => d.policy))].sort();
            // Without it the pack fails closed and judges dev as prod.
            // (dev declares no GitHub resource: prod's stack owns every environment's GitHub side.)
            assert.deepEqual(policies, [
                "environment-tagged",
                "oidc-trust",
                // dev's boundary is no prod boundary: judged as prod, its service-wide ceiling reads as a grant.
                "policy-statements",
                "prod-audit-retention",
                "prod-deletion-guards",
                "prod-foundation-present",
                "prod-stateful-protected",
                // dev's boundary is not the prod boundary a prod judgement requires.
                "role-permissions-boundary",
            ]);
        });
    });
});
