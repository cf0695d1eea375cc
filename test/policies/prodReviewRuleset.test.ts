import { strict as assert } from "assert";
import type { StackValidationPolicy } from "@pulumi/policy";
import { UNKNOWN } from "../../tools/lib/synthesize";
import { find, mutate, runStackRule, ruleNamed, stackOutcome, PROD } from "../helpers/policy";
import { withResource } from "../support/edits";
import { useGraphs } from "../support/graphs";
import { itDoesNotApplyWithout, itFlagsEachBreak, itPassesEveryStack } from "../support/rules";
import { T } from "../support/types";

const prod = PROD;

describe("prod-review-ruleset", () => {
    const graphs = useGraphs();

    itPassesEveryStack("prod-review-ruleset", graphs);
    itFlagsEachBreak("prod-review-ruleset", graphs);
    itDoesNotApplyWithout("prod-review-ruleset", "GitHub environments", graphs, "no GitHub environment in this stack");

    for (const mode of ["resolved", "preview"]) {
        // (policies.review.test.ts)
        describe(`prod-review-ruleset refuses bypass actors and exclusions of the default branch (${mode})`, () => {
            const ruleset = (change: (inputs: Record<string, unknown>) => void, name = "cicd-foundation-default-branch") =>
                mutate(graphs[`prod.${mode}`], T.githubRuleset, name, (r) => change(r.inputs as Record<string, unknown>));
            const refName = (inputs: Record<string, unknown>) =>
                (inputs.conditions as { refName: { includes: string[]; excludes: string[] } }).refName;
            it("passes the program's rulesets: ~DEFAULT_BRANCH included, nothing excluded, no bypass actor", () => {
                assert.deepEqual(stackOutcome("prod-review-ruleset", graphs[`prod.${mode}`], prod), { violations: [] });
            });
            it("passes a ruleset that includes refs/heads/main by name", () => {
                const graph = ruleset((inputs) => (refName(inputs).includes = ["refs/heads/main"]));
                assert.deepEqual(stackOutcome("prod-review-ruleset", graph, prod), { violations: [] });
            });
            for (const bypassMode of ["always", "pull_request"]) {
                it(`flags a repository admin bypassing it (${bypassMode})`, () => {
                    const graph = ruleset((inputs) => (inputs.bypassActors = [{ actorId: 5, actorType: "RepositoryRole", bypassMode }]));
                    assert.deepEqual(stackOutcome("prod-review-ruleset", graph, prod).violations, [
                        `Ruleset 'cicd-foundation-default-branch' lets RepositoryRole 5 (${bypassMode}) bypass it; in prod no one may merge to the default branch without the required reviews.`,
                    ]);
                });
            }
            for (const excluded of ["~DEFAULT_BRANCH", "refs/heads/main", "refs/heads/ma*"]) {
                it(`flags a ruleset excluding ${excluded}`, () => {
                    const graph = ruleset((inputs) => (refName(inputs).excludes = ["refs/heads/release/*", excluded]));
                    assert.deepEqual(stackOutcome("prod-review-ruleset", graph, prod).violations, [
                        `Ruleset 'cicd-foundation-default-branch' excludes the default branch (${excluded}); in prod it must not exclude it.`,
                    ]);
                });
            }
            it("passes a ruleset excluding only other branches", () => {
                const graph = ruleset((inputs) => (refName(inputs).excludes = ["refs/heads/release/*", "refs/heads/main-old"]));
                assert.deepEqual(stackOutcome("prod-review-ruleset", graph, prod), { violations: [] });
            });
            it("flags a ruleset that includes only another branch as no ruleset on the default branch", () => {
                const graph = ruleset((inputs) => (refName(inputs).includes = ["refs/heads/nothing"]));
                assert.deepEqual(stackOutcome("prod-review-ruleset", graph, prod).violations, [
                    "Repository 'cicd-foundation' deploys to prod but has no active ruleset on its default branch.",
                ]);
            });
            it("fails closed on bypass actors unknown at preview", () => {
                const graph = ruleset((inputs) => (inputs.bypassActors = UNKNOWN));
                assert.deepEqual(stackOutcome("prod-review-ruleset", graph, prod).violations, [
                    "Ruleset 'cicd-foundation-default-branch': its bypass actors are unknown at preview; set them from config.",
                ]);
            });
            it("passes a bypassed ruleset when a second sound ruleset guards the same branch", () => {
                const bypassed = ruleset(
                    (inputs) => (inputs.bypassActors = [{ actorId: 1, actorType: "OrganizationAdmin", bypassMode: "always" }]),
                );
                const sound = find(graphs[`prod.${mode}`], T.githubRuleset, "cicd-foundation-default-branch");
                const graph = withResource(bypassed, T.githubRuleset, "cicd-foundation-second", { ...sound.inputs });
                assert.deepEqual(stackOutcome("prod-review-ruleset", graph, prod), { violations: [] });
            });
            it("does not apply outside prod, bypass actors or not", () => {
                const graph = ruleset(
                    (inputs) => (inputs.bypassActors = [{ actorId: 5, actorType: "RepositoryRole", bypassMode: "always" }]),
                );
                assert.deepEqual(stackOutcome("prod-review-ruleset", graph, { config: { environment: "sit" } }), {
                    violations: [],
                    notApplicable: "the approval ruleset is required in prod; this stack is sit",
                });
            });
        });
    }

    it("does not apply outside prod", () => {
        assert.deepEqual(
            runStackRule(ruleNamed("prod-review-ruleset") as StackValidationPolicy, graphs["sit.resolved"], {
                config: { environment: "sit" },
            }),
            {
                violations: [],
                notApplicable: "the approval ruleset is required in prod; this stack is sit",
            },
        );
    });
});
