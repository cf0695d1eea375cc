import { strict as assert } from "assert";
import * as fs from "fs";
import { createValidatedPolicy, validateTrustPolicy } from "@cloud-copilot/iam-policy";
import { runUnsafeSimulation } from "@cloud-copilot/iam-simulate";
import { ConfigError, type Environment, type RawConfig } from "../config";
import { githubServer, githubServerProblems } from "../config/checks/githubServer";
import { roleName } from "../shared/names";
import { jobWorkflowRef } from "../components/githubOidc";
import { displayName, readStackFile } from "../config";
import type { Graph } from "../tools/lib/synthesize";
import type { Decision } from "./helpers/iamSimulation";
import { mutate, stackOutcome, without } from "./helpers/policy";
import { resourcesOf, synth, T } from "./helpers/stacks";
import {
    ACCOUNTS,
    FOUNDATION,
    fixtureStacks,
    LAMBDA,
    lookups,
    OWNER,
    removeFixtures,
    REPOSITORIES,
    REPOSITORY_IDS,
    TERRAFORM,
} from "./helpers/trustFixture";

const BASE_URL = "https://github.acme.example/";
const ISSUER_HOST = "github.acme.example/_services/token";
const GITHUB_COM_HOST = "token.actions.githubusercontent.com";
/** The fixture organisation without its Lambda service, which a server cannot build (no attestations). */
const ON_SERVER = REPOSITORIES.filter((r) => r.name !== LAMBDA);

/** The fixture's three stack files with extra keys, rewritten in place so each is checked against the others. */
function stacksWith(extra: Record<string, unknown>, repositories: unknown[] = ON_SERVER): Record<Environment, RawConfig> {
    const stacks = fixtureStacks(repositories);
    for (const stack of Object.keys(stacks) as Environment[]) {
        const file = stacks[stack].stackFile as string;
        const content = JSON.parse(fs.readFileSync(file, "utf8")) as { config: Record<string, unknown> };
        fs.writeFileSync(file, JSON.stringify({ config: { ...content.config, ...extra } }, null, 2));
        stacks[stack] = readStackFile(file);
    }
    return stacks;
}

/** Evaluates a role's trust policy for a token of `issuer` (host and path), with the job's claims under that issuer's keys. */
function assume(graph: Graph, role: string, issuer: string, claims: Record<string, string>): Decision {
    const found = resourcesOf(graph, T.role).find((r) => r.inputs.name === role);
    if (!found) throw new Error(`no role ${role} in the graph`);
    const accountId = ACCOUNTS.dev;
    const trust = createValidatedPolicy(JSON.parse(found.inputs.assumeRolePolicy as string), validateTrustPolicy, { name: "trust" });
    return runUnsafeSimulation(
        {
            request: {
                principal: `arn:aws:iam::${accountId}:oidc-provider/${issuer}`,
                action: "sts:AssumeRoleWithWebIdentity",
                resource: { resource: `arn:aws:iam::${accountId}:role/${role}`, accountId },
                contextVariables: Object.fromEntries(Object.entries(claims).map(([key, value]) => [`${issuer}:${key}`, value])),
            },
            identityPolicies: [],
            serviceControlPolicies: [],
            resourceControlPolicies: [],
            resourcePolicy: trust as never,
        },
        {},
    ) as Decision;
}

