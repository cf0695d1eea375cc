import { strict as assert } from "assert";
import type { Environment } from "../config";
import type { Graph, SynthesisMode } from "../tools/lib/synthesize";
import { mutate, stackOutcome } from "./helpers/policy";
import { synth, T } from "./helpers/stacks";
import { fixtureStacks, lookups, removeFixtures, STACKS } from "./helpers/trustFixture";
import { withResource } from "./support/edits";

const GH = "token.actions.githubusercontent.com";
const APPLY = "acme/platform-foundation/.github/workflows/terraform-apply.yml@refs/heads/main";
const DEPLOYER = "reference-tables-deployer";
const PREVIEWER = "reference-tables-previewer";
const FOUNDATION_PREVIEWER = "platform-foundation-previewer";

type Condition = Record<string, Record<string, unknown>>;
type Document = { Version: string; Statement: { Sid?: string; Condition: Condition }[] };

/** A copy of the graph with one role's trust policy changed. */
const editTrust = (graph: Graph, role: string, change: (document: Document) => void): Graph =>
    mutate(graph, T.role, role, (r) => {
        const document = JSON.parse(r.inputs.assumeRolePolicy as string) as Document;
        change(document);
        r.inputs.assumeRolePolicy = JSON.stringify(document);
    });

/** The first statement's conditions of a trust policy. */
const first = (document: Document) => document.Statement[0].Condition;

