import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { runUnsafeSimulation } from "@cloud-copilot/iam-simulate";
import { createValidatedPolicy, validateTrustPolicy } from "@cloud-copilot/iam-policy";
import { displayName, readStackFile, type Environment, type RawConfig } from "../config";
import { NEXT_STACK, ORGANISATION_CREDENTIAL_KEYS } from "../config/pulumiCloud";
import {
    PULUMI_DEPLOYMENTS_OPERATIONS,
    pulumiDeploymentsOperations,
    pulumiDeploymentsSubject,
    pulumiTrustPolicy,
} from "../components/pulumiCloudDeployer";
import { PULUMI_OIDC_HOST } from "../shared/names";
import type { PolicyDocument } from "../components/policyDocument";
import type { Graph } from "../tools/lib/synthesize";
import { decide, stackPolicies, type Decision } from "./helpers/iamSimulation";
import { runTool } from "./helpers/run";
import { resource, resourcesOf, synth, T } from "./helpers/stacks";
import { problemsOf } from "./support/pulumiCloud";

/*
 * A fixture organisation of this file's own (not the committed stack files): Pulumi organisation "acme",
 * GitHub owner "acme-corp", one AWS account per environment, the foundation in "platform-foundation".
 */
const STACKS: readonly Environment[] = ["dev", "sit", "prod"];
const ORG = "acme";
const PROJECT = "cicd-foundation";
const OWNER = "acme-corp";
const FOUNDATION = "platform-foundation";
const ACCOUNTS: Record<Environment, string> = { dev: "111111111111", sit: "222222222222", prod: "333333333333" };
const REVIEWERS: Record<Environment, string[]> = {
    dev: ["leads"],
    sit: ["leads", "qa"],
    prod: ["leads", "qa", "owners"],
};
const CLOUD = "cicd-foundation:pulumiCloud";

/** One fixture stack file's `config:` map, in Pulumi Cloud mode. */
function fixtureConfig(environment: Environment): Record<string, unknown> {
    const next = NEXT_STACK[environment];
    return {
        "aws:region": "eu-west-1",
        "aws:allowedAccountIds": [ACCOUNTS[environment]],
        "aws:defaultTags": { tags: { Environment: environment, Project: "platform" } },
        "cicd-foundation:environment": environment,
        "cicd-foundation:accountId": ACCOUNTS[environment],
        "cicd-foundation:prefix": "acme",
        "cicd-foundation:githubOwner": OWNER,
        "cicd-foundation:backend": "pulumi-cloud",
        [CLOUD]: {
            organization: ORG,
            teams: ["platform", "developers", "auditors"],
            stackPermissions: { platform: "admin", auditors: "read", ...(environment === "dev" ? { developers: "edit" } : {}) },
            nextStack: {
                stack: next,
                accountId: ACCOUNTS[next],
                deployOnPush: next === "dev",
                drift: { cron: "30 3 * * *", autoRemediate: false },
            },
        },
        "cicd-foundation:repositories": [
            { name: "orders-service", kind: "lambda", deploys: { lambdaFunctions: ["acme-orders-*"] } },
            { name: FOUNDATION, kind: "pulumi", deploys: { foundation: true } },
        ],
        "cicd-foundation:environmentProtection": {
            requiredApprovals: REVIEWERS[environment].length,
            reviewers: { teams: REVIEWERS[environment] },
            preventSelfReview: environment !== "dev",
            branchPatterns: ["main"],
        },
        ...(environment === "prod" ? { "cicd-foundation:ownsRepositoryRuleset": true } : {}),
        "cicd-foundation:slackWebhook": { secure: "v1:Zml4dHVyZQ==:Zml4dHVyZQ==" },
    };
}

/** A raw config with keys added as the engine hands them over: `secret` ones as `pulumi config set --secret` leaves them. */
function withKeys(base: RawConfig, keys: Record<string, string>, secret: boolean): RawConfig {
    return {
        values: { ...base.values, ...keys },
        secretKeys: secret ? [...base.secretKeys, ...Object.keys(keys)] : base.secretKeys,
        stackFile: base.stackFile,
    };
}

type Claims = Record<string, string>;

