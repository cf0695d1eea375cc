import { strict as assert } from "assert";
import { UNKNOWN, type Graph } from "../../tools/lib/synthesize";
import { copyOf, mutate, stackOutcome, PROD } from "../helpers/policy";
import { ACCOUNTS } from "../support/accounts";
import { withResource } from "../support/edits";
import { useGraphs } from "../support/graphs";
import { itFlagsEachBreak, itPassesEveryStack } from "../support/rules";
import { T } from "../support/types";

const prod = PROD;
const ACCOUNT = ACCOUNTS.prod;
const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/bbws-pipeline-boundary-prod`;

describe("role-permissions-boundary", () => {
    const graphs = useGraphs();

    itPassesEveryStack("role-permissions-boundary", graphs);
    itFlagsEachBreak("role-permissions-boundary", graphs);

    for (const mode of ["resolved", "preview"]) {
        // (policies.probes.test.ts)
        describe(`role-permissions-boundary requires the stack's boundary on every role (${mode})`, () => {
            const boundary = (role: string, value: unknown) =>
                mutate(graphs[`prod.${mode}`], T.role, role, (r) => {
                    if (value === undefined) delete r.inputs.permissionsBoundary;
                    else r.inputs.permissionsBoundary = value;
                });
            const roleNames = (graph: Graph) => graph.resources.filter((r) => r.type === T.role).map((r) => r.name);
            it("passes the program's roles, each bounded by arn:aws:iam::<account>:policy/bbws-pipeline-boundary-prod", () => {
                assert.deepEqual(
                    [
                        ...new Set(
                            graphs[`prod.${mode}`].resources.filter((r) => r.type === T.role).map((r) => r.inputs.permissionsBoundary),
                        ),
                    ],
                    [BOUNDARY],
                );
                assert.deepEqual(stackOutcome("role-permissions-boundary", graphs[`prod.${mode}`], prod), { violations: [] });
            });
            it("flags a role without a boundary", () => {
                assert.deepEqual(stackOutcome("role-permissions-boundary", boundary("cicd-foundation-previewer", undefined), prod), {
                    violations: [
                        "Role 'cicd-foundation-previewer': has no permissionsBoundary; every role is bounded by bbws-pipeline-boundary-prod.",
                    ],
                });
            });
            it("flags another boundary of this account", () => {
                const other = `arn:aws:iam::${ACCOUNT}:policy/bbws-lenient-boundary`;
                assert.deepEqual(stackOutcome("role-permissions-boundary", boundary("cicd-foundation-previewer", other), prod), {
                    violations: [`Role 'cicd-foundation-previewer': permissionsBoundary ${other} is not ${BOUNDARY}.`],
                });
            });
            it("flags the boundary's name in another account", () => {
                const other = "arn:aws:iam::111122223333:policy/bbws-pipeline-boundary-prod";
                assert.deepEqual(stackOutcome("role-permissions-boundary", boundary("cicd-foundation-deployer", other), prod), {
                    violations: [`Role 'cicd-foundation-deployer': permissionsBoundary ${other} is not ${BOUNDARY}.`],
                });
            });
            it("flags a boundary unknown at preview (fail closed: the program builds it from names)", () => {
                assert.deepEqual(stackOutcome("role-permissions-boundary", boundary("cicd-foundation-deployer", UNKNOWN), prod), {
                    violations: [
                        `Role 'cicd-foundation-deployer': its permissionsBoundary is unknown at preview; build it from names as ${BOUNDARY}.`,
                    ],
                });
            });
            it("flags every role when the stack has no boundary policy", () => {
                const graph: Graph = {
                    ...copyOf(graphs[`prod.${mode}`]),
                    resources: graphs[`prod.${mode}`].resources.filter((r) => r.type !== T.managedPolicy),
                };
                assert.deepEqual(
                    stackOutcome("role-permissions-boundary", graph, prod).violations,
                    roleNames(graph).map(
                        (role) =>
                            `Role '${role}': the stack must hold exactly one managed policy named <prefix>-pipeline-boundary-prod to bound it; found none.`,
                    ),
                );
            });
            it("flags every role when a second policy claims to be the boundary", () => {
                const graph = withResource(graphs[`prod.${mode}`], T.managedPolicy, "rival", {
                    name: "evil-pipeline-boundary-prod",
                    policy: JSON.stringify({ Version: "2012-10-17", Statement: [] }),
                });
                assert.deepEqual(
                    stackOutcome("role-permissions-boundary", graph, prod).violations,
                    roleNames(graph).map(
                        (role) =>
                            `Role '${role}': the stack must hold exactly one managed policy named <prefix>-pipeline-boundary-prod to bound it; found bbws-pipeline-boundary-prod, evil-pipeline-boundary-prod.`,
                    ),
                );
            });
            it("does not apply to a stack without roles", () => {
                const graph: Graph = {
                    ...copyOf(graphs[`prod.${mode}`]),
                    resources: graphs[`prod.${mode}`].resources.filter((r) => r.type !== T.role),
                };
                assert.deepEqual(stackOutcome("role-permissions-boundary", graph, prod), {
                    violations: [],
                    notApplicable: "the stack creates no IAM role",
                });
            });
        });
    }
});
