import { strict as assert } from "assert";
import { mutate, resourceViolations } from "../helpers/policy";
import { useGraphs } from "../support/graphs";
import { itDoesNotApply, itFlagsEachBreak, itPassesEveryStack } from "../support/rules";
import { T } from "../support/types";

describe("prod-deployment-branches", () => {
    const graphs = useGraphs();

    itPassesEveryStack("prod-deployment-branches", graphs);
    itFlagsEachBreak("prod-deployment-branches", graphs);
    itDoesNotApply("prod-deployment-branches", graphs, [
        ["prod", T.role, "not a deployment branch policy"],
        ["prod", T.githubDeploymentPolicy, "deployment branches are restricted in prod; this policy gates dev"],
    ]);

    for (const mode of ["resolved", "preview"]) {
        // (policies.documents.test.ts)
        describe(`prod-deployment-branches judges patterns as GitHub does (${mode})`, () => {
            const run = (pattern: string, allowed?: string[]) => {
                const graph = mutate(
                    graphs[`prod.${mode}`],
                    T.githubDeploymentPolicy,
                    "cicd-foundation-prod-branch-main",
                    (r) => (r.inputs.branchPattern = pattern),
                );
                const config = allowed ? { environment: "prod", deploymentBranches: allowed } : { environment: "prod" };
                return resourceViolations("prod-deployment-branches", graph, { config });
            };
            it("passes a release branch a configured release/* pattern matches, and the pattern itself", () => {
                assert.deepEqual(run("release/2026.11", ["main", "release/*"]), []);
                assert.deepEqual(run("release/*", ["main", "release/*"]), []);
            });
            it("flags a nested branch, since * does not cross / in GitHub's patterns", () => {
                assert.deepEqual(run("release/2026/11", ["main", "release/*"]), [
                    "Deployment policy 'cicd-foundation-prod-branch-main' allows 'release/2026/11'; prod may deploy only from the protected branches main, release/*.",
                ]);
            });
            it("flags ** even when the config lists it", () => {
                assert.deepEqual(run("**", ["main", "**"]), [
                    "Deployment policy 'cicd-foundation-prod-branch-main' allows '**'; prod may deploy only from the protected branches main, **.",
                ]);
            });
            it("flags a branch the stack file does not allow", () => {
                assert.deepEqual(run("develop"), [
                    "Deployment policy 'cicd-foundation-prod-branch-main' allows 'develop'; prod may deploy only from the protected branches main.",
                ]);
            });
        });
    }
});
