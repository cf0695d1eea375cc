import { strict as assert } from "assert";
import { ConfigError, type RawConfig } from "../config";
import { CALLS } from "../tools/githubBudget";
import type { Graph } from "../tools/lib/synthesize";
import { directoryLookups } from "./helpers/github";
import { ACME, fixtureConfig } from "./helpers/githubFixtures";
import { resourcesOf, synth } from "./helpers/stacks";

const APP = "github:index/appInstallationRepository:AppInstallationRepository";
const TEAM = "github:index/teamRepository:TeamRepository";

/** The fixture organisation's stack (test/fixtures/github) with githubAccess set, beside its own neighbours. */
function withAccess(stack: string, access: unknown): RawConfig {
    const base = fixtureConfig(stack);
    return { ...base, values: { ...base.values, "cicd-foundation:githubAccess": JSON.stringify(access) } };
}

describe("prod's stack grants each repository its GitHub access", () => {
    let granted: Graph;
    let plain: Graph;
    before(async () => {
        granted = await synth(
            "prod",
            "preview",
            withAccess("prod", { appInstallationIds: ["4101", "4102"], grantReviewerTeams: true }),
            directoryLookups(ACME),
        );
        plain = await synth("prod", "preview", fixtureConfig("prod"), directoryLookups(ACME));
    });

    it("adds every repository to each App installation, one resource per repository and App", () => {
        assert.deepEqual(
            resourcesOf(granted, APP)
                .map((r) => [r.inputs.installationId, r.inputs.repository])
                .sort(),
            ["4101", "4102"].flatMap((id) => ["ledger-tables", "payments-lambda", "platform"].map((repo) => [id, repo])).sort(),
        );
    });

    it("gives every reviewer and approver team of the three environments pull access to every repository", () => {
        // dev: dev-leads; sit: dev-leads, qa-leads; prod: dev-leads, release-owners, platform-leads (the fixture's files).
        const teams = ["dev-leads", "qa-leads", "release-owners", "platform-leads"].map((slug) => String(ACME.teams[slug]));
        const repositories = ["ledger-tables", "payments-lambda", "platform"];
        assert.deepEqual(
            resourcesOf(granted, TEAM)
                .map((r) => [r.inputs.repository, r.inputs.teamId, r.inputs.permission])
                .sort(),
            repositories.flatMap((repo) => teams.map((team) => [repo, team, "pull"])).sort(),
        );
    });

    it("declares neither when githubAccess is not set", () => {
        assert.deepEqual([resourcesOf(plain, APP).length, resourcesOf(plain, TEAM).length], [0, 0]);
    });

    it("counts both types in the GitHub budget", () => {
        assert.deepEqual([CALLS[APP]?.createWrites, CALLS[TEAM]?.createWrites], [1, 1]);
    });

    it("refuses githubAccess in a stack that does not own the GitHub side", async () => {
        await assert.rejects(
            synth("dev", "preview", withAccess("dev", { grantReviewerTeams: true }), directoryLookups(ACME)),
            (error: unknown) => {
                assert.ok(error instanceof ConfigError);
                assert.deepEqual(error.problems, [
                    "test/fixtures/github/Pulumi.dev.yaml: cicd-foundation:githubAccess is set in a stack that does not own the GitHub settings: only prod's stack (ownsRepositoryRuleset: true) writes to GitHub",
                ]);
                return true;
            },
        );
    });
});
