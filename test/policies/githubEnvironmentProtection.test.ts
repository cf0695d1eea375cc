import { strict as assert } from "assert";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { UNKNOWN, type Graph } from "../../tools/lib/synthesize";
import { find, mutate, runResourceRule, ruleNamed, resourceViolations, PROD } from "../helpers/policy";
import { useGraphs } from "../support/graphs";
import { itDoesNotApply, itFlagsEachBreak, itPassesEveryStack } from "../support/rules";
import { T } from "../support/types";

const prod = PROD;

describe("github-environment-protection", () => {
    const graphs = useGraphs();

    itPassesEveryStack("github-environment-protection", graphs);
    itFlagsEachBreak("github-environment-protection", graphs);
    itDoesNotApply("github-environment-protection", graphs, [["prod", T.role, "not a GitHub environment"]]);

    for (const mode of ["resolved", "preview"]) {
        // (policies.probes.test.ts)
        describe(`github-environment-protection refuses "any protected branch" in prod (${mode})`, () => {
            const branchPolicy = (graph: Graph, name: string, policy: Record<string, boolean>) =>
                mutate(graph, T.githubEnvironment, name, (r) => (r.inputs.deploymentBranchPolicy = policy));
            it("passes the program's custom branch policies", () => {
                assert.deepEqual(find(graphs[`prod.${mode}`], T.githubEnvironment, "cicd-foundation-prod").inputs.deploymentBranchPolicy, {
                    customBranchPolicies: true,
                    protectedBranches: false,
                });
                assert.deepEqual(resourceViolations("github-environment-protection", graphs[`prod.${mode}`], prod), []);
            });
            it("flags protectedBranches true", () => {
                const graph = branchPolicy(graphs[`prod.${mode}`], "cicd-foundation-prod", {
                    protectedBranches: true,
                    customBranchPolicies: false,
                });
                assert.deepEqual(resourceViolations("github-environment-protection", graph, prod), [
                    "Environment 'cicd-foundation-prod' lets any protected branch deploy to prod; use custom branch policies naming the allowed branches.",
                ]);
            });
            it("flags a branch policy unknown at preview (fail closed)", () => {
                const graph = mutate(
                    graphs[`prod.${mode}`],
                    T.githubEnvironment,
                    "cicd-foundation-prod",
                    (r) => (r.inputs.deploymentBranchPolicy = UNKNOWN),
                );
                assert.deepEqual(resourceViolations("github-environment-protection", graph, prod), [
                    "Environment 'cicd-foundation-prod' must restrict which branches deploy to prod.",
                ]);
            });
            it("leaves sit's branch policy to sit's own rules, in prod's stack that declares it", () => {
                const graph = branchPolicy(graphs[`prod.${mode}`], "cicd-foundation-sit", {
                    protectedBranches: true,
                    customBranchPolicies: false,
                });
                assert.deepEqual(resourceViolations("github-environment-protection", graph, prod), []);
            });
            it("does not apply to a role", () => {
                const graph = graphs[`prod.${mode}`];
                assert.deepEqual(
                    runResourceRule(
                        ruleNamed("github-environment-protection") as ResourceValidationPolicy,
                        graph,
                        find(graph, T.role, "cicd-foundation-deployer"),
                        prod,
                    ),
                    { violations: [], notApplicable: "not a GitHub environment" },
                );
            });
        });
    }

    it("checks a prod environment's reviewers, self-review, administrator bypass and branches", () => {
        const graph = graphs["prod.resolved"];
        const role = find(graph, T.role, "cicd-foundation-deployer");
        const environment = {
            ...role,
            type: T.githubEnvironment,
            name: "env",
            inputs: { reviewers: [{ teams: [1, 2] }], preventSelfReview: false },
        };
        assert.deepEqual(
            runResourceRule(ruleNamed("github-environment-protection") as ResourceValidationPolicy, graph, environment, prod).violations,
            [
                "Environment 'env' lists 2 reviewer(s); prod needs at least 3.",
                "Environment 'env' must prevent self-review in prod.",
                "Environment 'env' must not let administrators bypass its rules in prod.",
                "Environment 'env' must restrict which branches deploy to prod.",
            ],
        );
    });
});
