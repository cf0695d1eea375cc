import { strict as assert } from "assert";
import { ConfigError, type RawConfig } from "../config";
import { reviewerTeamAccessProblems } from "../config/checks/reviewerTeamAccess";
import type { LookupHandler } from "../tools/lib/synthesize";
import { directoryLookups, type Directory } from "./helpers/github";
import { ACME, fixtureConfig } from "./helpers/githubFixtures";
import { resourcesOf, synth } from "./helpers/stacks";

const REPOSITORIES = [
    { name: "billing", repositoryId: 11, visibility: "private" },
    { name: "handbook", repositoryId: 12, visibility: "internal" },
    { name: "open-source", repositoryId: 13, visibility: "public" },
];
const OWNER_FILE = "Pulumi.prod.yaml";

describe("config: a reviewer team without access to a repository it reviews", () => {
    it("passes a team with access to every private and internal repository", () => {
        const teams = [{ index: 0, slug: "release-owners", repositoryIds: [11, 12] }];
        assert.deepEqual(reviewerTeamAccessProblems({ owner: "acme", ownerFile: OWNER_FILE, teams, repositories: REPOSITORIES }), []);
    });

    it("refuses a team without access, naming the team's key, the repository and the key that grants access", () => {
        const teams = [
            { index: 0, slug: "dev-leads", repositoryIds: [11, 12] },
            { index: 1, slug: "qa-leads", repositoryIds: [12] },
        ];
        assert.deepEqual(reviewerTeamAccessProblems({ owner: "acme", ownerFile: OWNER_FILE, teams, repositories: REPOSITORIES }), [
            {
                key: "cicd-foundation:environmentProtection.reviewers.teams[1]",
                message:
                    "'qa-leads' has no access to acme/billing (private), so GitHub would ignore the team as a required reviewer there without an error: give the team read access to the repository, or set cicd-foundation:githubAccess.grantReviewerTeams: true in Pulumi.prod.yaml",
            },
        ]);
    });

    it("does not apply to a public repository, which every team can read", () => {
        const teams = [{ index: 0, slug: "dev-leads", repositoryIds: [] }];
        assert.deepEqual(
            reviewerTeamAccessProblems({ owner: "acme", ownerFile: OWNER_FILE, teams, repositories: REPOSITORIES.slice(2) }),
            [],
        );
    });

    describe("through the program's lookups, in the stack that writes the GitHub side", () => {
        /** The fixture organisation where qa-leads (sit's second team) reaches only payments-lambda. */
        const PARTIAL: Directory = {
            ...ACME,
            teamRepositories: { "qa-leads": ["acme-org/payments-lambda"] },
        };
        const withGrant = (): RawConfig => {
            const base = fixtureConfig("prod");
            const access = JSON.stringify({ appInstallationIds: [], grantReviewerTeams: true });
            return { ...base, values: { ...base.values, "cicd-foundation:githubAccess": access } };
        };
        const seen: Record<string, unknown>[] = [];
        const recording =
            (directory: Directory): LookupHandler =>
            (token, inputs) => {
                if (token === "github:index/getTeam:getTeam") seen.push(inputs);
                return directoryLookups(directory)(token, inputs);
            };

        it("stops prod's synthesis, naming sit's team, each repository it lacks and prod's file", async () => {
            await assert.rejects(synth("prod", "preview", fixtureConfig("prod"), directoryLookups(PARTIAL)), (error: unknown) => {
                assert.ok(error instanceof ConfigError);
                const grant =
                    "so GitHub would ignore the team as a required reviewer there without an error: give the team read access to the repository, or set cicd-foundation:githubAccess.grantReviewerTeams: true in test/fixtures/github/Pulumi.prod.yaml";
                assert.deepEqual(error.problems, [
                    `test/fixtures/github/Pulumi.sit.yaml: cicd-foundation:environmentProtection.reviewers.teams[1] 'qa-leads' has no access to acme-org/ledger-tables (private), ${grant}`,
                    `test/fixtures/github/Pulumi.sit.yaml: cicd-foundation:environmentProtection.reviewers.teams[1] 'qa-leads' has no access to acme-org/platform (private), ${grant}`,
                ]);
                return true;
            });
        });

        it("synthesizes prod when every team has access, asking GitHub for each team's repositories", async () => {
            seen.length = 0;
            const graph = await synth("prod", "preview", fixtureConfig("prod"), recording(ACME));
            assert.ok(graph.resources.length > 0);
            assert.ok(seen.length > 0);
            assert.ok(seen.some((inputs) => inputs.summaryOnly === false));
        });

        it("does not apply when prod's stack grants the teams access itself (githubAccess.grantReviewerTeams)", async () => {
            seen.length = 0;
            const graph = await synth("prod", "preview", withGrant(), recording(PARTIAL));
            const grants = resourcesOf(graph, "github:index/teamRepository:TeamRepository");
            assert.equal(grants.filter((r) => r.inputs.teamId === String(ACME.teams["qa-leads"])).length, 3);
            assert.deepEqual(
                seen.map((inputs) => inputs.summaryOnly),
                seen.map(() => true),
            );
        });

        it("does not apply in dev's stack, which declares no GitHub side", async () => {
            seen.length = 0;
            const noAccess: Directory = { ...ACME, teamRepositories: { "dev-leads": [] } };
            const graph = await synth("dev", "preview", fixtureConfig("dev"), recording(noAccess));
            assert.ok(graph.resources.length > 0);
            assert.deepEqual(
                seen.map((inputs) => [inputs.slug, inputs.summaryOnly]),
                [["dev-leads", true]],
            );
        });
    });
});
