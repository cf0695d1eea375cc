import { strict as assert } from "assert";
import { ConfigError } from "../config";
import { requiredReviewersProblems } from "../config/checks/githubPlan";
import type { LookupHandler } from "../tools/lib/synthesize";
import { directoryLookups } from "./helpers/github";
import { ACME, fixtureConfig } from "./helpers/githubFixtures";
import { synth } from "./helpers/stacks";

const REPOSITORIES = [
    { index: 0, name: "open-source", visibility: "public" },
    { index: 1, name: "billing", visibility: "private" },
    { index: 2, name: "handbook", visibility: "internal" },
];

describe("config: required reviewers GitHub would ignore on the organisation's plan", () => {
    it("passes every repository on GitHub Enterprise", () => {
        assert.deepEqual(requiredReviewersProblems({ owner: "acme", plan: "enterprise", reviewers: 2, repositories: REPOSITORIES }), []);
    });

    it("refuses private and internal repositories on GitHub Team, naming each repository's key", () => {
        const problems = requiredReviewersProblems({ owner: "acme", plan: "team", reviewers: 2, repositories: REPOSITORIES });
        assert.deepEqual(
            problems.map((p) => p.key),
            ["cicd-foundation:repositories[1].name", "cicd-foundation:repositories[2].name"],
        );
        assert.equal(
            problems[0].message,
            "'billing' is private and acme is on GitHub's 'team' plan, where GitHub ignores the environments' required reviewers of private and internal repositories without an error: the approval gate would not exist. Move the organisation to GitHub Enterprise, or make the repository public",
        );
    });

    it("refuses an unknown plan rather than guess (fail closed)", () => {
        const problems = requiredReviewersProblems({ owner: "acme", plan: "galactic", reviewers: 1, repositories: REPOSITORIES });
        assert.deepEqual(
            problems.map((p) => p.message),
            [
                "'billing' is private and acme's plan 'galactic' is not one this program knows keeps required reviewers on private and internal repositories (known: enterprise, free, pro, team): refused rather than risk a gate GitHub ignores",
                "'handbook' is internal and acme's plan 'galactic' is not one this program knows keeps required reviewers on private and internal repositories (known: enterprise, free, pro, team): refused rather than risk a gate GitHub ignores",
            ],
        );
    });

    it("does not apply to public repositories on the free plan, or to a stack without reviewers", () => {
        assert.deepEqual(
            requiredReviewersProblems({ owner: "acme", plan: "free", reviewers: 1, repositories: REPOSITORIES.slice(0, 1) }),
            [],
        );
        assert.deepEqual(requiredReviewersProblems({ owner: "acme", plan: "free", reviewers: 0, repositories: REPOSITORIES }), []);
    });

    describe("through the program's lookups, before any resource", () => {
        /** The fixture organisation on a plan, its repositories all private. */
        const onPlan =
            (plan: string): LookupHandler =>
            (token, inputs) => {
                const answer = directoryLookups(ACME)(token, inputs);
                if (token === "github:index/getOrganization:getOrganization") return { ...answer, plan };
                if (token === "github:index/getRepository:getRepository") return { ...answer, visibility: "private", private: true };
                return answer;
            };

        it("stops dev's synthesis on GitHub Team with one problem per private repository", async () => {
            await assert.rejects(synth("dev", "preview", fixtureConfig("dev"), onPlan("team")), (error: unknown) => {
                assert.ok(error instanceof ConfigError);
                assert.deepEqual(
                    error.problems.map((p) => p.split(" '")[0]),
                    [0, 1, 2].map((i) => `test/fixtures/github/Pulumi.dev.yaml: cicd-foundation:repositories[${i}].name`),
                );
                return true;
            });
        });

        it("synthesizes dev on GitHub Enterprise", async () => {
            const graph = await synth("dev", "preview", fixtureConfig("dev"), onPlan("enterprise"));
            assert.ok(graph.resources.length > 0);
        });
    });
});
