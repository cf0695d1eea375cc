import { strict as assert } from "assert";
import { ConfigError, type RawConfig } from "../config";
import { lookupFailure, type Graph, type GraphResource, type LookupHandler } from "../tools/lib/synthesize";
import { directoryLookups } from "./helpers/github";
import { ACME, fixtureConfig } from "./helpers/githubFixtures";
import { resourcesOf, synth, T } from "./helpers/stacks";

/** The tests' own organisation's dev account (test/fixtures/github), never the committed stacks'. */
const DEV_ACCOUNT = "111111111111";
const GITHUB_PROVIDER_ARN = `arn:aws:iam::${DEV_ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
const LOOKUP = "aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider";

/** The fixture's dev stack with keys changed, still beside its own sit and prod files. */
function devWith(changes: Record<string, unknown>): RawConfig {
    const base = fixtureConfig("dev");
    const values = { ...base.values };
    for (const [key, value] of Object.entries(changes)) values[key] = JSON.stringify(value);
    return { ...base, values };
}

/** The fixture's GitHub directory, and AWS's answer for the providers the account has; every lookup is recorded. */
function lookupsWith(existing: readonly string[], seen: string[]): LookupHandler {
    const github = directoryLookups(ACME);
    return (token, inputs) => {
        seen.push(token === LOOKUP ? `${token} ${String(inputs.arn)}` : token);
        if (token !== LOOKUP) return github(token, inputs);
        if (!existing.includes(String(inputs.arn))) throw lookupFailure(`NoSuchEntity: ${String(inputs.arn)}`);
        return { arn: inputs.arn, url: "token.actions.githubusercontent.com", clientIdLists: ["sts.amazonaws.com"] };
    };
}

/** Roles whose trust policy names GitHub's provider. */
const githubTrusting = (graph: Graph) =>
    resourcesOf(graph, T.role).filter((r) => String(r.inputs.assumeRolePolicy).includes("token.actions.githubusercontent.com"));

describe("a first `up` on an account: the OIDC provider and the roles that trust it", () => {
    let created: Graph;
    let adopted: Graph;
    let imported: Graph;
    const adoptedLookups: string[] = [];
    before(async () => {
        created = await synth("dev", "preview", fixtureConfig("dev"), lookupsWith([], []));
        adopted = await synth(
            "dev",
            "preview",
            devWith({ "cicd-foundation:oidcProviders": { github: { adopt: GITHUB_PROVIDER_ARN } } }),
            lookupsWith([GITHUB_PROVIDER_ARN], adoptedLookups),
        );
        imported = await synth(
            "dev",
            "preview",
            devWith({ "cicd-foundation:oidcProviders": { github: { import: GITHUB_PROVIDER_ARN } } }),
            lookupsWith([], []),
        );
    });

    it("makes every role trusting GitHub's provider depend on the provider it creates", () => {
        const [provider] = resourcesOf(created, T.oidcProvider);
        const roles = githubTrusting(created);
        assert.equal(roles.length, 9, "three repositories, each with a deployer, a previewer and a ledger reader");
        assert.deepEqual(
            roles.filter((r: GraphResource) => !r.dependencies.includes(provider.urn)).map((r) => r.name),
            [],
        );
    });

    it("creates no provider when the account's is adopted, and looks it up by its ARN", () => {
        assert.deepEqual(resourcesOf(adopted, T.oidcProvider), []);
        assert.deepEqual(
            adoptedLookups.filter((l) => l.startsWith(LOOKUP)),
            [`${LOOKUP} ${GITHUB_PROVIDER_ARN}`],
        );
        assert.equal(githubTrusting(adopted).length, 9);
    });

    it("keeps the provider as a resource when it is imported, and the roles still wait for it", () => {
        const providers = resourcesOf(imported, T.oidcProvider);
        assert.deepEqual(
            providers.map((p) => [p.name, p.inputs.url]),
            [["github-oidc", "https://token.actions.githubusercontent.com"]],
        );
        assert.deepEqual(
            githubTrusting(imported)
                .filter((r) => !r.dependencies.includes(providers[0].urn))
                .map((r) => r.name),
            [],
        );
    });
});

describe("config: an existing OIDC provider is named exactly", () => {
    const problems = async (value: unknown) => {
        try {
            await synth("dev", "preview", devWith({ "cicd-foundation:oidcProviders": value }), lookupsWith([], []));
            return [];
        } catch (error) {
            if (error instanceof ConfigError) return [...error.problems];
            throw error;
        }
    };
    const file = "test/fixtures/github/Pulumi.dev.yaml";

    it("refuses another account's provider, naming the key and the ARN the trust policies need", async () => {
        assert.deepEqual(
            await problems({ github: { adopt: "arn:aws:iam::999999999999:oidc-provider/token.actions.githubusercontent.com" } }),
            [
                `${file}: cicd-foundation:oidcProviders.github.adopt must be '${GITHUB_PROVIDER_ARN}' (the provider the roles' trust policies name), got 'arn:aws:iam::999999999999:oidc-provider/token.actions.githubusercontent.com'`,
            ],
        );
    });

    it("refuses adopt and import together", async () => {
        assert.deepEqual(await problems({ github: { adopt: GITHUB_PROVIDER_ARN, import: GITHUB_PROVIDER_ARN } }), [
            `${file}: cicd-foundation:oidcProviders.github must name exactly one of adopt (look the provider up and leave it to its owner) or import (manage the existing provider from now on)`,
        ]);
    });

    it("refuses Pulumi's provider on the S3 backend, which never uses it", async () => {
        const arn = `arn:aws:iam::${DEV_ACCOUNT}:oidc-provider/api.pulumi.com/oidc`;
        assert.deepEqual(await problems({ pulumi: { adopt: arn } }), [
            `${file}: cicd-foundation:oidcProviders.pulumi.adopt names Pulumi Cloud's provider, which only the pulumi-cloud backend uses: remove it or set backend: pulumi-cloud`,
        ]);
    });
});