/** Whether a trust policy lets a token with these claims from Pulumi's provider in the account assume the role. */
function assumes(trust: PolicyDocument, accountId: string, role: string, claims: Claims, provider = PULUMI_OIDC_HOST): Decision {
    // The unsafe entry: the simulator's key check knows no OIDC issuer whose URL has a path (api.pulumi.com/oidc),
    // and would drop the claims. The document is validated as a trust policy first.
    const result = runUnsafeSimulation(
        {
            request: {
                principal: `arn:aws:iam::${accountId}:oidc-provider/${provider}`,
                action: "sts:AssumeRoleWithWebIdentity",
                resource: { resource: `arn:aws:iam::${accountId}:role/${role}`, accountId },
                contextVariables: Object.fromEntries(Object.entries(claims).map(([claim, value]) => [`${provider}:${claim}`, value])),
            },
            identityPolicies: [],
            serviceControlPolicies: [],
            resourceControlPolicies: [],
            resourcePolicy: createValidatedPolicy(trust, validateTrustPolicy, { name: "trust" }) as never,
        },
        {},
    );
    return result as Decision;
}

const trustOf = (environment: Environment) =>
    pulumiTrustPolicy({ accountId: ACCOUNTS[environment], organization: ORG, project: PROJECT, stack: environment, environment });
const deployerName = (environment: Environment) => `acme-pulumi-deployer-${environment}`;
const token = (environment: Environment, operation: string): Claims => ({
    aud: ORG,
    sub: pulumiDeploymentsSubject(ORG, PROJECT, environment, operation),
});
const onWriteRole = (environment: Environment, claims: Claims, trust = trustOf(environment)) =>
    assumes(trust, ACCOUNTS[environment], deployerName(environment), claims);

/** `destroy` as anything might spell it: IAM compares condition values case-sensitively. */
const DESTROY_SPELLINGS = ["destroy", "Destroy", "DESTROY", "dEsTrOy", "destroY"];

