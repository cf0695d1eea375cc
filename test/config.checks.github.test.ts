import { strict as assert } from "assert";
import { githubOwnershipProblems } from "../config/checks/github";
import { P, parsedStackOf } from "./support/configChecks";

const NOT_OWNER = "is set in a stack that does not own the GitHub settings: only prod's stack (ownsRepositoryRuleset: true)";

describe("config check: who writes to GitHub", () => {
    it("passes prod owning the GitHub settings with access to grant, and dev owning nothing", () => {
        const access = { [`${P}:githubAccess`]: { appInstallationIds: ["123"], grantReviewerTeams: true } };
        assert.deepEqual(githubOwnershipProblems(parsedStackOf("prod", access)), []);
        assert.deepEqual(githubOwnershipProblems(parsedStackOf("dev")), []);
    });

    it("refuses the GitHub settings in dev's stack, whose approvals are below the ruleset's", () => {
        assert.deepEqual(githubOwnershipProblems(parsedStackOf("dev", { [`${P}:ownsRepositoryRuleset`]: true })), [
            {
                key: `${P}:ownsRepositoryRuleset`,
                message:
                    "is true in dev, but only prod's stack may own the GitHub settings: it is deployed only after prod's reviewers, and a key that writes one environment's settings writes every environment's",
            },
            {
                key: `${P}:ownsRepositoryRuleset`,
                message: "needs environmentProtection.requiredApprovals of at least 3 (the largest environment's count), got 1",
            },
        ]);
    });

    it("refuses access grants and a write credential in a stack that does not own the settings", () => {
        const stack = parsedStackOf("sit", {
            [`${P}:githubAccess`]: { appInstallationIds: [], grantReviewerTeams: true },
            [`${P}:githubToken`]: "ghp_secret",
        });
        assert.deepEqual(githubOwnershipProblems(stack), [
            { key: `${P}:githubAccess`, message: `${NOT_OWNER} writes to GitHub` },
            {
                key: `${P}:githubToken`,
                message: `${NOT_OWNER} holds a GitHub write credential; this stack only reads, with a read-only GITHUB_TOKEN`,
            },
        ]);
    });

    it("lets a stack that owns nothing declare an empty grant", () => {
        const stack = parsedStackOf("sit", { [`${P}:githubAccess`]: { appInstallationIds: [], grantReviewerTeams: false } });
        assert.deepEqual(githubOwnershipProblems(stack), []);
    });

    it("leaves the ruleset's approvals unjudged while the protection itself is refused", () => {
        const stack = parsedStackOf(
            "dev",
            { [`${P}:ownsRepositoryRuleset`]: true, [`${P}:environmentProtection`]: { requiredApprovals: "three" } },
            true,
        );
        assert.deepEqual(
            githubOwnershipProblems(stack).map((p) => p.message.slice(0, 14)),
            ["is true in dev"],
        );
    });
});