describe("oidc-trust requires workflow identity on every GitHub-trusted role", () => {
    const graphs: Record<string, Graph> = {};
    before(async () => {
        const stacks = fixtureStacks();
        for (const stack of STACKS)
            for (const mode of ["resolved", "preview"] as SynthesisMode[])
                graphs[`${stack}.${mode}`] = await synth(stack, mode, stacks[stack], lookups);
    });
    after(removeFixtures);

    for (const mode of ["resolved", "preview"] as SynthesisMode[]) {
        for (const stack of STACKS) {
            it(`passes every role the program creates, the foundation's pull-request previews included (${stack}, ${mode})`, () => {
                assert.deepEqual(stackOutcome("oidc-trust", graphs[`${stack}.${mode}`], { config: { environment: stack } }), {
                    violations: [],
                });
            });
        }

        describe(`in prod (${mode})`, () => {
            const prod = { config: { environment: "prod" as Environment } };
            const violations = (graph: Graph) => stackOutcome("oidc-trust", graph, prod).violations;
            const graph = () => graphs[`prod.${mode}`];

            it("flags a deployer without job_workflow_ref: any workflow naming the environment would get it", () => {
                const broken = editTrust(graph(), DEPLOYER, (d) => delete first(d).StringEquals[`${GH}:job_workflow_ref`]);
                assert.deepEqual(violations(broken), [
                    `Role '${DEPLOYER}': statement 'GithubActionsOidc' must check ${GH}:job_workflow_ref with StringEquals the workflows that may assume it (OWNER/REPO/.github/workflows/FILE@refs/heads/BRANCH).`,
                ]);
            });

            it("flags a deployer without repository_id", () => {
                const broken = editTrust(graph(), DEPLOYER, (d) => delete first(d).StringEquals[`${GH}:repository_id`]);
                assert.deepEqual(violations(broken), [
                    `Role '${DEPLOYER}': statement 'GithubActionsOidc' must check ${GH}:repository_id with StringEquals the repository's numeric id.`,
                ]);
            });

            it("flags a repository_id that is a name, or matched with StringLike", () => {
                const named = editTrust(graph(), DEPLOYER, (d) => (first(d).StringEquals[`${GH}:repository_id`] = "acme/reference-tables"));
                const like = editTrust(graph(), DEPLOYER, (d) => {
                    const id = first(d).StringEquals[`${GH}:repository_id`];
                    delete first(d).StringEquals[`${GH}:repository_id`];
                    first(d).StringLike = { [`${GH}:repository_id`]: id };
                });
                const message = `Role '${DEPLOYER}': statement 'GithubActionsOidc' must check ${GH}:repository_id with StringEquals the repository's numeric id.`;
                assert.deepEqual(violations(named), [message]);
                assert.deepEqual(violations(like), [message]);
            });

            it("flags a wildcard in the workflow's ref, matched with StringLike", () => {
                const value = "acme/platform-foundation/.github/workflows/terraform-apply.yml@refs/heads/*";
                const broken = editTrust(graph(), DEPLOYER, (d) => {
                    delete first(d).StringEquals[`${GH}:job_workflow_ref`];
                    first(d).StringLike = { [`${GH}:job_workflow_ref`]: value };
                });
                assert.deepEqual(violations(broken), [
                    `Role '${DEPLOYER}': statement 'GithubActionsOidc': job_workflow_ref '${value}' (StringLike) must name one workflow at a branch or tag, with StringEquals and no wildcard.`,
                ]);
            });

            it("flags a wildcard even under StringEquals, and a workflow file left open", () => {
                const star = "acme/platform-foundation/.github/workflows/*.yml@refs/heads/main";
                const broken = editTrust(graph(), DEPLOYER, (d) => (first(d).StringEquals[`${GH}:job_workflow_ref`] = [APPLY, star]));
                assert.deepEqual(violations(broken), [
                    `Role '${DEPLOYER}': statement 'GithubActionsOidc': job_workflow_ref '${star}' (StringEquals) must name one workflow at a branch or tag, with StringEquals and no wildcard.`,
                ]);
            });

            it("flags a workflow of another owner", () => {
                const other = "someone-else/pipelines/.github/workflows/deploy.yml@refs/heads/main";
                const broken = editTrust(graph(), DEPLOYER, (d) => (first(d).StringEquals[`${GH}:job_workflow_ref`] = other));
                assert.deepEqual(violations(broken), [
                    `Role '${DEPLOYER}': statement 'GithubActionsOidc': job_workflow_ref '${other}' names a workflow outside acme.`,
                ]);
            });

            it("flags a deployer trusting any pull request's workflow, which only a read-only role may", () => {
                const pullRequests = "acme/platform-foundation/.github/workflows/terraform-apply.yml@refs/pull/*/merge";
                const broken = editTrust(graph(), DEPLOYER, (d) => {
                    first(d).StringLike = { [`${GH}:job_workflow_ref`]: pullRequests };
                });
                assert.deepEqual(violations(broken), [
                    `Role '${DEPLOYER}': trusts workflows of any pull request (${pullRequests}) but its permissions are not read-only.`,
                ]);
            });

            it("passes the same pull-request workflow on a read-only previewer", () => {
                const pullRequests = "acme/reference-tables/.github/workflows/plan.yml@refs/pull/*/merge";
                const extended = editTrust(graph(), PREVIEWER, (d) => {
                    first(d).StringLike = { [`${GH}:job_workflow_ref`]: pullRequests };
                });
                assert.deepEqual(violations(extended), []);
            });

            it("flags a pull-request pattern that opens more than the pull request's number", () => {
                const open = "acme/platform-foundation/.github/workflows/preview.yml@refs/*";
                const broken = editTrust(graph(), FOUNDATION_PREVIEWER, (d) => {
                    d.Statement[1].Condition.StringLike[`${GH}:job_workflow_ref`] = open;
                });
                assert.deepEqual(violations(broken), [
                    `Role '${FOUNDATION_PREVIEWER}': statement 'GithubActionsOwnPullRequests': job_workflow_ref '${open}' (StringLike) must name one workflow at a branch or tag, with StringEquals and no wildcard.`,
                ]);
            });

            it("does not ask a role trusted by an AWS service for GitHub's claims", () => {
                const withService = withResource(graph(), T.role, "function-role", {
                    name: "acme-lambda-reference-tables-worker",
                    assumeRolePolicy: JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
                    }),
                });
                assert.deepEqual(violations(withService), []);
            });
        });
    }

    it("is not applicable to a stack without roles", () => {
        const graph = graphs["dev.preview"];
        const roleless = { ...graph, resources: graph.resources.filter((r) => r.type !== T.role) };
        assert.deepEqual(stackOutcome("oidc-trust", roleless, { config: { environment: "dev" } }), {
            violations: [],
            notApplicable: "no IAM role in this stack",
        });
    });
});