describe("Pulumi Cloud roles, evaluated (fixture organisation)", () => {
    let directory: string;
    const raw: Partial<Record<Environment, RawConfig>> = {};
    const graphs: Partial<Record<Environment, Graph>> = {};
    const rawOf = (environment: Environment) => raw[environment] as RawConfig;
    const graphOf = (environment: Environment) => graphs[environment] as Graph;

    before(async () => {
        directory = fs.mkdtempSync(path.join(os.tmpdir(), "cloud-roles-"));
        for (const environment of STACKS) {
            const file = path.join(directory, `Pulumi.${environment}.yaml`);
            fs.writeFileSync(file, yaml.dump({ config: fixtureConfig(environment) }));
            raw[environment] = readStackFile(file);
        }
        for (const environment of STACKS) graphs[environment] = await synth(environment, "preview", rawOf(environment));
    });
    after(() => fs.rmSync(directory, { recursive: true, force: true }));

    describe("the Deployments write role's trust", () => {
        it("names every operation Pulumi Deployments runs", () => {
            assert.deepEqual(PULUMI_DEPLOYMENTS_OPERATIONS, ["update", "preview", "destroy", "refresh", "detect-drift", "remediate-drift"]);
        });

        it("trusts update, refresh and the drift operations in dev and sit, previews in dev only, and no drift remediation in prod", () => {
            assert.deepEqual(
                STACKS.map((environment) => pulumiDeploymentsOperations(environment)),
                [
                    ["update", "preview", "refresh", "detect-drift", "remediate-drift"],
                    ["update", "refresh", "detect-drift", "remediate-drift"],
                    ["update", "refresh", "detect-drift"],
                ],
            );
        });

        for (const environment of STACKS) {
            it(`lets ${environment}'s update, refresh and drift runs (and dev's previews) assume ${environment}'s write role`, () => {
                const decisions = PULUMI_DEPLOYMENTS_OPERATIONS.map((operation) => [
                    operation,
                    onWriteRole(environment, token(environment, operation)),
                ]);
                assert.deepEqual(Object.fromEntries(decisions), {
                    update: "Allowed",
                    preview: environment === "dev" ? "Allowed" : "ExplicitlyDenied",
                    destroy: "ExplicitlyDenied",
                    refresh: "Allowed",
                    "detect-drift": "Allowed",
                    "remediate-drift": environment === "prod" ? "ExplicitlyDenied" : "Allowed",
                });
            });

            it(`refuses ${environment}'s write role to a preview in another spelling, and to any preview outside dev`, () => {
                assert.equal(
                    onWriteRole(environment, token(environment, "preview")),
                    environment === "dev" ? "Allowed" : "ExplicitlyDenied",
                );
                assert.equal(onWriteRole(environment, token(environment, "Preview")), "ExplicitlyDenied");
            });

            it(`accepts only the exact spelling of ${environment}'s operations`, () => {
                for (const operation of ["Update", "REFRESH", "Detect-Drift", "update ", "*", "update:scope:write"]) {
                    assert.equal(onWriteRole(environment, token(environment, operation)), "ExplicitlyDenied", operation);
                }
            });

            it(`keeps ${environment}'s write role from another stack, project, organisation or issuer`, () => {
                const other = NEXT_STACK[environment];
                const sub = (org: string, project: string, stack: string) => pulumiDeploymentsSubject(org, project, stack, "update");
                assert.equal(onWriteRole(environment, { aud: ORG, sub: sub(ORG, PROJECT, other) }), "ExplicitlyDenied");
                assert.equal(onWriteRole(environment, { aud: ORG, sub: sub(ORG, "orders", environment) }), "ExplicitlyDenied");
                assert.equal(onWriteRole(environment, { aud: "globex", sub: sub("globex", PROJECT, environment) }), "ExplicitlyDenied");
                // The right subject for another audience: no Allow matches, and the subject itself is on the list.
                assert.equal(onWriteRole(environment, { aud: "globex", sub: sub(ORG, PROJECT, environment) }), "ImplicitlyDenied");
                assert.equal(onWriteRole(environment, { aud: "ACME", sub: sub(ORG, PROJECT, environment) }), "ImplicitlyDenied");
                // A token without a subject matches the explicit deny: fail closed.
                assert.equal(onWriteRole(environment, { aud: ORG }), "ExplicitlyDenied");
                // GitHub's issuer is another principal: neither statement is about it.
                const github = assumes(
                    trustOf(environment),
                    ACCOUNTS[environment],
                    deployerName(environment),
                    token(environment, "update"),
                    "token.actions.githubusercontent.com",
                );
                assert.equal(github, "ImplicitlyDenied");
            });
        }

        it("denies prod's destroy in every spelling", () => {
            const decisions = DESTROY_SPELLINGS.map((spelling) => onWriteRole("prod", token("prod", spelling)));
            assert.deepEqual(
                decisions,
                DESTROY_SPELLINGS.map(() => "ExplicitlyDenied"),
            );
        });

        it("keeps prod's destroy denied in every spelling even if a later statement trusted every operation", () => {
            const trust = trustOf("prod");
            const widened: PolicyDocument = {
                ...trust,
                Statement: [
                    ...trust.Statement,
                    {
                        Sid: "AnyOperation",
                        Effect: "Allow",
                        Principal: { Federated: `arn:aws:iam::${ACCOUNTS.prod}:oidc-provider/${PULUMI_OIDC_HOST}` },
                        Action: "sts:AssumeRoleWithWebIdentity",
                        Condition: {
                            StringEquals: { [`${PULUMI_OIDC_HOST}:aud`]: ORG },
                            StringLike: { [`${PULUMI_OIDC_HOST}:sub`]: pulumiDeploymentsSubject(ORG, PROJECT, "prod", "*") },
                        },
                    },
                ],
            };
            for (const spelling of [...DESTROY_SPELLINGS, "preview", "remediate-drift"]) {
                assert.equal(onWriteRole("prod", token("prod", spelling), widened), "ExplicitlyDenied", spelling);
            }
            assert.equal(onWriteRole("prod", token("prod", "update"), widened), "Allowed");
        });

        it("stays within IAM's default 2,048-character trust policy for the longest organisation name the config accepts", () => {
            const lengths = STACKS.map(
                (environment) =>
                    JSON.stringify(
                        pulumiTrustPolicy({
                            accountId: ACCOUNTS[environment],
                            organization: "a".repeat(40),
                            project: PROJECT,
                            stack: environment,
                            environment,
                        }),
                    ).length,
            );
            assert.deepEqual(lengths, [1855, 1605, 1345]);
        });

        it("is the trust policy the stack gives its Deployments role", () => {
            for (const environment of STACKS) {
                const role = resource(graphOf(environment), T.role, "pulumi-deployer");
                assert.equal(role.inputs.name, deployerName(environment));
                assert.deepEqual(JSON.parse(String(role.inputs.assumeRolePolicy)), trustOf(environment));
            }
        });
    });

    describe("previews", () => {
        for (const environment of STACKS) {
            it(`leaves no role of ${environment} that a Deployments preview of any stack can assume, but dev's own write role`, () => {
                const graph = graphOf(environment);
                const reachable = resourcesOf(graph, T.role).flatMap((role) => {
                    const trust = JSON.parse(String(role.inputs.assumeRolePolicy)) as PolicyDocument;
                    return STACKS.filter(
                        (stack) => assumes(trust, ACCOUNTS[environment], String(role.inputs.name), token(stack, "preview")) === "Allowed",
                    ).map((stack) => `${String(role.inputs.name)} <- ${stack}`);
                });
                assert.deepEqual(reachable, environment === "dev" ? [`${deployerName("dev")} <- dev`] : []);
            });
        }

        for (const [owner, configured] of [
            ["dev", "sit"],
            ["sit", "prod"],
            ["prod", "dev"],
        ] as const) {
            it(`${owner} sets ${configured}'s pull-request previews (dev only) and gives its deployments the write role that trusts them exactly there`, () => {
                const settings = resource(graphOf(owner), "pulumiservice:index:DeploymentSettings", `pulumi-cloud-${configured}`)
                    .inputs as {
                    vcs: { previewPullRequests: boolean; repository: string };
                    sourceContext: unknown;
                    operationContext: { oidc: { aws: { roleARN: string } } };
                };
                assert.equal(settings.vcs.previewPullRequests, configured === "dev");
                assert.equal(settings.vcs.repository, `${OWNER}/${FOUNDATION}`);
                assert.deepEqual(settings.sourceContext, { git: { branch: "refs/heads/main", repoDir: "." } });
                const roleArn = `arn:aws:iam::${ACCOUNTS[configured]}:role/${deployerName(configured)}`;
                assert.equal(settings.operationContext.oidc.aws.roleARN, roleArn);
                assert.equal(onWriteRole(configured, token(configured, "preview")), configured === "dev" ? "Allowed" : "ExplicitlyDenied");
            });
        }

        for (const environment of ["sit", "prod"] as const) {
            it(`gives ${environment}'s pull requests only the foundation's previewer, which writes nothing`, async () => {
                const graph = graphOf(environment);
                // Every role that names a pull-request subject or a pull request's workflow in its trust is a previewer:
                // one per repository (the foundation's previews run its pull request's own preview workflow).
                const pullRequestRoles = resourcesOf(graph, T.role)
                    .filter((role) => /:pull_request|@refs\/pull\//.test(String(role.inputs.assumeRolePolicy)))
                    .map((role) => ({ name: String(role.inputs.name), tags: role.inputs.tags as Record<string, string> }));
                assert.deepEqual(
                    pullRequestRoles.map((role) => [role.tags.Repository, role.tags.Access]),
                    [
                        [`${OWNER}/orders-service`, "previewer"],
                        [`${OWNER}/${FOUNDATION}`, "previewer"],
                    ],
                );
                const previewer = pullRequestRoles[1];
                const policies = stackPolicies(graph, ACCOUNTS[environment]);
                const state = `acme-state-${environment}`;
                // Its own policy, the boundary set aside: read-only by itself, not only because the boundary denies.
                const ask = (action: string, resourceArn: string) =>
                    decide(policies, { role: previewer.name, action, resource: resourceArn, withoutBoundary: true });
                const account = ACCOUNTS[environment];
                assert.deepEqual(
                    {
                        putState: await ask(
                            "s3:PutObject",
                            `arn:aws:s3:::${state}/${FOUNDATION}/.pulumi/stacks/${PROJECT}/${environment}.json`,
                        ),
                        deleteState: await ask(
                            "s3:DeleteObject",
                            `arn:aws:s3:::${state}/${FOUNDATION}/.pulumi/stacks/${PROJECT}/${environment}.json`,
                        ),
                        retrust: await ask("iam:UpdateAssumeRolePolicy", `arn:aws:iam::${account}:role/${deployerName(environment)}`),
                        inlinePolicy: await ask("iam:PutRolePolicy", `arn:aws:iam::${account}:role/${deployerName(environment)}`),
                        ledger: await ask(
                            "dynamodb:PutItem",
                            `arn:aws:dynamodb:eu-west-1:${account}:table/acme-deployments-${environment}`,
                        ),
                        lambda: await ask("lambda:UpdateFunctionCode", `arn:aws:lambda:eu-west-1:${account}:function:acme-orders-api`),
                    },
                    {
                        putState: "ImplicitlyDenied",
                        deleteState: "ImplicitlyDenied",
                        retrust: "ImplicitlyDenied",
                        inlinePolicy: "ImplicitlyDenied",
                        ledger: "ImplicitlyDenied",
                        lambda: "ImplicitlyDenied",
                    },
                );
                // Read-only, not useless: it reads its own state to preview.
                assert.equal(
                    await ask("s3:GetObject", `arn:aws:s3:::${state}/${FOUNDATION}/.pulumi/stacks/${PROJECT}/${environment}.json`),
                    "Allowed",
                );
            });
        }
    });

    describe("organisation-wide credentials in config", () => {
        const credentialProblem = (file: string, key: string, variable: string) =>
            `${file}: ${key} must not be in the stack's config in pulumi-cloud mode, not even as a secret: whoever can read the stack, and every Deployments run of it, decrypts its config; remove it (pulumi config rm ${key}) and supply ${variable} from the Pulumi ESC environment only the stack's deployments may open (see docs/pulumi-cloud.md)`;
        const VALUES: Record<string, string> = {
            "pulumiservice:accessToken": "pul-0123456789abcdef",
            "github:token": "ghp_0123456789abcdef",
            "github:appAuth": JSON.stringify({ id: "1", installationId: "2", pemFile: "-----BEGIN RSA PRIVATE KEY-----" }),
            "cicd-foundation:githubToken": "ghp_0123456789abcdef",
        };

        it("covers the Pulumi organisation token and GitHub's token and App key, each with the variable that replaces it", () => {
            assert.deepEqual(ORGANISATION_CREDENTIAL_KEYS, {
                "pulumiservice:accessToken": "PULUMI_ACCESS_TOKEN",
                "github:token": "GITHUB_TOKEN",
                "github:appAuth": "GITHUB_APP_ID, GITHUB_APP_INSTALLATION_ID and GITHUB_APP_PEM_FILE",
                "cicd-foundation:githubToken": "GITHUB_TOKEN",
            });
        });

        for (const environment of STACKS) {
            for (const [key, variable] of Object.entries(ORGANISATION_CREDENTIAL_KEYS)) {
                it(`refuses ${key} in ${environment}'s config in pulumi-cloud mode, even encrypted, naming the key and the file`, () => {
                    const base = rawOf(environment);
                    const file = displayName(base.stackFile as string);
                    // (A GitHub token in dev's or sit's file is also refused for a reason of its own: only prod's stack
                    // writes GitHub settings. That rule has its own tests.)
                    assert.deepEqual(
                        problemsOf(withKeys(base, { [key]: VALUES[key] }, true), environment).filter(
                            (problem) => !problem.includes("does not own the GitHub settings"),
                        ),
                        [credentialProblem(file, key, variable)],
                    );
                    const plain = problemsOf(withKeys(base, { [key]: VALUES[key] }, false), environment);
                    assert.deepEqual(
                        plain.filter((problem) => problem.includes("in pulumi-cloud mode")),
                        [credentialProblem(file, key, variable)],
                    );
                });
            }
        }

        it("reports every such key at once", () => {
            const base = rawOf("prod");
            const file = displayName(base.stackFile as string);
            const keys = { "github:token": VALUES["github:token"], "pulumiservice:accessToken": VALUES["pulumiservice:accessToken"] };
            assert.deepEqual(problemsOf(withKeys(base, keys, true), "prod"), [
                credentialProblem(file, "pulumiservice:accessToken", "PULUMI_ACCESS_TOKEN"),
                credentialProblem(file, "github:token", "GITHUB_TOKEN"),
            ]);
        });

        it("exits 2 from synth with the file and key of an encrypted GitHub token in a stack file", () => {
            const other = fs.mkdtempSync(path.join(os.tmpdir(), "cloud-token-"));
            try {
                for (const environment of STACKS) {
                    const config = fixtureConfig(environment);
                    if (environment === "prod") config["github:token"] = { secure: "v1:Zml4dHVyZQ==:Z2hwX3Rva2Vu" };
                    fs.writeFileSync(path.join(other, `Pulumi.${environment}.yaml`), yaml.dump({ config }));
                }
                const file = path.join(other, "Pulumi.prod.yaml");
                const result = runTool("synth.ts", ["--stack", "prod", "--config", file, "--out-dir", other, "--no-policy"]);
                assert.equal(result.status, 2);
                assert.equal(
                    result.stderr.trim(),
                    [`synth: ${file} has 1 problem(s):`, `  - ${credentialProblem(file, "github:token", "GITHUB_TOKEN")}`].join("\n"),
                );
                assert.deepEqual(fs.readdirSync(other).sort(), ["Pulumi.dev.yaml", "Pulumi.prod.yaml", "Pulumi.sit.yaml"]);
            } finally {
                fs.rmSync(other, { recursive: true, force: true });
            }
        });

        it("accepts the fixture stacks, which hold no such key", () => {
            for (const environment of STACKS) assert.deepEqual(problemsOf(rawOf(environment), environment), []);
        });

        it("leaves the keys to the s3 backend, where the stack's config lives in the organisation's own bucket", () => {
            // Prod's: the only stack that may hold a GitHub token at all.
            const base = rawOf("prod");
            const s3: RawConfig = {
                values: Object.fromEntries(
                    Object.entries(base.values).filter(([key]) => key !== CLOUD && key !== "cicd-foundation:backend"),
                ),
                secretKeys: base.secretKeys,
                stackFile: base.stackFile,
            };
            const withTokens = withKeys(
                s3,
                { "github:token": VALUES["github:token"], "cicd-foundation:githubToken": VALUES["github:token"] },
                true,
            );
            assert.deepEqual(problemsOf(withTokens, "prod"), []);
        });
    });

    describe("who may start a run, and so choose its source", () => {
        const withPermissions = (environment: Environment, permissions: Record<string, string>): RawConfig => {
            const base = rawOf(environment);
            const cloud = JSON.parse(base.values[CLOUD]) as Record<string, unknown>;
            return { ...base, values: { ...base.values, [CLOUD]: JSON.stringify({ ...cloud, stackPermissions: permissions }) } };
        };

        for (const environment of ["sit", "prod"] as const) {
            it(`refuses edit on ${environment}: it lets a team run any commit with the write role`, () => {
                const file = displayName(rawOf(environment).stackFile as string);
                assert.deepEqual(
                    problemsOf(withPermissions(environment, { platform: "admin", developers: "edit", auditors: "edit" }), environment),
                    [
                        `${file}: ${CLOUD}.stackPermissions.developers must be read or admin in ${environment}, got 'edit': whoever may edit a stack may start a Deployments run of any commit or branch (the source can be overridden per run), so in sit and prod only its administrators may`,
                        `${file}: ${CLOUD}.stackPermissions.auditors must be read or admin in ${environment}, got 'edit': whoever may edit a stack may start a Deployments run of any commit or branch (the source can be overridden per run), so in sit and prod only its administrators may`,
                    ],
                );
                assert.deepEqual(problemsOf(withPermissions(environment, { platform: "admin", developers: "read" }), environment), []);
            });
        }

        it("allows edit on dev, where developers try their changes", () => {
            assert.deepEqual(problemsOf(withPermissions("dev", { platform: "admin", developers: "edit", auditors: "edit" }), "dev"), []);
        });
    });
});
