import { strict as assert } from "assert";
import { ConfigError, type RawConfig } from "../config";
import { planToJudge } from "../config/checks/githubPlan";
import type { LookupHandler } from "../tools/lib/synthesize";
import { directoryLookups } from "./helpers/github";
import { ACME, fixtureConfig } from "./helpers/githubFixtures";
import { synth } from "./helpers/stacks";

const REPOSITORIES = [
    { index: 0, name: "open-source", visibility: "public" },
    { index: 1, name: "billing", visibility: "private" },
    { index: 2, name: "handbook", visibility: "internal" },
];
const HIDDEN =
    "is not set, and GitHub does not show acme's plan to this token (only organisation owners may read it): the required reviewers of billing, handbook (private or internal) exist only on GitHub Enterprise, so the approval gate cannot be proved. State the plan (cicd-foundation:githubPlan: enterprise, team, pro or free), or run with an owner's read-only token";

describe("config: the GitHub plan when GitHub hides it (githubPlan, fail closed)", () => {
    const judge = (stated: string | undefined, reported: string | undefined, repositories = REPOSITORIES) =>
        planToJudge({ owner: "acme", stated, reported, reviewers: 2, repositories });

    it("refuses a hidden plan that the stack file does not state, naming the key and the repositories", () => {
        assert.deepEqual(judge(undefined, ""), { plan: undefined, problems: [{ key: "cicd-foundation:githubPlan", message: HIDDEN }] });
        assert.deepEqual(judge(undefined, undefined).problems, [{ key: "cicd-foundation:githubPlan", message: HIDDEN }]);
    });

    it("judges the stated plan when GitHub hides it", () => {
        assert.deepEqual(judge("enterprise", ""), { plan: "enterprise", problems: [] });
        assert.deepEqual(judge("team", ""), { plan: "team", problems: [] });
    });

    it("judges the reported plan, and refuses a stated plan that differs from it, naming both", () => {
        assert.deepEqual(judge(undefined, "team"), { plan: "team", problems: [] });
        assert.deepEqual(judge("enterprise", "enterprise"), { plan: "enterprise", problems: [] });
        assert.deepEqual(judge("enterprise", "team"), {
            plan: "team",
            problems: [
                {
                    key: "cicd-foundation:githubPlan",
                    message:
                        "states 'enterprise', but GitHub reports acme's plan as 'team': set it to 'team', or remove it (this token can read the plan)",
                },
            ],
        });
    });

    it("does not apply to public repositories only, or to a stack without reviewers", () => {
        assert.deepEqual(judge(undefined, "", REPOSITORIES.slice(0, 1)), { plan: undefined, problems: [] });
        assert.deepEqual(planToJudge({ owner: "acme", stated: undefined, reported: "", reviewers: 0, repositories: REPOSITORIES }), {
            plan: undefined,
            problems: [],
        });
    });

    describe("through the program's lookups, before any resource", () => {
        /** The fixture organisation whose plan the token cannot read (GitHub answers an empty plan). */
        const hidden: LookupHandler = directoryLookups({ ...ACME, plan: "" });
        const stating = (plan: unknown): RawConfig => {
            const base = fixtureConfig("dev");
            return { ...base, values: { ...base.values, "cicd-foundation:githubPlan": String(plan) } };
        };

        it("stops dev's synthesis when the plan is hidden and not stated", async () => {
            await assert.rejects(synth("dev", "preview", fixtureConfig("dev"), hidden), (error: unknown) => {
                assert.ok(error instanceof ConfigError);
                assert.deepEqual(error.problems, [
                    "test/fixtures/github/Pulumi.dev.yaml: cicd-foundation:githubPlan is not set, and GitHub does not show acme-org's plan to this token (only organisation owners may read it): the required reviewers of payments-lambda, ledger-tables, platform (private or internal) exist only on GitHub Enterprise, so the approval gate cannot be proved. State the plan (cicd-foundation:githubPlan: enterprise, team, pro or free), or run with an owner's read-only token",
                ]);
                return true;
            });
        });

        it("synthesizes dev when the stack file states enterprise", async () => {
            const graph = await synth("dev", "preview", stating("enterprise"), hidden);
            assert.ok(graph.resources.length > 0);
        });

        it("judges a stated team plan like a reported one: each private repository refused", async () => {
            await assert.rejects(synth("dev", "preview", stating("team"), hidden), (error: unknown) => {
                assert.ok(error instanceof ConfigError);
                assert.deepEqual(
                    error.problems.map((p) => p.split(" '")[0]),
                    [0, 1, 2].map((i) => `test/fixtures/github/Pulumi.dev.yaml: cicd-foundation:repositories[${i}].name`),
                );
                return true;
            });
        });

        it("refuses a stated plan GitHub contradicts", async () => {
            await assert.rejects(
                synth("dev", "preview", stating("enterprise"), directoryLookups({ ...ACME, plan: "team" })),
                (error: unknown) => {
                    assert.ok(error instanceof ConfigError);
                    assert.equal(
                        error.problems[0],
                        "test/fixtures/github/Pulumi.dev.yaml: cicd-foundation:githubPlan states 'enterprise', but GitHub reports acme-org's plan as 'team': set it to 'team', or remove it (this token can read the plan)",
                    );
                    return true;
                },
            );
        });

        it("refuses a plan GitHub does not have, naming the key", async () => {
            await assert.rejects(synth("dev", "preview", stating("business"), hidden), (error: unknown) => {
                assert.ok(error instanceof ConfigError);
                assert.deepEqual(error.problems, [
                    'test/fixtures/github/Pulumi.dev.yaml: cicd-foundation:githubPlan must be one of enterprise, team, pro, free, got "business"',
                ]);
                return true;
            });
        });
    });
});
