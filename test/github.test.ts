import { strict as assert } from "assert";
import { ConfigError, displayName } from "../config";
import { directoryLookups, ORG } from "./helpers/github";
import { configValue, stackConfig, synth, withConfig } from "./helpers/stacks";
import { fixtureStackFile } from "./support/stacks";

/** How the program names the fixture organisation's file of a stack in its errors. */
const file = (stack: string) => displayName(fixtureStackFile(stack));

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
            `${file("sit")}: cicd-foundation:environmentProtection.reviewers.teams[1] 'qa-leads' is not a team of org the token can see: GET https://api.github.com/orgs/org/teams/qa-leads: 404 Not Found []`,
            `${file("sit")}: cicd-foundation:environmentProtection.reviewers.users[0] 'ghost-user' is not a GitHub user: GET https://api.github.com/users/ghost-user: 404 Not Found []`,
        ]);
    });

    it("names a repository whose ids cannot be found", async () => {
        const { "org/cicd-foundation": _gone, ...others } = ORG.repositories;
        assert.deepEqual(await problems("dev", stackConfig("dev"), { ...ORG, repositories: others }), [
            `${file("dev")}: cicd-foundation:repositories[6].name 'cicd-foundation' is not a repository of org: GET https://api.github.com/repos/org/cicd-foundation: 404 Not Found []`,
        ]);
    });

    it("refuses the GitHub side to a stack other than prod's, whose approvals are below prod's", async () => {
        assert.deepEqual(await problems("sit", withConfig(stackConfig("sit"), { "cicd-foundation:ownsRepositoryRuleset": true })), [
            `${file("sit")}: cicd-foundation:ownsRepositoryRuleset is true in sit, but only prod's stack may own the GitHub settings: it is deployed only after prod's reviewers, and a key that writes one environment's settings writes every environment's`,
            `${file("sit")}: cicd-foundation:ownsRepositoryRuleset needs environmentProtection.requiredApprovals of at least 3 (the largest environment's count), got 2`,
        ]);
    });
});
