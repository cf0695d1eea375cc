import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { synthesize, type Graph } from "../../tools/lib/synthesize";
import { copyOf, mutate, runStackRule, type RunOptions } from "../helpers/policy";
import { rawStack } from "../helpers/rightsFixture";
import { memoGraph } from "../support/graphs";
import { T } from "../support/types";
import { commonArn, deployScopesDisjoint } from "../../policies/rules/deployScopesDisjoint";

/**
 * On the sit stack of the rights fixture (a foundation, a served Pulumi repository, a Terraform repository, a
 * Lambda service), synthesized through the real program in both preview modes, once per run.
 */

const SIT: RunOptions = { config: { environment: "sit" } };
const graphs: Partial<Record<"resolved" | "preview", Graph>> = {};

before(async () => {
    for (const mode of ["resolved", "preview"] as const)
        graphs[mode] = await memoGraph(`rights.sit.${mode}`, () =>
            synthesize({ stack: "sit", config: rawStack(fs.mkdtempSync(path.join(os.tmpdir(), "foundation-rights-")), "sit"), mode }),
        );
});

/** The graph with one statement added to a role's inline policy. */
function granting(graph: Graph, policy: string, statement: Record<string, unknown>): Graph {
    return mutate(graph, T.rolePolicy, policy, (r) => {
        const document = JSON.parse(r.inputs.policy as string) as { Statement: unknown[] };
        document.Statement.push(statement);
        r.inputs.policy = JSON.stringify(document);
    });
}

for (const mode of ["resolved", "preview"] as const) {
    describe(`deploy-scopes-disjoint keeps each repository's resources its own (${mode})`, () => {
        const graph = () => graphs[mode] as Graph;

        it("passes the program's roles: shared tables and the key are reached only through conditions", () => {
            assert.deepEqual(runStackRule(deployScopesDisjoint, graph(), SIT), { violations: [] });
        });

        it("flags a Lambda service's deployer writing the Terraform repository's tables, naming both", () => {
            const broken = granting(graph(), "billing-deployer", {
                Sid: "Borrow",
                Effect: "Allow",
                Action: "dynamodb:UpdateTable",
                Resource: "arn:aws:dynamodb:eu-west-1:222222222222:table/orders-v*",
            });
            assert.deepEqual(runStackRule(deployScopesDisjoint, broken, SIT).violations, [
                "Role policy 'billing-deployer' (acme-org/billing): statement 'Borrow' writes arn:aws:dynamodb:eu-west-1:222222222222:table/orders-v*, which overlaps arn:aws:dynamodb:eu-west-1:222222222222:table/orders-* written by acme-org/orders ('orders-deployer'); both reach arn:aws:dynamodb:eu-west-1:222222222222:table/orders-v.",
            ]);
        });

        it("does not apply to a stack without role policies", () => {
            const bare: Graph = { ...copyOf(graph()), resources: graph().resources.filter((r) => r.type !== T.rolePolicy) };
            assert.deepEqual(runStackRule(deployScopesDisjoint, bare, SIT), {
                violations: [],
                notApplicable: "the stack creates no role policy",
            });
        });
    });
}

describe("ARN patterns overlap exactly when a name matches both", () => {
    it("finds the shortest common name, reads '?' as '*', and proves delimiters disjoint", () => {
        assert.deepEqual(
            [
                commonArn("arn:aws:iam::1:role/a-lambda-svc@*", "arn:aws:iam::1:role/a-lambda-svc-v2@*"),
                commonArn("arn:aws:iam::1:role/a-lambda-svc-*", "arn:aws:iam::1:role/a-lambda-svc-v2-*"),
                commonArn("arn:aws:s3:::b/x/*", "arn:aws:s3:::b/y/*"),
                commonArn("table/t?", "table/tx*"),
            ],
            [undefined, "arn:aws:iam::1:role/a-lambda-svc-v2-", undefined, "table/tx"],
        );
    });
});