describe("GitHub Enterprise Server (githubBaseUrl)", () => {
    describe("the server a base URL names", () => {
        it("keeps github.com's issuer and the provider's own API when the key is absent", () => {
            assert.deepEqual(githubServer(undefined), { serverUrl: "https://github.com", oidcHost: GITHUB_COM_HOST });
        });

        it("derives the server's API and Actions issuer from https://HOST/", () => {
            assert.deepEqual(githubServer(BASE_URL), {
                serverUrl: "https://github.acme.example",
                apiUrl: "https://github.acme.example/api/v3/",
                oidcHost: ISSUER_HOST,
            });
        });

        it("refuses the kinds whose pipelines need artifact attestations, naming each entry's key", () => {
            const repositories = REPOSITORIES.map((r, index) => ({ index, name: r.name, kind: r.kind }));
            assert.deepEqual(githubServerProblems(BASE_URL, repositories), [
                {
                    key: "cicd-foundation:repositories[1].kind",
                    message: `'lambda' needs artifact attestations, which GitHub Enterprise Server (githubBaseUrl ${BASE_URL}) does not have: its build attests the artifact and its deploy verifies it. Deploy '${LAMBDA}' with a terraform or pulumi pipeline, or from github.com`,
                },
            ]);
            assert.deepEqual(githubServerProblems(undefined, repositories), []);
        });
    });

    describe("a stack on the server", () => {
        let graph: Graph;
        before(async () => {
            graph = await synth("dev", "resolved", stacksWith({ "cicd-foundation:githubBaseUrl": BASE_URL }).dev, lookups);
        });
        after(removeFixtures);
        const deployer = roleName(
            { prefix: "acme", environment: "dev", accountId: ACCOUNTS.dev, region: "eu-west-1" },
            "deployer",
            TERRAFORM,
        );
        const claims = (workflow: string) => ({
            aud: "sts.amazonaws.com",
            sub: `repo:${OWNER}/${TERRAFORM}:environment:dev`,
            repository_id: String(REPOSITORY_IDS[TERRAFORM]),
            environment: "dev",
            job_workflow_ref: workflow,
        });
        const apply = jobWorkflowRef(OWNER, FOUNDATION, "terraform-apply.yml");

        it("talks to the server's API through the GitHub provider", () => {
            const [provider] = resourcesOf(graph, "pulumi:providers:github");
            assert.equal(provider.inputs.baseUrl, "https://github.acme.example/api/v3/");
        });

        it("creates the account's OIDC provider for the server's issuer", () => {
            const [provider] = resourcesOf(graph, "aws:iam/openIdConnectProvider:OpenIdConnectProvider");
            assert.deepEqual([provider.inputs.url, provider.inputs.clientIdLists], [`https://${ISSUER_HOST}`, ["sts.amazonaws.com"]]);
        });

        it("lets the server's token with the right claims assume the deployer", () => {
            assert.equal(assume(graph, deployer, ISSUER_HOST, claims(apply)), "Allowed");
        });

        it("denies the same claims from github.com's issuer", () => {
            assert.equal(assume(graph, deployer, GITHUB_COM_HOST, claims(apply)), "ImplicitlyDenied");
        });

        it("passes the pack's oidc-trust when its config names the server's issuer", () => {
            const configured = { config: { environment: "dev", githubIssuer: ISSUER_HOST } };
            assert.deepEqual(stackOutcome("oidc-trust", graph, configured), { violations: [] });
        });

        it("flags every server role when the pack's config names no issuer: the graph's own provider is not taken on trust", () => {
            const outcome = stackOutcome("oidc-trust", graph, { config: { environment: "dev" } });
            assert.ok(outcome.violations.length > 0);
            assert.deepEqual(
                outcome.violations.filter((v) => !v.includes(`an OIDC issuer other than GitHub Actions' (${GITHUB_COM_HOST})`)),
                [],
            );
        });

        it("flags a server role when the pack is told github.com's issuer (fail closed, not skipped)", () => {
            const outcome = stackOutcome("oidc-trust", graph, { config: { environment: "dev", githubIssuer: GITHUB_COM_HOST } });
            assert.ok(
                outcome.violations.includes(
                    `Role '${TERRAFORM}-deployer': trusts arn:aws:iam::${ACCOUNTS.dev}:oidc-provider/${ISSUER_HOST}, an OIDC issuer other than GitHub Actions' (${GITHUB_COM_HOST}) and Pulumi Deployments': for a GitHub Enterprise Server, set oidc-trust's githubIssuer (HOST/_services/token) in the pack's config.`,
                ),
                outcome.violations.join("\n"),
            );
        });

        it("flags a server role when the graph holds no provider to learn the issuer from (an adopted one)", () => {
            const adopted = without(graph, "aws:iam/openIdConnectProvider:OpenIdConnectProvider", "github-oidc");
            const outcome = stackOutcome("oidc-trust", adopted, { config: { environment: "dev" } });
            assert.ok(outcome.violations.length > 0);
            assert.ok(outcome.violations.every((v) => v.includes(`an OIDC issuer other than GitHub Actions' (${GITHUB_COM_HOST})`)));
        });

        it("judges the server's condition keys: a deployer without job_workflow_ref is flagged", () => {
            const broken = mutate(graph, T.role, `${TERRAFORM}-deployer`, (r) => {
                const document = JSON.parse(r.inputs.assumeRolePolicy as string) as {
                    Statement: { Condition: Record<string, Record<string, unknown>> }[];
                };
                delete document.Statement[0].Condition.StringEquals[`${ISSUER_HOST}:job_workflow_ref`];
                r.inputs.assumeRolePolicy = JSON.stringify(document);
            });
            assert.deepEqual(stackOutcome("oidc-trust", broken, { config: { environment: "dev", githubIssuer: ISSUER_HOST } }).violations, [
                `Role '${TERRAFORM}-deployer': statement 'GithubActionsOidc' must check ${ISSUER_HOST}:job_workflow_ref with StringEquals the workflows that may assume it (OWNER/REPO/.github/workflows/FILE@refs/heads/BRANCH).`,
            ]);
        });

        it("denies the server's token from another workflow", () => {
            assert.equal(assume(graph, deployer, ISSUER_HOST, claims(jobWorkflowRef(OWNER, TERRAFORM, "deploy.yml"))), "ImplicitlyDenied");
        });
    });

    describe("the stack file's key", () => {
        after(removeFixtures);
        const refused = async (value: unknown, repositories: unknown[] = ON_SERVER) => {
            const stacks = stacksWith({ "cicd-foundation:githubBaseUrl": value }, repositories);
            try {
                await synth("dev", "preview", stacks.dev, lookups);
            } catch (error) {
                assert.ok(error instanceof ConfigError);
                return error.problems.map((p) => p.slice(p.indexOf(": ") + 2));
            }
            throw new Error(`githubBaseUrl ${JSON.stringify(value)} was accepted`);
        };
        const SHAPE = "must be https://HOST/ of a GitHub Enterprise Server: lowercase host, ending in /; omit the key for github.com";

        for (const value of [
            "http://github.acme.example/",
            "https://github.acme.example",
            "https://GitHub.acme.example/",
            "https://github.com/",
        ])
            it(`refuses ${value}, naming the key`, async () => {
                const problems = await refused(value);
                assert.ok(
                    problems.some((p) => p.startsWith(`cicd-foundation:githubBaseUrl ${SHAPE}`)),
                    problems.join("\n"),
                );
            });

        it("refuses a server named in one stack file only: every stack talks to one GitHub", async () => {
            const stacks = fixtureStacks(ON_SERVER);
            const file = stacks.dev.stackFile as string;
            const content = JSON.parse(fs.readFileSync(file, "utf8")) as { config: Record<string, unknown> };
            fs.writeFileSync(file, JSON.stringify({ config: { ...content.config, "cicd-foundation:githubBaseUrl": BASE_URL } }));
            await assert.rejects(synth("dev", "preview", readStackFile(file), lookups), (error: unknown) => {
                assert.ok(error instanceof ConfigError);
                assert.deepEqual(
                    [...error.problems].sort(),
                    [stacks.prod, stacks.sit].map(
                        (c) =>
                            `${displayName(c.stackFile as string)}: cicd-foundation:githubBaseUrl is not set (github.com) but '${BASE_URL}' in ${displayName(file)}: every stack talks to one GitHub`,
                    ),
                );
                return true;
            });
        });

        it("refuses a Lambda service on the server, naming its entry", async () => {
            assert.deepEqual(await refused(BASE_URL, REPOSITORIES), [
                `cicd-foundation:repositories[1].kind 'lambda' needs artifact attestations, which GitHub Enterprise Server (githubBaseUrl ${BASE_URL}) does not have: its build attests the artifact and its deploy verifies it. Deploy '${LAMBDA}' with a terraform or pulumi pipeline, or from github.com`,
                // The stack files beside it carry the same entry, so their own problem is named once, by file.
                "has 1 problem(s) of its own, so the rules across stacks cannot be checked: run 'npm run synth -- --stack prod' to list them",
                "has 1 problem(s) of its own, so the rules across stacks cannot be checked: run 'npm run synth -- --stack sit' to list them",
            ]);
        });
    });
});
