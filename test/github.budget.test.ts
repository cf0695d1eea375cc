import { strict as assert } from "assert";
import { budgetOf, budgetSection, chosenRefreshParallelism, chosenWriteDelayMs, withBudgetSection } from "../tools/githubBudget";
import { FIXTURE_DIR } from "./helpers/githubFixtures";

describe("the GitHub API budget (npm run github-budget)", () => {
    it("counts the fixture's GitHub resources, first-up requests and refresh reads from the provider's calls per type", async () => {
        const budget = await budgetOf(FIXTURE_DIR, 3);
        assert.deepEqual(budget, {
            repositories: 3,
            resources: { dev: 0, sit: 0, prod: 25 },
            byType: {
                "github:index/repositoryEnvironment:RepositoryEnvironment": 9,
                "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy": 9,
                "github:index/repositoryRuleset:RepositoryRuleset": 6,
                "github:index/actionsOrganizationSecret:ActionsOrganizationSecret": 1,
            },
            // Reviewer teams (dev's 1, sit's 2; prod's stack looks up all three environments' besides its own), and in
            // every stack the owner and each repository's id, which the roles trust.
            lookups: 36,
            writes: 25,
            upReads: 9 + 9 + 6 + 2 + 36,
            refreshReads: 25 + 36,
        });
    });

    it("keeps the provider's one-second write delay up to 500 writes, then paces writes at 500 an hour, the request included", () => {
        assert.deepEqual(
            [chosenWriteDelayMs(25), chosenWriteDelayMs(500), chosenWriteDelayMs(501), chosenWriteDelayMs(9000)],
            [1000, 1000, 6900, 6900],
        );
    });

    it("reads a refresh with as many requests in flight as keep one endpoint under 900 points a minute", () => {
        assert.equal(chosenRefreshParallelism(300), 4);
        assert.equal(chosenRefreshParallelism(1000), 15);
    });

    it("replaces its own section of the performance page and nothing else", () => {
        const page = "# Performance\n\n## Scale\n\nrows\n";
        const once = withBudgetSection(page, "## GitHub API budget\n\nfirst\n");
        assert.equal(
            once,
            "# Performance\n\n## Scale\n\nrows\n\n<!-- github-budget:start -->\n\n## GitHub API budget\n\nfirst\n\n<!-- github-budget:end -->\n",
        );
        assert.equal(
            withBudgetSection(once, "## GitHub API budget\n\nsecond\n"),
            "# Performance\n\n## Scale\n\nrows\n\n<!-- github-budget:start -->\n\n## GitHub API budget\n\nsecond\n\n<!-- github-budget:end -->\n",
        );
    });

    it("reports the share of the hourly write limit and the time of a first up", async () => {
        const section = budgetSection([await budgetOf(FIXTURE_DIR, 3)]);
        const row = section.split("\n").find((line) => line.startsWith("| 3 "));
        assert.equal(
            row?.replace(/ +/g, " "),
            "| 3 | 0 / 0 / 25 | 8.3 | 25 | 62 | 61 | 5 % | 1 % | 1 % | 0 % | 1000 ms | 33 s | 33 s | 5 s |",
        );
    });
});
